"""votequorum, for the partitions of one scenario.

The arithmetic of corosync 3's votequorum.c (calculate_quorum,
are_we_quorate) and votequorum(5):

* expected_votes is the sum of the nodes' votes (one each unless `votes`),
  plus the quorum device's, unless `expected_votes` overrides it; quorum is
  expected_votes / 2 + 1, and a partition is quorate with that many votes.
* two_node (exactly two nodes, no auto_tie_breaker, no quorum device) sets
  quorum to 1: each node alone keeps quorum, and fencing decides. It
  implies wait_for_all, which only delays the first quorum at boot: every
  scenario starts from a running cluster, so it changes nothing here.
* auto_tie_breaker makes a partition holding exactly half the votes
  quorate when it holds the tie-breaker node (lowest node id by default,
  `highest`, or the first listed id that was a member) and the other half
  cannot be quorate. votequorum disables it on an odd node count without
  wait_for_all.
* last_man_standing lowers expected_votes to the votes of a quorate
  partition once last_man_standing_window has passed: failures given
  together are applied one after the other, each after the cluster settled.
* A quorum device votes for one partition: the largest (ffsplit, 1 vote by
  default; lms, node count - 1 votes by default), ties broken by its
  tie_breaker (lowest node id by default). It is assumed reachable from
  every live node. last_man_standing, auto_tie_breaker or allow_downscale
  disable it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hacc.simulate.scenario import Scenario
from hacc.simulate.topology import partitions

NO_QUORUM_POLICY = {
    "stop": "stops every resource of the partition",
    "freeze": "keeps what runs there running but starts nothing",
    "ignore": "carries on as if it had quorum",
    "demote": "demotes promoted instances and stops the other resources",
    "suicide": "fences every node of the partition",
    "fence": "fences every node of the partition",
}


@dataclass
class PartitionQuorum:
    nodes: list[str]
    votes: int
    expected: int
    needed: int
    quorate: bool
    why: str  # how it got (or missed) quorum, for the text output


@dataclass
class Settings:
    votes: dict[str, int]
    ids: dict[str, int]
    expected: int
    two_node: bool
    lms: bool
    atb: str | list[int] | None
    qdevice_votes: int
    qdevice_algorithm: str
    tie_breaker: str


def settings(cluster) -> Settings | None:
    """The quorum settings votequorum runs with, or None for a cluster with
    no corosync (keepalived alone has no quorum)."""
    if cluster.corosync is None and cluster.pacemaker is None:
        return None
    quorum = cluster.corosync.quorum if cluster.corosync else None
    votes = {n.name: n.votes if n.votes is not None else 1 for n in cluster.nodes}
    ids = {n.name: n.id if n.id is not None else i + 1 for i, n in enumerate(cluster.nodes)}
    count = len(cluster.nodes)
    get = (lambda key: getattr(quorum, key)) if quorum else (lambda key: None)
    qdevice = get("qdevice")
    wfa = get("wait_for_all") if get("wait_for_all") is not None else bool(get("two_node"))
    atb = None
    if get("auto_tie_breaker") and (count % 2 == 0 or wfa):
        node = get("auto_tie_breaker_node")
        atb = node if node is not None else "lowest"
    if qdevice is not None and (get("last_man_standing") or get("auto_tie_breaker") or get("allow_downscale")):
        qdevice = None  # votequorum disables the device (HA125)
    qvotes = 0
    if qdevice is not None:
        qvotes = qdevice.votes if qdevice.votes is not None else (1 if qdevice.algorithm != "lms" else max(count - 1, 1))
    expected = get("expected_votes") or sum(votes.values()) + qvotes
    two_node = bool(get("two_node")) and count == 2 and atb is None and qdevice is None
    return Settings(votes, ids, expected, two_node, bool(get("last_man_standing")), atb, qvotes,
                    qdevice.algorithm if qdevice else "", (qdevice.tie_breaker or "lowest") if qdevice else "")


def _tie_break(groups: list[list[str]], rule: str | list[int], ids: dict[str, int], members: list[str]) -> list[str] | None:
    """The group holding the tie-breaker node, or None."""
    if rule in ("lowest", "highest"):
        pick = min if rule == "lowest" else max
        target = pick(members, key=lambda n: ids[n]) if members else None
    else:
        wanted = rule if isinstance(rule, list) else [int(x) for x in str(rule).split() if x.isdigit()]
        target = next((n for i in wanted for n in members if ids[n] == i), None)
    return next((g for g in groups if target in g), None)


def _qdevice_group(s: Settings, groups: list[list[str]]) -> list[str] | None:
    if not s.qdevice_votes or not groups:
        return None
    size = max(len(g) for g in groups)
    largest = [g for g in groups if len(g) == size]
    if len(largest) == 1:
        return largest[0]
    return _tie_break(largest, s.tie_breaker, s.ids, [n for g in largest for n in g])


def _judge(s: Settings, groups: list[list[str]], expected: dict[str, int], previous: list[str]) -> list[PartitionQuorum]:
    qgroup = _qdevice_group(s, groups)
    out = []
    for group in groups:
        votes = sum(s.votes[n] for n in group) + (s.qdevice_votes if group is qgroup else 0)
        exp = max(expected[n] for n in group)
        needed = 1 if s.two_node and len(group) <= 2 else exp // 2 + 1
        quorate = votes >= needed
        why = f"{votes} of {exp} votes, {needed} needed"
        if s.two_node:
            why += " (two_node)"
        if group is qgroup:
            why += f" (with the quorum device's {s.qdevice_votes})"
        others = len([n for n in previous if n not in group])
        if not quorate and s.atb is not None and votes == exp // 2 and others < needed:
            holder = _tie_break([group], s.atb, s.ids, previous)
            if holder is group:
                quorate, why = True, why + " (auto_tie_breaker)"
        out.append(PartitionQuorum(group, votes, exp, needed, quorate, why))
    return out


def judge(cluster, scenario: Scenario) -> list[PartitionQuorum] | None:
    """Each partition of the scenario and whether it keeps quorum (None for
    a cluster without corosync)."""
    s = settings(cluster)
    if s is None:
        return None
    expected = {n: s.expected for n in cluster.node_names}
    previous = list(cluster.node_names)
    result = _judge(s, [previous], expected, previous)
    for step in range(1, len(scenario.failures) + 1):
        partial = Scenario(scenario.given, scenario.failures[:step])
        groups = partitions(cluster, partial)
        result = _judge(s, groups, expected, previous)
        if s.lms:
            for judged in result:
                if judged.quorate:
                    for n in judged.nodes:
                        expected[n] = max(judged.votes, 1)
        quorate = [j.nodes for j in result if j.quorate]
        previous = quorate[0] if len(quorate) == 1 else previous
    return result


def policy(cluster) -> str:
    if cluster.pacemaker is None:
        return "stop"
    return str(cluster.pacemaker.properties.get("no-quorum-policy", "stop"))
