"""Reading one corosync.conf section into a JSON object, and the `quorum`
and `logging` sections, which need nothing beyond that.

Options are read with the spelling corosync uses for them (see
corosync_values); keys and sections hacc has no place for are reported as
losses, and a key written twice is reported because only its last value
counts (corosync's icmap keeps the last one set).
"""

from __future__ import annotations

from collections.abc import Callable

from hacc.importing.layers.corosync_values import REFUSED, checked, convert, shown
from hacc.importing.log import ImportLog
from hacc.importing.readers.corosync import value_of
from hacc.importing.readers.tree import Item
from hacc.model.corosync import (
    LOGGING_OPTIONS,
    QDEVICE_NET_KEYS,
    QDEVICE_OPTIONS,
    QUORUM_OPTIONS,
)

Handler = Callable[[Item], None]
DERIVED_PROVIDER = "corosync_votequorum"


def kinds(table: dict[str, str], boolean: str) -> dict[str, str]:
    """The model's option table with corosync's spelling of its booleans."""
    return {key: boolean if kind in ("bool", "onoff") else kind for key, kind in table.items()}


def read_options(section: Item, option_kinds: dict[str, str], definition: str, path: tuple, log: ImportLog,
                 handlers: dict[str, Handler] | None = None, where: str | None = None) -> dict:
    """The section's options as JSON values (validated against
    `$defs/definition`), with each value's span marked at `path + (key,)`.
    `where` names the section in messages (`quorum.device`)."""
    out: dict = {}
    where = where or section.keyword
    for item in last_of_each_key(section.block, log):
        handler = (handlers or {}).get(item.keyword)
        if handler is not None:
            handler(item)
        elif item.block is not None:
            log.lost(item.span or item.keyword_span,
                     f"the section `{where}.{shown(item.keyword)}` has no equivalent in hacc's language")
        elif item.keyword in option_kinds:
            word = value_of(item)
            value = checked(definition, item.keyword, convert(option_kinds[item.keyword], item.keyword, word, log),
                            word.span, log)
            if value is not REFUSED:
                out[item.keyword] = value
                log.mark(path + (item.keyword,), word.span)
        else:
            log.lost(item.span, f"`{where}.{shown(item.keyword)}` has no equivalent in hacc's language",
                     help="manage this setting by hand, or drop it; corosync ignores keys it does not know, "
                          "so check it is not a typo")
    return out


def last_of_each_key(block: list[Item], log: ImportLog) -> list[Item]:
    """The block without the key/value lines a later line of the same key
    overrides; sections (repeatable) are all kept."""
    last = {item.keyword: index for index, item in enumerate(block) if item.block is None}
    kept = []
    for index, item in enumerate(block):
        if item.block is None and last[item.keyword] != index:
            later = block[last[item.keyword]]
            log.rewrote(item.span, f"`{shown(item.keyword)}` is set again on line {later.keyword_span.line}; corosync "
                        "uses the last value, and so does hacc", help="remove the line that does not count")
            continue
        kept.append(item)
    return kept


def collector(found: list[Item], where: str, log: ImportLog, section: bool) -> Handler:
    """A handler keeping the items of one name in `found`, when they are of
    the expected form (a section, or a `key: value`); the others are lost."""

    def collect(item: Item) -> None:
        if (item.block is not None) == section:
            found.append(item)
        elif section:
            log.lost(item.span, f"`{where}.{shown(item.keyword)}` is a section in corosync.conf, not a value",
                     help=f"write `{shown(item.keyword)} {{` ... `}}`")
        else:
            log.lost(item.span or item.keyword_span, f"`{where}.{shown(item.keyword)}` is a value, not a section",
                     help=f"write `{shown(item.keyword)}: VALUE`")

    return collect


