"""Lower the `haproxy { ... }` block.

What the checks need is structured (bind, mode, acl, use_backend,
default_backend, balance, server, timeout, maxconn, stick-table); every other
directive is kept, in order, as a keyword and its arguments, and written back
as one safely quoted line.
"""

from __future__ import annotations

from hacc.model.lower.context import (
    JsonPath,
    Lowering,
    convert,
    dispatch,
    read_pairs,
    scalar,
    setting,
    span_of,
)
from hacc.parse.ast import Pair, Statement, Value

PROXY_TYPES = ("defaults", "frontend", "backend", "listen")
SERVER_OPTION_KINDS = {
    "weight": "int",
    "rise": "int",
    "fall": "int",
    "port": "int",
    "maxconn": "int",
    "maxqueue": "int",
    "minconn": "int",
    "id": "int",
}
STICK_TABLE_OPTIONS = {"type": "str", "size": "str", "expire": "str", "peers": "str", "store": "str", "len": "int", "nopurge": "bool"}


def lower(low: Lowering, stmts, path: JsonPath) -> dict:
    out: dict = {"sections": []}
    dispatch(low, stmts, _HANDLERS, out, path, "`haproxy`")
    return out


def _words(args) -> list:
    """Arguments as haproxy words: a pair stays `key=value` (one word)."""
    return [scalar(a) if isinstance(a, Value) else f"{a.key}={a.value.text}" for a in args]


def _mark_words(low: Lowering, path: JsonPath, args) -> None:
    for index, arg in enumerate(args):
        low.mark(path + (index,), arg.span)


def _passthrough(low: Lowering, stmt: Statement, obj: dict, path: JsonPath) -> None:
    """Any directive the model does not structure: kept in order."""
    if stmt.keyword is None:
        low.bad_args(stmt, "a haproxy directive starts with its keyword", "option forwardfor")
        return
    if stmt.block is not None:
        low.bad_args(stmt, f"`{stmt.keyword}` takes no block here", f"{stmt.keyword} ARGS...", stmt.block_span)
        return
    directives = obj.setdefault("directives", [])
    item_path = path + ("directives", len(directives))
    low.mark(path + ("directives",), stmt.head_span)
    low.mark(item_path, stmt.head_span)
    low.mark(item_path + ("keyword",), stmt.keyword_span)
    low.mark(item_path + ("args",), stmt.head_span)
    _mark_words(low, item_path + ("args",), stmt.args)
    directives.append({"keyword": stmt.keyword, "args": _words(stmt.args)})


# -- global ---------------------------------------------------------------------


