"""Write the `keepalived { ... }` block: global settings, track scripts, VRRP
instances, sync groups and LVS virtual servers (inverse of
hacc.model.lower.keepalived)."""

from __future__ import annotations

from hacc.format.write_tree import Stmt, expect_keys, expect_list, items, line
from hacc.format.write_values import JsonPath, Unwritable, pair, quote, word
from hacc.model.lower.keepalived import (
    CHECK_OPTIONS,
    GLOBAL_OPTIONS,
    NOTIFY_EVENTS,
    REAL_SERVER_OPTIONS,
    SCRIPT_OPTIONS,
    TRACK_OPTIONS,
    VIP_OPTIONS,
)

_KEYS = ("global", "scripts", "instances", "sync_groups", "virtual_servers")
# VRRP settings written as `keyword VALUE`, in reading order, with their kind.
_VRRP_SETTINGS = (("preempt", "bool"), ("preempt_delay", "str"), ("advert", "str"), ("version", "int"),
                  ("accept", "bool"), ("garp_master_delay", "str"), ("garp_master_refresh", "str"))
# Flags lowering knows only as a bare keyword: `false` is the default and is
# not written.
_VRRP_FLAGS = ("multicast", "dont_track_primary")
_VRRP_KEYS = (("name", "vrid", "vips", "interface", "unicast_src", "priority", "state", "auth", "track_scripts",
               "track_interfaces", "notify") + tuple(k for k, _ in _VRRP_SETTINGS) + _VRRP_FLAGS)
_VS_SETTINGS = (("protocol", "str"), ("lvs_sched", "str"), ("lvs_method", "str"), ("delay_loop", "str"),
                ("persistence_timeout", "str"), ("connect_timeout", "str"), ("retry", "int"),
                ("delay_before_retry", "str"), ("quorum", "int"), ("sorry_server", "str"))


def write_keepalived(section, path: JsonPath) -> list[Stmt]:
    expect_keys(section, _KEYS, path, "`keepalived`")
    body: list[Stmt] = []
    if "global" in section:
        expect_keys(section["global"], GLOBAL_OPTIONS, path + ("global",), "`global`")
        settings = [Stmt(line(k, word(v, path + ("global", k), GLOBAL_OPTIONS[k]))) for k, v in section["global"].items()]
        body.append(Stmt("global", settings))
    for key, writer in (("scripts", _script), ("instances", _vrrp), ("sync_groups", _sync_group),
                        ("virtual_servers", _virtual_server)):
        for index, item in enumerate(expect_list(section.get(key, []), path + (key,), f"`{key}`")):
            body.append(writer(item, path + (key, index)))
    return body


def _options(obj: dict, kinds: dict[str, str], path: JsonPath) -> list[str]:
    return [pair(key, obj[key], path + (key,), kinds[key]) for key in obj if key in kinds]


def _command(value, path: JsonPath) -> str:
    """Commands are always quoted: they usually hold spaces, and a quoted
    word is taken exactly as written."""
    if not isinstance(value, str):
        raise Unwritable(path, "a command is text")
    return quote(value, path)


def _name(obj: dict, path: JsonPath, what: str) -> str:
    if "name" not in obj:
        raise Unwritable(path, f"{what} needs a name")
    return word(obj["name"], path + ("name",), "text")


def _script(script, path: JsonPath) -> Stmt:
    expect_keys(script, ("name", "command") + tuple(SCRIPT_OPTIONS), path, "a script")
    if "command" not in script:
        raise Unwritable(path, "a script needs a command")
    return Stmt(line("script", _name(script, path, "a script"), _command(script["command"], path + ("command",)),
                     *_options(script, SCRIPT_OPTIONS, path)))


def _vrrp(item, path: JsonPath) -> Stmt:
    expect_keys(item, _VRRP_KEYS, path, "a VRRP instance")
    body: list[Stmt] = []
    if "vrid" in item:
        body.append(Stmt(line("vrid", word(item["vrid"], path + ("vrid",), "int"))))
    for index, vip in enumerate(expect_list(item.get("vips", []), path + ("vips",), "`vips`")):
        vip_path = path + ("vips", index)
        expect_keys(vip, ("address",) + tuple(VIP_OPTIONS), vip_path, "a VIP")
        if "address" not in vip:
            raise Unwritable(vip_path, "a VIP needs an address")
        body.append(Stmt(line("vip", word(vip["address"], vip_path + ("address",), "text"), *_options(vip, VIP_OPTIONS, vip_path))))
    for key, kind, single in (("interface", "str", True), ("unicast_src", "str", False), ("priority", "int", False),
                              ("state", "str", True)):
        if key in item:
            body.append(_per_node(key, item[key], kind, single, path + (key,)))
    for key, kind in _VRRP_SETTINGS:
        if key in item:
            body.append(Stmt(line(key, word(item[key], path + (key,), kind))))
    if "auth" in item:
        body.append(_auth(item["auth"], path + ("auth",)))
    body += _trackers("track", item.get("track_scripts", []), path + ("track_scripts",))
    body += _trackers("track_interface", item.get("track_interfaces", []), path + ("track_interfaces",))
    body += _notify(item.get("notify", {}), path + ("notify",))
    for flag in _VRRP_FLAGS:
        if flag in item:
            if not isinstance(item[flag], bool):
                raise Unwritable(path + (flag,), f"`{flag}` is true or false")
            if item[flag]:
                body.append(Stmt(flag))
    return Stmt(line("vrrp", _name(item, path, "a VRRP instance")), body)


