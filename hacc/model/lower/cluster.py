"""Lower the top of a file: the `cluster` block and its `node`s."""

from __future__ import annotations

from hacc.diagnostics.codes import define
from hacc.diagnostics.model import Label, Severity, Span
from hacc.model.lower import corosync, haproxy, keepalived, pacemaker
from hacc.model.lower.context import (
    JsonPath,
    Lowering,
    dispatch,
    read_pairs,
    setting,
    single_value,
    unknown_statement,
)
from hacc.parse.ast import Statement

CLUSTER = define(
    "HA005",
    "one-cluster-per-file",
    Severity.ERROR,
    """
    A file must describe exactly one cluster.

    ## What it checks
    The top level of a `.ha` file holds one `cluster NAME { ... }` block
    (and `include`s that bring in parts of it).

    ## Why it matters
    Each file compiles to one set of outputs; two clusters in one file would
    need two output trees.

    ## Example
    ```
    cluster a { }
    cluster b { }
    ```

    ## Fix
    Put each cluster in its own file; `hacc lint a.ha b.ha` checks them
    together.
    """,
    fixed=True,
)

NODE_SETTINGS = {
    "id": setting("id", "int", "id NODEID"),
    "interface": setting("interface", "str", "interface IFNAME"),
    "votes": setting("votes", "int", "votes N"),
    "router_id": setting("router_id", "str", "router_id NAME"),
    "unicast_src": setting("unicast_src", "str", "unicast_src ADDRESS"),
}


def lower_file(low: Lowering, statements: list[Statement], file: str) -> dict | None:
    clusters = [s for s in statements if s.keyword == "cluster"]
    for stmt in statements:
        if stmt.keyword != "cluster":
            unknown_statement(low, stmt, "the top level of a file", ["cluster", "include"])
    if not clusters:
        if not any(s.keyword != "cluster" for s in statements):
            low.report(CLUSTER.at(Span.point(file), "the file describes no cluster", help="write `cluster NAME { ... }`"))
        return None
    for extra in clusters[1:]:
        low.report(
            CLUSTER.at(
                extra.head_span,
                "a second `cluster` in one file",
                labels=[Label(clusters[0].head_span, "the first cluster")],
                help="put each cluster in its own file",
            )
        )
    return lower_cluster(low, clusters[0])


def lower_cluster(low: Lowering, stmt: Statement) -> dict | None:
    data: dict = {}
    low.mark((), stmt.head_span)
    name = single_value_with_block(low, stmt, "cluster NAME { ... }")
    if name is None:
        return None
    data["cluster"] = name.text
    low.mark(("cluster",), name.span)
    data["nodes"] = []
    low.mark(("nodes",), stmt.head_span)
    dispatch(low, stmt.block, _CLUSTER_SECTIONS, data, (), "`cluster`")
    return data


def single_value_with_block(low: Lowering, stmt: Statement, usage: str, block_required: bool = True):
    """`keyword NAME { ... }`: the name, or None after reporting."""
    values = stmt.values()
    if len(stmt.args) != 1 or len(values) != 1:
        low.bad_args(stmt, f"`{stmt.keyword}` takes one name", usage)
        return None
    if block_required and stmt.block is None:
        low.bad_args(stmt, f"`{stmt.keyword}` needs a block", usage)
        return None
    return values[0]


def _node(low: Lowering, stmt: Statement, data: dict, path: JsonPath) -> None:
    values = stmt.values()
    if len(stmt.args) != 1 or len(values) != 1:
        low.bad_args(stmt, "`node` takes one name", "node NAME { id 1; addr 10.0.0.1 }")
        return
    index = len(data["nodes"])
    node_path = ("nodes", index)
    node: dict = {"name": values[0].text, "addrs": []}
    low.mark(node_path, stmt.head_span)
    low.mark(node_path + ("name",), values[0].span)
    low.mark(node_path + ("addrs",), stmt.head_span)
    data["nodes"].append(node)
    dispatch(low, stmt.block or (), _NODE_HANDLERS, node, node_path, f"`node {values[0].text}`")


def _addr(low: Lowering, stmt: Statement, node: dict, path: JsonPath) -> None:
    value = single_value(low, stmt, "addr ADDRESS")
    if value is not None:
        low.mark(path + ("addrs", len(node["addrs"])), value.span)
        node["addrs"].append(value.text)


def _attribute(low: Lowering, stmt: Statement, node: dict, path: JsonPath) -> None:
    if not stmt.args or stmt.values() or stmt.block is not None:
        low.bad_args(stmt, "`attribute` takes `name=value` pairs", "attribute site=dc1 rack=r4")
        return
    attributes = node.setdefault("attributes", {})
    low.mark(path + ("attributes",), stmt.head_span)
    read_pairs(low, stmt.pairs(), attributes, path + ("attributes",))


_NODE_HANDLERS = dict(NODE_SETTINGS, addr=_addr, attribute=_attribute)


def _section(name: str, lower):
    def handle(low: Lowering, stmt: Statement, data: dict, path: JsonPath) -> None:
        if stmt.args or stmt.block is None:
            low.bad_args(stmt, f"`{name}` takes a block and no arguments", f"{name} {{ ... }}")
            return
        if low.once(path, name, stmt.keyword_span, f"the `{name}` block"):
            low.mark((name,), stmt.head_span)
            data[name] = lower(low, stmt.block, (name,))

    return handle


_CLUSTER_SECTIONS = {
    "node": _node,
    "corosync": _section("corosync", corosync.lower),
    "pacemaker": _section("pacemaker", pacemaker.lower),
    "keepalived": _section("keepalived", keepalived.lower),
    "haproxy": _section("haproxy", haproxy.lower),
}
