"""The votequorum model of `hacc simulate`. Each test names the behaviour it
encodes, from corosync's votequorum.c (calculate_quorum, are_we_quorate,
check_auto_tie_breaker) and votequorum(5)."""

from __future__ import annotations

from hacc.simulate import quorum
from hacc.simulate.scenario import parse_scenario


def nodes(count: int, links: int = 1) -> str:
    out = []
    for i in range(1, count + 1):
        addrs = " ".join(f"addr 10.{k}.0.{i};" for k in range(links))
        out.append(f"    node n{i} {{ id {i}; {addrs} }}")
    return "\n".join(out)


def judge(compile_text, count: int, quorum_block: str, *fails: str, links: int = 1):
    text = f"cluster t {{\n{nodes(count, links)}\n    corosync {{ crypto cipher=aes256 hash=sha256; {quorum_block} }}\n}}\n"
    unit = compile_text(text, run_checks=False)
    assert unit.cluster is not None, [d.message for d in unit.diagnostics]
    return quorum.judge(unit.cluster, parse_scenario(unit.cluster, list(fails)))


def verdicts(parts) -> dict[tuple, bool]:
    return {tuple(p.nodes): p.quorate for p in parts}


def test_majority_of_expected_votes(compile_text):
    """votequorum(5): quorum is 50% of expected votes + 1; three nodes
    survive one failure, not two."""
    assert verdicts(judge(compile_text, 3, "", "n1")) == {("n2", "n3"): True}
    assert verdicts(judge(compile_text, 3, "", "n1", "n2")) == {("n3",): False}


def test_two_nodes_without_two_node_lose_quorum(compile_text):
    """With two votes quorum is 2: either failure stops the cluster."""
    parts = judge(compile_text, 2, "", "n1")
    assert verdicts(parts) == {("n2",): False} and parts[0].needed == 2


def test_two_node_sets_quorum_to_one(compile_text):
    """votequorum.c calculate_quorum: `if (two_node && total_nodes <= 2)
    newquorum = 1`: each node alone keeps quorum, on a node failure and on
    a split (where fencing decides)."""
    assert verdicts(judge(compile_text, 2, "quorum { two_node yes }", "n1")) == {("n2",): True}
    assert verdicts(judge(compile_text, 2, "quorum { two_node yes }", "n1:link0")) == {("n1",): True, ("n2",): True}


def test_two_node_does_nothing_on_three_nodes(compile_text):
    """votequorum(5): "If more than 2 nodes join the cluster, the two_node
    option is automatically disabled"."""
    assert verdicts(judge(compile_text, 3, "quorum { two_node yes }", "n1", "n2")) == {("n3",): False}


def test_expected_votes_overrides_the_nodelist(compile_text):
    """votequorum(5): quorum.expected_votes overrides the value calculated
    from the nodelist."""
    assert verdicts(judge(compile_text, 3, "quorum { expected_votes 5 }")) == {("n1", "n2", "n3"): True}
    assert verdicts(judge(compile_text, 3, "quorum { expected_votes 5 }", "n1")) == {("n2", "n3"): False}


def test_node_votes(compile_text):
    """votequorum(5): a node's `quorum_votes` count instead of 1."""
    text = ("cluster t {\n    node a { id 1; addr 10.0.0.1; votes 3 }\n    node b { id 2; addr 10.0.0.2 }\n"
            "    node c { id 3; addr 10.0.0.3 }\n    corosync { crypto cipher=aes256 hash=sha256 }\n}\n")
    unit = compile_text(text, run_checks=False)
    parts = quorum.judge(unit.cluster, parse_scenario(unit.cluster, ["b", "c"]))
    assert verdicts(parts) == {("a",): True} and parts[0].votes == 3 and parts[0].expected == 5


def test_link_failure_needs_every_link(compile_text):
    """knet keeps a node in the membership while any of its links is up."""
    assert verdicts(judge(compile_text, 3, "", "n1:link0", links=2)) == {("n1", "n2", "n3"): True}
    parts = judge(compile_text, 3, "", "n1:link0", "n1:link1", links=2)
    assert verdicts(parts) == {("n1",): False, ("n2", "n3"): True}


