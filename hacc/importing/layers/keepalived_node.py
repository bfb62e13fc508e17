"""One node's keepalived.conf, read into what the merge compares: global
settings, track scripts, VRRP instances and sync groups, each value with
the span it was read from. What hacc has no place for is reported lost
(HA080) here, once, on the node whose file holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hacc.importing.files import Source
from hacc.importing.layers.keepalived_lvs import read_virtual_server
from hacc.importing.layers.keepalived_values import Found, Reading, written
from hacc.importing.layers.keepalived_vrrp import (
    NOTIFY_EVENTS,
    InstanceFound,
    read_instance,
    read_notify,
    tracker_handler,
    word_of,
)
from hacc.importing.readers.tree import Item
from hacc.model import formats

# Past this many top-level items hacc cannot place, one summary stands for
# the rest (a file of garbage would otherwise give thousands of reports).
MAX_UNKNOWN_REPORTS = 20


@dataclass
class NodeConfig:
    node: str
    source: Source
    globals: dict[str, Found] = field(default_factory=dict)
    scripts: dict[str, Found] = field(default_factory=dict)
    instances: dict[str, InstanceFound] = field(default_factory=dict)
    groups: dict[str, Found] = field(default_factory=dict)
    virtual_servers: dict[str, Found] = field(default_factory=dict)


def read_node(reading: Reading, source: Source, items: list[Item]) -> NodeConfig:
    config = NodeConfig(reading.node, source)
    unknown = 0
    for item in items:
        handler = _TOP.get(item.keyword)
        if handler is not None:
            handler(reading, item, config)
            continue
        unknown += 1
        if unknown <= MAX_UNKNOWN_REPORTS:
            reading.unknown(item, "at the top level")
    if unknown > MAX_UNKNOWN_REPORTS:
        reading.log.lost(source.span(1), f"{unknown - MAX_UNKNOWN_REPORTS} more top-level items hacc cannot "
                         "place are not imported", help="check that this is a keepalived.conf")
    return config


# -- global_defs ------------------------------------------------------------------


def _global_defs(reading: Reading, item: Item, config: NodeConfig) -> None:
    for entry in reading.block(item):
        key = entry.keyword
        if key == "router_id":
            word = reading.word(entry)
            found = word and reading.checked(entry, word, formats.check_name, "router_id")
        elif key == "script_user":
            found = _user(reading, entry)
        elif key in ("enable_script_security", "vrrp_strict"):
            found = Found(reading.flag(entry), entry.head_span, written(entry))
        elif key == "vrrp_version":
            found = reading.choice(entry, {"2": 2, "3": 3})
        else:
            reading.unknown(entry, "in `global_defs`")
            continue
        if found:
            config.globals[key] = found


def _user(reading: Reading, entry: Item) -> Found | None:
    """`USER [GROUP]`: hacc keeps the user; the group has no place."""
    if len(entry.args) > 1:
        reading.log.lost(entry.args[1].span, "the script group has no equivalent in hacc: it is not imported")
    word = reading.word(Item(entry.keyword, entry.keyword_span, entry.args[:1], entry.block, entry.span))
    return word and reading.checked(entry, word, formats.check_name, "script user")


# -- vrrp_script ------------------------------------------------------------------


def _vrrp_script(reading: Reading, item: Item, config: NodeConfig) -> None:
    name = reading.named(item, "vrrp_script", config.scripts)
    if name is None:
        return
    value: dict = {}
    parts: dict = {}
    for entry in item.block:
        found = None
        if entry.keyword == "script":
            key, found = "command", reading.command(entry)
            if found is not None and found.parts.pop("extra"):
                reading.extra(entry, entry.args[1:])
        elif entry.keyword in ("interval", "timeout"):
            key, found = entry.keyword, reading.duration(entry)
        elif entry.keyword in ("rise", "fall"):
            key, found = entry.keyword, reading.integer(entry, 1, 2**31 - 1)
        elif entry.keyword == "weight":
            key, found = "weight", _script_weight(reading, entry)
        elif entry.keyword == "user":
            key, found = "user", _user(reading, entry)
        else:
            reading.unknown(entry, "in `vrrp_script`")
            continue
        if found:
            value[key] = found.value
            parts[(key,)] = found.span
    if "command" not in value:
        reading.log.lost(item.head_span, f"`vrrp_script {name}` has no `script` hacc can use: it is not imported")
        return
    config.scripts[name] = Found(value, item.head_span, written(item), parts)


def _script_weight(reading: Reading, entry: Item) -> Found | None:
    if len(entry.args) > 1 and entry.args[1].text == "reverse":
        reading.log.lost(entry.args[1].span, "`reverse` on a vrrp_script weight has no equivalent in hacc: "
                         "it is not imported", help="write `reverse` where the script is tracked")
        entry = Item(entry.keyword, entry.keyword_span, entry.args[:1], entry.block, entry.span)
    return reading.integer(entry, -253, 253)


def _vrrp_instance(reading: Reading, item: Item, config: NodeConfig) -> None:
    name = reading.named(item, "vrrp_instance", config.instances)
    if name is not None:
        config.instances[name] = read_instance(reading, item, name)


# -- vrrp_sync_group --------------------------------------------------------------


@dataclass
class _Group:
    shared: dict[str, Found] = field(default_factory=dict)


def _sync_group(reading: Reading, item: Item, config: NodeConfig) -> None:
    name = reading.named(item, "vrrp_sync_group", config.groups)
    if name is None:
        return
    group = _Group()
    members: list[str] = []
    parts: dict = {}
    for entry in item.block:
        if entry.keyword == "group":
            for line in reading.block(entry):
                if reading.checked(line, word_of(line), formats.check_name, "instance name"):
                    parts[("members", len(members))] = line.keyword_span
                    members.append(line.keyword)
                reading.extra(line, line.args)
        elif entry.keyword in NOTIFY_EVENTS:
            read_notify(reading, entry, group)
        elif entry.keyword == "track_script":
            tracker_handler("track_scripts", formats.check_name, "script name")(reading, entry, group)
        elif entry.keyword in ("sync_group_tracking_weight", "global_tracking"):
            reading.flag(entry)
            if entry.keyword == "global_tracking":
                reading.log.rewrote(entry.head_span, "`global_tracking` is written `sync_group_tracking_weight`, "
                                    "its name since keepalived 2.0")
            group.shared["tracking_weight"] = Found(True, entry.head_span, written(entry))
        else:
            reading.unknown(entry, f"in `vrrp_sync_group {name}`")
    if not members:
        reading.log.lost(item.head_span, f"`vrrp_sync_group {name}` has no `group` of instances: "
                         "it is not imported")
        return
    value: dict = {"members": members}
    for key, found in group.shared.items():
        value[key] = found.value
        parts[(key,)] = found.span
        for sub, span in found.parts.items():
            parts[(key,) + (sub if isinstance(sub, tuple) else (sub,))] = span
    config.groups[name] = Found(value, item.head_span, written(item), parts)


def _virtual_server(reading: Reading, item: Item, config: NodeConfig) -> None:
    found = read_virtual_server(reading, item)
    if found is None:
        return
    if found.value["address"] in config.virtual_servers:
        reading.log.lost(item.head_span, f"a second `virtual_server` for {found.value['address']} in one file: "
                         "it is not imported")
        return
    config.virtual_servers[found.value["address"]] = found


_TOP = {
    "global_defs": _global_defs,
    "vrrp_script": _vrrp_script,
    "vrrp_instance": _vrrp_instance,
    "vrrp_sync_group": _sync_group,
    "virtual_server": _virtual_server,
}
