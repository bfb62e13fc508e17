"""What the language holds, and what a generated cluster used of it.

`schema_paths` lists every setting of the language (the schema of the JSON
form); `reached` collects the settings one JSON form uses. Together they
measure how much of the language the generated clusters cover.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# -- what the language holds ---------------------------------------------------------------------------
#
# The JSON form is the language's meaning, and its schema lists every
# setting: a schema path such as `keepalived/instances/[]/track_scripts/[]/reverse`
# is one thing a `.ha` file can say. `[]` stands for a list item, `*` for a
# name the user chooses (a node in `priority`, a Pacemaker parameter).


def schema_paths() -> tuple[set[tuple], set[tuple]]:
    """(every path the schema allows, the paths of its blocks and
    statement kinds: objects, lists of objects, and `type` values such as
    `haproxy/sections/[]/type=userlist`)."""
    import json

    schema = json.loads((ROOT / "schemas" / "cluster.schema.json").read_text())
    defs = schema["$defs"]
    paths: set[tuple] = set()
    kinds: set[tuple] = set()
    active: list[str] = []  # the definitions being walked: recursion stops at a repeat

    def walk(node, path: tuple) -> None:
        if not isinstance(node, dict):
            return
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in active:
                active.append(name)
                walk(defs[name], path)
                active.pop()
        for key in ("oneOf", "anyOf", "allOf"):
            for sub in node.get(key, []):
                walk(sub, path)
        for key in ("then", "else"):
            walk(node.get(key), path)
        if node.get("properties") and path:
            kinds.add(path)
        for key, sub in node.get("properties", {}).items():
            paths.add(path + (key,))
            if key == "type" and isinstance(sub, dict):
                for value in sub.get("enum", [sub.get("const")] if "const" in sub else []):
                    kinds.add(path + (f"type={value}",))
            walk(sub, path + (key,))
        for sub in [node.get("additionalProperties"), *node.get("patternProperties", {}).values()]:
            if isinstance(sub, dict):
                paths.add(path + ("*",))
                walk(sub, path + ("*",))
        if isinstance(node.get("items"), dict):
            walk(node["items"], path + ("[]",))

    walk(schema, ())
    paths.discard(("$schema",))  # the JSON form's own header, not something a .ha file says
    # `type=` values sit on the object they type: count them as kinds only
    return paths, {k for k in kinds if not k[-1].startswith("type=") or k[:-1] in kinds}


def reached(data, schema: set[tuple], out: set[tuple], prefix: tuple = ()) -> None:
    """Add to `out` the schema paths (as `schema_paths` spells them) that a
    JSON form uses."""
    if isinstance(data, dict):
        if prefix:
            out.add(prefix)
        for key, value in data.items():
            path = prefix + (key,)
            if path not in schema and prefix + ("*",) in schema:
                path = prefix + ("*",)
            out.add(path)
            if key == "type" and isinstance(value, str):
                out.add(prefix + (f"type={value}",))
            reached(value, schema, out, path)
    elif isinstance(data, list):
        for value in data:
            reached(value, schema, out, prefix + ("[]",))
