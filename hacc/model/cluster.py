"""The top of the model: a cluster, its nodes, and its layers."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from hacc.model.corosync import Corosync
from hacc.model.haproxy import HAProxy
from hacc.model.keepalived import Keepalived
from hacc.model.pacemaker import Pacemaker
from hacc.model.values import IPAddress, Located, element
from hacc.targets import DEFAULT_TARGETS, Targets


@element
class Node(Located):
    """A cluster node: its name, id and addresses, one per link."""

    name: str = ""
    id: int | None = None
    addrs: list[IPAddress] = field(default_factory=list)
    interface: str | None = None
    votes: int | None = None
    router_id: str | None = None
    unicast_src: IPAddress | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def vrrp_source(self) -> IPAddress | None:
        """The address VRRP adverts are sent from: `unicast_src`, else the
        link-0 address."""
        return self.unicast_src or (self.addrs[0] if self.addrs else None)


@element
class Cluster(Located):
    """The whole cluster: nodes and the four layers, as the checks and emitters see it."""

    name: str = field(default="", metadata={"json": "cluster"})
    nodes: list[Node] = field(default_factory=list)
    corosync: Corosync | None = None
    pacemaker: Pacemaker | None = None
    keepalived: Keepalived | None = None
    haproxy: HAProxy | None = None
    # The daemon versions the files are for: set from the configuration,
    # not part of the JSON form.
    targets: Targets = field(default=DEFAULT_TARGETS, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._nodes = {}
        for node in self.nodes:
            self._nodes.setdefault(node.name, node)

    def node(self, name: str) -> Node | None:
        return self._nodes.get(name)

    @property
    def node_names(self) -> list[str]:
        return [node.name for node in self.nodes]
