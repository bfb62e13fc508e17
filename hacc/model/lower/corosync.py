"""Lower the `corosync { ... }` block."""

from __future__ import annotations

from hacc.diagnostics.suggest import suggest
from hacc.model.corosync import (
    KIND_TO_LOWERING,
    LINK_OPTIONS,
    LOGGING_OPTIONS,
    QDEVICE_OPTIONS,
    QUORUM_OPTIONS,
    TOTEM_MANAGED,
    TOTEM_OPTIONS,
)
from hacc.model.lower.codes import UNKNOWN
from hacc.model.lower.context import (
    JsonPath,
    Lowering,
    convert,
    dispatch,
    integer,
    read_pairs,
    setting,
    single_value,
)
from hacc.parse.ast import Statement

CRYPTO_KEYS = {"cipher": "str", "hash": "str", "model": "str"}


def _kinds(table: dict[str, str]) -> dict[str, str]:
    return {key: KIND_TO_LOWERING[kind] for key, kind in table.items()}


def lower(low: Lowering, stmts, path: JsonPath) -> dict:
    out: dict = {}
    dispatch(low, stmts, _HANDLERS, out, path, "`corosync`", fallback=_totem_option)
    return out


def _crypto(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
    if stmt.values() or not stmt.pairs() or stmt.block is not None:
        low.bad_args(stmt, "`crypto` takes `key=value` options", "crypto cipher=aes256 hash=sha256")
        return
    if low.once(path, "crypto", stmt.keyword_span, "`crypto`"):
        crypto: dict = {}
        low.mark(path + ("crypto",), stmt.head_span)
        read_pairs(low, stmt.pairs(), crypto, path + ("crypto",), CRYPTO_KEYS, "`crypto`")
        out["crypto"] = crypto


def _link(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
    values = stmt.values()
    if stmt.block is None or len(stmt.args) != 1 or len(values) != 1:
        low.bad_args(stmt, "`link` takes a link number and a block", "link 0 { knet_link_priority 1 }")
        return
    links = out.setdefault("links", [])
    link_path = path + ("links", len(links))
    link: dict = {"number": integer(values[0])}
    low.mark(path + ("links",), stmt.head_span)
    low.mark(link_path, stmt.head_span)
    low.mark(link_path + ("number",), values[0].span)
    handlers = {key: setting(key, kind) for key, kind in _kinds(LINK_OPTIONS).items()}
    dispatch(low, stmt.block, handlers, link, link_path, f"`link {values[0].text}`")
    links.append(link)


def _block(name: str, table: dict[str, str], extra=None):
    def handle(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
        if stmt.args or stmt.block is None:
            low.bad_args(stmt, f"`{name}` takes a block", f"{name} {{ ... }}")
            return
        if not low.once(path, name, stmt.keyword_span, f"the `{name}` block"):
            return
        section: dict = {}
        low.mark(path + (name,), stmt.head_span)
        handlers = {key: setting(key, kind) for key, kind in _kinds(table).items()}
        handlers.update(extra or {})
        dispatch(low, stmt.block, handlers, section, path + (name,), f"`{name}`")
        out[name] = section

    return handle


def _auto_tie_breaker_node(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
    values = stmt.values()
    if not values or len(values) != len(stmt.args) or stmt.block is not None:
        low.bad_args(stmt, "`auto_tie_breaker_node` takes `lowest`, `highest` or node ids", "auto_tie_breaker_node lowest")
        return
    if len(values) == 1 and values[0].text in ("lowest", "highest"):
        value = values[0].text
    else:
        value = [integer(v) for v in values]
    low.set(out, path, "auto_tie_breaker_node", value, values[0].span if len(values) == 1 else stmt.head_span)
    if isinstance(value, list):
        for index, v in enumerate(values):
            low.mark(path + ("auto_tie_breaker_node", index), v.span)


_QUORUM_EXTRA = {
    "auto_tie_breaker_node": _auto_tie_breaker_node,
    "qdevice": _block("qdevice", QDEVICE_OPTIONS),
}


def _totem_option(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
    """Any other statement is a totem option; the schema checks the name
    against the options corosync 3 knows."""
    if stmt.keyword in TOTEM_MANAGED:
        low.report(UNKNOWN.at(stmt.keyword_span, f"`{stmt.keyword}` is not set directly", help=TOTEM_MANAGED[stmt.keyword]))
        return
    if stmt.block is not None:
        close = suggest(stmt.keyword, list(_HANDLERS))
        low.report(
            UNKNOWN.at(
                stmt.keyword_span,
                f"unknown block `{stmt.keyword}` in `corosync`",
                help=f"did you mean `{close}`?" if close else "blocks in `corosync`: `link`, `quorum`, `logging`",
            )
        )
        return
    value = single_value(low, stmt, f"{stmt.keyword} VALUE")
    if value is None:
        return
    totem = out.setdefault("totem", {})
    low.mark(path + ("totem",), stmt.head_span)
    kind = KIND_TO_LOWERING.get(TOTEM_OPTIONS.get(stmt.keyword, "str"), "str")
    if low.once(path + ("totem",), stmt.keyword, stmt.keyword_span, f"`{stmt.keyword}`"):
        totem[stmt.keyword] = convert(kind, value)
        low.mark(path + ("totem", stmt.keyword), value.span)
        # An unknown name is reported by the schema at the keyword itself.
        low.mark(path + ("totem", stmt.keyword, "<key>"), stmt.keyword_span)


_HANDLERS = {
    "transport": setting("transport", "str", "transport knet"),
    "crypto": _crypto,
    "keyfile": setting("keyfile", "str", 'keyfile "/etc/corosync/authkey"'),
    "link": _link,
    "quorum": _block("quorum", QUORUM_OPTIONS, _QUORUM_EXTRA),
    "logging": _block("logging", LOGGING_OPTIONS),
}
