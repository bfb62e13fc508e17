"""HA212-HA216, HA227-HA229: resources against their agents: operations,
timeouts and parameters, checked with the agents' own metadata (shipped in
data/agents.json for the most used agents)."""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.helpers import duplicates
from hacc.checks.registry import Finding, rule
from hacc.checks.vocabulary import (
    DEFAULT_OP_TIMEOUT_MS,
    advised_timeouts,
    agent,
    fencing_parameters,
    parameter_aliases,
)
from hacc.diagnostics.model import Label, Severity
from hacc.diagnostics.suggest import suggest
from hacc.model.pacemaker import Group, Primitive
from hacc.model.values import Duration

# Parameters Pacemaker passes to fence agents itself: agents mark them
# required, but a device never sets them (pacemaker-fenced fills them in).
FENCER_SUPPLIED = frozenset({"action", "plug", "port", "nodename"})


def _primitives(cluster) -> list[Primitive]:
    return cluster.pacemaker.primitives()


@rule("HA212", "missing-monitor", Severity.WARNING, layer="pacemaker")
def missing_monitor(cluster) -> Iterator[Finding]:
    """A resource without a monitor operation.

    ## What it checks
    Every resource has at least one `op monitor interval=...`.

    ## Why it matters
    Without a monitor, Pacemaker never notices that the service died: the
    cluster reports it Started while nobody serves. The seed article's
    Apache resource has only start and stop operations.

    ## Example
    ```
    resource web ocf:heartbeat:apache { configfile=/etc/apache2/apache2.conf }
    ```

    ## Fix
    Add `op monitor interval=30s timeout=20s` (the agent's advice is in
    `crm_resource --show-metadata`).

    ## References
    pcs adds a monitor to every new resource; crmsh `ra.sanity_check_ops`.
    """
    for resource in _primitives(cluster):
        if not any(op.name == "monitor" for op in resource.ops):
            yield Finding(resource.span_of("name"), f"`{resource.name}` has no monitor operation: a failure would go unnoticed",
                          help="add `op monitor interval=30s` (with a timeout the agent advises)", path=resource.path_of())


@rule("HA213", "duplicate-operation", Severity.ERROR, layer="pacemaker")
def duplicate_operation(cluster) -> Iterator[Finding]:
    """Two operations of one resource share a name and an interval.

    ## What it checks
    On each resource, `op NAME interval=...` pairs are unique, comparing
    intervals after conversion (`10s` equals `10000ms`). Monitors for
    different roles need different intervals too.

    ## Why it matters
    Pacemaker identifies an operation by name and interval; the second one
    is rejected or silently replaces the first.

    ## Example
    ```
    op monitor interval=10s role=Promoted
    op monitor interval=10s role=Unpromoted
    ```

    ## Fix
    Give each operation its own interval (e.g. 10s and 11s).

    ## References
    pcs `ResourceOperationIntervalDuplication`; Pacemaker `is_op_dup`.
    """
    for resource in _primitives(cluster):
        keyed = [(op, (op.name, op.interval.ms if op.interval else 0)) for op in resource.ops]
        for (first, _), (later, key) in duplicates(keyed, lambda item: item[1]):
            yield Finding(later.span, f"`{resource.name}` has two `{key[0]}` operations every {Duration(key[1])}",
                          labels=(Label(first.span, "the first one"),),
                          help="give each operation its own interval", path=later.path_of())


def _effective_timeout(cluster, resource: Primitive, action: str) -> tuple[int, object | None]:
    """(timeout in ms, the op that sets it or None when a default applies)."""
    for op in resource.ops:
        if op.name == action and op.timeout is not None:
            return op.timeout.ms, op
    default = cluster.pacemaker.op_defaults.get("timeout")
    if default is not None:
        try:
            return Duration.parse(str(default) + ("s" if str(default).isdigit() else "")).ms, None
        except ValueError:
            pass
    return DEFAULT_OP_TIMEOUT_MS, None


