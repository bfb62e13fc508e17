"""HA3xx rules: keepalived VRRP instances, scripts and sync groups."""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.helpers import duplicate_findings, duplicates
from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity
from hacc.diagnostics.suggest import did_you_mean


@rule("HA301", "duplicate-vrrp-name", Severity.ERROR, layer="keepalived", fixed=True)
def duplicate_vrrp_names(cluster) -> Iterator[Finding]:
    """Two VRRP instances, track scripts or sync groups share a name.

    ## What it checks
    Names are unique among `vrrp` instances, among `script`s and among
    `sync_group`s.

    ## Why it matters
    keepalived refuses duplicate instance and group names, and a duplicate
    script name makes `track` ambiguous.

    ## Example
    ```
    vrrp VI_1 { vrid 51; vip 192.168.1.100/24 }
    vrrp VI_1 { vrid 52; vip 192.168.1.101/24 }
    ```

    ## Fix
    Rename one of them.

    ## References
    keepalived vrrp_parser.c (duplicate instance and group names); keepalived-haproxy.md K39.
    """
    keepalived = cluster.keepalived
    yield from duplicate_findings(keepalived.instances, lambda i: i.name, "vrrp instance")
    yield from duplicate_findings(keepalived.scripts, lambda s: s.name, "script")
    yield from duplicate_findings(keepalived.sync_groups, lambda g: g.name, "sync group")


@rule("HA302", "undefined-vrrp-reference", Severity.ERROR, layer="keepalived", fixed=True)
def undefined_vrrp_references(cluster) -> Iterator[Finding]:
    """`track` names an undefined script, or a sync group an undefined instance.

    ## What it checks
    Every `track NAME` in a `vrrp` instance or `sync_group` names a
    `script`, and every member of a `sync_group` is a `vrrp` instance.

    ## Why it matters
    keepalived rejects the configuration (or, for sync groups, drops the
    member), so the failover the operator designed never happens.

    ## Example
    ```
    vrrp VI_1 { track chk_haproxy weight=-20 }
    script chk_haprox "pidof haproxy"
    ```

    ## Fix
    Use the name of a defined script or instance.

    ## References
    keepalived-haproxy.md K16, K40.
    """
    keepalived = cluster.keepalived
    scripts = {s.name for s in keepalived.scripts}
    instances = {i.name for i in keepalived.instances}
    for owner in list(keepalived.instances) + list(keepalived.sync_groups):
        for tracker in owner.track_scripts:
            if tracker.name not in scripts:
                yield Finding(
                    tracker.span_of("name"),
                    f"`track {tracker.name}`: there is no script `{tracker.name}`",
                    help=did_you_mean(tracker.name, scripts, f'define it: `script {tracker.name} "COMMAND" interval=2s`'),
                    path=tracker.path_of("name"),
                )
    for group in keepalived.sync_groups:
        for index, member in enumerate(group.members):
            if member not in instances:
                yield Finding(
                    group.span_of("members", index),
                    f"sync group `{group.name}` names `{member}`, which is not a vrrp instance",
                    help=did_you_mean(member, instances, "name a `vrrp` instance"),
                    path=group.path_of("members", index),
                )


def _instances(cluster):
    names = cluster.node_names
    for instance in cluster.keepalived.instances:
        yield instance, instance.node_names(names)


@rule("HA303", "vrrp-priority-equal", Severity.ERROR, layer="keepalived")
def equal_priorities(cluster) -> Iterator[Finding]:
    """Two nodes have the same priority in one VRRP instance.

    ## What it checks
    Within a `vrrp` instance, every node's `priority` differs.

    ## Why it matters
    With equal priorities the election falls to the highest IP address, and
    a node that restarts may or may not take the VIP back: behaviour that
    differs from failover to failover. keepalived's manual: "All systems
    should have different priorities in order to make behaviour
    deterministic... configure nopreempt rather than using equal priorities."

    ## Example
    ```
    priority lb1=100 lb2=100
    ```

    ## Fix
    Give each node its own priority, e.g. `priority lb1=100 lb2=90`.

    ## References
    keepalived.conf(5) `priority`; acassen/keepalived#1440.
    """
    for instance, _ in _instances(cluster):
        items = list(instance.priority.items())
        for (first, value), (node, _) in duplicates(items, lambda item: item[1]):
            yield Finding(
                instance.span_of("priority", node),
                f"`{first}` and `{node}` both have priority {value} in `vrrp {instance.name}`",
                labels=(Label(instance.span_of("priority", first), f"`{first}` has {value} too"),),
                help="give each node its own priority; to keep a VIP where it is, use `nopreempt`",
                path=instance.path_of("priority"),
            )


