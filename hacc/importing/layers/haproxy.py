"""Import haproxy.cfg from every node into one `haproxy` section.

haproxy.cfg should be the same file on every node except `localpeer`. The
first node's file is imported; every other node's file is compared with it
(parsed, not as text) and each difference is reported (HA082).

hacc derives a `peers NAME { port N }` section: one `peer` line per node at
its link-0 address, and `localpeer NODE` in each node's `global`. A peers
section that lists exactly the cluster's nodes at those addresses with one
port, on nodes whose `localpeer` is their own name (or unset, when haproxy
takes the host name), is imported in that form; any other keeps its `peer`
lines. A node whose address is not known yet takes it from its peer line.
"""

from __future__ import annotations

import ipaddress

from hacc.diagnostics.model import Span
from hacc.importing.files import NodeTable, Source
from hacc.importing.layers.haproxy_compare import report_differences
from hacc.importing.layers.haproxy_sections import ROOT, SectionMapper
from hacc.importing.log import UNREADABLE, ImportLog
from hacc.importing.readers.haproxy import HaproxyFile, Line, read_haproxy
from hacc.model.values import Endpoint


def import_haproxy(sources: dict[str, Source], nodes: NodeTable, log: ImportLog) -> dict | None:
    """The `haproxy` section of the JSON form, or None without any file."""
    if not sources:
        return None
    files: dict[str, HaproxyFile] = {}
    for name, source in sources.items():
        nodes.add(name)
        files[name] = read_haproxy(source, log) if not files else _read_other(source, log)
    first_name, first = next(iter(files.items()))
    for name, file in list(files.items())[1:]:
        report_differences(first_name, first, name, file, log)
    for name in nodes.names:
        if name not in files:
            log.rewrote(Span.point(first.source.display), f"{name} has no haproxy.cfg: `hacc build` writes this "
                        f"configuration for {name} too", help="leave haproxy out of the cluster file if it runs elsewhere")
    mapper = SectionMapper(log)
    out = mapper.map(first)
    _Peers(out, mapper.peers, files, nodes, log).settle()
    return out


def _read_other(source: Source, log: ImportLog) -> HaproxyFile:
    """Another node's file: what the first node's import reports as lost is
    reported once, there, and any difference by the comparison; only what
    makes this file unreadable is reported for it."""
    scratch = ImportLog()
    file = read_haproxy(source, scratch)
    log.diagnostics.extend(d for d in scratch.diagnostics if d.code == UNREADABLE.code)
    return file


def localpeer(file: HaproxyFile) -> Line | None:
    """The file's last `localpeer` line (haproxy keeps the last one)."""
    found = None
    for section in file.sections:
        if section.keyword == "global":
            for line in section.block:
                if line.keyword == "localpeer" and not line.variables:
                    found = line
    return found


class _Peers:
    def __init__(self, out: dict, peers: dict[int, Line], files: dict[str, HaproxyFile], nodes: NodeTable,
                 log: ImportLog) -> None:
        self.out, self.heads, self.files, self.nodes, self.log = out, peers, files, nodes, log

    def settle(self) -> None:
        local = {name: localpeer(file) for name, file in self.files.items()}
        if not self.heads:
            for line in local.values():
                if line is not None:
                    self.log.rewrote(line.head_span, "`localpeer` is dropped: there is no `peers` section")
            return
        self_named = True
        for name, line in local.items():
            texts = line.texts() if line is not None else None
            if texts is None:
                self.log.rewrote(Span.point(self.files[name].source.display),
                                 f"hacc writes `localpeer {name}` in {name}'s global section; haproxy took the local "
                                 "peer's name from the host name")
            elif texts != [name]:
                self_named = False
                self.log.lost(line.head_span, f"`localpeer {' '.join(texts)}` on {name} is not imported: hacc names "
                              f"each node's local peer after the node, `{name}`", "name the peer after the node")
        for index, head in self.heads.items():
            section = self.out["sections"][index]
            if not (self_named and self._derive(index, section)):
                self._explicit(section, head)

    def _explicit(self, section: dict, head: Line) -> None:
        names = {peer["name"] for peer in section.get("peers", [])}
        for name in self.files:
            if name not in names:
                self.log.lost(head.head_span, f"`peers {section['name']}` has no peer `{name}`, but hacc writes "
                              f"`localpeer {name}` on {name}", "name the peers after the nodes")

    def _derive(self, index: int, section: dict) -> bool:
        """Replace explicit `peer` lines by `port N` when hacc derives the
        same lines from the nodes."""
        peers = section.get("peers", [])
        if not peers or sorted(peer["name"] for peer in peers) != sorted(self.nodes.names):
            return False
        found: dict[str, ipaddress.IPv4Address | ipaddress.IPv6Address] = {}
        ports = set()
        for peer in peers:
            endpoint = Endpoint.parse(peer["address"])
            addrs = self.nodes.get(peer["name"]).get("addrs")
            if endpoint.ip is None or endpoint.port is None:
                return False
            if addrs and ipaddress.ip_address(addrs[0]) != endpoint.ip:
                return False
            found[peer["name"]] = endpoint.ip
            ports.add(endpoint.port)
        if len(ports) != 1:
            return False
        path = ROOT + ("sections", index)
        spans = {k: v for k, v in self.log.spans.items() if k[:len(path) + 1] == path + ("peers",)}
        for name, address in found.items():
            node = self.nodes.get(name)
            if not node.get("addrs"):
                k = next(i for i, peer in enumerate(peers) if peer["name"] == name)
                node["addrs"] = [str(address)]
                self.log.mark(self.nodes.path(name, "addrs"), spans.get(path + ("peers", k)))
                self.log.mark(self.nodes.path(name, "addrs", 0), spans.get(path + ("peers", k, "address")))
        for key in spans:
            del self.log.spans[key]
        derived = {"type": "peers", "name": section["name"], "port": ports.pop()}
        if "directives" in section:
            derived["directives"] = section["directives"]
        self.log.mark(path + ("port",), spans.get(path + ("peers", 0, "address")))
        self.out["sections"][index] = derived
        return True
