"""corosync's `totem { interface { ... } }` sections -> the `links` list.

corosync 3 numbers an interface with `linknumber` (default 0) and ignores
corosync 2's `ringnumber`, which is read as the link number with a note.
Options that do not apply to the transport are not kept: the udp-only ones
(`bindnetaddr`, `mcastaddr`, `broadcast`, `ttl`) have no effect on a knet
or udpu link, which is what corosync 3 runs a corosync 2 file without a
`transport` as; the knet-only ones cannot be written for udp or udpu.
"""

from __future__ import annotations

from hacc.diagnostics.model import Span
from hacc.importing.layers.corosync_sections import collector, kinds, read_options
from hacc.importing.layers.corosync_values import REFUSED, checked, convert
from hacc.importing.log import ImportLog
from hacc.importing.readers.corosync import value_of
from hacc.importing.readers.tree import Item
from hacc.model.corosync import LINK_OPTIONS

ROOT = ("corosync",)
KNET_ONLY = ("knet_link_priority", "knet_ping_interval", "knet_ping_timeout", "knet_ping_precision", "knet_pong_count",
             "knet_transport")
UDP_ONLY = ("bindnetaddr", "broadcast", "mcastaddr", "ttl")


def read_links(interfaces: list[Item], transport: str, log: ImportLog) -> list[dict]:
    """The `interface` sections as the `links` list, fitted to `transport`."""
    links: list[dict] = []
    numbers: set[int] = set()
    option_kinds = kinds(LINK_OPTIONS, "yes-no")
    for interface in interfaces:
        number_items: list[Item] = []
        keep_number = collector(number_items, "totem.interface", log, section=False)
        handlers = dict.fromkeys(("linknumber", "ringnumber"), keep_number)
        path = ROOT + ("links", len(links))
        link = read_options(interface, option_kinds, "link", path, log, handlers, where="totem.interface")
        number, number_span = _link_number(interface, number_items, log)
        if number is None:
            continue
        if number in numbers:
            log.lost(interface.span or interface.keyword_span, f"a second interface section for link {number}: corosync "
                     "merges them; hacc reads only the first", help="merge the two sections")
            for key in link:
                log.spans.pop(path + (key,), None)
            continue
        numbers.add(number)
        _fit_transport(link, transport, path, log)
        log.mark(path, interface.keyword_span)
        log.mark(path + ("number",), number_span)
        links.append({"number": number, **link})
    if links:
        log.mark(ROOT + ("links",), interfaces[0].keyword_span)
    return links


def _link_number(interface: Item, items: list[Item], log: ImportLog) -> tuple[int | None, Span]:
    """linknumber, else corosync 2's ringnumber (noted), else 0 as in
    corosync; with the span it comes from."""
    found = {item.keyword: item for item in items}
    chosen = found.get("linknumber") or found.get("ringnumber")
    if chosen is None:
        return 0, interface.keyword_span
    word = value_of(chosen)
    number = checked("link", "number", convert("int", chosen.keyword, word, log), word.span, log)
    if number is REFUSED:
        return None, word.span
    if chosen.keyword == "ringnumber":
        unread = ", and would take this section for link 0" if number else ""
        log.rewrote(chosen.keyword_span, f"`ringnumber: {number}` becomes `linknumber: {number}`: corosync 3 reads "
                    f"only `linknumber`{unread}", help="corosync 3's knet links replace corosync 2's rings")
    elif "ringnumber" in found:
        log.rewrote(found["ringnumber"].span, "`ringnumber` beside `linknumber` is ignored by corosync 3; hacc drops it")
    return number, word.span


def _fit_transport(link: dict, transport: str, path: tuple, log: ImportLog) -> None:
    for key in [k for k in link if (k in UDP_ONLY and transport != "udp") or (k in KNET_ONLY and transport != "knet")]:
        del link[key]
        span = log.spans.pop(path + (key,))
        if key in UDP_ONLY:
            log.rewrote(span, f"`{key}` is a udp (multicast) setting that corosync 3 ignores on a {transport} link; hacc "
                        "drops it", help="corosync 2's default transport was udp, corosync 3's is knet: set `transport: "
                        "udp` to keep multicast")
        else:
            log.lost(span, f"`{key}` applies only to knet links; hacc cannot write it for transport {transport}",
                     help="remove it, or switch to `transport: knet`")