def read_quorum(section: Item, path: tuple, log: ImportLog) -> dict:
    devices: list[Item] = []
    provider: list[Item] = []
    tie_breaker: list[Item] = []
    handlers = {
        "provider": collector(provider, "quorum", log, section=False),
        "auto_tie_breaker_node": collector(tie_breaker, "quorum", log, section=False),
        "device": collector(devices, "quorum", log, section=True),
    }
    out = read_options(section, kinds(QUORUM_OPTIONS, "zero-one"), "quorum", path, log, handlers)
    for item in tie_breaker:
        _tie_breaker_nodes(item, out, path, log)
    if not provider:
        log.rewrote(section.keyword_span, f"the quorum section names no provider, so corosync runs without quorum; "
                    f"hacc always writes `provider: {DERIVED_PROVIDER}`",
                    help="Pacemaker needs votequorum: check the quorum settings of the rebuilt file")
    elif value_of(provider[0]).text != DERIVED_PROVIDER:
        word = value_of(provider[0])
        log.lost(word.span, f"the quorum provider `{shown(word.text)}` is not one hacc writes; it writes "
                 f"`provider: {DERIVED_PROVIDER}`, the only provider corosync 3 ships")
    for extra in devices[1:]:
        log.lost(extra.span or extra.keyword_span, "a second `device` section: corosync merges it into the first; "
                 "hacc reads only the first", help="merge the two sections")
    if devices:
        qdevice = _read_device(devices[0], path + ("qdevice",), log)
        if qdevice is not None:
            out["qdevice"] = qdevice
            log.mark(path + ("qdevice",), devices[0].keyword_span)
    return out


def _tie_breaker_nodes(item: Item, out: dict, path: tuple, log: ImportLog) -> None:
    word = value_of(item)
    words = word.text.split()
    if len(words) == 1 and words[0] in ("lowest", "highest"):
        value = words[0]
    elif words and all(w.isascii() and w.isdigit() for w in words):  # not `²`, which int() refuses
        value = [int(w) for w in words]
    else:
        value = word.text
    value = checked("quorum", "auto_tie_breaker_node", value, word.span, log)
    if value is not REFUSED:
        out["auto_tie_breaker_node"] = value
        log.mark(path + ("auto_tie_breaker_node",), word.span)


def _read_device(device: Item, path: tuple, log: ImportLog) -> dict | None:
    option_kinds = {k: v for k, v in QDEVICE_OPTIONS.items() if k not in QDEVICE_NET_KEYS}
    nets: list[Item] = []
    out = read_options(device, option_kinds, "qdevice", path, log, {"net": collector(nets, "quorum.device", log, section=True)},
                       where="quorum.device")
    for extra in nets[1:]:
        log.lost(extra.span or extra.keyword_span, "a second `net` section: hacc reads only the first")
    if nets:
        net_kinds = {k: v for k, v in QDEVICE_OPTIONS.items() if k in QDEVICE_NET_KEYS}
        out.update(read_options(nets[0], net_kinds, "qdevice", path, log, where="quorum.device.net"))
    missing = [key for key in ("host", "algorithm") if key not in out]
    if "model" not in out or missing:
        what = ", ".join(f"`{k}`" for k in (["model"] if "model" not in out else []) + missing)
        log.lost(device.span or device.keyword_span, f"the quorum device lacks {what}: corosync-qdevice refuses it, and "
                 "hacc cannot write a device without them", help="add `model: net` and, in `net { }`, `host` and `algorithm`")
        return None
    return out


def read_logging(section: Item, path: tuple, log: ImportLog) -> dict:
    option_kinds = kinds(LOGGING_OPTIONS, "yes-no-on-off")
    # exec/logconfig.c reads these three with strcmp against "on" and "off" only.
    option_kinds.update({key: "on-off" for key in ("fileline", "function_name", "blackbox")})
    out = read_options(section, option_kinds, "logging", path, log)
    # hacc writes `to_logfile: yes` itself whenever a log file is named.
    if out.get("logfile") and out.get("to_logfile") is True:
        del out["to_logfile"]
        log.spans.pop(path + ("to_logfile",), None)
    return out
