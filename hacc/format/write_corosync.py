"""Write the `corosync { ... }` block (inverse of hacc.model.lower.corosync)."""

from __future__ import annotations

from hacc.format.write_tree import Stmt, expect_keys, expect_list, items, keyword, line
from hacc.format.write_values import JsonPath, Unwritable, pair, word
from hacc.model.corosync import (
    KIND_TO_LOWERING,
    LINK_OPTIONS,
    LOGGING_OPTIONS,
    QDEVICE_OPTIONS,
    QUORUM_OPTIONS,
    TOTEM_MANAGED,
    TOTEM_OPTIONS,
)
from hacc.model.lower.corosync import _HANDLERS as COROSYNC_KEYWORDS
from hacc.model.lower.corosync import CRYPTO_KEYS

_KEYS = ("transport", "crypto", "keyfile", "totem", "links", "quorum", "logging")


def _kind(table: dict[str, str], key: str) -> str:
    return KIND_TO_LOWERING.get(table.get(key, "str"), "str")


def write_corosync(section, path: JsonPath) -> list[Stmt]:
    expect_keys(section, _KEYS, path, "`corosync`")
    body: list[Stmt] = []
    if "transport" in section:
        body.append(Stmt(line("transport", word(section["transport"], path + ("transport",)))))
    crypto = items(section.get("crypto", {}), path + ("crypto",), "`crypto`")
    if crypto:
        expect_keys(section["crypto"], CRYPTO_KEYS, path + ("crypto",), "`crypto`")
        body.append(Stmt(line("crypto", *(pair(k, v, path + ("crypto", k)) for k, v in crypto))))
    if "keyfile" in section:
        body.append(Stmt(line("keyfile", word(section["keyfile"], path + ("keyfile",)))))
    # Totem options are plain statements of the block; a name that is one of
    # the block's own statements would not be read as a totem option.
    reserved = set(COROSYNC_KEYWORDS) | set(TOTEM_MANAGED)
    for key, value in items(section.get("totem", {}), path + ("totem",), "`totem`"):
        name = keyword(key, path + ("totem", key), reserved)
        body.append(Stmt(line(name, word(value, path + ("totem", key), _kind(TOTEM_OPTIONS, key)))))
    for index, link in enumerate(expect_list(section.get("links", []), path + ("links",), "`links`")):
        body.append(_link(link, path + ("links", index)))
    if "quorum" in section:
        body.append(_quorum(section["quorum"], path + ("quorum",)))
    if "logging" in section:
        body.append(Stmt("logging", _settings(section["logging"], LOGGING_OPTIONS, path + ("logging",), "`logging`")))
    return body


def _settings(obj, table: dict[str, str], path: JsonPath, what: str) -> list[Stmt]:
    """`key value` statements, one per key of `obj` (all known to `table`)."""
    expect_keys(obj, tuple(table), path, what)
    return [Stmt(line(key, word(value, path + (key,), _kind(table, key)))) for key, value in obj.items()]


def _link(link, path: JsonPath) -> Stmt:
    expect_keys(link, ("number",) + tuple(LINK_OPTIONS), path, "a link")
    if "number" not in link:
        raise Unwritable(path, "a link needs its number")
    body = _settings({k: v for k, v in link.items() if k != "number"}, LINK_OPTIONS, path, "a link")
    return Stmt(line("link", word(link["number"], path + ("number",), "int")), body)


def _quorum(quorum, path: JsonPath) -> Stmt:
    expect_keys(quorum, tuple(QUORUM_OPTIONS) + ("auto_tie_breaker_node", "qdevice"), path, "`quorum`")
    body = []
    for key, value in quorum.items():
        if key == "auto_tie_breaker_node":
            body.append(_tie_breaker(value, path + (key,)))
        elif key == "qdevice":
            body.append(Stmt("qdevice", _settings(value, QDEVICE_OPTIONS, path + (key,), "`qdevice`")))
        else:
            body.append(Stmt(line(key, word(value, path + (key,), _kind(QUORUM_OPTIONS, key)))))
    return Stmt("quorum", body)


def _tie_breaker(value, path: JsonPath) -> Stmt:
    if value in ("lowest", "highest"):
        return Stmt(line("auto_tie_breaker_node", value))
    if isinstance(value, list) and value:
        return Stmt(line("auto_tie_breaker_node", *(word(v, path + (i,), "int") for i, v in enumerate(value))))
    raise Unwritable(path, "`auto_tie_breaker_node` is `lowest`, `highest` or a non-empty list of node ids")
