"""The keepalived layer of the model: track scripts, VRRP instances, sync
groups and LVS virtual servers, with the per-node views keepalived.conf
needs (which nodes run an instance, in which initial state)."""

from __future__ import annotations

from dataclasses import field

from hacc.model.values import (
    Duration,
    Endpoint,
    IPAddress,
    IPInterface,
    Located,
    SecretRef,
    element,
)


@element
class VrrpScript(Located):
    """A `vrrp_script`: a health check command whose result a VRRP instance may track."""

    name: str = ""
    command: str = ""
    interval: Duration | None = None
    timeout: Duration | None = None
    weight: int | None = None
    rise: int | None = None
    fall: int | None = None
    user: str | None = None


@element
class Vip(Located):
    """A virtual address of a VRRP instance, with its prefix and optional device/label."""

    address: IPInterface = None
    dev: str | None = None
    label: str | None = None


@element
class Auth(Located):
    """VRRPv2 authentication (`authentication { auth_type auth_pass }`)."""

    type: str = "PASS"
    password: str | SecretRef = field(default="", metadata={"json": "pass"})


@element
class Tracker(Located):
    """A script or interface an instance tracks, with the weight it applies."""

    name: str = ""
    weight: int | None = None
    reverse: bool = False


@element
class VrrpInstance(Located):
    """A `vrrp_instance`: one virtual router, its priorities per node and its VIPs."""

    name: str = ""
    vrid: int = 0
    vips: list[Vip] = field(default_factory=list)
    interface: str | dict[str, str] | None = None
    unicast_src: dict[str, IPAddress] = field(default_factory=dict)
    priority: dict[str, int] = field(default_factory=dict)
    state: str | dict[str, str] | None = None
    preempt: bool | None = None
    preempt_delay: Duration | None = None
    advert: Duration | None = None
    version: int | None = None
    auth: Auth | None = None
    track_scripts: list[Tracker] = field(default_factory=list)
    track_interfaces: list[Tracker] = field(default_factory=list)
    notify: dict[str, str] = field(default_factory=dict)
    multicast: bool = False
    accept: bool | None = None
    dont_track_primary: bool = False
    garp_master_delay: Duration | None = None
    garp_master_refresh: Duration | None = None

    def node_names(self, all_nodes: list[str]) -> list[str]:
        """The nodes that run this instance: those given a priority, in the
        cluster's node order; every node when no priority is written."""
        if not self.priority:
            return list(all_nodes)
        return [n for n in all_nodes if n in self.priority]

    def priority_of(self, node: str, all_nodes: list[str]) -> int:
        """The written priority, or the derived one (100, 90, 80, ... in node
        order) when `priority` is omitted."""
        if self.priority:
            return self.priority[node]
        return 100 - 10 * all_nodes.index(node)

    def interface_of(self, node) -> str | None:
        """The instance's interface on `node`: written for that node, for
        all nodes, or else the node's own `interface`."""
        if isinstance(self.interface, dict):
            return self.interface.get(node.name) or node.interface
        return self.interface or node.interface

    def source_of(self, node) -> IPAddress | None:
        """The address `node` sends adverts from: written for the instance,
        else the node's `unicast_src` or link-0 address."""
        return self.unicast_src.get(node.name) or node.vrrp_source

    def explicit_state(self, node: str) -> str | None:
        if isinstance(self.state, str):
            return self.state
        if isinstance(self.state, dict):
            return self.state.get(node)
        return None

    def state_of(self, node: str, all_nodes: list[str], strict: bool = False) -> str:
        """The initial state: as written, else MASTER for the node with the
        highest priority and BACKUP for the others. With `nopreempt` or a
        `preempt_delay` every node starts BACKUP: keepalived ignores both on
        an instance whose initial state is MASTER (vrrp.c); with AH
        authentication too: keepalived refuses MASTER with AH; and with
        `vrrp_strict` (`strict`), where only the address owner (priority
        255) may start as MASTER."""
        written = self.explicit_state(node)
        if written is not None:
            return written
        if self.preempt is False or self.preempt_delay is not None or (self.auth is not None and self.auth.type == "AH"):
            return "BACKUP"
        nodes = self.node_names(all_nodes)
        best = max(nodes, key=lambda n: (self.priority_of(n, all_nodes), -nodes.index(n)))
        if strict and self.priority_of(best, all_nodes) != 255:
            return "BACKUP"
        return "MASTER" if node == best else "BACKUP"

    @property
    def family(self) -> int | None:
        return self.vips[0].address.version if self.vips else None


@element
class SyncGroup(Located):
    """A `vrrp_sync_group`: instances that change state together."""

    name: str = ""
    members: list[str] = field(default_factory=list)
    notify: dict[str, str] = field(default_factory=dict)
    tracking_weight: bool | None = None
    track_scripts: list[Tracker] = field(default_factory=list)


@element
class HealthCheck(Located):
    """The health checker of an LVS real server (TCP_CHECK, HTTP_GET, MISC_CHECK ...)."""

    type: str = "tcp"
    connect_timeout: Duration | None = None
    connect_port: int | None = None
    connect_ip: IPAddress | None = None
    retry: int | None = None
    delay_before_retry: Duration | None = None
    delay_loop: Duration | None = None
    path: str | None = None
    status: str | None = None
    digest: str | None = None
    virtualhost: str | None = None
    timeout: Duration | None = None
    command: str | None = None
    dynamic: bool = False


@element
class RealServer(Located):
    """A `real_server` of an LVS virtual server."""

    address: Endpoint = None
    weight: int | None = None
    inhibit_on_failure: bool | None = None
    connect_timeout: Duration | None = None
    retry: int | None = None
    delay_before_retry: Duration | None = None
    checks: list[HealthCheck] = field(default_factory=list)


@element
class VirtualServer(Located):
    """An LVS `virtual_server`: a service address balanced over real servers."""

    address: Endpoint = None
    protocol: str | None = None
    lvs_sched: str | None = None
    lvs_method: str | None = None
    delay_loop: Duration | None = None
    persistence_timeout: Duration | None = None
    connect_timeout: Duration | None = None
    retry: int | None = None
    delay_before_retry: Duration | None = None
    quorum: int | None = None
    sorry_server: Endpoint | None = None
    real_servers: list[RealServer] = field(default_factory=list)


@element
class KeepalivedGlobal(Located):
    """keepalived's `global_defs`."""

    script_user: str | None = None
    enable_script_security: bool | None = None
    vrrp_version: int | None = None
    vrrp_strict: bool | None = None


@element
class Keepalived(Located):
    """The keepalived layer: scripts, VRRP instances, sync groups and LVS services."""

    global_: KeepalivedGlobal | None = field(default=None, metadata={"json": "global"})
    scripts: list[VrrpScript] = field(default_factory=list)
    instances: list[VrrpInstance] = field(default_factory=list)
    sync_groups: list[SyncGroup] = field(default_factory=list)
    virtual_servers: list[VirtualServer] = field(default_factory=list)

    def script(self, name: str) -> VrrpScript | None:
        return next((s for s in self.scripts if s.name == name), None)

    def instance(self, name: str) -> VrrpInstance | None:
        return next((i for i in self.instances if i.name == name), None)
