"""HA108-HA109, HA119-HA126, HA129: votequorum settings against the size
of the cluster and each other.

`corosync -t` does not read the quorum section at all, so these mistakes
only show when a node fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.helpers import plural, quorum_device
from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity


def _two_node(cluster) -> bool:
    quorum = cluster.corosync.quorum if cluster.corosync else None
    return bool(quorum and quorum.two_node)


def _qdevice(cluster):
    quorum = cluster.corosync.quorum if cluster.corosync else None
    return quorum.qdevice if quorum else None


@rule("HA108", "two-node-count", Severity.ERROR, layer="corosync")
def two_node_count(cluster) -> Iterator[Finding]:
    """`two_node` is set on a cluster that does not have exactly two nodes.

    ## What it checks
    `quorum { two_node yes }` appears only in a cluster of exactly two nodes.

    ## Why it matters
    `two_node` lets one node keep quorum when the other fails. On three or
    more nodes votequorum silently disables it, so the setting promises a
    behaviour the cluster will not have (the seed article's configuration
    carries it into clusters of any size). `corosync -t` does not check the
    quorum section at all.

    ## Example
    ```
    node a { id 1; addr 10.0.0.1 }
    node b { id 2; addr 10.0.0.2 }
    node c { id 3; addr 10.0.0.3 }
    corosync { quorum { two_node yes } }
    ```

    ## Fix
    Remove `two_node`; three nodes keep quorum after one failure on their own.

    ## References
    votequorum(5) `two_node`; Trento check 6E9B82; crmsh issue #1795.
    """
    if _two_node(cluster) and len(cluster.nodes) != 2:
        quorum = cluster.corosync.quorum
        yield Finding(
            quorum.span_of("two_node"),
            f"`two_node` on a cluster of {plural(len(cluster.nodes), 'node')}",
            help="remove `two_node`: it only applies to clusters of exactly two nodes",
            path=quorum.path_of("two_node"),
        )


@rule("HA109", "two-node-missing", Severity.WARNING, layer="corosync")
def two_node_missing(cluster) -> Iterator[Finding]:
    """A two-node cluster has neither `two_node` nor a quorum device.

    ## What it checks
    A cluster of two nodes sets `quorum { two_node yes }` or configures a
    `qdevice`.

    ## Why it matters
    With two votes, quorum needs both: the first failure stops every
    resource on the surviving node.

    ## Example
    ```
    node a { id 1; addr 10.0.0.1 }
    node b { id 2; addr 10.0.0.2 }
    corosync { transport knet }
    ```

    ## Fix
    Add `quorum { two_node yes }` (with fencing), or a `qdevice`.

    ## References
    votequorum(5); pcs sets two_node automatically for two nodes.
    """
    if len(cluster.nodes) == 2 and not _two_node(cluster) and _qdevice(cluster) is None:
        quorum = cluster.corosync.quorum
        span = quorum.span if quorum else cluster.corosync.span
        yield Finding(
            span,
            "a two-node cluster without `two_node` or a quorum device loses quorum when either node fails",
            help="add `quorum { two_node yes }` or a `qdevice`",
            path=cluster.corosync.path_of(),
        )


def _quorum(cluster):
    return cluster.corosync.quorum


def _votes(cluster) -> int:
    return sum(node.votes if node.votes is not None else 1 for node in cluster.nodes)


@rule("HA119", "two-node-with-qdevice", Severity.ERROR, layer="corosync")
def two_node_with_qdevice(cluster) -> Iterator[Finding]:
    """`two_node` and a quorum device together.

    ## What it checks
    A cluster with a `qdevice` does not set `two_node`.

    ## Why it matters
    votequorum refuses to start: "two_node and quorum device cannot be
    configured at the same time". A cluster that grew a qdevice often keeps
    the old `two_node` line.

    ## Example
    ```
    quorum { two_node yes; qdevice { host qnetd; algorithm ffsplit } }
    ```

    ## Fix
    Remove `two_node`: the quorum device breaks the tie.

    ## References
    votequorum.c; crmsh issue #1795.
    """
    quorum = _quorum(cluster)
    if quorum and quorum.two_node and quorum.qdevice:
        yield Finding(quorum.span_of("two_node"), "`two_node` cannot be combined with a quorum device",
                      labels=(Label(quorum.qdevice.span, "the quorum device"),),
                      help="remove `two_node`", path=quorum.path_of("two_node"))


@rule("HA120", "two-node-with-auto-tie-breaker", Severity.ERROR, layer="corosync")
def two_node_with_auto_tie_breaker(cluster) -> Iterator[Finding]:
    """`two_node` together with `auto_tie_breaker`.

    ## What it checks
    `two_node` and `auto_tie_breaker` are not both set.

    ## Why it matters
    votequorum disables `two_node` when `auto_tie_breaker` is on: only the
    tie-breaker node keeps quorum after a split, which is not what
    `two_node` promised.

    ## Example
    ```
    quorum { two_node yes; auto_tie_breaker yes }
    ```

    ## Fix
    Choose one: `two_node` with fencing delays, or `auto_tie_breaker`.

    ## References
    votequorum.c (CRIT: two_node disabled).
    """
    quorum = _quorum(cluster)
    if quorum and quorum.two_node and quorum.auto_tie_breaker:
        yield Finding(quorum.span_of("auto_tie_breaker"), "`auto_tie_breaker` disables `two_node`",
                      labels=(Label(quorum.span_of("two_node"), "`two_node` set here"),),
                      help="remove one of them", path=quorum.path_of("auto_tie_breaker"))


@rule("HA121", "even-nodes-without-tie-breaker", Severity.WARNING, layer="corosync")
def even_nodes_without_tie_breaker(cluster) -> Iterator[Finding]:
    """An even number of nodes (four or more) without a tie-breaker.

    ## What it checks
    Clusters of 4, 6, 8... nodes have a `qdevice` or `auto_tie_breaker`.

    ## Why it matters
    A network split into two equal halves leaves neither half with quorum:
    the whole cluster stops.

    ## Example
    ```
    # four nodes, two per data centre, no quorum device
    ```

    ## Fix
    Add a `qdevice` in a third location, or `auto_tie_breaker yes`.

    ## References
    votequorum(5); pcs (SBD requires auto_tie_breaker on even counts).
    """
    quorum = _quorum(cluster)
    count = len(cluster.nodes)
    if count >= 4 and count % 2 == 0 and not (quorum and (quorum.qdevice or quorum.auto_tie_breaker)):
        span = quorum.span if quorum else cluster.corosync.span
        yield Finding(span, f"{count} nodes can split into two halves of {count // 2} where neither has quorum",
                      help="add a `qdevice` or `auto_tie_breaker yes`", path=cluster.corosync.path_of())


@rule("HA122", "expected-votes-mismatch", Severity.WARNING, layer="corosync")
def expected_votes_mismatch(cluster) -> Iterator[Finding]:
    """`expected_votes` differs from the votes the nodes have.

    ## What it checks
    When written, `expected_votes` equals the sum of the nodes' votes (one
    each unless `votes` says otherwise).

    ## Why it matters
    Lower, it lets a minority partition keep quorum: split brain. Higher,
    the cluster cannot reach quorum until phantom nodes appear. votequorum
    computes it from the nodelist when it is left out.

    ## Example
    ```
    # three nodes
    quorum { expected_votes 2 }
    ```

    ## Fix
    Remove `expected_votes`.

    ## References
    votequorum(5); Trento check C620DC.
    """
    quorum = _quorum(cluster)
    if not quorum or quorum.expected_votes is None:
        return
    total = _votes(cluster)
    if quorum.expected_votes != total:
        severity = Severity.ERROR if quorum.expected_votes < total // 2 + 1 else None
        yield Finding(quorum.span_of("expected_votes"),
                      f"expected_votes is {quorum.expected_votes} but the nodes have {plural(total, 'vote')}",
                      help="remove `expected_votes`; votequorum counts the nodes itself",
                      severity=severity, path=quorum.path_of("expected_votes"))


@rule("HA123", "two-node-without-wait-for-all", Severity.WARNING, layer="corosync")
def two_node_without_wait_for_all(cluster) -> Iterator[Finding]:
    """`two_node` with `wait_for_all` turned off.

    ## What it checks
    A cluster with `two_node` does not set `wait_for_all no`.

    ## Why it matters
    `two_node` turns `wait_for_all` on for a reason: without it, a node that
    boots while cut off from its peer takes quorum alone and starts
    everything (or fences the healthy peer).

    ## Example
    ```
    quorum { two_node yes; wait_for_all no }
    ```

    ## Fix
    Remove `wait_for_all no`.

    ## References
    votequorum(5) NOTES.
    """
    quorum = _quorum(cluster)
    if quorum and quorum.two_node and quorum.wait_for_all is False:
        yield Finding(quorum.span_of("wait_for_all"), "`wait_for_all no` lets a lone node take quorum at boot",
                      help="remove `wait_for_all no`", path=quorum.path_of("wait_for_all"))


@rule("HA124", "auto-tie-breaker-needs-wait-for-all", Severity.ERROR, layer="corosync")
def auto_tie_breaker_needs_wait_for_all(cluster) -> Iterator[Finding]:
    """`auto_tie_breaker` on an odd number of nodes without `wait_for_all`.

    ## What it checks
    With an odd node count, `auto_tie_breaker` comes with `wait_for_all yes`.

    ## Why it matters
    votequorum disables the tie-breaker in that case (and refuses to start
    if `last_man_standing` is on too).

    ## Example
    ```
    # three nodes
    quorum { auto_tie_breaker yes }
    ```

    ## Fix
    Add `wait_for_all yes`.

    ## References
    votequorum.c.
    """
    quorum = _quorum(cluster)
    if quorum and quorum.auto_tie_breaker and len(cluster.nodes) % 2 == 1 and not quorum.wait_for_all:
        yield Finding(quorum.span_of("auto_tie_breaker"), f"`auto_tie_breaker` on {len(cluster.nodes)} nodes needs `wait_for_all`",
                      help="add `wait_for_all yes`", path=quorum.path_of("auto_tie_breaker"))


@rule("HA125", "qdevice-conflict", Severity.ERROR, layer="corosync")
def qdevice_conflict(cluster) -> Iterator[Finding]:
    """A quorum device together with `last_man_standing`, `auto_tie_breaker` or `allow_downscale`.

    ## What it checks
    A cluster with a `qdevice` sets none of those three options.

    ## Why it matters
    votequorum disables the quorum device when they are set: the tie-breaker
    the operator paid for never votes.

    ## Example
    ```
    quorum { last_man_standing yes; qdevice { host qnetd; algorithm lms } }
    ```

    ## Fix
    Remove the option; the qdevice's `algorithm lms` gives last-man-standing
    behaviour.

    ## References
    votequorum.c; pcs `CorosyncOptionsIncompatibleWithQdevice`.
    """
    quorum = _quorum(cluster)
    if not quorum or not quorum.qdevice:
        return
    for option in ("last_man_standing", "auto_tie_breaker", "allow_downscale"):
        if getattr(quorum, option):
            yield Finding(quorum.span_of(option), f"`{option}` disables the quorum device",
                          labels=(Label(quorum.qdevice.span, "the quorum device"),),
                          help=f"remove `{option}`", path=quorum.path_of(option))


@rule("HA126", "window-without-last-man-standing", Severity.ERROR, layer="corosync")
def window_without_last_man_standing(cluster) -> Iterator[Finding]:
    """`last_man_standing_window` without `last_man_standing`.

    ## What it checks
    `last_man_standing_window` is only set with `last_man_standing yes`.

    ## Why it matters
    The window does nothing on its own; the author meant to enable last man
    standing and did not.

    ## Example
    ```
    quorum { last_man_standing_window 20s }
    ```

    ## Fix
    Add `last_man_standing yes`, or remove the window.

    ## References
    pcs `create_quorum_options`.
    """
    quorum = _quorum(cluster)
    if quorum and quorum.last_man_standing_window is not None and not quorum.last_man_standing:
        yield Finding(quorum.span_of("last_man_standing_window"), "`last_man_standing_window` without `last_man_standing`",
                      help="add `last_man_standing yes`", path=quorum.path_of("last_man_standing_window"))


@rule("HA129", "qdevice-ffsplit-votes", Severity.ERROR, layer="corosync")
def qdevice_ffsplit_votes(cluster) -> Iterator[Finding]:
    """A quorum device with algorithm `ffsplit` and more than one vote.

    ## What it checks
    With `algorithm ffsplit`, the device's `votes` is 1 (or left out).

    ## Why it matters
    ffsplit gives its vote to one half of a 50:50 split; more votes let a
    minority partition win.

    ## Example
    ```
    qdevice { host qnetd; algorithm ffsplit; votes 2 }
    ```

    ## Fix
    Remove `votes`.

    ## References
    corosync-qdevice(8); pcs `__update_qdevice_votes`.
    """
    qdevice = quorum_device(cluster)
    if qdevice and qdevice.algorithm == "ffsplit" and qdevice.votes not in (None, 1):
        yield Finding(qdevice.span_of("votes"), f"algorithm ffsplit needs 1 vote, not {qdevice.votes}",
                      help="remove `votes`", path=qdevice.path_of("votes"))
