"""Failure scenarios: what `--fail` names, and the failures `--scenarios
all-single` enumerates.

A failure is one of:

* `NODE`: the node is down (powered off, kernel panic): it runs nothing and
  answers nobody;
* `NODE:linkN`: the network behind the node's N-th address (corosync link N)
  stops carrying traffic while the interface stays up (a switch port, a VLAN,
  a firewall): the node is cut off on that network but keepalived does not
  see a link-down;
* `NODE:SCRIPT`: a track script the node runs fails (its service died);
* `NODE:IFACE`: an interface of the node goes down (carrier lost): instances
  on it, and instances tracking it, see the interface down.

`Scenario` keeps the failures as written (for the output) and as sets (for
the models); failures apply in the order given, which matters only to
votequorum's last_man_standing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_LINK = re.compile(r"link(\d+)\Z")


class ScenarioError(ValueError):
    """A `--fail` that names nothing in the cluster: a usage error."""


@dataclass(frozen=True)
class Failure:
    kind: str  # "node", "link", "script" or "interface"
    node: str
    what: str | None = None  # link number (as text), script or interface name

    @property
    def text(self) -> str:
        if self.kind == "node":
            return self.node
        return f"{self.node}:link{self.what}" if self.kind == "link" else f"{self.node}:{self.what}"


@dataclass
class Scenario:
    given: list[str] = field(default_factory=list)  # as written on the command line
    failures: list[Failure] = field(default_factory=list)

    @property
    def down_nodes(self) -> set[str]:
        return {f.node for f in self.failures if f.kind == "node"}

    @property
    def down_links(self) -> set[tuple[str, int]]:
        return {(f.node, int(f.what)) for f in self.failures if f.kind == "link"}

    @property
    def failing_scripts(self) -> set[tuple[str, str]]:
        return {(f.node, f.what) for f in self.failures if f.kind == "script"}

    @property
    def down_interfaces(self) -> set[tuple[str, str]]:
        return {(f.node, f.what) for f in self.failures if f.kind == "interface"}

    @property
    def is_single(self) -> bool:
        return len(self.failures) == 1


def _instances_on(cluster, node: str) -> list:
    keepalived = cluster.keepalived
    if keepalived is None:
        return []
    return [i for i in keepalived.instances if node in i.node_names(cluster.node_names)]


def tracked_scripts(cluster, node: str) -> list[str]:
    """Scripts tracked on `node`: by an instance it runs, or by a sync group
    holding one (keepalived runs only tracked scripts)."""
    instances = _instances_on(cluster, node)
    names = [t.name for i in instances for t in i.track_scripts]
    running = {i.name for i in instances}
    for group in cluster.keepalived.sync_groups if cluster.keepalived else ():
        if running & set(group.members):
            names += [t.name for t in group.track_scripts]
    return list(dict.fromkeys(names))


def interfaces(cluster, node: str) -> list[str]:
    """The interfaces that matter to VRRP on `node`: each instance's own
    interface (tracked unless `dont_track_primary`) and tracked interfaces."""
    names = []
    node_obj = cluster.node(node)
    for instance in _instances_on(cluster, node):
        own = instance.interface_of(node_obj)
        if own:
            names.append(own)
        names += [t.name for t in instance.track_interfaces]
    return list(dict.fromkeys(names))


def links(cluster, node: str) -> list[int]:
    node_obj = cluster.node(node)
    return list(range(len(node_obj.addrs))) if node_obj is not None else []


def parse_failure(cluster, spec: str) -> Failure:
    """One `--fail` value; ScenarioError with the valid names otherwise."""
    text = spec.strip()
    node, sep, what = text.partition(":")
    if cluster.node(node) is None:
        raise ScenarioError(f"--fail {spec!r}: the cluster has no node `{node}` (nodes: {', '.join(cluster.node_names)})")
    if not sep:
        return Failure("node", node)
    choices = [f"link{k}" for k in links(cluster, node)] + tracked_scripts(cluster, node) + interfaces(cluster, node)
    match = _LINK.match(what)
    if match and int(match[1]) in links(cluster, node):
        return Failure("link", node, str(int(match[1])))
    if what in tracked_scripts(cluster, node):
        return Failure("script", node, what)
    if what in interfaces(cluster, node):
        return Failure("interface", node, what)
    raise ScenarioError(f"--fail {spec!r}: `{node}` has no link, tracked script or interface `{what}` "
                        f"(valid: {', '.join(dict.fromkeys(choices)) or 'none; fail the node itself'})")


def parse_scenario(cluster, specs: list[str]) -> Scenario:
    scenario = Scenario(list(specs))
    for spec in specs:
        failure = parse_failure(cluster, spec)
        if failure not in scenario.failures:
            scenario.failures.append(failure)
    return scenario


def all_single(cluster) -> list[Scenario]:
    """The steady state, then every single failure: each node; each node's
    links; each script and interface on each node that tracks or uses it."""
    out = [Scenario()]
    for node in cluster.node_names:
        out.append(Scenario([node], [Failure("node", node)]))
    for node in cluster.node_names:
        items = [Failure("link", node, str(k)) for k in links(cluster, node)]
        items += [Failure("script", node, s) for s in tracked_scripts(cluster, node)]
        items += [Failure("interface", node, i) for i in interfaces(cluster, node) if i not in tracked_scripts(cluster, node)]
        out += [Scenario([f.text], [f]) for f in items]
    return out