@rule("HA304", "vrrp-priority-range", Severity.ERROR, layer="keepalived")
def priority_range(cluster) -> Iterator[Finding]:
    """A VRRP priority is outside 1..254.

    ## What it checks
    Priorities are between 1 and 254.

    ## Why it matters
    255 is not a higher priority: it declares the node the "address owner",
    which takes the VIP at once and ignores the weights of its trackers, so
    a failing health check can no longer move the VIP away.

    ## Example
    ```
    priority lb1=255 lb2=100
    ```

    ## Fix
    Use a priority from 1 to 254; 100 and 90 are customary.

    ## References
    keepalived.conf(5) `priority`; keepalived vrrp.c ("ignoring tracked
    script ... due to address_owner").
    """
    for instance, _ in _instances(cluster):
        for node, value in instance.priority.items():
            if not 1 <= value <= 254:
                yield Finding(
                    instance.span_of("priority", node),
                    f"priority {value} of `{node}` in `vrrp {instance.name}` is outside 1..254",
                    help="255 makes the node the address owner and disables its trackers; use 1..254",
                    path=instance.path_of("priority"),
                )


@rule("HA305", "vrrp-multiple-masters", Severity.ERROR, layer="keepalived")
def multiple_masters(cluster) -> Iterator[Finding]:
    """More than one node is forced to start as MASTER.

    ## What it checks
    At most one node of a `vrrp` instance has `state MASTER`.

    ## Why it matters
    Both nodes claim the VIP at start-up until the first adverts arrive; if
    they never do (a firewall, a VRID clash) both keep it: split brain.

    ## Example
    ```
    state lb1=MASTER lb2=MASTER
    ```

    ## Fix
    Leave `state` out: hacc derives MASTER for the highest priority and
    BACKUP for the rest.

    ## References
    acassen/keepalived#2649, #1884.
    """
    for instance, nodes in _instances(cluster):
        if isinstance(instance.state, str):
            masters = nodes if instance.state == "MASTER" else []
        else:
            masters = [n for n in nodes if instance.explicit_state(n) == "MASTER"]
        if len(masters) > 1:
            yield Finding(
                instance.span_of("state"),
                f"{len(masters)} nodes start as MASTER in `vrrp {instance.name}`: {', '.join(f'`{n}`' for n in masters)}",
                help="leave `state` out and let priorities decide, or set one MASTER",
                path=instance.path_of("state"),
            )


@rule("HA306", "vrrp-no-interface", Severity.ERROR, layer="keepalived", fixed=True)
def no_interface(cluster) -> Iterator[Finding]:
    """A node runs a VRRP instance but no network interface is known for it.

    ## What it checks
    Each node of a `vrrp` instance has an interface: the instance's
    `interface`, else the node's `interface`.

    ## Why it matters
    keepalived needs the interface to send adverts and to add the VIP.

    ## Example
    ```
    node lb1 { addr 192.168.1.11 }
    vrrp VI_1 { vrid 51; vip 192.168.1.100/24 }
    ```

    ## Fix
    Add `interface eth0` to the node (or to the instance when it is the
    same on every node).

    ## References
    keepalived.conf(5) `interface`; keepalived-haproxy.md K30.
    """
    for instance, nodes in _instances(cluster):
        for name in nodes:
            node = cluster.node(name)
            if node is not None and not instance.interface_of(node):
                yield Finding(
                    instance.span,
                    f"`vrrp {instance.name}` runs on `{name}`, which has no `interface`",
                    labels=(Label(node.span, f"`{name}` is declared here"),),
                    help=f"add `interface IFNAME` to node `{name}`, or to the instance",
                    path=instance.path_of(),
                )


@rule("HA307", "vrrp-no-address", Severity.ERROR, layer="keepalived", fixed=True)
def no_address(cluster) -> Iterator[Finding]:
    """A node of a unicast VRRP instance has no address to send adverts from.

    ## What it checks
    Unless an instance uses `multicast`, each of its nodes has an `addr` (or
    a `unicast_src`): hacc derives `unicast_src_ip` and the other nodes'
    `unicast_peer` lists from them.

    ## Why it matters
    Without addresses the peers cannot be derived, and each node would
    elect itself MASTER.

    ## Example
    ```
    node lb1 { interface eth0 }
    ```

    ## Fix
    Add `addr ADDRESS` to the node, or write `multicast` in the instance.

    ## References
    keepalived.conf(5) `unicast_src_ip`, `unicast_peer`; acassen/keepalived#2458.
    """
    for instance, nodes in _instances(cluster):
        if instance.multicast:
            continue
        for name in nodes:
            node = cluster.node(name)
            if node is not None and instance.source_of(node) is None:
                yield Finding(
                    instance.span,
                    f"`vrrp {instance.name}` runs on `{name}`, which has no address for unicast adverts",
                    labels=(Label(node.span, f"`{name}` is declared here"),),
                    help=f"add `addr ADDRESS` to node `{name}`, or `multicast` to the instance",
                    path=instance.path_of(),
                )
