"""Join what the layer importers read into one cluster's JSON form.

The layers run in the order their knowledge flows: corosync names the nodes
and their addresses, the CIB adds node ids and attributes, keepalived and
haproxy then know which addresses are the nodes' own (unicast sources,
derived peers). The result carries the spans of every value in the
original files, so validation and the lint rules report there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hacc.diagnostics.model import Span
from hacc.importing.files import Files, NodeTable, Source
from hacc.importing.log import ImportLog
from hacc.source.files import SourceMap, display_name

# Where each daemon keeps its file under a node's root directory.
NODE_FILES = {
    "corosync": Path("etc/corosync/corosync.conf"),
    "keepalived": Path("etc/keepalived/keepalived.conf"),
    "haproxy": Path("etc/haproxy/haproxy.cfg"),
}
FALLBACK_NAME = "imported"


@dataclass
class ImportRequest:
    """What to read: node directories and single files, by node name."""

    nodes: dict[str, Path] = field(default_factory=dict)
    corosync: Path | None = None
    keepalived: dict[str, Path] = field(default_factory=dict)
    haproxy: dict[str, Path] = field(default_factory=dict)
    cib: Path | None = None
    name: str | None = None

    @property
    def node_names(self) -> list[str]:
        names = list(self.nodes)
        for extra in (*self.keepalived, *self.haproxy):
            if extra not in names:
                names.append(extra)
        return names

    def files_of(self, kind: str) -> dict[str, Path]:
        """node -> the file of `kind` to read: named on the command line,
        else found in the node's directory."""
        named = {"keepalived": self.keepalived, "haproxy": self.haproxy}.get(kind, {})
        found = {}
        for node in self.node_names:
            if node in named:
                found[node] = named[node]
            elif node in self.nodes and (self.nodes[node] / NODE_FILES[kind]).is_file():
                found[node] = self.nodes[node] / NODE_FILES[kind]
        if kind == "corosync" and self.corosync is not None:
            # One corosync.conf serves every node; read it once.
            found = {self.node_names[0] if self.node_names else "": self.corosync}
        return found


@dataclass
class Imported:
    data: dict | None
    log: ImportLog
    sources: SourceMap
    files: list[Source]

    @property
    def spans(self) -> dict[tuple, Span]:
        return self.log.spans

    @property
    def read_nothing(self) -> bool:
        return not self.files


def import_cluster(request: ImportRequest) -> Imported:
    """Read every file the request names and assemble one cluster."""
    from hacc.importing.layers.cib import import_cib
    from hacc.importing.layers.corosync import import_corosync
    from hacc.importing.layers.haproxy import import_haproxy
    from hacc.importing.layers.keepalived import import_keepalived

    log = ImportLog()
    files = Files(log)
    nodes = NodeTable(request.node_names)
    data: dict = {}
    read: list[Source] = []

    def sources(kind: str) -> dict[str, Source]:
        found = {}
        for node, path in request.files_of(kind).items():
            source = files.read(path, display_name(path))
            if source is not None:
                found[node] = source
                read.append(source)
        return found

    corosync_sources = sources("corosync")
    cluster_name, corosync = import_corosync(corosync_sources, nodes, log) if corosync_sources else (None, None)
    if request.cib is not None:
        cib_source = files.read(request.cib, display_name(request.cib))
        if cib_source is not None:
            read.append(cib_source)
            pacemaker = import_cib(cib_source, nodes, log, cluster_name=cluster_name)
            if pacemaker is not None:
                data["pacemaker"] = pacemaker
    keepalived_sources = sources("keepalived")
    if keepalived_sources:
        keepalived = import_keepalived(keepalived_sources, files, nodes, log)
        if keepalived is not None:
            data["keepalived"] = keepalived
    haproxy_sources = sources("haproxy")
    if haproxy_sources:
        haproxy = import_haproxy(haproxy_sources, nodes, log)
        if haproxy is not None:
            data["haproxy"] = haproxy
    if corosync is not None:
        data["corosync"] = corosync
    if not read:
        return Imported(None, log, files.sources, read)
    name = request.name or cluster_name
    if name is None:
        name = FALLBACK_NAME
        log.rewrote(Span.point(read[0].display), f"no file names the cluster: it is called `{name}`",
                    help="pass `--name NAME` to choose the name")
    for node in nodes:
        node.setdefault("addrs", [])
    ordered = {"cluster": name, "nodes": nodes.as_list()}
    for layer in ("corosync", "pacemaker", "keepalived", "haproxy"):
        if layer in data:
            ordered[layer] = data[layer]
    _fallback_spans(log, ordered, read)
    return Imported(ordered, log, files.sources, read)


def _fallback_spans(log: ImportLog, data: dict, read: list[Source]) -> None:
    """Give the cluster and each node a span, so a finding about something
    the files only imply (a node no file describes fully) still points at
    a file rather than nowhere."""
    first = Span.point(read[0].display)
    log.spans.setdefault((), first)
    log.spans.setdefault(("cluster",), first)
    for index, _ in enumerate(data["nodes"]):
        if ("nodes", index) not in log.spans:
            inner = sorted(span for path, span in log.spans.items() if path[:2] == ("nodes", index) and len(path) > 2)
            log.spans[("nodes", index)] = inner[0] if inner else first