@rule("HA214", "timeout-below-advice", Severity.WARNING, layer="pacemaker")
def timeout_below_advice(cluster) -> Iterator[Finding]:
    """An operation timeout shorter than the resource agent advises.

    ## What it checks
    For agents whose metadata hacc ships, the timeout of `start`, `stop`,
    `monitor`, `promote` and `demote` (written on the op, else `op_defaults
    timeout`, else Pacemaker's 20s) is at least the timeout the agent
    advises. Actions without an `op` line use the default too.

    ## Why it matters
    A start that needs 60s killed at 20s fails the resource, and a failed
    stop fences the node: a slow database start becomes a reboot.

    ## Example
    ```
    resource db ocf:heartbeat:pgsql { op monitor interval=15s }
    # pgsql advises start 120s; Pacemaker's default is 20s
    ```

    ## Fix
    Add `op start timeout=120s` (or the value the message gives).

    ## References
    crmsh `ra.py` ("is smaller than the advised"); pcs default operations.
    """
    for resource in _primitives(cluster):
        metadata = agent(resource.agent)
        if metadata is None:
            continue
        for action, advised in advised_timeouts(metadata).items():
            if action not in ("start", "stop", "monitor", "promote", "demote"):
                continue
            if action in ("promote", "demote") and not any(op.name == action for op in resource.ops):
                continue
            timeout, op = _effective_timeout(cluster, resource, action)
            if timeout < advised:
                where = op.span_of("timeout") if op is not None else resource.span_of("agent")
                source = "" if op is not None else " (the default)"
                yield Finding(where, f"`{resource.name}` {action} timeout {Duration(timeout)}{source} is below the {Duration(advised)} `{resource.agent}` advises",
                              help=f"write `op {action} timeout={Duration(advised)}`", path=resource.path_of())


@rule("HA215", "missing-agent-parameter", Severity.ERROR, layer="pacemaker")
def missing_agent_parameter(cluster) -> Iterator[Finding]:
    """A parameter the resource agent requires is not set.

    ## What it checks
    For agents whose metadata hacc ships, every parameter marked required
    is set (under its current or its former name). Parameters Pacemaker
    passes to fence agents itself (`action`, `plug`, `port`) are not
    required.

    ## Why it matters
    The agent fails its first start with "not configured", and crm_verify
    does not look at parameters at all.

    ## Example
    ```
    resource data ocf:heartbeat:Filesystem { device=/dev/sdb1 directory=/srv }
    ```

    ## Fix
    Add the parameter the message names (`fstype=xfs`).

    ## References
    crmsh `ra.sanity_check_params`; pcs (agent metadata); the agent's
    `meta-data`.
    """
    for resource in _primitives(cluster):
        metadata = agent(resource.agent)
        if metadata is None:
            continue
        aliases = parameter_aliases(metadata)
        for name, entry in metadata["parameters"].items():
            if not entry.get("required") or name in FENCER_SUPPLIED or entry.get("deprecated"):
                continue
            if not aliases[name] & set(resource.params):
                yield Finding(resource.span_of("agent"), f"`{resource.agent}` requires `{name}`, which `{resource.name}` does not set",
                              help=f"add `{name}=...`", path=resource.path_of("params"))


@rule("HA216", "unknown-agent-parameter", Severity.WARNING, layer="pacemaker")
def unknown_agent_parameter(cluster) -> Iterator[Finding]:
    """A parameter the resource agent does not know.

    ## What it checks
    For agents whose metadata hacc ships, each parameter is one the agent
    declares (fence devices may also use Pacemaker's `pcmk_*` parameters);
    deprecated names are reported with their replacement.

    ## Why it matters
    The agent ignores unknown parameters: `cidr_netmaks=24` leaves the VIP
    with a netmask guessed from the routing table.

    ## Example
    ```
    resource vip ocf:heartbeat:IPaddr2 { ip=10.0.0.100 cidr_netmaks=24 }
    ```

    ## Fix
    Use the name the message suggests.

    ## References
    crmsh `ra.sanity_check_params`; pcs (agent metadata).
    """
    fencer = fencing_parameters()
    for resource in _primitives(cluster):
        metadata = agent(resource.agent)
        if metadata is None:
            continue
        known = metadata["parameters"]
        for name in resource.params:
            span, path = resource.span_of("params", name, "<key>"), resource.path_of("params", name)
            if name in known:
                replacement = known[name].get("replaced_with")
                if known[name].get("deprecated") and replacement:
                    yield Finding(span, f"`{name}` is a deprecated parameter of `{resource.agent}`",
                                  help=f"write `{replacement}`", path=path)
                continue
            if resource.is_fence and name in fencer:
                continue
            close = suggest(name, list(known) + (list(fencer) if resource.is_fence else []))
            yield Finding(span, f"`{resource.agent}` has no parameter `{name}`",
                          help=f"did you mean `{close}`?" if close else f"`crm_resource --show-metadata {resource.agent}` lists them",
                          path=path)


