"""HA501-HA509: checks across layers: keepalived and Pacemaker against
haproxy, the mistakes no single daemon can see."""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity
from hacc.model.addresses import managed_vips, node_addresses, nonlocal_binds
from hacc.model.haproxy import Peers

_LOOPBACK = ("127.0.0.1", "::1")


def _binds(cluster):
    if cluster.haproxy is None:
        return []
    return [(proxy, bind) for proxy in cluster.haproxy.proxies() for bind in proxy.binds]


@rule("HA501", "vip-managed-twice", Severity.ERROR)
def vip_managed_twice(cluster) -> Iterator[Finding]:
    """An address that both keepalived and Pacemaker manage.

    ## What it checks
    No address is both a keepalived `vip` and the `ip` of a Pacemaker
    IPaddr2 resource.

    ## Why it matters
    Two managers add and remove the address independently: keepalived
    removes it on failover while Pacemaker believes it still runs it, and
    the address ends up on two nodes or on none.

    ## Example
    ```
    keepalived { vrrp V { vrid 1; vip 10.0.0.100/24 } }
    pacemaker { resource vip ocf:heartbeat:IPaddr2 { ip=10.0.0.100 } }
    ```

    ## Fix
    Let one layer own the address.

    ## References
    keepalived-haproxy.md section 5; Pacemaker and keepalived documentation.
    """
    seen: dict = {}
    for vip in managed_vips(cluster):
        first = seen.setdefault(vip.address, vip)
        if first.layer != vip.layer:
            yield Finding(vip.span, f"{vip.address} is managed by both keepalived and Pacemaker",
                          labels=(Label(first.span, f"also managed by {first.layer}"),),
                          help="let one of them own the address")


@rule("HA502", "nonlocal-bind", Severity.NOTE)
def nonlocal_bind(cluster) -> Iterator[Finding]:
    """haproxy binds a virtual IP: hacc writes etc/sysctl.d/90-hacc.conf.

    ## What it checks
    Reports each haproxy `bind` on a managed virtual IP without the
    `transparent` option.

    ## Why it matters
    The backup node (and every node at boot) does not hold the VIP, and
    haproxy fails to start there ("cannot bind socket") unless the kernel
    allows non-local binds. hacc writes `etc/sysctl.d/90-hacc.conf` with
    `net.ipv4.ip_nonlocal_bind = 1` for every node; deploy it with the rest
    and run `sysctl --system`. `haproxy -c` never binds, so it cannot catch
    this.

    ## Example
    ```
    frontend www { bind 10.0.0.100:80 }
    ```

    ## Fix
    Nothing, if the sysctl file is deployed. To avoid the system-wide
    setting (it has surprised other services such as CTDB), add
    `transparent` to the bind instead.

    ## References
    haproxy management.txt ("binding to a VIP"); ceph/ceph#60093;
    rcbops/rpc-openstack#3019.
    """
    for bind in nonlocal_binds(cluster):
        yield Finding(bind.span_of("address"), f"{bind.address.ip} is a virtual IP: hacc writes etc/sysctl.d/90-hacc.conf so every node can bind it",
                      help="deploy the sysctl file (or add `transparent` to this bind)", path=bind.path_of())


@rule("HA503", "bind-address-unmanaged", Severity.ERROR, layer="haproxy")
def bind_address_unmanaged(cluster) -> Iterator[Finding]:
    """haproxy binds an address that no node has and no layer manages.

    ## What it checks
    In a cluster that manages virtual IPs (keepalived or IPaddr2), every
    specific address haproxy binds is a node address, a managed VIP, or a
    loopback address.

    ## Why it matters
    Usually a typo in the VIP: haproxy (allowed to bind non-local
    addresses) starts and listens on an address nobody ever routes to it.

    ## Example
    ```
    keepalived { vrrp V { vrid 1; vip 10.0.0.100/24 } }
    haproxy { frontend www { bind 10.0.0.110:80 } }
    ```

    ## Fix
    Bind the VIP the cluster manages.

    ## References
    keepalived-haproxy.md HX04.
    """
    vips = {v.address for v in managed_vips(cluster)}
    if not vips:
        return
    known = vips | node_addresses(cluster)
    for _proxy, bind in _binds(cluster):
        ip = bind.address.ip
        if ip is not None and ip not in known and str(ip) not in _LOOPBACK:
            yield Finding(bind.span_of("address"), f"{ip} is neither a node address nor a VIP this cluster manages",
                          help="bind a VIP from a `vrrp` instance or an IPaddr2 resource", path=bind.path_of("address"))


