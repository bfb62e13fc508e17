"""Lower Pacemaker constraints: `location`, `colocation` and `order`, with
resource sets, rules and the fencing topology."""

from __future__ import annotations

from hacc.model.lower.context import (
    JsonPath,
    Lowering,
    integer,
    read_pairs,
    scalar,
    span_of,
    unknown_statement,
)
from hacc.parse.ast import Pair, Statement, Value

RULE_OPERATIONS = ("eq", "ne", "lt", "gt", "lte", "gte")
RULE_UNARY = ("defined", "not_defined")

COLOCATION_OPTIONS = {"score": "str", "rsc-role": "str", "with-rsc-role": "str", "influence": "bool", "node-attribute": "str"}
ORDER_OPTIONS = {"kind": "str", "symmetrical": "bool", "first-action": "str", "then-action": "str", "require-all": "bool"}
SET_OPTIONS = {"sequential": "bool", "require-all": "bool", "role": "str", "action": "str", "ordering": "str"}
LOCATION_OPTIONS = {"resource-discovery": "str", "role": "str"}
RULE_OPTIONS = {"score": "str", "role": "str"}


def _constraint_start(low: Lowering, stmt: Statement, out: dict, path: JsonPath, kind: str, usage: str):
    values = stmt.values()
    if not values or not isinstance(stmt.args[0], Value):
        low.bad_args(stmt, f"`{kind}` needs a name", usage)
        return None, None
    item_path = path + ("constraints", len(out["constraints"]))
    item: dict = {"type": kind, "name": values[0].text}
    low.mark(item_path, stmt.head_span)
    low.mark(item_path + ("name",), values[0].span)
    return item, item_path


