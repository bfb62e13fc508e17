"""Write a model's JSON form back as `.ha` text.

The inverse of hacc.model.lower: `hacc import` builds a JSON form from the
files a cluster runs today and this module turns it into `cluster.ha`.
Compiling the text gives back the same JSON form, except for the few
normalisations lowering itself makes (containers it always creates, such as
a resource's empty `meta`, and spellings it cannot tell apart, listed in
`write_ha`'s docstring). A value the language cannot express raises
Unwritable (a ValueError) naming its JSON path.
"""

from __future__ import annotations

from collections.abc import Iterable

from hacc.format.write_corosync import write_corosync
from hacc.format.write_haproxy import write_haproxy
from hacc.format.write_keepalived import write_keepalived
from hacc.format.write_pacemaker import write_pacemaker
from hacc.format.write_tree import (
    Stmt,
    chunked,
    expect_keys,
    expect_list,
    items,
    line,
    render,
)
from hacc.format.write_values import Unwritable, nvvalue, pair, spell_invisible, word

__all__ = ["Unwritable", "write_ha"]

_SECTIONS = (
    ("corosync", write_corosync),
    ("pacemaker", write_pacemaker),
    ("keepalived", write_keepalived),
    ("haproxy", write_haproxy),
)
_TOP_KEYS = ("$schema", "cluster", "nodes") + tuple(name for name, _ in _SECTIONS)
_NODE_KEYS = ("name", "id", "addrs", "interface", "votes", "router_id", "unicast_src", "attributes")
# Node settings written after the addresses, with how lowering reads each.
_NODE_SETTINGS = (("interface", "str"), ("votes", "int"), ("router_id", "str"), ("unicast_src", "str"))


def write_ha(data: dict, header_comments: Iterable[str] = ()) -> str:
    """The `.ha` text of `data`, a JSON form the schema accepts.

    Normalisations (the text builds the same outputs, its JSON form differs):
    empty optional maps and lists are left out, lists and maps lowering always
    creates appear empty, numbers and booleans in name/value maps (properties,
    meta, node attributes) and in haproxy options become their text, explicit
    `false` for flags written only as a bare word (`multicast`,
    `dont_track_primary`, a tracker's `reverse`, a check's `dynamic`) is left
    out, `$schema` is left out, and a rule with several expressions but no
    `boolean_op` is written with `and` (Pacemaker's default, which the CIB
    then names explicitly).
    """
    expect_keys(data, _TOP_KEYS, (), "the cluster")
    if not isinstance(data.get("cluster"), str):
        raise Unwritable(("cluster",), "the cluster needs a name")
    body = [_node(node, ("nodes", index)) for index, node in enumerate(expect_list(data.get("nodes", []), ("nodes",), "`nodes`"))]
    for name, writer in _SECTIONS:
        if name in data:
            section = Stmt(name, writer(data[name], (name,)), blank_before=True)
            body.append(section)
    lines = [_comment(part) for text in header_comments for part in (str(text).splitlines() or [""])]
    lines += render([Stmt(line("cluster", word(data["cluster"], ("cluster",), "text")), body)])
    return "\n".join(lines) + "\n"


def _comment(text: str) -> str:
    """One header comment line; characters a file may not hold are spelt out."""
    text = spell_invisible(text)
    return text if text.startswith("#") else f"# {text}".rstrip()


def _node(node, path) -> Stmt:
    expect_keys(node, _NODE_KEYS, path, "a node")
    if "name" not in node:
        raise Unwritable(path, "a node needs a name")
    body: list[Stmt] = []
    if "id" in node:
        body.append(Stmt(line("id", word(node["id"], path + ("id",), "int"))))
    for index, addr in enumerate(expect_list(node.get("addrs", []), path + ("addrs",), "`addrs`")):
        body.append(Stmt(line("addr", word(addr, path + ("addrs", index), "text"))))
    for key, kind in _NODE_SETTINGS:
        if key in node:
            body.append(Stmt(line(key, word(node[key], path + (key,), kind))))
    attributes = items(node.get("attributes", {}), path + ("attributes",), "`attributes`")
    pairs = [pair(k, nvvalue(v), path + ("attributes", k)) for k, v in attributes]
    body += chunked("attribute", pairs)
    return Stmt(line("node", word(node["name"], path + ("name",), "text")), body)