@rule("HA504", "vip-not-bound", Severity.WARNING, layer="keepalived")
def vip_not_bound(cluster) -> Iterator[Finding]:
    """A keepalived VIP that haproxy does not listen on.

    ## What it checks
    When haproxy binds specific addresses only (no `*`), every keepalived
    VIP is one of them.

    ## Why it matters
    The VIP moves between nodes but nothing answers on it: usually the bind
    has a typo, or a VIP was added without its frontend.

    ## Example
    ```
    vrrp V { vip 10.0.0.100/24 }
    frontend www { bind 10.0.0.101:80 }
    ```

    ## Fix
    Bind the VIP, or remove it from keepalived.

    ## References
    keepalived-haproxy.md HX04.
    """
    binds = _binds(cluster)
    if not binds or any(bind.address.host is None for _, bind in binds):
        return
    bound = {bind.address.ip for _, bind in binds}
    for vip in managed_vips(cluster):
        if vip.layer == "keepalived" and vip.address not in bound:
            yield Finding(vip.span, f"haproxy does not listen on VIP {vip.address}", help="add a `bind` for it, or remove the VIP")


def _instances_for_bound_vips(cluster):
    """Instances whose VIP haproxy listens on: bound by address, or by a
    wildcard bind (`*:80` listens on every address, the VIP included)."""
    binds = [bind.address for _, bind in _binds(cluster)]
    bound = {address.ip for address in binds}
    wildcard = any(address.host is None for address in binds)
    for instance in cluster.keepalived.instances:
        addresses = [v.address.ip for v in instance.vips]
        if wildcard or any(a in bound for a in addresses):
            yield instance, addresses


def _tracked_commands(cluster, instance) -> list[str]:
    keepalived = cluster.keepalived
    names = {t.name for t in instance.track_scripts}
    for group in keepalived.sync_groups:
        if instance.name in group.members:
            names |= {t.name for t in group.track_scripts}
    return [s.command for s in keepalived.scripts if s.name in names]


@rule("HA505", "vip-without-haproxy-check", Severity.WARNING, layer="keepalived")
def vip_without_haproxy_check(cluster) -> Iterator[Finding]:
    """A VRRP instance carries haproxy's VIP but does not track haproxy.

    ## What it checks
    An instance whose VIP haproxy binds tracks a script that checks haproxy
    (its command mentions haproxy), directly or through its sync group.

    ## Why it matters
    keepalived only moves the VIP when the node dies. If haproxy crashes,
    the VIP stays on a node where nothing listens: a full outage with a
    perfectly healthy cluster.

    ## Example
    ```
    vrrp V { vrid 51; vip 10.0.0.100/24 }
    frontend www { bind 10.0.0.100:80 }
    ```

    ## Fix
    `script chk_haproxy "/usr/bin/pidof haproxy" interval=2s` and
    `track chk_haproxy weight=-20` in the instance.

    ## References
    labring/sealos#2; aledbf/kube-keepalived-vip#72; keepalived-haproxy.md X16.
    """
    if cluster.haproxy is None:
        return
    for instance, _ in _instances_for_bound_vips(cluster):
        if not any("haproxy" in command for command in _tracked_commands(cluster, instance)):
            yield Finding(instance.span_of("name"), f"`{instance.name}` carries haproxy's VIP but does not track haproxy",
                          help='add `script chk_haproxy "/usr/bin/pidof haproxy" interval=2s` and `track chk_haproxy weight=-20`',
                          path=instance.path_of())


@rule("HA506", "check-probes-vip", Severity.WARNING, layer="keepalived")
def check_probes_vip(cluster) -> Iterator[Finding]:
    """A health check that probes the VIP instead of the local service.

    ## What it checks
    The commands of the scripts an instance tracks do not contain one of
    the instance's own VIPs.

    ## Why it matters
    The VIP answers only on the master: on a backup the check always fails,
    so a backup can never become healthy enough to take over (and on the
    master it tests itself through the VIP, not the local haproxy).

    ## Example
    ```
    script chk "/usr/bin/curl -sf http://10.0.0.100/health"
    vrrp V { vip 10.0.0.100/24; track chk weight=-20 }
    ```

    ## Fix
    Probe the local address: `http://127.0.0.1/health`.

    ## References
    NeoAssist/docker-keepalived#3; keepalived-haproxy.md HX08.
    """
    keepalived = cluster.keepalived
    for instance in keepalived.instances:
        vips = {str(v.address.ip) for v in instance.vips}
        for tracker in instance.track_scripts:
            script = keepalived.script(tracker.name)
            if script and any(vip in script.command for vip in vips):
                yield Finding(script.span_of("command"), f"`{script.name}` probes the VIP of `{instance.name}`, which only the master holds",
                              help="probe 127.0.0.1 or the node's own address", path=script.path_of("command"))


