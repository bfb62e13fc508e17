"""corosync's `nodelist { node { ... } }` -> the nodes' id, addrs and votes.

A node's name is its `name:`. corosync 2 files often have none: corosync then
finds the local node by its host name or addresses, and Pacemaker names the
node after `uname -n`. hacc needs a name for every node (it writes `name:`),
so a nameless entry is matched to a node of the command line (whose name is
ring0_addr, or its short host name), else named after a ring0_addr that is
a host name, else paired in order with the command-line nodes left over,
and each such choice is reported.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from hacc.importing.files import NodeTable
from hacc.importing.layers.corosync_values import REFUSED, checked, convert, shown
from hacc.importing.log import ImportLog
from hacc.importing.readers.corosync import value_of
from hacc.importing.readers.tree import Item, Word
from hacc.model.formats import check_name

_RING_ADDR = re.compile(r"ring([0-9]+)_addr\Z")
MAX_LINK = 7


@dataclass
class Entry:
    """One `node { }` section as read."""

    item: Item
    name: Word | None = None
    nodeid: Word | None = None
    votes: Word | None = None
    rings: dict[int, Word] = field(default_factory=dict)

    @property
    def ring0(self) -> Word | None:
        return self.rings.get(0)


def import_nodelist(nodelist: Item, nodes: NodeTable, log: ImportLog) -> None:
    """Fill `nodes` from the nodelist; nodes of the command line come first in
    `nodes` already, and are the candidates for entries without a name."""
    entries = [_entry(item, log) for item in nodelist.block if _is_node(item, log)]
    entries = [e for e in entries if e is not None]
    named = [[entry, _given_name(entry, log)] for entry in entries]
    taken = {name for _, name in named if name}
    leftover = [n for n in nodes.names if n not in taken]
    # Names that follow from ring0_addr first, so that pairing in order only
    # hands out the nodes no entry claims; and only when every nameless
    # entry can get one.
    for choose in (_matching_name, _fallback_name):
        in_order = len(leftover) >= sum(1 for _, name in named if not name)
        for pair in named:
            if pair[1] is None:
                chosen = choose(pair[0], leftover, in_order, taken)
                if chosen is not None:
                    pair[1] = _rename(pair[0], *chosen, log)
                    taken.add(pair[1])
                    if pair[1] in leftover:
                        leftover.remove(pair[1])
    filled: set[str] = set()
    for entry, name in named:
        if name in filled:
            where = entry.name.span if entry.name is not None else entry.item.keyword_span
            log.lost(where, f"a second nodelist entry is named `{shown(name)}`; hacc keeps the first",
                     help="give every node its own name")
            continue
        filled.add(name)
        _fill(entry, name, nodes, log)
    _check_link_counts(entries, log)


def _is_node(item: Item, log: ImportLog) -> bool:
    if item.keyword == "node" and item.block is not None:
        return True
    log.lost(item.span or item.keyword_span, f"`nodelist.{shown(item.keyword)}` is not a `node` section; corosync reads "
             "only `node` sections in the nodelist", help="remove it")
    return False


def _entry(item: Item, log: ImportLog) -> Entry | None:
    entry = Entry(item)
    for child in item.block:
        ring = _RING_ADDR.match(child.keyword)
        if child.block is not None:
            log.lost(child.span or child.keyword_span, f"`{shown(child.keyword)}` has no meaning inside a nodelist `node`")
        elif ring and int(ring.group(1)) > MAX_LINK:
            log.unreadable(child.keyword_span, f"corosync refuses `{child.keyword}`: links are numbered 0 to {MAX_LINK}",
                           help="renumber the addresses from ring0_addr up")
            return None
        elif ring:
            entry.rings[int(ring.group(1))] = value_of(child)
        elif child.keyword in ("name", "nodeid", "quorum_votes"):
            setattr(entry, {"quorum_votes": "votes"}.get(child.keyword, child.keyword), value_of(child))
        else:
            log.lost(child.span, f"`nodelist.node.{shown(child.keyword)}` has no equivalent in hacc's `node`",
                     help="hacc writes name, nodeid, ringX_addr and quorum_votes for each node")
    if entry.ring0 is None:
        log.unreadable(item.keyword_span, "corosync refuses a nodelist `node` without `ring0_addr`",
                       help="add the node's address on link 0: `ring0_addr: 192.0.2.1`")
        return None
    return entry


def _given_name(entry: Entry, log: ImportLog) -> str | None:
    if entry.name is None:
        return None
    try:
        check_name(entry.name.text)
    except ValueError as problem:
        log.lost(entry.name.span, f"`name: {shown(entry.name.text)}` cannot be imported: {problem}",
                 help="node names are letters, digits, `_`, `.` and `-`; a comment needs a line of its own")
        return None
    return entry.name.text


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _valid_name(text: str) -> bool:
    try:
        check_name(text)
        return True
    except ValueError:
        return False


def _matching_name(entry: Entry, leftover: list[str], in_order: bool, taken: set[str]) -> tuple[str, str] | None:
    """The name ring0_addr gives, with the reason, or None."""
    addr = entry.ring0.text
    host = not _is_address(addr) and _valid_name(addr)
    short = addr.split(".")[0] if host else None
    if addr in leftover:
        return addr, f"the node given on the command line as `{addr}`, its ring0_addr"
    if short and short in leftover:
        return short, f"the node given on the command line as `{short}`, the short form of its ring0_addr"
    if host and addr not in taken:
        return addr, "its ring0_addr, a host name"
    return None


def _fallback_name(entry: Entry, leftover: list[str], in_order: bool, taken: set[str]) -> tuple[str, str]:
    """A node of the command line in order, else a name from the nodeid."""
    addr = entry.ring0.text
    if in_order and leftover:
        name = leftover[0]
        return name, (f"the first node on the command line that no entry names, in nodelist order; "
                      f"check that {name} has the address {shown(addr)}")
    base = f"node{entry.nodeid.text}" if entry.nodeid and entry.nodeid.text.isdigit() else "node"
    name, counter = base, 1
    while name in taken:
        counter += 1
        name = f"{base}-{counter}"
    return name, "from its nodeid, as no node of the command line is left for it"


def _rename(entry: Entry, name: str, why: str, log: ImportLog) -> str:
    log.rewrote(entry.item.keyword_span, f"this node has no `name`; hacc names it `{name}` ({why}) and writes `name: {name}`",
                help="corosync 3 needs a name for each node with more than one link, and Pacemaker uses it; "
                     "pass --node NAME=DIR with the node's real name if this one is wrong")
    return name


def _fill(entry: Entry, name: str, nodes: NodeTable, log: ImportLog) -> None:
    node = nodes.add(name)
    path = nodes.path(name)
    if path not in log.spans:
        log.mark(path, entry.item.span or entry.item.keyword_span)
    if entry.name is not None and entry.name.text == name:
        log.mark(path + ("name",), entry.name.span)
    if entry.nodeid is not None:
        nodeid = checked("node", "id", convert("int", "nodeid", entry.nodeid, log), entry.nodeid.span, log)
        if nodeid is not REFUSED:
            node["id"] = nodeid
            log.mark(path + ("id",), entry.nodeid.span)
    if entry.votes is not None:
        votes = checked("node", "votes", convert("int", "quorum_votes", entry.votes, log), entry.votes.span, log)
        if votes is not REFUSED:
            node["votes"] = votes
            log.mark(path + ("votes",), entry.votes.span)
    node["addrs"] = _addresses(entry, log)
    log.mark(path + ("addrs",), entry.ring0.span)
    for index, _ in enumerate(node["addrs"]):
        log.mark(path + ("addrs", index), entry.rings[index].span)


def _addresses(entry: Entry, log: ImportLog) -> list[str]:
    """ring0_addr, ring1_addr, ... while they follow each other; empty when
    one is a host name, which hacc cannot turn into an address offline."""
    count = 0
    while count in entry.rings:
        count += 1
    for number in sorted(n for n in entry.rings if n > count):
        log.lost(entry.rings[number].span, f"ring{number}_addr follows no ring{count}_addr; hacc numbers links from 0 "
                 "without gaps", help=f"renumber it ring{count}_addr, or add the missing address")
    words = [entry.rings[n] for n in range(count)]
    for number, word in enumerate(words):
        if not _is_address(word.text):
            log.lost(word.span, f"ring{number}_addr `{shown(word.text)}` is a host name; hacc needs the node's IP address "
                     "and never resolves names", help=f"write the node's IP address on link {number} instead of its name")
            return []
        if checked("node", "addrs", [word.text], word.span, log) is REFUSED:
            return []
    return [word.text for word in words]


def _check_link_counts(entries: list[Entry], log: ImportLog) -> None:
    """corosync refuses nodes with different numbers of links."""
    counts = {len(entry.rings): entry for entry in entries}
    if len(counts) > 1:
        most = max(counts)
        fewer = counts[min(counts)]
        log.unreadable(fewer.item.keyword_span, f"this node has {min(counts)} link address(es) but another has {most}; "
                       "corosync refuses nodes with different numbers of links",
                       help="give every node one ringX_addr per link")
