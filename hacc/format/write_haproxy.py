"""Write the `haproxy { ... }` block (inverse of hacc.model.lower.haproxy):
structured statements first, then the pass-through directives in order."""

from __future__ import annotations

from hacc.format.write_tree import Stmt, expect_keys, expect_list, items, keyword, line
from hacc.format.write_values import (
    JsonPath,
    Unwritable,
    bare_word_ok,
    haproxy_word,
    nvvalue,
    pair,
    word,
)
from hacc.model.lower.haproxy import _PROXY_HANDLERS as PROXY_KEYWORDS
from hacc.model.lower.haproxy import (
    PROXY_TYPES,
    SERVER_OPTION_KINDS,
    STICK_TABLE_OPTIONS,
)

_PROXY_KEYS = ("type", "name", "mode", "maxconn", "binds", "timeouts", "acls", "use_backends", "default_backend",
               "balance", "stick_table", "servers", "directives")
_USER_OPTIONS = ("password", "insecure-password", "groups")


def write_haproxy(section, path: JsonPath) -> list[Stmt]:
    expect_keys(section, ("global", "sections"), path, "`haproxy`")
    body: list[Stmt] = []
    if "global" in section:
        body.append(_global(section["global"], path + ("global",)))
    for index, item in enumerate(expect_list(section.get("sections", []), path + ("sections",), "`sections`")):
        body.append(_section(item, path + ("sections", index)))
    return body


def _global(section, path: JsonPath) -> Stmt:
    expect_keys(section, ("maxconn", "directives"), path, "haproxy `global`")
    body = []
    if "maxconn" in section:
        body.append(Stmt(line("maxconn", word(section["maxconn"], path + ("maxconn",), "int"))))
    body += directives(section.get("directives", []), path + ("directives",), ("maxconn",))
    return Stmt("global", body)


def directives(entries, path: JsonPath, reserved) -> list[Stmt]:
    """Pass-through directives; `reserved` are the keywords the block
    structures itself, which would not be passed through."""
    out = []
    for index, entry in enumerate(expect_list(entries, path, "`directives`")):
        entry_path = path + (index,)
        expect_keys(entry, ("keyword", "args"), entry_path, "a directive")
        name = keyword(entry.get("keyword"), entry_path + ("keyword",), reserved)
        args = expect_list(entry.get("args", []), entry_path + ("args",), "a directive's `args`")
        out.append(Stmt(line(name, *(haproxy_word(a, entry_path + ("args", i)) for i, a in enumerate(args)))))
    return out


def _section(item, path: JsonPath) -> Stmt:
    kind = item.get("type") if isinstance(item, dict) else None
    kind = kind if isinstance(kind, str) else None
    if kind in PROXY_TYPES:
        return _proxy(item, path)
    writers = {"peers": _peers, "userlist": _userlist, "resolvers": _resolvers}
    if kind not in writers:
        raise Unwritable(path + ("type",), f"`{kind}` is not a haproxy section hacc knows")
    if "name" not in item:
        raise Unwritable(path, f"a `{kind}` section needs a name")
    return Stmt(line(kind, word(item["name"], path + ("name",), "text")), writers[kind](item, path))


def _proxy(item: dict, path: JsonPath) -> Stmt:
    expect_keys(item, _PROXY_KEYS, path, f"a `{item['type']}` section")
    head = [item["type"]]
    if "name" in item:
        head.append(word(item["name"], path + ("name",), "text"))
    elif item["type"] != "defaults":
        raise Unwritable(path, f"a `{item['type']}` section needs a name")
    body: list[Stmt] = []
    if "mode" in item:
        body.append(Stmt(line("mode", word(item["mode"], path + ("mode",)))))
    if "maxconn" in item:
        body.append(Stmt(line("maxconn", word(item["maxconn"], path + ("maxconn",), "int"))))
    for name, value in items(item.get("timeouts", {}), path + ("timeouts",), "`timeouts`"):
        body.append(Stmt(line("timeout", word(name, path + ("timeouts", name), "text"), word(value, path + ("timeouts", name), "text"))))
    if "balance" in item:
        body.append(_balance(item["balance"], path + ("balance",)))
    for index, bind in enumerate(expect_list(item.get("binds", []), path + ("binds",), "`binds`")):
        body.append(_endpoint_line("bind", bind, path + ("binds", index), {}))
    for index, acl in enumerate(expect_list(item.get("acls", []), path + ("acls",), "`acls`")):
        body.append(_acl(acl, path + ("acls", index)))
    for index, rule in enumerate(expect_list(item.get("use_backends", []), path + ("use_backends",), "`use_backends`")):
        body.append(_use_backend(rule, path + ("use_backends", index)))
    if "default_backend" in item:
        body.append(Stmt(line("default_backend", word(item["default_backend"], path + ("default_backend",)))))
    if "stick_table" in item:
        body.append(_stick_table(item["stick_table"], path + ("stick_table",)))
    for index, server in enumerate(expect_list(item.get("servers", []), path + ("servers",), "`servers`")):
        body.append(_endpoint_line("server", server, path + ("servers", index), SERVER_OPTION_KINDS))
    body += directives(item.get("directives", []), path + ("directives",), PROXY_KEYWORDS)
    return Stmt(line(*head), body)


def _balance(balance, path: JsonPath) -> Stmt:
    expect_keys(balance, ("algorithm", "args"), path, "`balance`")
    if "algorithm" not in balance:
        raise Unwritable(path, "`balance` needs an algorithm")
    args = expect_list(balance.get("args", []), path + ("args",), "`balance` arguments")
    return Stmt(line("balance", word(balance["algorithm"], path + ("algorithm",), "text"),
                     *(haproxy_word(a, path + ("args", i)) for i, a in enumerate(args))))


