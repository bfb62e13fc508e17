"""Who can still talk to whom in a scenario.

corosync (knet) keeps two nodes in one membership while any link they both
have is up on both ends; a node whose every link is cut forms a partition
of its own. VRRP adverts of an instance travel from each node's source
address (`unicast_src`, else its link-0 address): when that address is one
of the node's corosync addresses, the adverts share that link's fate.
"""

from __future__ import annotations

from hacc.simulate.scenario import Scenario


def _link_up(node, index: int, scenario: Scenario) -> bool:
    return index < len(node.addrs) and (node.name, index) not in scenario.down_links


def _connected(a, b, scenario: Scenario) -> bool:
    common = range(min(len(a.addrs), len(b.addrs)))
    return any(_link_up(a, k, scenario) and _link_up(b, k, scenario) for k in common)


def partitions(cluster, scenario: Scenario) -> list[list[str]]:
    """The corosync memberships of the nodes still up, in node order.

    Membership needs every pair to reach each other (totem forms a ring of
    members that all see each other). Link failures are per node, so the
    reachable sets are almost always cliques; when they are not (two nodes
    each lost a different link), nodes join the first partition they reach
    completely, which is one of the outcomes corosync can reach.
    """
    alive = [n for n in cluster.nodes if n.name not in scenario.down_nodes]
    groups: list[list] = []
    for node in alive:
        for group in groups:
            if all(_connected(node, member, scenario) for member in group):
                group.append(node)
                break
        else:
            groups.append([node])
    return [[n.name for n in group] for group in groups]


def vrrp_link(instance, node) -> int | None:
    """The corosync link that carries `instance`'s adverts on `node`, or None
    when its source address is on another network."""
    source = instance.source_of(node)
    for index, addr in enumerate(node.addrs):
        if addr == source:
            return index
    return None


def vrrp_reachable(instance, node, scenario: Scenario) -> bool:
    """Whether `node`'s adverts for `instance` reach the other nodes."""
    link = vrrp_link(instance, node)
    return link is None or (node.name, link) not in scenario.down_links