@rule("HA507", "strict-mode-blocks-haproxy", Severity.ERROR, layer="keepalived")
def strict_mode_blocks_haproxy(cluster) -> Iterator[Finding]:
    """keepalived drops traffic to a VIP that haproxy serves.

    ## What it checks
    An instance whose VIP haproxy binds is not in `vrrp_strict` mode and
    does not set `accept no`, unless its priority is 255.

    ## Why it matters
    Strict mode (and no_accept) installs firewall rules that drop packets to
    the VIP on a non-owner: haproxy listens and never receives a connection.

    ## Example
    ```
    global { vrrp_strict yes }
    frontend www { bind 10.0.0.100:80 }
    ```

    ## Fix
    Remove `vrrp_strict`, or set `accept yes` on the instance, with VRRP
    version 3: strict mode resets `accept` under version 2 (HA324).

    ## References
    keepalived.conf(5) `vrrp_strict`; acassen/keepalived#474, #1373, #2046.
    """
    if cluster.haproxy is None:
        return
    settings = cluster.keepalived.global_
    strict = bool(settings and settings.vrrp_strict)
    for instance, _ in _instances_for_bound_vips(cluster):
        drops = (strict and instance.accept is not True) or instance.accept is False
        owner = any(instance.priority_of(n, cluster.node_names) == 255 for n in instance.node_names(cluster.node_names))
        if drops and not owner:
            yield Finding(instance.span_of("accept") if instance.accept is False else instance.span_of("name"),
                          f"keepalived drops traffic to the VIP of `{instance.name}`, which haproxy serves",
                          help="set `accept yes` (with `version 3` in strict mode) on the instance, or remove `vrrp_strict`",
                          path=instance.path_of())


@rule("HA508", "peer-on-vip", Severity.ERROR, layer="haproxy")
def peer_on_vip(cluster) -> Iterator[Finding]:
    """A haproxy peer listed at a virtual IP.

    ## What it checks
    Addresses in `peer` lines are node addresses, not VIPs.

    ## Why it matters
    A VIP is on one node at a time: the peer on the other node cannot bind
    it, and stick tables stop replicating exactly when a failover needs
    them.

    ## Example
    ```
    peers mesh { peer lb1 10.0.0.100:10000; peer lb2 10.0.0.100:10000 }
    ```

    ## Fix
    Use each node's own address, or write only `port N` and let hacc list
    the nodes.

    ## References
    haproxytech/helm-charts#263; keepalived-haproxy.md HX02.
    """
    vips = {v.address for v in managed_vips(cluster)}
    for section in cluster.haproxy.sections:
        if isinstance(section, Peers):
            for peer in section.peers:
                if peer.address.ip in vips:
                    yield Finding(peer.span_of("address"), f"peer `{peer.name}` is at VIP {peer.address.ip}",
                                  help="use the node's own address", path=peer.path_of("address"))


@rule("HA509", "port-collision", Severity.ERROR, layer="haproxy")
def port_collision(cluster) -> Iterator[Finding]:
    """haproxy's peers port is also a frontend's port.

    ## What it checks
    The port of a `peers` section (10000 unless set) is not a port a
    frontend or listen binds on the same address (or on `*`).

    ## Why it matters
    haproxy cannot open both listeners; depending on the order it refuses to
    start or the peers never connect.

    ## Example
    ```
    peers mesh { port 8080 }
    frontend www { bind *:8080 }
    ```

    ## Fix
    Choose another port for one of them.

    ## References
    haproxy#868; keepalived-haproxy.md HX07.
    """
    binds = _binds(cluster)
    for section in cluster.haproxy.sections:
        if not isinstance(section, Peers):
            continue
        ports = {p.address.port for p in section.peers} if section.peers else {section.port or Peers.DEFAULT_PORT}
        for _proxy, bind in binds:
            if bind.address.port in ports:
                yield Finding(bind.span_of("address"), f"port {bind.address.port} is also the port of peers `{section.name}`",
                              labels=(Label(section.span_of("name"), "the peers section"),),
                              help="use another port for one of them", path=bind.path_of("address"))
