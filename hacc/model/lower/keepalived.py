"""Lower the `keepalived { ... }` block: global settings, track scripts, VRRP
instances, sync groups and LVS virtual servers."""

from __future__ import annotations

from hacc.model.lower.context import (
    JsonPath,
    Lowering,
    convert,
    dispatch,
    flag,
    options_from,
    read_pairs,
    scalar,
    setting,
    span_of,
)
from hacc.parse.ast import Statement, Value

GLOBAL_OPTIONS = {"script_user": "str", "enable_script_security": "bool", "vrrp_version": "int", "vrrp_strict": "bool"}
SCRIPT_OPTIONS = {"interval": "str", "timeout": "str", "weight": "int", "rise": "int", "fall": "int", "user": "str"}
VIP_OPTIONS = {"dev": "str", "label": "str"}
TRACK_OPTIONS = {"weight": "int"}
NOTIFY_EVENTS = ("master", "backup", "fault", "stop", "any")
CHECK_TYPES = ("tcp", "http", "https", "misc")
CHECK_OPTIONS = {
    "connect_timeout": "str",
    "connect_port": "int",
    "connect_ip": "str",
    "retry": "int",
    "delay_before_retry": "str",
    "delay_loop": "str",
    "path": "str",
    "status": "str",
    "digest": "str",
    "virtualhost": "str",
    "timeout": "str",
}
REAL_SERVER_OPTIONS = {"weight": "int", "inhibit_on_failure": "bool", "connect_timeout": "str", "retry": "int", "delay_before_retry": "str"}


def lower(low: Lowering, stmts, path: JsonPath) -> dict:
    out: dict = {"scripts": [], "instances": [], "sync_groups": [], "virtual_servers": []}
    dispatch(low, stmts, _HANDLERS, out, path, "`keepalived`")
    return out