def test_last_man_standing_lowers_expected_votes(compile_text):
    """votequorum(5) LMS: after last_man_standing_window, expected_votes is
    recalculated from the quorate partition, so failures one after another
    keep quorum down to two nodes."""
    block = "quorum { wait_for_all yes; last_man_standing yes }"
    assert verdicts(judge(compile_text, 4, block, "n1", "n2")) == {("n3", "n4"): True}
    assert verdicts(judge(compile_text, 4, "", "n1", "n2")) == {("n3", "n4"): False}
    # from two to one needs auto_tie_breaker too
    assert verdicts(judge(compile_text, 4, block, "n1", "n2", "n3")) == {("n4",): False}


def test_last_man_standing_with_auto_tie_breaker_reaches_one_node(compile_text):
    """votequorum(5): "In order for the cluster to downgrade automatically from
    2 nodes to a 1 node cluster, the auto_tie_breaker feature must also be
    enabled" (the survivor must hold the tie-breaker node)."""
    block = "quorum { wait_for_all yes; last_man_standing yes; auto_tie_breaker yes }"
    assert verdicts(judge(compile_text, 4, block, "n4", "n3", "n2")) == {("n1",): True}
    assert verdicts(judge(compile_text, 4, block, "n1", "n2", "n3")) == {("n4",): False}


def test_auto_tie_breaker_half_split(compile_text):
    """check_auto_tie_breaker: with exactly half the votes, the half holding
    the lowest node id (default) keeps quorum; `highest` picks the other."""
    assert verdicts(judge(compile_text, 4, "quorum { auto_tie_breaker yes }", "n3", "n4")) == {("n1", "n2"): True}
    assert verdicts(judge(compile_text, 4, "quorum { auto_tie_breaker yes }", "n1", "n2")) == {("n3", "n4"): False}
    highest = "quorum { auto_tie_breaker yes; auto_tie_breaker_node highest }"
    assert verdicts(judge(compile_text, 4, highest, "n1", "n2")) == {("n3", "n4"): True}


def test_auto_tie_breaker_disabled_on_odd_count_without_wait_for_all(compile_text):
    """votequorum.c disables auto_tie_breaker on an odd node count without
    wait_for_all (HA124). With it, the node left of a quorate pair holds
    exactly expected_votes / 2 (1 of 3, integer division), its lost peer
    cannot be quorate, and it holds the lowest id: quorate."""
    with_wfa = judge(compile_text, 3, "quorum { auto_tie_breaker yes; wait_for_all yes }", "n3", "n2")
    assert verdicts(with_wfa) == {("n1",): True}
    without = judge(compile_text, 3, "quorum { auto_tie_breaker yes }", "n3", "n2")
    assert verdicts(without) == {("n1",): False}


def test_quorum_device_votes_for_the_largest_partition(compile_text):
    """corosync-qdevice(8): ffsplit gives its one vote to the larger
    partition, a 50:50 tie to the tie_breaker (lowest node id by default)."""
    block = "quorum { qdevice { host qnetd; algorithm ffsplit } }"
    parts = judge(compile_text, 2, block, "n1")
    assert verdicts(parts) == {("n2",): True} and parts[0].expected == 3
    assert verdicts(judge(compile_text, 2, block, "n2:link0")) == {("n1",): True, ("n2",): False}


def test_lms_quorum_device_keeps_the_last_node(compile_text):
    """corosync-qdevice(8) lms: the device votes node count - 1 by default, so
    one node that sees it stays quorate."""
    parts = judge(compile_text, 3, "quorum { qdevice { host qnetd; algorithm lms } }", "n1", "n2")
    assert verdicts(parts) == {("n3",): True} and parts[0].votes == 3 and parts[0].expected == 5


def test_no_corosync_no_quorum(compile_text):
    """keepalived alone has no quorum: nothing to lose."""
    unit = compile_text("cluster t {\n    node a { addr 10.0.0.1 }\n    node b { addr 10.0.0.2 }\n}\n", run_checks=False)
    assert quorum.judge(unit.cluster, parse_scenario(unit.cluster, ["a"])) is None
