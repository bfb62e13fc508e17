"""HA108-HA109: votequorum settings against the size of the cluster.

`corosync -t` does not read the quorum section at all, so these mistakes
only show when a node fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.helpers import plural
from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Severity


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
