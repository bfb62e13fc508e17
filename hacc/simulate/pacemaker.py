"""Pacemaker's own scheduler, offline: crm_simulate on hacc's CIB.

The CIB comes from hacc's emitter (secrets stay unresolved: placement never
depends on them). The steady state is simulated once from a status section
with every node online (`crm_simulate -S -O`: start everything, keep the
resulting status, with its resource history). Each scenario copies that
status and marks the nodes the partition lost as `in_ccm="false"
crmd="offline" join="down" expected="member"` -- what a surviving node
records for a peer that vanished, which Pacemaker treats as unclean and
fences when it may -- with `have-quorum` from the quorum model. `-S` rather
than `-R` because the revised status names the node of every clone
instance, which the transition summary alone does not; the summary is kept
for the text output. Known offline gotchas (pacemaker-corosync.md 3.4):
no `crm_feature_set` is written (a newer one aborts `-S`), and a run that
exits non-zero is reported, not trusted.

Files live in a private temporary directory, removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT = 60


class SimulationError(RuntimeError):
    """crm_simulate failed or printed something unreadable."""


SBIN = "/usr/sbin:/sbin"  # where packages put it, often not on a user's PATH


def find_tool() -> str | None:
    """The crm_simulate binary: HACC_CRM_SIMULATE when set (empty: none),
    else PATH, else /usr/sbin or /sbin."""
    override = os.environ.get("HACC_CRM_SIMULATE")
    if override is not None:
        return override or None
    return shutil.which("crm_simulate") or shutil.which("crm_simulate", path=SBIN)


@dataclass
class Placement:
    """Where resources run after a simulated transition."""

    primitives: dict[str, list[str]] = field(default_factory=dict)  # outside clones
    groups: dict[str, list[str]] = field(default_factory=dict)  # group -> its members
    clones: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # id -> started/promoted nodes
    actions: list[str] = field(default_factory=list)  # the transition summary
    scores: dict[str, dict[str, str]] = field(default_factory=dict)

    def only(self, nodes: list[str]) -> Placement:
        """What runs on `nodes`: a partition speaks only for its own nodes."""
        keep = set(nodes)
        return Placement(
            {r: [n for n in ns if n in keep] for r, ns in self.primitives.items()},
            dict(self.groups),
            {c: {k: [n for n in v if n in keep] for k, v in roles.items()} for c, roles in self.clones.items()},
            list(self.actions),
            dict(self.scores),
        )


def _nodes_of(element) -> list[str]:
    return [n.get("name") for n in element.findall("node") if n.get("name")]


def _clone(element, out: Placement) -> None:
    started, promoted = [], []
    for child in element:
        members = [child] if child.tag == "resource" else child.findall("resource")
        for member in members[:1]:
            nodes = _nodes_of(member) if member.get("active") == "true" else []
            started += nodes
            if member.get("role") in ("Promoted", "Master"):
                promoted += nodes
    out.clones[element.get("id")] = {"started": sorted(set(started)), "promoted": sorted(set(promoted))}


def parse(text: str, cluster_nodes: list[str]) -> Placement:
    """The revised status, summary and scores of `crm_simulate -S --output-as=xml`."""
    from lxml import etree

    try:
        root = etree.fromstring(text.encode())
    except etree.XMLSyntaxError as exc:
        raise SimulationError(f"crm_simulate printed something that is not XML ({exc})") from None
    status = root.find("revised_cluster_status/resources")
    if status is None:
        status = root.find("cluster_status/resources")
    if status is None:
        raise SimulationError("crm_simulate printed no cluster status")
    out = Placement()
    order = {name: i for i, name in enumerate(cluster_nodes)}
    for element in status:
        if element.tag == "resource":
            out.primitives[element.get("id")] = _nodes_of(element) if element.get("active") == "true" else []
        elif element.tag == "group":
            members = element.findall("resource")
            out.groups[element.get("id")] = [m.get("id") for m in members]
            for member in members:
                out.primitives[member.get("id")] = _nodes_of(member) if member.get("active") == "true" else []
        elif element.tag == "clone":
            _clone(element, out)
    for rid, nodes in out.primitives.items():
        out.primitives[rid] = sorted(nodes, key=lambda n: order.get(n, len(order)))
    out.actions = _summary(root)
    for weight in root.iter("node_weight"):
        rid, node = weight.get("id"), weight.get("node")
        if rid and node and (weight.get("function") or "").endswith("_assign"):
            out.scores.setdefault(rid, {})[node] = weight.get("score", "")
    return out


def _summary(root) -> list[str]:
    lines = []
    for element in root.findall("actions/*"):
        if element.tag == "node_action":
            lines.append(f"{element.get('task', 'fence').lower()} {element.get('node')}")
        elif element.tag == "rsc_action" and element.get("action"):
            where = element.get("node") or " -> ".join(x for x in (element.get("source"), element.get("dest")) if x)
            role = f" {element.get('role')} -> {element.get('next-role')}" if element.get("next-role") else ""
            blocked = " (blocked)" if element.get("blocked") == "true" else ""
            lines.append(f"{element.get('action')} {element.get('resource')} ({where}{role}){blocked}")
    return lines


def _failure(stdout: str, stderr: str) -> str:
    """What went wrong: the errors in the `<status>` of `--output-as=xml`
    (an ordering loop: "Transition failed: terminated / An invalid
    transition was produced"), else its message with the last line of
    stderr ("Invalid configuration: Cannot upgrade configuration (claiming
    schema pacemaker-4.0) ..."), else the last lines of the output."""
    from lxml import etree

    try:
        status = etree.fromstring(stdout.encode()).find("status")
    except etree.XMLSyntaxError:
        status = None
    lines = [line.strip() for line in (stderr.strip() or stdout.strip()).splitlines() if line.strip()]
    if status is not None:
        errors = [e.text.strip() for e in status.iter("error") if e.text and e.text.strip()]
        if errors:
            return " / ".join(errors)
        if status.get("message"):
            last = [line for line in stderr.splitlines() if line.strip()][-1:]
            return ": ".join([status.get("message")] + [line.strip() for line in last])
    return " / ".join(lines[-3:]) or "no message"


class Runner:
    """crm_simulate on one cluster's CIB, in a private temporary directory
    that `close()` removes."""

    def __init__(self, cluster, tool: str, scores: bool = False) -> None:
        self.cluster = cluster
        self.tool = tool
        self.scores = scores
        self._tmp: tempfile.TemporaryDirectory | None = tempfile.TemporaryDirectory(prefix="hacc-simulate-")
        self._steady_cib: Path | None = None

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    @property
    def dir(self) -> Path:
        if self._tmp is None:
            raise SimulationError("the simulation's temporary directory is gone")
        return Path(self._tmp.name)

    def _cib(self) -> bytes:
        from hacc.emit.context import emit_all
        from hacc.emit.secrets import SecretStore

        outputs, problems = emit_all(self.cluster, SecretStore({}, environ={}), "cluster.ha", ("cib",), lenient=True)
        if problems or not outputs:
            raise SimulationError("the CIB could not be generated: " + "; ".join(d.message for d in problems))
        return outputs[0].content

    def _run(self, cib: Path, *extra: str) -> str:
        # Files are named relative to the temporary directory, which is the
        # working directory: under LC_ALL=C crm_simulate refuses a path with
        # non-ASCII characters (a TMPDIR under a user's home, say).
        extra = tuple(os.path.relpath(arg, cib.parent) if isinstance(arg, Path) else arg for arg in extra)
        args = [self.tool, "-x", cib.name, "-S", "--output-as=xml", *extra] + (["-s"] if self.scores else [])
        try:
            result = subprocess.run(args, check=False, capture_output=True, text=True, timeout=TIMEOUT,
                                    env={**os.environ, "LC_ALL": "C"}, cwd=cib.parent)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SimulationError(f"could not run crm_simulate: {exc}") from None
        if result.returncode != 0:
            raise SimulationError(f"crm_simulate exited with {result.returncode}: {_failure(result.stdout, result.stderr)}")
        return result.stdout

    def steady(self, quorate: bool = True) -> Placement:
        """Start everything with every node online."""
        from lxml import etree

        root = etree.fromstring(self._cib())
        _status(root, {n: True for n in self.cluster.node_names}, quorate)
        start = self.dir / "steady-in.xml"
        start.write_bytes(etree.tostring(root))
        self._steady_cib = self.dir / "steady.xml"
        return parse(self._run(start, "-O", self._steady_cib), self.cluster.node_names)

    def scenario(self, index: int, members: list[str], quorate: bool) -> Placement:
        """What the partition `members` does from the steady state, the other
        nodes lost to it."""
        from lxml import etree

        if self._steady_cib is None:
            raise SimulationError("the steady state was not simulated")
        root = etree.parse(str(self._steady_cib)).getroot()
        _status(root, {n: n in members for n in self.cluster.node_names}, quorate)
        path = self.dir / f"scenario-{index}.xml"
        path.write_bytes(etree.tostring(root))
        return parse(self._run(path), self.cluster.node_names).only(members)


def _status(root, online: dict[str, bool], quorate: bool) -> None:
    """Set each node's membership in the status section, keeping whatever
    resource history it already holds."""
    from lxml import etree

    root.set("have-quorum", "1" if quorate else "0")
    status = root.find("status")
    if status is None:
        status = etree.SubElement(root, "status")
    ids = {n.get("uname"): n.get("id") for n in root.iterfind("configuration/nodes/node")}
    states = {s.get("uname"): s for s in status.findall("node_state")}
    for name, up in online.items():
        state = states.get(name)
        if state is None:
            state = etree.SubElement(status, "node_state", id=ids.get(name, name), uname=name)
        values = ("true", "online", "member") if up else ("false", "offline", "down")
        for key, value in zip(("in_ccm", "crmd", "join"), values):
            state.set(key, value)
        state.set("expected", "member")
