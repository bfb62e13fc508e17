"""One node's `virtual_server` blocks (keepalived/check/check_parser.c and
the checkers), read into the model's virtual-server JSON, each value with
the span it came from (`Found.parts`: relative JSON path -> span).
"""

from __future__ import annotations

from hacc.importing.layers.keepalived_values import Found, Reading, endpoint, written
from hacc.importing.readers.tree import Item
from hacc.model import formats

SCHEDULERS = ("rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf", "lblcr", "sed", "nq", "twos")
METHODS = {"NAT": "NAT", "DR": "DR", "TUN": "TUN"}
PROTOCOLS = {"TCP": "TCP", "UDP": "UDP", "SCTP": "SCTP"}
CHECK_TYPES = {"TCP_CHECK": "tcp", "HTTP_GET": "http", "SSL_GET": "https", "MISC_CHECK": "misc"}
# Old spellings keepalived still reads, and the ones hacc writes.
ALIASES = {"lb_algo": "lvs_sched", "lb_kind": "lvs_method", "nb_get_retry": "retry"}


class _Target:
    """A JSON object being filled, with the spans of what it holds."""

    def __init__(self, value: dict, path: tuple, parts: dict) -> None:
        self.value, self.path, self.parts = value, path, parts

    def set(self, key: str, found: Found | None) -> None:
        if found is not None:
            self.value[key] = found.value
            self.parts[self.path + (key,)] = found.span


def read_virtual_server(reading: Reading, item: Item) -> Found | None:
    if item.block is None or len(item.args) < 2 or item.args[0].text in ("fwmark", "group"):
        reading.log.lost(item.head_span, f"`{written(item)}` has no equivalent in hacc (hacc takes "
                         "`virtual_server IP PORT { ... }`): it is not imported")
        return None
    address = _address(reading, item)
    if address is None:
        return None
    parts: dict = {("address",): item.args[0].span, ("real_servers",): item.head_span}
    target = _Target({"address": address}, (), parts)
    servers: list[dict] = []
    for entry in item.block:
        key = _alias(reading, entry)
        if key == "real_server":
            server = _real_server(reading, entry, ("real_servers", len(servers)), parts)
            if server is not None:
                servers.append(server)
        elif key in _VS_VALUES:
            target.set(key, _VS_VALUES[key](reading, entry))
        elif key == "sorry_server":
            target.set(key, _endpoint(reading, entry))
        else:
            reading.unknown(entry, f"in `virtual_server {item.args[0].text} {item.args[1].text}`")
    target.value["real_servers"] = servers
    return Found(target.value, item.head_span, written(item), parts)


def _alias(reading: Reading, entry: Item) -> str:
    key = ALIASES.get(entry.keyword)
    if key is None:
        return entry.keyword
    reading.log.rewrote(entry.keyword_span, f"`{entry.keyword}` is written `{key}`, its current name")
    return key


def _endpoint(reading: Reading, entry: Item) -> Found | None:
    if len(entry.args) < 2:
        reading.log.lost(entry.head_span, f"`{entry.keyword}` needs an address and a port: it is not imported")
        return None
    value = _address(reading, entry)
    return None if value is None else Found(value, entry.args[0].span, written(entry))


def _address(reading: Reading, item: Item) -> str | None:
    """`IP PORT` from an item's first two words, reporting what does not fit."""
    value = endpoint(item.args[0].text, item.args[1].text)
    if value is None:
        reading.rejected(item, f"`{written(item)}`", "it is not an IP address and a port")
        return None
    reading.extra(item, item.args[2:])
    return value


def _inhibit(reading: Reading, entry: Item) -> Found | None:
    if not entry.args:
        return Found(True, entry.head_span, written(entry))
    return reading.choice(entry, {"yes": True, "on": True, "true": True, "no": False, "off": False, "false": False})


def _scheduler(reading: Reading, entry: Item) -> Found | None:
    return reading.choice(entry, {name: name for name in SCHEDULERS})


_SERVER_VALUES = {
    "weight": lambda r, e: r.integer(e, 0, 65535),
    "inhibit_on_failure": _inhibit,
    "connect_timeout": lambda r, e: r.duration(e),
    "retry": lambda r, e: r.integer(e, 0, 2**31 - 1),
    "delay_before_retry": lambda r, e: r.duration(e),
}
_VS_VALUES = {
    "protocol": lambda r, e: r.choice(e, PROTOCOLS),
    "lvs_sched": _scheduler,
    "lvs_method": lambda r, e: r.choice(e, METHODS),
    "delay_loop": lambda r, e: r.duration(e),
    "persistence_timeout": lambda r, e: r.duration(e),
    "connect_timeout": lambda r, e: r.duration(e),
    "retry": lambda r, e: r.integer(e, 0, 2**31 - 1),
    "delay_before_retry": lambda r, e: r.duration(e),
    "quorum": lambda r, e: r.integer(e, 1, 2**31 - 1),
}