def _per_node(key: str, value, kind: str, single: bool, path: JsonPath) -> Stmt:
    """`priority lb1=100 lb2=90`, or where allowed one value for all nodes."""
    if isinstance(value, dict):
        if not value:
            raise Unwritable(path, f"`{key}` needs at least one `node=value` pair")
        return Stmt(line(key, *(pair(node, v, path + (node,), kind) for node, v in value.items())))
    if not single:
        raise Unwritable(path, f"`{key}` is written per node (`{key} node=value ...`), so it must be an object")
    return Stmt(line(key, word(value, path, kind)))


def _auth(auth, path: JsonPath) -> Stmt:
    expect_keys(auth, ("type", "pass"), path, "`auth`")
    keys = {"PASS": "pass", "AH": "ah"}
    if not isinstance(auth.get("type"), str) or auth["type"] not in keys or "pass" not in auth:
        raise Unwritable(path, "`auth` needs a type (`PASS` or `AH`) and a `pass`")
    return Stmt(line("auth", pair(keys[auth["type"]], auth["pass"], path + ("pass",))))


def _trackers(keyword: str, trackers, path: JsonPath) -> list[Stmt]:
    out = []
    for index, tracker in enumerate(expect_list(trackers, path, f"`{path[-1]}`")):
        entry_path = path + (index,)
        expect_keys(tracker, ("name", "reverse") + tuple(TRACK_OPTIONS), entry_path, "a tracker")
        reverse = tracker.get("reverse", False)
        if not isinstance(reverse, bool):
            raise Unwritable(entry_path + ("reverse",), "`reverse` is true or false")
        words = [keyword, _name(tracker, entry_path, "a tracker"), *_options(tracker, TRACK_OPTIONS, entry_path)]
        out.append(Stmt(line(*words, "reverse" if reverse else "")))
    return out


def _notify(notify, path: JsonPath) -> list[Stmt]:
    out = []
    for event, command in items(notify, path, "`notify`"):
        if event not in NOTIFY_EVENTS:
            raise Unwritable(path + (event,), f"`{event}` is not a notify event")
        out.append(Stmt(line("notify", event, _command(command, path + (event,)))))
    return out


def _sync_group(group, path: JsonPath) -> Stmt:
    expect_keys(group, ("name", "members", "notify", "tracking_weight", "track_scripts"), path, "a sync group")
    members = expect_list(group.get("members"), path + ("members",), "a sync group's `members`")
    if not members:
        raise Unwritable(path + ("members",), "a sync group needs at least one instance")
    head = line("sync_group", _name(group, path, "a sync group"), *(word(m, path + ("members", i), "text") for i, m in enumerate(members)))
    body = _notify(group.get("notify", {}), path + ("notify",))
    if "tracking_weight" in group:
        body.append(Stmt(line("tracking_weight", word(group["tracking_weight"], path + ("tracking_weight",), "bool"))))
    body += _trackers("track", group.get("track_scripts", []), path + ("track_scripts",))
    return Stmt(head, body or None)


def _virtual_server(server, path: JsonPath) -> Stmt:
    expect_keys(server, ("address", "real_servers") + tuple(k for k, _ in _VS_SETTINGS), path, "a virtual server")
    if "address" not in server:
        raise Unwritable(path, "a virtual server needs an address")
    body = [Stmt(line(k, word(server[k], path + (k,), kind))) for k, kind in _VS_SETTINGS if k in server]
    for index, real in enumerate(expect_list(server.get("real_servers", []), path + ("real_servers",), "`real_servers`")):
        body.append(_real_server(real, path + ("real_servers", index)))
    return Stmt(line("virtual_server", word(server["address"], path + ("address",), "text")), body)


def _real_server(real, path: JsonPath) -> Stmt:
    expect_keys(real, ("address", "checks") + tuple(REAL_SERVER_OPTIONS), path, "a real server")
    if "address" not in real:
        raise Unwritable(path, "a real server needs an address")
    head = line("real_server", word(real["address"], path + ("address",), "text"), *_options(real, REAL_SERVER_OPTIONS, path))
    checks = [_check(c, path + ("checks", i)) for i, c in enumerate(expect_list(real.get("checks", []), path + ("checks",), "`checks`"))]
    return Stmt(head, checks or None)


def _check(check, path: JsonPath) -> Stmt:
    expect_keys(check, ("type", "command", "dynamic") + tuple(CHECK_OPTIONS), path, "a health check")
    kind = check.get("type")
    if not isinstance(kind, str):
        raise Unwritable(path + ("type",), "a health check needs a type")
    words = ["check", word(kind, path + ("type",), "text")]
    dynamic = check.get("dynamic", False)
    if not isinstance(dynamic, bool):
        raise Unwritable(path + ("dynamic",), "`dynamic` is true or false")
    if kind == "misc" and "command" in check:
        words.append(_command(check["command"], path + ("command",)))
        if dynamic:
            words.append("dynamic")
    elif "command" in check or dynamic:
        key = "command" if "command" in check else "dynamic"
        raise Unwritable(path + (key,), f"only a `misc` check with a command takes `{key}`")
    return Stmt(line(*words, *_options(check, CHECK_OPTIONS, path)))
