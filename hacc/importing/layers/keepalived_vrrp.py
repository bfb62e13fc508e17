"""One node's `vrrp_instance` blocks (keepalived/vrrp/vrrp_parser.c): the
values every node must agree on (`shared`), and the ones that may differ
per node (state, priority, interface, advert source, peers), each with the
span it was read from.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from hacc.diagnostics.model import Span
from hacc.emit.keepalived import _auth_problem as auth_problem
from hacc.importing.layers.keepalived_values import Found, Reading, address, written
from hacc.importing.readers.tree import Item, Word
from hacc.model import formats

NOTIFY_EVENTS = {"notify_master": "master", "notify_backup": "backup", "notify_fault": "fault",
                 "notify_stop": "stop", "notify": "any"}
_LABEL = re.compile(r"[A-Za-z0-9_.-]{1,15}:[A-Za-z0-9_.-]{1,14}\Z")


@dataclass
class InstanceFound:
    name: str
    span: Span
    shared: dict[str, Found] = field(default_factory=dict)
    state: Found | None = None
    priority: Found | None = None
    interface: Found | None = None
    source: Found | None = None
    peers: list[Found] = field(default_factory=list)


def read_instance(reading: Reading, item: Item, name: str) -> InstanceFound:
    instance = InstanceFound(name, item.head_span)
    for entry in item.block:
        handler = _INSTANCE.get(entry.keyword)
        if handler is None and entry.keyword in NOTIFY_EVENTS:
            handler = read_notify
        if handler is None:
            reading.unknown(entry, f"in `vrrp_instance {name}`")
            continue
        handler(reading, entry, instance)
    return instance


def _shared(key: str, read):
    def handle(reading: Reading, entry: Item, instance: InstanceFound) -> None:
        found = read(reading, entry)
        if found is not None:
            _replaced(reading, instance.shared.get(key), entry)
            instance.shared[key] = found

    return handle


def _own(attribute: str, read):
    def handle(reading: Reading, entry: Item, instance: InstanceFound) -> None:
        found = read(reading, entry)
        if found is not None:
            _replaced(reading, getattr(instance, attribute), entry)
            setattr(instance, attribute, found)

    return handle


def _replaced(reading: Reading, previous: Found | None, entry: Item) -> None:
    """keepalived keeps the last of two settings of one value."""
    if previous is not None:
        reading.log.rewrote(previous.span, f"set again by `{written(entry)}` (line {entry.head_span.line}), "
                            "which keepalived uses: this one is left out")


def _fixed(value):
    return lambda reading, entry: Found(value, entry.head_span, written(entry)) if reading.flag(entry) else None


def _preempt(reading: Reading, entry: Item, instance: InstanceFound) -> None:
    reading.flag(entry)
    instance.shared.pop("preempt", None)
    reading.log.rewrote(entry.head_span, "`preempt` is keepalived's default: hacc writes nothing for it")


def _source(reading: Reading, entry: Item) -> Found | None:
    word = reading.word(entry)
    return word and reading.checked(entry, word, formats.check_ip_address, "source address")


def _auth(reading: Reading, entry: Item, instance: InstanceFound) -> None:
    found: dict[str, Found] = {}
    for sub in reading.block(entry):
        if sub.keyword == "auth_type":
            kind = reading.choice(sub, {"PASS": "PASS", "AH": "AH"})
            if kind:
                found["type"] = kind
        elif sub.keyword == "auth_pass":
            word = reading.word(sub)
            if word is not None:
                found["pass"] = Found(word.text, word.span, sub.keyword)
        else:
            reading.unknown(sub, "in `authentication`")
    if set(found) != {"type", "pass"}:
        reading.log.lost(entry.head_span, "`authentication` needs both `auth_type` and `auth_pass`: "
                         "it is not imported")
        return
    secret = found["pass"]
    if len(secret.value) > 8:
        reading.log.rewrote(secret.span, "keepalived uses only the first 8 characters of `auth_pass`: "
                            "the rest is left out")
        secret = Found(secret.value[:8], secret.span)
    problem = auth_problem(secret.value)
    if problem is not None:
        reading.log.lost(secret.span, f"hacc cannot write this auth_pass ({problem}): the authentication is "
                         "not imported", help="choose a password of letters and digits")
        return
    instance.shared["auth"] = Found({"type": found["type"].value, "pass": secret.value}, entry.head_span,
                                    "authentication", {("type",): found["type"].span, ("pass",): secret.span,
                                                       ("pass", "secret"): secret.span})


def _vips(reading: Reading, entry: Item, instance: InstanceFound) -> None:
    previous = instance.shared.get("vips")
    vips = list(previous.value) if previous else []
    parts = dict(previous.parts) if previous else {}
    for line in reading.block(entry):
        read = _vip(reading, line)
        if read is not None:
            vip, spans = read
            parts[(len(vips),)] = line.head_span
            parts.update({(len(vips), key): span for key, span in spans.items()})
            vips.append(vip)
    instance.shared["vips"] = Found(vips, previous.span if previous else entry.head_span, "virtual_ipaddress", parts)


def _vip(reading: Reading, line: Item) -> tuple[dict, dict] | None:
    """`ADDRESS[/LEN] [dev IF] [label LABEL] ...`: the VIP and its spans."""
    text = line.keyword
    try:
        interface = ipaddress.ip_interface(text) if "%" not in text else None
    except ValueError:
        interface = None
    if interface is None:
        reading.rejected(line, f"the VIP `{text}`", "it is not an IP address")
        return None
    vip = {"address": text}
    spans = {"address": line.keyword_span}
    if "/" not in text:
        vip["address"] = f"{text}/{interface.network.prefixlen}"
        reading.log.rewrote(line.keyword_span, f"`{text}` is written `{vip['address']}`, as keepalived reads it")
    args, rest = list(line.args), []
    while args:
        word = args.pop(0)
        if word.text in ("dev", "label") and args:
            value = args.pop(0)
            check = formats.check_interface if word.text == "dev" else _check_label
            if reading.checked(line, value, check, f"VIP {word.text}"):
                vip[word.text] = value.text
                spans[word.text] = value.span
        else:
            rest.append(word)
    if rest:
        reading.log.lost(rest[0].span, f"the VIP options `{' '.join(w.text for w in rest)}` have no equivalent "
                         "in hacc: they are not imported")
    return vip, spans


def _check_tracked_interface(text: str) -> None:
    """An interface name that is also a tracker name (schema `tracker`)."""
    formats.check_interface(text)
    formats.check_name(text)


def _check_label(text: str) -> None:
    if not _LABEL.match(text):
        raise ValueError("hacc takes labels of the form `DEVICE:NAME`")


def read_trackers(reading: Reading, entry: Item, check, what: str) -> Found:
    """`track_script { NAME [weight N [reverse]] }` and `track_interface`."""
    trackers, parts = [], {}
    for line in reading.block(entry):
        if reading.checked(line, word_of(line), check, what) is None:
            continue
        index = len(trackers)
        tracker: dict = {"name": line.keyword}
        parts[(index, "name")] = line.keyword_span
        args = list(line.args)
        if len(args) >= 2 and args[0].text == "weight":
            weight = reading.integer(Item("weight", args[0].span, [args[1]]), -253, 253)
            if weight is not None:
                tracker["weight"] = weight.value
                parts[(index, "weight")] = weight.span
            args = args[2:]
            if args and args[0].text == "reverse":
                tracker["reverse"] = True
                parts[(index, "reverse")] = args[0].span
                args = args[1:]
        if args:
            reading.log.lost(args[0].span, f"`{' '.join(a.text for a in args)}` after `{line.keyword}` has no "
                             "equivalent in hacc: it is not imported")
        parts[(index,)] = line.head_span
        trackers.append(tracker)
    return Found(trackers, entry.head_span, written(entry), parts)


def word_of(line: Item) -> Word:
    """The first word of a list-block line (`gw-ext`, `chk_haproxy ...`)."""
    return Word(line.keyword, line.keyword_span)


def tracker_handler(key: str, check, what: str):
    def handle(reading: Reading, entry: Item, target) -> None:
        found = read_trackers(reading, entry, check, what)
        shared = target.shared
        if key in shared:
            previous = shared[key]
            offset = len(previous.value)
            shifted = {(offset + part[0],) + part[1:]: span for part, span in found.parts.items()}
            found = Found(previous.value + found.value, previous.span, previous.text, {**previous.parts, **shifted})
        shared[key] = found

    return handle


def read_notify(reading: Reading, entry: Item, target) -> None:
    """`notify_master "CMD"`..., into one `notify` map per instance/group."""
    found = reading.command(entry)
    if found is None:
        return
    extra = found.parts["extra"]
    if extra:
        reading.log.lost(entry.args[-1].span if entry.args else entry.head_span,
                         f"the user `{' '.join(extra)}` of `{entry.keyword}` has no equivalent in hacc: "
                         "the script runs as `script_user`")
    event = NOTIFY_EVENTS[entry.keyword]
    previous = target.shared.get("notify")
    notify = dict(previous.value) if previous else {}
    parts = dict(previous.parts) if previous else {}
    notify[event] = found.value
    parts[event] = found.span
    target.shared["notify"] = Found(notify, previous.span if previous else entry.head_span, "notify", parts)


def _peers(reading: Reading, entry: Item, instance: InstanceFound) -> None:
    for line in reading.block(entry):
        peer = address(line.keyword)
        if peer is None:
            reading.rejected(line, f"the unicast peer `{line.keyword}`", "it is not an IP address")
            continue
        if line.args:
            reading.log.lost(line.args[0].span, f"`{' '.join(a.text for a in line.args)}` on a unicast peer has "
                             "no equivalent in hacc: it is not imported")
        instance.peers.append(Found(peer, line.keyword_span, line.keyword))


_INSTANCE = {
    "virtual_router_id": _shared("vrid", lambda r, e: r.integer(e, 1, 255)),
    "priority": _own("priority", lambda r, e: r.integer(e, 1, 255)),
    "state": _own("state", lambda r, e: r.choice(e, {"MASTER": "MASTER", "BACKUP": "BACKUP"})),
    "interface": _own("interface", lambda r, e: (w := r.word(e)) and r.checked(e, w, formats.check_interface,
                                                                                 "interface")),
    "unicast_src_ip": _own("source", _source),
    "mcast_src_ip": _own("source", _source),
    "unicast_peer": _peers,
    "advert_int": _shared("advert", lambda r, e: r.duration(e)),
    "version": _shared("version", lambda r, e: r.choice(e, {"2": 2, "3": 3})),
    "authentication": _auth,
    "virtual_ipaddress": _vips,
    "track_script": tracker_handler("track_scripts", formats.check_name, "script name"),
    "track_interface": tracker_handler("track_interfaces", _check_tracked_interface, "interface"),
    "nopreempt": _shared("preempt", _fixed(False)),
    "preempt": _preempt,
    "preempt_delay": _shared("preempt_delay", lambda r, e: r.duration(e)),
    "accept": _shared("accept", _fixed(True)),
    "no_accept": _shared("accept", _fixed(False)),
    "dont_track_primary": _shared("dont_track_primary", _fixed(True)),
    "garp_master_delay": _shared("garp_master_delay", lambda r, e: r.duration(e)),
    "garp_master_refresh": _shared("garp_master_refresh", lambda r, e: r.duration(e)),
}