def _global(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
    if stmt.args or stmt.block is None:
        low.bad_args(stmt, "`global` takes a block", "global { script_user keepalived_script }")
        return
    if low.once(path, "global", stmt.keyword_span, "the `global` block"):
        out["global"] = options_from(low, stmt, GLOBAL_OPTIONS, path + ("global",), "`global`")


def _script(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
    usage = 'script NAME "COMMAND" interval=2s fall=2 rise=2'
    values = stmt.values()
    if len(values) != 2 or not isinstance(stmt.args[0], Value) or not isinstance(stmt.args[1], Value) or stmt.block is not None:
        low.bad_args(stmt, "`script` takes a name, a command and `key=value` options", usage)
        return
    item_path = path + ("scripts", len(out["scripts"]))
    item = {"name": values[0].text, "command": values[1].text}
    low.mark(item_path, stmt.head_span)
    low.mark(item_path + ("name",), values[0].span)
    low.mark(item_path + ("command",), values[1].span)
    read_pairs(low, stmt.pairs(), item, item_path, SCRIPT_OPTIONS, "`script`")
    out["scripts"].append(item)


# -- vrrp instances --------------------------------------------------------------


def _vrrp(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
    values = stmt.values()
    if len(stmt.args) != 1 or len(values) != 1 or stmt.block is None:
        low.bad_args(stmt, "`vrrp` takes a name and a block", "vrrp VI_1 { vrid 51; vip 192.168.1.100/24 }")
        return
    item_path = path + ("instances", len(out["instances"]))
    item: dict = {"name": values[0].text}
    low.mark(item_path, stmt.head_span)
    low.mark(item_path + ("name",), values[0].span)
    dispatch(low, stmt.block, _VRRP_HANDLERS, item, item_path, f"`vrrp {values[0].text}`")
    out["instances"].append(item)


def _vip(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
    values = stmt.values()
    if len(values) != 1 or not isinstance(stmt.args[0], Value) or stmt.block is not None:
        low.bad_args(stmt, "`vip` takes an address and options", "vip 192.168.1.100/24 dev=eth0 label=eth0:1")
        return
    vips = item.setdefault("vips", [])
    vip_path = path + ("vips", len(vips))
    vip = {"address": values[0].text}
    low.mark(vip_path, stmt.head_span)
    low.mark(vip_path + ("address",), values[0].span)
    read_pairs(low, stmt.pairs(), vip, vip_path, VIP_OPTIONS, "`vip`")
    vips.append(vip)


def _per_node(key: str, kind: str, usage: str, allow_single: bool):
    """`priority lb1=100 lb2=90`: a value per node (or, where allowed, one
    value for every node: `state BACKUP`)."""

    def handle(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
        pairs, values = stmt.pairs(), stmt.values()
        if stmt.block is None and allow_single and len(values) == 1 and len(stmt.args) == 1:
            low.set(item, path, key, convert(kind, values[0]), values[0].span, f"`{stmt.keyword}`")
            return
        if values or not pairs or stmt.block is not None:
            shape = "a value, or `node=value` pairs" if allow_single else "`node=value` pairs"
            low.bad_args(stmt, f"`{stmt.keyword}` takes {shape}", usage)
            return
        if low.once(path, key, stmt.keyword_span, f"`{stmt.keyword}`"):
            per_node: dict = {}
            low.mark(path + (key,), stmt.head_span)
            read_pairs(low, pairs, per_node, path + (key,), default_kind=kind)
            for pair in pairs:
                low.mark(path + (key, pair.key, "<key>"), pair.key_span)
            item[key] = per_node

    return handle


def _auth(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
    pairs = stmt.pairs()
    if len(pairs) != 1 or len(stmt.args) != 1 or pairs[0].key not in ("pass", "ah") or stmt.block is not None:
        low.bad_args(stmt, "`auth` takes `pass=SECRET` (or `ah=SECRET`)", "auth pass=secret:VRRP_PASSWORD")
        return
    pair = pairs[0]
    auth = {"type": "PASS" if pair.key == "pass" else "AH", "pass": scalar(pair.value)}
    if low.once(path, "auth", stmt.keyword_span, "`auth`"):
        low.mark(path + ("auth",), stmt.head_span)
        low.mark(path + ("auth", "pass"), pair.value.span)
        item["auth"] = auth


def _tracker(key: str, subject: str):
    def handle(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
        usage = f"{stmt.keyword} NAME weight=-20"
        values = stmt.values()
        if not values or not isinstance(stmt.args[0], Value) or stmt.block is not None:
            low.bad_args(stmt, f"`{stmt.keyword}` takes a {subject} name and `weight=N`", usage)
            return
        flags = values[1:]
        if any(v.text != "reverse" for v in flags):
            bad = next(v for v in flags if v.text != "reverse")
            low.bad_args(stmt, f"unexpected {bad.describe()}", usage + " [reverse]", bad.span)
            return
        trackers = item.setdefault(key, [])
        entry_path = path + (key, len(trackers))
        entry: dict = {"name": values[0].text}
        low.mark(entry_path, stmt.head_span)
        low.mark(entry_path + ("name",), values[0].span)
        read_pairs(low, stmt.pairs(), entry, entry_path, TRACK_OPTIONS, f"`{stmt.keyword}`")
        if flags:
            entry["reverse"] = True
        trackers.append(entry)

    return handle


def _notify(low: Lowering, stmt: Statement, item: dict, path: JsonPath) -> None:
    usage = 'notify master|backup|fault|stop|any "/path/to/script args"'
    values = stmt.values()
    if len(values) != 2 or len(stmt.args) != 2 or stmt.block is not None:
        low.bad_args(stmt, "`notify` takes an event and a command", usage)
        return
    event, command = values
    notify = item.setdefault("notify", {})
    low.mark(path + ("notify",), stmt.head_span)
    if low.once(path + ("notify",), event.text, event.span, f"`notify {event.text}`"):
        notify[event.text] = command.text
        low.mark(path + ("notify", event.text), command.span)
        low.mark(path + ("notify", event.text, "<key>"), event.span)


_VRRP_HANDLERS = {
    "vrid": setting("vrid", "int", "vrid 51"),
    "vip": _vip,
    "interface": _per_node("interface", "str", "interface eth0  or  interface lb1=eth0 lb2=eth1", allow_single=True),
    "unicast_src": _per_node("unicast_src", "str", "unicast_src lb1=203.0.113.11 lb2=203.0.113.12", allow_single=False),
    "priority": _per_node("priority", "int", "priority lb1=100 lb2=90", allow_single=False),
    "state": _per_node("state", "str", "state BACKUP  or  state lb1=MASTER lb2=BACKUP", allow_single=True),
    "preempt": setting("preempt", "bool", "preempt no"),
    "nopreempt": flag("preempt", False),
    "preempt_delay": setting("preempt_delay", "str", "preempt_delay 30s"),
    "advert": setting("advert", "str", "advert 1s"),
    "version": setting("version", "int", "version 3"),
    "auth": _auth,
    "track": _tracker("track_scripts", "script"),
    "track_interface": _tracker("track_interfaces", "interface"),
    "notify": _notify,
    "multicast": flag("multicast"),
    "accept": setting("accept", "bool", "accept yes"),
    "dont_track_primary": flag("dont_track_primary"),
    "garp_master_delay": setting("garp_master_delay", "str", "garp_master_delay 5s"),
    "garp_master_refresh": setting("garp_master_refresh", "str", "garp_master_refresh 60s"),
}


# -- sync groups ----------------------------------------------------------------


def _sync_group(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
    usage = "sync_group NAME INSTANCE... { notify master \"/path/to/script\" }"
    values = stmt.values()
    if len(values) < 2 or len(values) != len(stmt.args):
        low.bad_args(stmt, "`sync_group` takes a name and its VRRP instances", usage)
        return
    item_path = path + ("sync_groups", len(out["sync_groups"]))
    item: dict = {"name": values[0].text, "members": [v.text for v in values[1:]]}
    low.mark(item_path, stmt.head_span)
    low.mark(item_path + ("name",), values[0].span)
    low.mark(item_path + ("members",), span_of(values[1:]))
    for index, value in enumerate(values[1:]):
        low.mark(item_path + ("members", index), value.span)
    handlers = {"notify": _notify, "tracking_weight": setting("tracking_weight", "bool", "tracking_weight yes"),
                "track": _tracker("track_scripts", "script")}
    dispatch(low, stmt.block or (), handlers, item, item_path, f"`sync_group {values[0].text}`")
    out["sync_groups"].append(item)


# -- LVS ------------------------------------------------------------------------


def _virtual_server(low: Lowering, stmt: Statement, out: dict, path: JsonPath) -> None:
    values = stmt.values()
    if len(stmt.args) != 1 or len(values) != 1 or stmt.block is None:
        low.bad_args(stmt, "`virtual_server` takes an address:port and a block", "virtual_server 192.168.1.100:80 { ... }")
        return
    item_path = path + ("virtual_servers", len(out["virtual_servers"]))
    item: dict = {"address": values[0].text, "real_servers": []}
    low.mark(item_path, stmt.head_span)
    low.mark(item_path + ("address",), values[0].span)
    dispatch(low, stmt.block, _VS_HANDLERS, item, item_path, f"`virtual_server {values[0].text}`")
    out["virtual_servers"].append(item)


def _real_server(low: Lowering, stmt: Statement, vs: dict, path: JsonPath) -> None:
    values = stmt.values()
    if len(values) != 1 or not isinstance(stmt.args[0], Value):
        low.bad_args(stmt, "`real_server` takes an address:port", "real_server 192.168.1.101:80 weight=1 { check tcp }")
        return
    rs_path = path + ("real_servers", len(vs["real_servers"]))
    rs: dict = {"address": values[0].text, "checks": []}
    low.mark(rs_path, stmt.head_span)
    low.mark(rs_path + ("address",), values[0].span)
    read_pairs(low, stmt.pairs(), rs, rs_path, REAL_SERVER_OPTIONS, "`real_server`")
    handlers = {key: setting(key, kind) for key, kind in REAL_SERVER_OPTIONS.items()}
    handlers["check"] = _check
    dispatch(low, stmt.block or (), handlers, rs, rs_path, f"`real_server {values[0].text}`")
    vs["real_servers"].append(rs)


def _check(low: Lowering, stmt: Statement, rs: dict, path: JsonPath) -> None:
    usage = "check tcp|http|https|misc [options]"
    values = stmt.values()
    if not values or not isinstance(stmt.args[0], Value) or stmt.block is not None:
        low.bad_args(stmt, "`check` takes a type and options", usage)
        return
    check_path = path + ("checks", len(rs["checks"]))
    check: dict = {"type": values[0].text}
    low.mark(check_path, stmt.head_span)
    low.mark(check_path + ("type",), values[0].span)
    extra = values[1:]
    if values[0].text == "misc" and extra:
        check["command"] = extra[0].text
        low.mark(check_path + ("command",), extra[0].span)
        extra = extra[1:]
    if extra and all(v.text == "dynamic" for v in extra) and values[0].text == "misc":
        check["dynamic"] = True
        extra = []
    if extra:
        low.bad_args(stmt, f"unexpected {extra[0].describe()}", usage, extra[0].span)
        return
    read_pairs(low, stmt.pairs(), check, check_path, CHECK_OPTIONS, "`check`")
    rs["checks"].append(check)


_VS_HANDLERS = {
    "protocol": setting("protocol", "str", "protocol TCP"),
    "lvs_sched": setting("lvs_sched", "str", "lvs_sched rr"),
    "lvs_method": setting("lvs_method", "str", "lvs_method DR"),
    "delay_loop": setting("delay_loop", "str", "delay_loop 6s"),
    "persistence_timeout": setting("persistence_timeout", "str", "persistence_timeout 5m"),
    "connect_timeout": setting("connect_timeout", "str", "connect_timeout 3s"),
    "retry": setting("retry", "int", "retry 3"),
    "delay_before_retry": setting("delay_before_retry", "str", "delay_before_retry 3s"),
    "quorum": setting("quorum", "int", "quorum 1"),
    "sorry_server": setting("sorry_server", "str", "sorry_server 192.168.1.200:80"),
    "real_server": _real_server,
}

_HANDLERS = {
    "global": _global,
    "script": _script,
    "vrrp": _vrrp,
    "sync_group": _sync_group,
    "virtual_server": _virtual_server,
}