@rule("HA227", "duplicate-unique-parameter", Severity.WARNING, layer="pacemaker")
def duplicate_unique_parameter(cluster) -> Iterator[Finding]:
    """Two resources share a value the agent says must be unique.

    ## What it checks
    Parameters an agent marks unique (IPaddr2's `ip`, for example) have
    different values on different resources of that agent.

    ## Why it matters
    Two resources adding the same address fight over it: each start
    succeeds, each stop removes the other's address.

    ## Example
    ```
    resource vip1 ocf:heartbeat:IPaddr2 { ip=10.0.0.100 }
    resource vip2 ocf:heartbeat:IPaddr2 { ip=10.0.0.100 }
    ```

    ## Fix
    Keep one resource, or give each its own value.

    ## References
    crmsh `_check_unique_clash`; pcs `ResourceInstanceAttrValueNotUnique`.
    """
    seen: dict[tuple, Primitive] = {}
    for resource in _primitives(cluster):
        metadata = agent(resource.agent)
        if metadata is None:
            continue
        for name, value in resource.params.items():
            entry = metadata["parameters"].get(name)
            if not entry or not entry.get("unique") or not isinstance(value, str):
                continue
            key = (resource.agent, name, value)
            if key in seen:
                first = seen[key]
                yield Finding(resource.span_of("params", name), f"`{resource.name}` and `{first.name}` both set {name}={value}",
                              labels=(Label(first.span_of("params", name), "set here first"),),
                              help=f"`{resource.agent}` needs a unique `{name}`", path=resource.path_of("params", name))
            else:
                seen[key] = resource


@rule("HA228", "operation-interval", Severity.WARNING, layer="pacemaker")
def operation_interval(cluster) -> Iterator[Finding]:
    """A monitor without an interval, or another operation with one.

    ## What it checks
    `op monitor` has an interval greater than zero; other operations
    (`start`, `stop`, `promote`, ...) have none or `0`.

    ## Why it matters
    A monitor with interval 0 is a one-off probe, not a recurring check; a
    recurring `start` is meaningless and rejected by newer Pacemaker.

    ## Example
    ```
    op monitor timeout=20s
    op start interval=10s
    ```

    ## Fix
    Give the monitor an interval; drop the interval from other operations.

    ## References
    crmsh `ra.sanity_check_ops`.
    """
    for resource in _primitives(cluster):
        for op in resource.ops:
            interval = op.interval.ms if op.interval else 0
            if op.name == "monitor" and interval == 0:
                yield Finding(op.span, f"the monitor of `{resource.name}` has no interval", help="add `interval=30s`",
                              path=op.path_of())
            elif op.name != "monitor" and interval > 0:
                yield Finding(op.span_of("interval"), f"`{op.name}` of `{resource.name}` is not a recurring operation",
                              help="remove the interval", path=op.path_of("interval"))


@rule("HA229", "remote-node-in-group", Severity.ERROR, layer="pacemaker")
def remote_node_in_group(cluster) -> Iterator[Finding]:
    """A Pacemaker Remote connection inside a group.

    ## What it checks
    `ocf:pacemaker:remote` resources are not members of a group.

    ## Why it matters
    A remote connection resource represents a node; Pacemaker cannot place
    a node inside a group of services.

    ## Example
    ```
    resource rnode ocf:pacemaker:remote { server=10.0.0.50 }
    group g rnode web
    ```

    ## Fix
    Take the remote resource out of the group.

    ## References
    crmsh `cibconfig.py`.
    """
    pacemaker = cluster.pacemaker
    for group in pacemaker.resources:
        if not isinstance(group, Group):
            continue
        for index, member in enumerate(group.members):
            resource = pacemaker.resource(member)
            if isinstance(resource, Primitive) and resource.agent == "ocf:pacemaker:remote":
                yield Finding(group.span_of("members", index), f"remote node `{member}` cannot be in group `{group.name}`",
                              help="take it out of the group", path=group.path_of("members", index))
