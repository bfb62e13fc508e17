"""Write Pacemaker constraints and the fencing topology (inverse of
hacc.model.lower.constraints)."""

from __future__ import annotations

from hacc.format.write_tree import Stmt, expect_keys, expect_list, items, line
from hacc.format.write_values import JsonPath, Unwritable, pair, word
from hacc.model.lower.constraints import (
    COLOCATION_OPTIONS,
    LOCATION_OPTIONS,
    ORDER_OPTIONS,
    RULE_OPTIONS,
    RULE_UNARY,
    SET_OPTIONS,
)

# kind -> (the word joining the two resources, their keys, the options)
_TWO_RESOURCES = {
    "colocation": ("with", ("resource", "with"), COLOCATION_OPTIONS),
    "order": ("then", ("first", "then"), ORDER_OPTIONS),
}


def write_constraint(constraint, path: JsonPath) -> Stmt:
    if not isinstance(constraint, dict) or constraint.get("type") not in ("location", "colocation", "order"):
        raise Unwritable(path + ("type",), "a constraint's type is `location`, `colocation` or `order`")
    if "name" not in constraint:
        raise Unwritable(path, "a constraint needs a name")
    if constraint["type"] == "location":
        return _location(constraint, path)
    return _two_resources(constraint, path)


def options(obj: dict, kinds: dict[str, str], path: JsonPath) -> list[str]:
    return [pair(key, obj[key], path + (key,), kinds[key]) for key in obj if key in kinds]


def _location(item: dict, path: JsonPath) -> Stmt:
    expect_keys(item, ("type", "name", "resource", "prefers", "avoids", "rule") + tuple(LOCATION_OPTIONS), path, "a location")
    modes = [mode for mode in ("prefers", "avoids", "rule") if mode in item]
    if len(modes) != 1 or "resource" not in item:
        raise Unwritable(path, "a location needs a resource and exactly one of `prefers`, `avoids` and `rule`")
    head = ["location", word(item["name"], path + ("name",), "text"), word(item["resource"], path + ("resource",), "text"), modes[0]]
    if modes[0] == "rule":
        # After `rule` every `key=value` belongs to the rule itself.
        for key in LOCATION_OPTIONS:
            if key in item:
                raise Unwritable(path + (key,), f"a location with a rule cannot also set `{key}`; set it on the rule")
        head += _rule(item["rule"], path + ("rule",))
        return Stmt(line(*head))
    scores = items(item[modes[0]], path + (modes[0],), f"`{modes[0]}`")
    if not scores:
        raise Unwritable(path + (modes[0],), f"`{modes[0]}` needs at least one node")
    for node, score in scores:
        node_path = path + (modes[0], node)
        if score == "INFINITY":
            head.append(word(node, node_path, "text"))
        elif node in LOCATION_OPTIONS:
            raise Unwritable(node_path, f"a node named `{node}` with a score would be read as the location's `{node}` option")
        else:
            head.append(pair(node, score, node_path))
    head += options(item, LOCATION_OPTIONS, path)
    return Stmt(line(*head))


def _rule(rule, path: JsonPath) -> list[str]:
    expect_keys(rule, ("expressions", "boolean_op") + tuple(RULE_OPTIONS), path, "a rule")
    words = options(rule, RULE_OPTIONS, path)
    expressions = expect_list(rule.get("expressions"), path + ("expressions",), "a rule's `expressions`")
    if not expressions:
        raise Unwritable(path + ("expressions",), "a rule needs at least one expression")
    joiner = rule.get("boolean_op", "and")
    if joiner not in ("and", "or"):
        raise Unwritable(path + ("boolean_op",), "`boolean_op` is `and` or `or`")
    for index, expression in enumerate(expressions):
        if index:
            words.append(joiner)
        words += _expression(expression, path + ("expressions", index))
    return words


def _expression(expression, path: JsonPath) -> list[str]:
    expect_keys(expression, ("attribute", "operation", "value"), path, "a rule expression")
    if "attribute" not in expression or "operation" not in expression:
        raise Unwritable(path, "a rule expression needs an attribute and an operation")
    attribute, operation = expression["attribute"], expression["operation"]
    attr = word(attribute, path + ("attribute",), "text")
    if operation in RULE_UNARY:
        if "value" in expression:
            raise Unwritable(path + ("value",), f"`{operation}` takes no value")
        return [operation, attr]
    if "value" not in expression:
        raise Unwritable(path, f"the operation `{operation}` needs a value")
    if attribute in RULE_UNARY:
        raise Unwritable(path + ("attribute",), f"an attribute named `{attribute}` would be read as the `{attribute}` test")
    return [attr, word(operation, path + ("operation",), "text"), word(expression["value"], path + ("value",), "text")]


def _two_resources(item: dict, path: JsonPath) -> Stmt:
    kind = item["type"]
    joiner, keys, kinds = _TWO_RESOURCES[kind]
    expect_keys(item, ("type", "name", "sets") + keys + tuple(kinds), path, f"an {kind}" if kind == "order" else f"a {kind}")
    head = [kind, word(item["name"], path + ("name",), "text")]
    if "sets" in item:
        if any(key in item for key in keys):
            raise Unwritable(path, f"a {kind} has either resource sets or `{keys[0]}` and `{keys[1]}`, not both")
        sets = expect_list(item["sets"], path + ("sets",), "`sets`")
        if not sets:
            raise Unwritable(path + ("sets",), "`sets` needs at least one set")
        body = [_set(entry, path + ("sets", index)) for index, entry in enumerate(sets)]
        return Stmt(line(*head, *options(item, kinds, path)), body)
    if not all(key in item for key in keys):
        raise Unwritable(path, f"a {kind} needs `{keys[0]}` and `{keys[1]}`, or resource sets")
    head += [word(item[keys[0]], path + (keys[0],), "text"), joiner, word(item[keys[1]], path + (keys[1],), "text")]
    return Stmt(line(*head, *options(item, kinds, path)))


def _set(entry, path: JsonPath) -> Stmt:
    expect_keys(entry, ("resources",) + tuple(SET_OPTIONS), path, "a resource set")
    resources = expect_list(entry.get("resources"), path + ("resources",), "a set's `resources`")
    if not resources:
        raise Unwritable(path + ("resources",), "a resource set needs at least one resource")
    names = [word(r, path + ("resources", i), "text") for i, r in enumerate(resources)]
    return Stmt(line("set", *names, *options(entry, SET_OPTIONS, path)))


def write_fencing_level(level, path: JsonPath) -> Stmt:
    expect_keys(level, ("target", "index", "devices"), path, "a fencing level")
    if not all(key in level for key in ("target", "index", "devices")):
        raise Unwritable(path, "a fencing level needs a target, an index and devices")
    devices = expect_list(level["devices"], path + ("devices",), "`devices`")
    if not devices:
        raise Unwritable(path + ("devices",), "a fencing level needs at least one device")
    return Stmt(line("fencing_level", word(level["target"], path + ("target",), "text"), word(level["index"], path + ("index",), "int"),
                     *(word(d, path + ("devices", i), "text") for i, d in enumerate(devices))))