def location(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
    usage = "location NAME RESOURCE prefers|avoids NODE[=SCORE]... | rule [score=S] EXPRESSION"
    item, item_path = _constraint_start(low, stmt, out, path, "location", usage)
    if item is None:
        return
    args = list(stmt.args[1:])
    if len(args) < 2 or not isinstance(args[0], Value) or not isinstance(args[1], Value):
        low.bad_args(stmt, "`location` needs a resource and `prefers`, `avoids` or `rule`", usage)
        return
    resource, mode, rest = args[0], args[1], args[2:]
    item["resource"] = resource.text
    low.mark(item_path + ("resource",), resource.span)
    if mode.text in ("prefers", "avoids"):
        scores: dict = {}
        low.mark(item_path + (mode.text,), mode.span)
        for arg in rest:
            if isinstance(arg, Pair):
                if arg.key in LOCATION_OPTIONS:
                    read_pairs(low, [arg], item, item_path, LOCATION_OPTIONS)
                    continue
                node, score, span = arg.key, scalar(arg.value), arg.key_span
                low.mark(item_path + (mode.text, node), arg.value.span)
            else:
                node, score, span = arg.text, "INFINITY", arg.span
                low.mark(item_path + (mode.text, node), arg.span)
            if low.once(item_path + (mode.text,), node, span, f"node `{node}`"):
                scores[node] = score
            low.mark(item_path + (mode.text, node, "<key>"), span)
        if not scores:
            low.bad_args(stmt, f"`{mode.text}` needs at least one node", usage, mode.span)
        item[mode.text] = scores
    elif mode.text == "rule":
        item["rule"] = _rule(low, stmt, rest, item_path + ("rule",), mode)
    else:
        low.bad_args(stmt, f"expected `prefers`, `avoids` or `rule`, found {mode.describe()}", usage, mode.span)
        return
    _no_block(low, stmt, usage)
    out["constraints"].append(item)


def _rule(low: Lowering, stmt: Statement, args, rule_path: JsonPath, rule_word: Value) -> dict:
    rule: dict = {"expressions": []}
    low.mark(rule_path, rule_word.span)
    read_pairs(low, [a for a in args if isinstance(a, Pair)], rule, rule_path, RULE_OPTIONS, "`rule`")
    words = [a for a in args if isinstance(a, Value)]
    usage = "rule score=-INFINITY site ne dc1 and defined rack"
    index = 0
    expecting_term = True
    while index < len(words):
        word = words[index]
        if not expecting_term:
            if word.text not in ("and", "or"):
                low.bad_args(stmt, f"expected `and` or `or`, found {word.describe()}", usage, word.span)
                break
            if rule.setdefault("boolean_op", word.text) != word.text:
                low.bad_args(stmt, "one rule cannot mix `and` and `or`", usage, word.span)
                break
            index += 1
            expecting_term = True
            continue
        expr_path = rule_path + ("expressions", len(rule["expressions"]))
        if word.text in RULE_UNARY and index + 1 < len(words):
            attr = words[index + 1]
            rule["expressions"].append({"attribute": attr.text, "operation": word.text})
            low.mark(expr_path, span_of([word, attr]))
            low.mark(expr_path + ("attribute",), attr.span)
            index += 2
        elif index + 3 <= len(words):
            attr, op, value = words[index : index + 3]
            rule["expressions"].append({"attribute": attr.text, "operation": op.text, "value": value.text})
            low.mark(expr_path, span_of([attr, value]))
            low.mark(expr_path + ("attribute",), attr.span)
            low.mark(expr_path + ("operation",), op.span)
            low.mark(expr_path + ("value",), value.span)
            index += 3
        else:
            low.bad_args(stmt, "incomplete rule expression", usage, span_of(words[index:]))
            break
        expecting_term = False
    if not rule["expressions"]:
        low.bad_args(stmt, "`rule` needs an expression", usage, rule_word.span)
    return rule


def colocation(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
    usage = "colocation NAME RESOURCE with OTHER [score=INFINITY]"
    _two_resource_constraint(low, stmt, out, path, "colocation", "with", ("resource", "with"), COLOCATION_OPTIONS, usage)


def order(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
    usage = "order NAME FIRST then THEN [kind=Mandatory]"
    _two_resource_constraint(low, stmt, out, path, "order", "then", ("first", "then"), ORDER_OPTIONS, usage)


def _two_resource_constraint(low, stmt, out, path, kind, joiner, keys, options, usage) -> None:
    item, item_path = _constraint_start(low, stmt, out, path, kind, usage)
    if item is None:
        return
    words = [a for a in stmt.args[1:] if isinstance(a, Value)]
    read_pairs(low, stmt.pairs(), item, item_path, options, f"`{kind}`")
    if stmt.block is not None:
        if words:
            low.bad_args(stmt, f"a `{kind}` with resource sets takes its resources only in `set` lines", usage, span_of(words))
            return
        item["sets"] = []
        low.mark(item_path + ("sets",), stmt.block_span or stmt.span)
        for inner in stmt.block:
            if inner.keyword == "set":
                _set(low, inner, item, item_path)
            else:
                unknown_statement(low, inner, f"`{kind} {item['name']}`", ["set"])
    elif len(words) == 3 and words[1].text == joiner:
        item[keys[0]] = words[0].text
        item[keys[1]] = words[2].text
        low.mark(item_path + (keys[0],), words[0].span)
        low.mark(item_path + (keys[1],), words[2].span)
    else:
        low.bad_args(stmt, f"`{kind}` takes two resources joined by `{joiner}`, or a block of `set`s", usage)
        return
    out["constraints"].append(item)


def _set(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
    values = stmt.values()
    if not values or stmt.block is not None:
        low.bad_args(stmt, "`set` takes resources and options", "set vip web sequential=false")
        return
    set_path = path + ("sets", len(item["sets"]))
    entry: dict = {"resources": [v.text for v in values]}
    low.mark(set_path, stmt.head_span)
    for index, value in enumerate(values):
        low.mark(set_path + ("resources", index), value.span)
    read_pairs(low, stmt.pairs(), entry, set_path, SET_OPTIONS, "`set`")
    item["sets"].append(entry)


def fencing_level(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
    usage = "fencing_level NODE INDEX DEVICE..."
    values = stmt.values()
    if len(values) < 3 or len(values) != len(stmt.args) or stmt.block is not None:
        low.bad_args(stmt, "`fencing_level` takes a node, a level index and fence devices", usage)
        return
    levels = out.setdefault("fencing_levels", [])
    level_path = path + ("fencing_levels", len(levels))
    level = {"target": values[0].text, "index": integer(values[1]), "devices": [v.text for v in values[2:]]}
    low.mark(path + ("fencing_levels",), stmt.head_span)
    low.mark(level_path, stmt.head_span)
    low.mark(level_path + ("target",), values[0].span)
    low.mark(level_path + ("index",), values[1].span)
    for index, value in enumerate(values[2:]):
        low.mark(level_path + ("devices", index), value.span)
    levels.append(level)


def _no_block(low: Lowering, stmt: Statement, usage: str) -> None:
    if stmt.block is not None:
        low.bad_args(stmt, f"`{stmt.keyword}` takes no block", usage, stmt.block_span)
