"""Lower the `pacemaker { ... }` block: properties, defaults, resources,
fencing devices, groups and clones (constraints are in `constraints`)."""

from __future__ import annotations

from hacc.model.lower import constraints
from hacc.model.lower.context import (
    JsonPath,
    Lowering,
    dispatch,
    read_pairs,
    scalar,
    span_of,
    unknown_statement,
)
from hacc.parse.ast import Pair, Statement, Value


def lower(low: Lowering, stmts, path: JsonPath) -> dict:
    out: dict = {"resources": [], "constraints": []}
    dispatch(low, stmts, _HANDLERS, out, path, "`pacemaker`")
    return out


def _nvpairs(key: str, usage: str):
    """`property a=1 b=2`: pairs merged into one map, repeatable."""

    def handle(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
        if not stmt.args or stmt.values() or stmt.block is not None:
            low.bad_args(stmt, f"`{stmt.keyword}` takes `name=value` pairs", usage)
            return
        target = out.setdefault(key, {})
        low.mark(path + (key,), stmt.head_span)
        read_pairs(low, stmt.pairs(), target, path + (key,))

    return handle


# -- resources -----------------------------------------------------------------


def _primitive(kind: str):
    usage = {
        "primitive": "resource NAME CLASS:PROVIDER:TYPE { param=value; op monitor interval=10s }",
        "fence": "fence NAME stonith:AGENT for NODE { param=value }",
    }[kind]

    def handle(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
        values = stmt.values()
        if len(values) < 2 or not isinstance(stmt.args[0], Value) or not isinstance(stmt.args[1], Value):
            low.bad_args(stmt, f"`{stmt.keyword}` takes a name and an agent", usage)
            return
        name, agent, rest = stmt.args[0], stmt.args[1], list(stmt.args[2:])
        item_path = path + ("resources", len(out["resources"]))
        item: dict = {"type": kind, "name": name.text, "agent": agent.text}
        low.mark(item_path, stmt.head_span)
        low.mark(item_path + ("name",), name.span)
        low.mark(item_path + ("agent",), agent.span)
        if kind == "fence" and rest and isinstance(rest[0], Value) and rest[0].text == "for":
            targets = []
            rest.pop(0)
            while rest and isinstance(rest[0], Value):
                node = rest.pop(0)
                low.mark(item_path + ("for", len(targets)), node.span)
                targets.append(node.text)
            if not targets:
                low.bad_args(stmt, "`for` needs the node this device fences", usage)
            item["for"] = targets
            low.mark(item_path + ("for",), stmt.head_span)
        stray = [a for a in rest if isinstance(a, Value)]
        if stray:
            low.bad_args(stmt, f"unexpected {stray[0].describe()}", usage, stray[0].span)
        params: dict = {}
        low.mark(item_path + ("params",), stmt.head_span)
        _params(low, [a for a in rest if isinstance(a, Pair)], params, item_path + ("params",))
        item["params"] = params
        item["meta"] = {}
        item["ops"] = []
        low.mark(item_path + ("meta",), stmt.head_span)
        low.mark(item_path + ("ops",), stmt.head_span)
        dispatch(low, stmt.block or (), _RESOURCE_BODY, item, item_path, f"`{stmt.keyword} {name.text}`")
        out["resources"].append(item)

    return handle


def _params(low: Lowering, pairs, params: dict, path: JsonPath) -> None:
    for pair in pairs:
        if low.once(path, pair.key, pair.key_span, f"parameter `{pair.key}`"):
            params[pair.key] = scalar(pair.value)
            low.mark(path + (pair.key,), pair.value.span)
            low.mark(path + (pair.key, "<key>"), pair.key_span)


def _param_line(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
    _params(low, stmt.pairs(), item["params"], path + ("params",))
    if stmt.block is not None:
        low.bad_args(stmt, "a parameter line takes no block", "param=value")


def _meta(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
    if not stmt.args or stmt.values() or stmt.block is not None:
        low.bad_args(stmt, "`meta` takes `name=value` pairs", "meta resource-stickiness=100")
        return
    low.mark(path + ("meta",), stmt.head_span)
    read_pairs(low, stmt.pairs(), item.setdefault("meta", {}), path + ("meta",))


def _op(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
    values = stmt.values()
    if len(values) != 1 or not isinstance(stmt.args[0], Value) or stmt.block is not None:
        low.bad_args(stmt, "`op` takes an action name and `key=value` attributes", "op monitor interval=10s timeout=20s")
        return
    op_path = path + ("ops", len(item["ops"]))
    op: dict = {"name": values[0].text}
    low.mark(op_path, stmt.head_span)
    low.mark(op_path + ("name",), values[0].span)
    read_pairs(low, stmt.pairs(), op, op_path)
    item["ops"].append(op)


_RESOURCE_BODY = {"": _param_line, "meta": _meta, "op": _op}


def _container(kind: str):
    usage = {
        "group": "group NAME MEMBER... { meta ... }",
        "clone": "clone NAME RESOURCE { meta clone-max=2 }",
        "promotable": "promotable NAME RESOURCE { meta promoted-max=1 }",
    }[kind]

    def handle(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
        values = stmt.values()
        if len(values) < 2 or not all(isinstance(a, Value) for a in stmt.args[: len(values)]):
            low.bad_args(stmt, f"`{stmt.keyword}` takes a name and its {'members' if kind == 'group' else 'resource'}", usage)
            return
        item_path = path + ("resources", len(out["resources"]))
        name, members = values[0], values[1:]
        item: dict = {"type": "group" if kind == "group" else "clone", "name": name.text}
        low.mark(item_path, stmt.head_span)
        low.mark(item_path + ("name",), name.span)
        if kind == "group":
            item["members"] = [m.text for m in members]
            low.mark(item_path + ("members",), span_of(members))
            for index, member in enumerate(members):
                low.mark(item_path + ("members", index), member.span)
        else:
            if len(members) != 1:
                low.bad_args(stmt, f"`{kind}` wraps one resource or group", usage, span_of(members))
            item["resource"] = members[0].text
            item["promotable"] = kind == "promotable"
            low.mark(item_path + ("resource",), members[0].span)
        item["meta"] = {}
        low.mark(item_path + ("meta",), stmt.head_span)
        read_pairs(low, stmt.pairs(), item["meta"], item_path + ("meta",))
        for inner in stmt.block or ():
            if inner.keyword == "meta":
                _meta(low, inner, item, item_path)
            else:
                unknown_statement(low, inner, f"`{kind} {name.text}`", ["meta"])
        out["resources"].append(item)

    return handle


_HANDLERS = {
    "property": _nvpairs("properties", "property stonith-enabled=true"),
    "rsc_defaults": _nvpairs("rsc_defaults", "rsc_defaults resource-stickiness=100"),
    "op_defaults": _nvpairs("op_defaults", "op_defaults timeout=60s"),
    "resource": _primitive("primitive"),
    "fence": _primitive("fence"),
    "group": _container("group"),
    "clone": _container("clone"),
    "promotable": _container("promotable"),
    "location": constraints.location,
    "colocation": constraints.colocation,
    "order": constraints.order,
    "fencing_level": constraints.fencing_level,
}
