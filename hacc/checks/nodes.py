"""HA0xx structure rules about nodes: unique names, and every node a layer
names is declared."""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.helpers import duplicate_findings
from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Severity
from hacc.diagnostics.suggest import did_you_mean


@rule("HA015", "duplicate-node-name", Severity.ERROR, fixed=True)
def duplicate_node_names(cluster) -> Iterator[Finding]:
    """Two nodes have the same name.

    ## What it checks
    Every `node` in a cluster has its own name.

    ## Why it matters
    The node name is the corosync `name`, the Pacemaker `uname`, the
    keepalived router id and the haproxy peer name; hacc also writes one
    output directory per node name. Two nodes with one name cannot both be
    configured, and corosync does not notice (pcs reports it as an error).

    ## Example
    ```
    node node1 { id 1; addr 10.0.0.1 }
    node node1 { id 2; addr 10.0.0.2 }
    ```

    ## Fix
    Give each node the host name it really has.

    ## References
    pcs `NodeNamesDuplication`; corosync.conf(5) `name`.
    """
    yield from duplicate_findings(cluster.nodes, lambda n: n.name, "node")


def node_references(cluster) -> Iterator[tuple[str, object, str, tuple]]:
    """(node name, element, what refers to it, span key) for every place a
    layer names a node."""
    if cluster.keepalived:
        for instance in cluster.keepalived.instances:
            for node in instance.priority:
                yield node, instance, f"`priority` of `vrrp {instance.name}`", ("priority", node, "<key>")
            for field in ("state", "interface", "unicast_src"):
                value = getattr(instance, field)
                if isinstance(value, dict):
                    for node in value:
                        yield node, instance, f"`{field}` of `vrrp {instance.name}`", (field, node, "<key>")
    if cluster.pacemaker:
        for resource in cluster.pacemaker.resources:
            for index, node in enumerate(getattr(resource, "fence_for", ())):
                yield node, resource, f"`for` of fence device `{resource.name}`", ("fence_for", index)
        for constraint in cluster.pacemaker.constraints:
            for field in ("prefers", "avoids"):
                for node in getattr(constraint, field, {}):
                    yield node, constraint, f"location `{constraint.name}`", (field, node, "<key>")
        for level in cluster.pacemaker.fencing_levels:
            yield level.target, level, "a `fencing_level`", ("target",)


@rule("HA016", "undefined-node", Severity.ERROR, fixed=True)
def undefined_nodes(cluster) -> Iterator[Finding]:
    """A statement names a node that the cluster does not declare.

    ## What it checks
    Node names in `priority` and `state` of a `vrrp` instance, in `for` of a
    `fence` device, in `prefers` and `avoids` of a `location`, and in a
    `fencing_level` are names of declared `node`s.

    ## Why it matters
    A typo in a node name silently drops that node from the configuration:
    a VRRP instance without its backup, a fence device that fences nobody.

    ## Example
    ```
    node lb1 { addr 192.168.1.11 }
    node lb2 { addr 192.168.1.12 }
    vrrp VI_1 { priority lb1=100 lb3=90 }
    ```

    ## Fix
    Use the name of a declared node, or declare the node.

    ## References
    crmsh `CibLocation.check_sanity` (location to unknown node).
    """
    known = set(cluster.node_names)
    for name, element, where, key in node_references(cluster):
        if name not in known:
            yield Finding(
                element.span_of(*key),
                f"{where} names node `{name}`, which is not declared",
                help=did_you_mean(name, known, f"declared nodes: {', '.join(f'`{n}`' for n in cluster.node_names)}"),
                path=element.path_of(),
            )