def _global(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
    if stmt.args or stmt.block is None:
        low.bad_args(stmt, "`global` takes a block", "global { maxconn 2000 }")
        return
    if not low.once(path, "global", stmt.keyword_span, "the `global` block"):
        return
    section: dict = {}
    low.mark(path + ("global",), stmt.head_span)
    dispatch(low, stmt.block, {"maxconn": setting("maxconn", "int", "maxconn 2000")}, section,
             path + ("global",), "`global`", fallback=_passthrough)
    out["global"] = section


# -- proxies ----------------------------------------------------------------------


def _proxy(kind: str):
    def handle(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
        values = stmt.values()
        named = kind != "defaults"
        shape_ok = len(values) == len(stmt.args) and (len(values) == 1 if named else len(values) <= 1)
        if stmt.block is None or not shape_ok:
            usage = f"{kind} NAME {{ ... }}" if named else "defaults [NAME] { ... }"
            low.bad_args(stmt, f"`{kind}` takes {'a name' if named else 'an optional name'} and a block", usage)
            return
        item_path = path + ("sections", len(out["sections"]))
        item: dict = {"type": kind}
        low.mark(item_path, stmt.head_span)
        if values:
            item["name"] = values[0].text
            low.mark(item_path + ("name",), values[0].span)
        where = f"`{kind}{' ' + values[0].text if values else ''}`"
        dispatch(low, stmt.block, _PROXY_HANDLERS, item, item_path, where, fallback=_passthrough)
        out["sections"].append(item)

    return handle


def _bind(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
    values = stmt.values()
    if not values or not isinstance(stmt.args[0], Value) or stmt.block is not None:
        low.bad_args(stmt, "`bind` takes an address:port and options", "bind 192.168.1.100:443 ssl crt=/etc/haproxy/site.pem")
        return
    binds = item.setdefault("binds", [])
    bind_path = path + ("binds", len(binds))
    bind = {"address": values[0].text, "options": _options(low, stmt.args[1:], bind_path + ("options",), {})}
    low.mark(path + ("binds",), stmt.head_span)
    low.mark(bind_path, stmt.head_span)
    low.mark(bind_path + ("address",), values[0].span)
    binds.append(bind)


def _options(low: Lowering, args, path: JsonPath, kinds: dict[str, str]) -> dict:
    """haproxy keyword options: bare words are flags, pairs carry a value."""
    options: dict = {}
    if args:
        low.mark(path, span_of(args))
    for arg in args:
        if isinstance(arg, Pair):
            key, value, span = arg.key, convert(kinds.get(arg.key, "str"), arg.value), arg.value.span
            key_span = arg.key_span
        else:
            key, value, span, key_span = arg.text, True, arg.span, arg.span
        if low.once(path, key, key_span, f"option `{key}`"):
            options[key] = value
            low.mark(path + (key,), span)
            low.mark(path + (key, "<key>"), key_span)
    return options


def _server(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
    values = stmt.values()
    if len(values) < 2 or not all(isinstance(a, Value) for a in stmt.args[:2]) or stmt.block is not None:
        low.bad_args(stmt, "`server` takes a name, an address:port and options", "server web1 192.168.1.101:80 check weight=10")
        return
    servers = item.setdefault("servers", [])
    server_path = path + ("servers", len(servers))
    server = {
        "name": values[0].text,
        "address": values[1].text,
        "options": _options(low, stmt.args[2:], server_path + ("options",), SERVER_OPTION_KINDS),
    }
    low.mark(path + ("servers",), stmt.head_span)
    low.mark(server_path, stmt.head_span)
    low.mark(server_path + ("name",), values[0].span)
    low.mark(server_path + ("address",), values[1].span)
    servers.append(server)


def _timeout(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
    values = stmt.values()
    if len(values) != 2 or len(stmt.args) != 2 or stmt.block is not None:
        low.bad_args(stmt, "`timeout` takes a name and a duration", "timeout client 30s")
        return
    name, value = values
    timeouts = item.setdefault("timeouts", {})
    low.mark(path + ("timeouts",), stmt.head_span)
    if low.once(path + ("timeouts",), name.text, name.span, f"`timeout {name.text}`"):
        timeouts[name.text] = value.text
        low.mark(path + ("timeouts", name.text), value.span)
        low.mark(path + ("timeouts", name.text, "<key>"), name.span)


def _acl(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
    values = stmt.values()
    if len(stmt.args) < 2 or not all(isinstance(a, Value) for a in stmt.args[:2]) or stmt.block is not None:
        low.bad_args(stmt, "`acl` takes a name, a criterion and its arguments", "acl is_api path_beg /api")
        return
    acls = item.setdefault("acls", [])
    acl_path = path + ("acls", len(acls))
    acl = {"name": values[0].text, "criterion": values[1].text, "args": _words(stmt.args[2:])}
    low.mark(path + ("acls",), stmt.head_span)
    low.mark(acl_path, stmt.head_span)
    low.mark(acl_path + ("name",), values[0].span)
    low.mark(acl_path + ("criterion",), values[1].span)
    _mark_words(low, acl_path + ("args",), stmt.args[2:])
    acls.append(acl)


def _condition(low: Lowering, stmt: Statement, args, entry: dict, entry_path: JsonPath, usage: str) -> bool:
    """`if COND...` or `unless COND...` after a rule's own arguments."""
    if not args:
        return True
    head = args[0]
    if not isinstance(head, Value) or head.text not in ("if", "unless") or len(args) < 2:
        low.bad_args(stmt, f"expected `if` or `unless` and a condition, found {head.describe() if isinstance(head, Value) else '`' + head.key + '=`'}", usage, head.span)
        return False
    entry[head.text] = _words(args[1:])
    low.mark(entry_path + (head.text,), span_of(args[1:]))
    _mark_words(low, entry_path + (head.text,), args[1:])
    return True


def _use_backend(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
    usage = "use_backend NAME if ACL"
    if not stmt.args or not isinstance(stmt.args[0], Value) or stmt.block is not None:
        low.bad_args(stmt, "`use_backend` takes a backend name and a condition", usage)
        return
    rules = item.setdefault("use_backends", [])
    rule_path = path + ("use_backends", len(rules))
    rule = {"backend": stmt.args[0].text}
    low.mark(path + ("use_backends",), stmt.head_span)
    low.mark(rule_path, stmt.head_span)
    low.mark(rule_path + ("backend",), stmt.args[0].span)
    if _condition(low, stmt, stmt.args[1:], rule, rule_path, usage):
        rules.append(rule)


def _balance(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
    values = stmt.values()
    if not values or not isinstance(stmt.args[0], Value) or stmt.block is not None:
        low.bad_args(stmt, "`balance` takes an algorithm", "balance roundrobin")
        return
    if low.once(path, "balance", stmt.keyword_span, "`balance`"):
        item["balance"] = {"algorithm": values[0].text, "args": _words(stmt.args[1:])}
        low.mark(path + ("balance",), stmt.head_span)
        low.mark(path + ("balance", "algorithm"), values[0].span)
        _mark_words(low, path + ("balance", "args"), stmt.args[1:])


def _stick_table(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
    if stmt.block is not None or not stmt.args:
        low.bad_args(stmt, "`stick-table` takes `key=value` options", "stick-table type=ip size=100k expire=30m")
        return
    if not low.once(path, "stick_table", stmt.keyword_span, "`stick-table`"):
        return
    table: dict = {}
    low.mark(path + ("stick_table",), stmt.head_span)
    for value in stmt.values():
        if value.text == "nopurge":
            table["nopurge"] = True
            low.mark(path + ("stick_table", "nopurge"), value.span)
        else:
            low.bad_args(stmt, f"unexpected {value.describe()}", "stick-table type=ip size=100k expire=30m [nopurge]", value.span)
    read_pairs(low, stmt.pairs(), table, path + ("stick_table",), STICK_TABLE_OPTIONS, "`stick-table`")
    item["stick_table"] = table


_PROXY_HANDLERS = {
    "mode": setting("mode", "str", "mode http"),
    "maxconn": setting("maxconn", "int", "maxconn 1000"),
    "bind": _bind,
    "server": _server,
    "timeout": _timeout,
    "acl": _acl,
    "use_backend": _use_backend,
    "default_backend": setting("default_backend", "str", "default_backend servers"),
    "balance": _balance,
    "stick-table": _stick_table,
}


# -- peers, userlist, resolvers ------------------------------------------------------


def _named_section(kind: str, handlers: dict, passthrough: bool):
    def handle(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
        values = stmt.values()
        if len(values) != 1 or len(stmt.args) != 1 or stmt.block is None:
            low.bad_args(stmt, f"`{kind}` takes a name and a block", f"{kind} NAME {{ ... }}")
            return
        item_path = path + ("sections", len(out["sections"]))
        item: dict = {"type": kind, "name": values[0].text}
        low.mark(item_path, stmt.head_span)
        low.mark(item_path + ("name",), values[0].span)
        dispatch(low, stmt.block, handlers, item, item_path, f"`{kind} {values[0].text}`",
                 fallback=_passthrough if passthrough else None)
        out["sections"].append(item)

    return handle


def _name_address(key: str, usage: str):
    """`peer NAME ADDR:PORT`, `nameserver NAME ADDR:PORT`."""

    def handle(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
        values = stmt.values()
        if len(values) != 2 or len(stmt.args) != 2 or stmt.block is not None:
            low.bad_args(stmt, f"`{stmt.keyword}` takes a name and an address:port", usage)
            return
        entries = item.setdefault(key, [])
        entry_path = path + (key, len(entries))
        low.mark(path + (key,), stmt.head_span)
        low.mark(entry_path, stmt.head_span)
        low.mark(entry_path + ("name",), values[0].span)
        low.mark(entry_path + ("address",), values[1].span)
        entries.append({"name": values[0].text, "address": values[1].text})

    return handle


def _userlist_entry(key: str, options: dict[str, str], usage: str):
    def handle(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
        values = stmt.values()
        if len(values) != 1 or not isinstance(stmt.args[0], Value) or stmt.block is not None:
            low.bad_args(stmt, f"`{stmt.keyword}` takes a name and options", usage)
            return
        entries = item.setdefault(key, [])
        entry_path = path + (key, len(entries))
        entry = {"name": values[0].text}
        low.mark(path + (key,), stmt.head_span)
        low.mark(entry_path, stmt.head_span)
        low.mark(entry_path + ("name",), values[0].span)
        read_pairs(low, stmt.pairs(), entry, entry_path, options, f"`{stmt.keyword}`")
        entries.append(entry)

    return handle


_HANDLERS = {
    "global": _global,
    "defaults": _proxy("defaults"),
    "frontend": _proxy("frontend"),
    "backend": _proxy("backend"),
    "listen": _proxy("listen"),
    "peers": _named_section(
        "peers",
        {"port": setting("port", "int", "port 10000"), "peer": _name_address("peers", "peer lb1 192.168.1.11:10000")},
        passthrough=True,
    ),
    "userlist": _named_section(
        "userlist",
        {
            "user": _userlist_entry("users", {"password": "str", "insecure-password": "str", "groups": "str"},
                                    "user alice password=secret:ALICE_HASH groups=admins"),
            "group": _userlist_entry("groups", {"users": "str"}, "group admins users=alice,bob"),
        },
        passthrough=False,
    ),
    "resolvers": _named_section(
        "resolvers",
        {"nameserver": _name_address("nameservers", "nameserver dns1 10.0.0.53:53")},
        passthrough=True,
    ),
}