def _endpoint_line(keyword_: str, entry, path: JsonPath, kinds: dict[str, str]) -> Stmt:
    """`bind ADDRESS options` and `server NAME ADDRESS options`."""
    keys = ("name", "address", "options") if keyword_ == "server" else ("address", "options")
    expect_keys(entry, keys, path, f"a `{keyword_}`")
    if not all(key in entry for key in keys[:-1]):
        raise Unwritable(path, f"a `{keyword_}` needs {' and '.join(keys[:-1])}")
    words = [keyword_] + [word(entry[key], path + (key,), "text") for key in keys[:-1]]
    for key, value in items(entry.get("options", {}), path + ("options",), "`options`"):
        option_path = path + ("options", key)
        if value is True:
            if not isinstance(key, str) or not bare_word_ok(key):
                raise Unwritable(option_path, f"`{key}` cannot be written as a flag")
            words.append(key)
            continue
        kind = kinds.get(key, "str")
        # A number where lowering reads text is written as the same text.
        words.append(pair(key, value if kind == "int" or isinstance(value, bool) else nvvalue(value), option_path, kind))
    return Stmt(line(*words))


def _acl(acl, path: JsonPath) -> Stmt:
    expect_keys(acl, ("name", "criterion", "args"), path, "an acl")
    if "name" not in acl or "criterion" not in acl:
        raise Unwritable(path, "an acl needs a name and a criterion")
    args = expect_list(acl.get("args", []), path + ("args",), "acl arguments")
    return Stmt(line("acl", word(acl["name"], path + ("name",), "text"), word(acl["criterion"], path + ("criterion",), "text"),
                     *(haproxy_word(a, path + ("args", i)) for i, a in enumerate(args))))


def _use_backend(rule, path: JsonPath) -> Stmt:
    expect_keys(rule, ("backend", "if", "unless"), path, "a `use_backend` rule")
    if "backend" not in rule:
        raise Unwritable(path, "a `use_backend` rule needs a backend")
    words = ["use_backend", word(rule["backend"], path + ("backend",), "text")]
    conditions = [key for key in ("if", "unless") if key in rule]
    if len(conditions) > 1:
        raise Unwritable(path + ("unless",), "a `use_backend` rule takes `if` or `unless`, not both")
    for key in conditions:
        condition = expect_list(rule[key], path + (key,), "a condition")
        if not condition:
            raise Unwritable(path + (key,), f"`{key}` needs a condition")
        words += [key, *(haproxy_word(c, path + (key, i)) for i, c in enumerate(condition))]
    return Stmt(line(*words))


def _stick_table(table, path: JsonPath) -> Stmt:
    expect_keys(table, STICK_TABLE_OPTIONS, path, "`stick-table`")
    if not table:
        raise Unwritable(path, "`stick-table` needs options")
    words = []
    for key, value in table.items():
        if key == "nopurge" and value is True:
            words.append("nopurge")
        else:
            words.append(pair(key, value, path + (key,), STICK_TABLE_OPTIONS[key]))
    return Stmt(line("stick-table", *words))


def _named_endpoints(keyword_: str, entries, path: JsonPath) -> list[Stmt]:
    out = []
    for index, entry in enumerate(expect_list(entries, path, f"`{path[-1]}`")):
        entry_path = path + (index,)
        expect_keys(entry, ("name", "address"), entry_path, f"a `{keyword_}`")
        if "name" not in entry or "address" not in entry:
            raise Unwritable(entry_path, f"a `{keyword_}` needs a name and an address")
        out.append(Stmt(line(keyword_, word(entry["name"], entry_path + ("name",), "text"),
                             word(entry["address"], entry_path + ("address",), "text"))))
    return out


def _peers(item: dict, path: JsonPath) -> list[Stmt]:
    expect_keys(item, ("type", "name", "port", "peers", "directives"), path, "a `peers` section")
    body = []
    if "port" in item:
        body.append(Stmt(line("port", word(item["port"], path + ("port",), "int"))))
    body += _named_endpoints("peer", item.get("peers", []), path + ("peers",))
    return body + directives(item.get("directives", []), path + ("directives",), ("port", "peer"))


def _resolvers(item: dict, path: JsonPath) -> list[Stmt]:
    expect_keys(item, ("type", "name", "nameservers", "directives"), path, "a `resolvers` section")
    body = _named_endpoints("nameserver", item.get("nameservers", []), path + ("nameservers",))
    return body + directives(item.get("directives", []), path + ("directives",), ("nameserver",))


def _userlist(item: dict, path: JsonPath) -> list[Stmt]:
    expect_keys(item, ("type", "name", "users", "groups"), path, "a `userlist` section")
    body = []
    for key, keyword_, options in (("users", "user", _USER_OPTIONS), ("groups", "group", ("users",))):
        for index, entry in enumerate(expect_list(item.get(key, []), path + (key,), f"`{key}`")):
            entry_path = path + (key, index)
            expect_keys(entry, ("name",) + options, entry_path, f"a `{keyword_}`")
            if "name" not in entry:
                raise Unwritable(entry_path, f"a `{keyword_}` needs a name")
            pairs = [pair(k, entry[k], entry_path + (k,)) for k in options if k in entry]
            body.append(Stmt(line(keyword_, word(entry["name"], entry_path + ("name",), "text"), *pairs)))
    return body