def _real_server(reading: Reading, item: Item, path: tuple, parts: dict) -> dict | None:
    if len(item.args) < 2:
        reading.log.lost(item.head_span, "`real_server` needs an address and a port: it is not imported")
        return None
    address = endpoint(item.args[0].text, item.args[1].text)
    if address is None:
        reading.rejected(item, f"`{written(item)}`", "it is not an IP address and a port")
        return None
    reading.extra(item, item.args[2:])
    parts[path] = item.head_span
    parts[path + ("address",)] = item.args[0].span
    parts[path + ("checks",)] = item.head_span
    target = _Target({"address": address}, path, parts)
    checks: list[dict] = []
    for entry in item.block or ():
        key = _alias(reading, entry)
        if key in _SERVER_VALUES:
            target.set(key, _SERVER_VALUES[key](reading, entry))
        elif key in CHECK_TYPES:
            check = _check(reading, entry, path + ("checks", len(checks)), parts)
            if check is not None:
                checks.append(check)
        else:
            reading.unknown(entry, f"in `real_server {item.args[0].text} {item.args[1].text}`")
    target.value["checks"] = checks
    return target.value


_CHECK_VALUES = {
    "connect_timeout": lambda r, e: r.duration(e),
    "connect_port": lambda r, e: r.integer(e, 1, 65535),
    "connect_ip": lambda r, e: (w := r.word(e)) and r.checked(e, w, formats.check_ip_address, "address"),
    "retry": lambda r, e: r.integer(e, 0, 2**31 - 1),
    "delay_before_retry": lambda r, e: r.duration(e),
    "delay_loop": lambda r, e: r.duration(e),
}


def _check(reading: Reading, item: Item, path: tuple, parts: dict) -> dict | None:
    kind = CHECK_TYPES[item.keyword]
    parts[path] = item.head_span
    parts[path + ("type",)] = item.keyword_span
    target = _Target({"type": kind}, path, parts)
    urls = 0
    for entry in reading.block(item):
        key = _alias(reading, entry)
        if key in _CHECK_VALUES:
            target.set(key, _CHECK_VALUES[key](reading, entry))
        elif kind == "misc" and key == "misc_path":
            found = reading.command(entry)
            if found is not None and found.parts.pop("extra"):
                reading.extra(entry, entry.args[1:])
            target.set("command", found)
        elif kind == "misc" and key == "misc_timeout":
            target.set("timeout", reading.duration(entry))
        elif kind == "misc" and key == "misc_dynamic":
            target.set("dynamic", Found(reading.flag(entry), entry.head_span))
        elif kind in ("http", "https") and key == "url":
            urls += 1
            if urls == 1:
                _url(reading, entry, target)
            else:
                reading.log.lost(entry.head_span, "hacc takes one `url` per check: this one is not imported",
                                 help="write one check per URL")
        elif kind in ("http", "https") and key == "virtualhost":
            target.set("virtualhost", _host(reading, entry))
        else:
            reading.unknown(entry, f"in `{item.keyword}`")
    required = {"misc": "command", "http": "path", "https": "path"}.get(kind)
    if required and required not in target.value:
        reading.log.lost(item.head_span, f"`{item.keyword}` has no {'misc_path' if kind == 'misc' else 'url path'} "
                         "hacc can use: the check is not imported")
        return None
    return target.value


def _url(reading: Reading, item: Item, target: _Target) -> None:
    for entry in reading.block(item):
        if entry.keyword == "path":
            word = reading.word(entry)
            if word is not None and _valid_path(word.text):
                target.set("path", Found(word.text, word.span))
            elif word is not None:
                reading.rejected(word, f"the URL path `{word.text}`", "hacc takes a path starting with `/`, "
                                 "without spaces, quotes, `#`, `!`, `$`, `;` or braces")
        elif entry.keyword == "status_code":
            # keepalived takes several codes and ranges; hacc one of either.
            if len(entry.args) == 1 and _valid_status(entry.args[0].text):
                target.set("status", Found(entry.args[0].text, entry.args[0].span))
            else:
                reading.rejected(entry, f"`{written(entry)}`", "hacc takes one code or one range")
        elif entry.keyword == "digest":
            word = reading.word(entry)
            if word is not None and len(word.text) == 32 and all(c in "0123456789abcdef" for c in word.text):
                target.set("digest", Found(word.text, word.span))
            elif word is not None:
                reading.rejected(word, f"`digest {word.text}`", "hacc takes 32 lowercase hex digits")
        elif entry.keyword == "virtualhost":
            target.set("virtualhost", _host(reading, entry))
        else:
            reading.unknown(entry, "in `url`")


def _host(reading: Reading, entry: Item) -> Found | None:
    word = reading.word(entry)
    return word and reading.checked(entry, word, formats.check_host, "virtual host")


def _valid_path(text: str) -> bool:
    return (text.startswith("/") and len(text) <= 512 and all("!" <= c <= "~" for c in text)
            and not any(c in text for c in "\"#!$\\{};"))


def _valid_status(text: str) -> bool:
    codes = text.split("-")
    return 1 <= len(codes) <= 2 and all(len(c) == 3 and c.isdigit() and c[0] in "12345" for c in codes)
