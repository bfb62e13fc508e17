"""Write the `pacemaker { ... }` block: properties, defaults, resources and
fencing levels (inverse of hacc.model.lower.pacemaker); constraints are in
write_constraints."""

from __future__ import annotations

from hacc.format.write_constraints import write_constraint, write_fencing_level
from hacc.format.write_tree import Stmt, chunked, expect_keys, expect_list, items, line
from hacc.format.write_values import JsonPath, Unwritable, nvvalue, pair, word

_KEYS = ("properties", "rsc_defaults", "op_defaults", "resources", "constraints", "fencing_levels")
_MAPS = (("properties", "property"), ("rsc_defaults", "rsc_defaults"), ("op_defaults", "op_defaults"))
_PRIMITIVE_KEYS = ("type", "name", "agent", "params", "meta", "ops")


def write_pacemaker(section, path: JsonPath) -> list[Stmt]:
    expect_keys(section, _KEYS, path, "`pacemaker`")
    body: list[Stmt] = []
    for key, statement in _MAPS:
        body += chunked(statement, nvpairs(section.get(key, {}), path + (key,)))
    for index, resource in enumerate(expect_list(section.get("resources", []), path + ("resources",), "`resources`")):
        body.append(_resource(resource, path + ("resources", index)))
    for index, constraint in enumerate(expect_list(section.get("constraints", []), path + ("constraints",), "`constraints`")):
        body.append(write_constraint(constraint, path + ("constraints", index)))
    levels = expect_list(section.get("fencing_levels", []), path + ("fencing_levels",), "`fencing_levels`")
    body += [write_fencing_level(level, path + ("fencing_levels", index)) for index, level in enumerate(levels)]
    return body


def nvpairs(obj, path: JsonPath) -> list[str]:
    return [pair(key, nvvalue(value), path + (key,)) for key, value in items(obj, path, "a name/value map")]


def _resource(resource, path: JsonPath) -> Stmt:
    if not isinstance(resource, dict) or resource.get("type") not in ("primitive", "fence", "group", "clone"):
        raise Unwritable(path + ("type",), "a resource's type is `primitive`, `fence`, `group` or `clone`")
    if "name" not in resource:
        raise Unwritable(path, "a resource needs a name")
    if resource["type"] in ("group", "clone"):
        return _container(resource, path)
    return _primitive(resource, path)


def _primitive(resource: dict, path: JsonPath) -> Stmt:
    fence = resource["type"] == "fence"
    expect_keys(resource, _PRIMITIVE_KEYS + (("for",) if fence else ()), path, f"a {resource['type']}")
    if "agent" not in resource:
        raise Unwritable(path, "a resource needs an agent")
    head = ["fence" if fence else "resource", word(resource["name"], path + ("name",), "text"),
            word(resource["agent"], path + ("agent",), "text")]
    if fence and "for" in resource:
        targets = expect_list(resource["for"], path + ("for",), "`for`")
        if not targets:
            raise Unwritable(path + ("for",), "`for` needs at least one node")
        head += ["for", *(word(node, path + ("for", i), "text") for i, node in enumerate(targets))]
    body: list[Stmt] = []
    params = [pair(key, value, path + ("params", key)) for key, value in items(resource.get("params", {}), path + ("params",), "`params`")]
    body += chunked("", params)
    body += chunked("meta", nvpairs(resource.get("meta", {}), path + ("meta",)))
    for index, op in enumerate(expect_list(resource.get("ops", []), path + ("ops",), "`ops`")):
        body.append(_op(op, path + ("ops", index)))
    return Stmt(line(*head), body or None)


def _op(op, path: JsonPath) -> Stmt:
    if not isinstance(op, dict) or "name" not in op:
        raise Unwritable(path, "an operation needs a name")
    attributes = [pair(key, value, path + (key,)) for key, value in op.items() if key != "name"]
    return Stmt(line("op", word(op["name"], path + ("name",), "text"), *attributes))


def _container(resource: dict, path: JsonPath) -> Stmt:
    if resource["type"] == "group":
        expect_keys(resource, ("type", "name", "members", "meta"), path, "a group")
        members = expect_list(resource.get("members"), path + ("members",), "a group's `members`")
        if not members:
            raise Unwritable(path + ("members",), "a group needs at least one member")
        head = ["group", word(resource["name"], path + ("name",), "text")]
        head += [word(m, path + ("members", i), "text") for i, m in enumerate(members)]
    else:
        expect_keys(resource, ("type", "name", "resource", "promotable", "meta"), path, "a clone")
        if "resource" not in resource:
            raise Unwritable(path, "a clone needs the resource it clones")
        promotable = resource.get("promotable", False)
        if not isinstance(promotable, bool):
            raise Unwritable(path + ("promotable",), "`promotable` is true or false")
        head = ["promotable" if promotable else "clone", word(resource["name"], path + ("name",), "text"),
                word(resource["resource"], path + ("resource",), "text")]
    meta = chunked("meta", nvpairs(resource.get("meta", {}), path + ("meta",)))
    return Stmt(line(*head), meta or None)
