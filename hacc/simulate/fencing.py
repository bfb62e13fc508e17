"""Which partitions survive a split: Pacemaker's fencing decides.

A partition that has quorum (or runs with `no-quorum-policy=ignore`)
fences every node it lost sight of, when fencing is enabled. When two
partitions both may fence (two_node after a link failure), each shoots the
other and the first shot wins: a fence device's `pcmk_delay_base` delays
the shot at its target, and `priority-fencing-delay` delays the shot at the
node running the resources of highest total `priority` (Pacemaker
Explained, "Fencing"). The partition whose nodes are slowest to shoot
survives; equal delays, or only random `pcmk_delay_max`, leave the race
open. Without fencing nobody is shot and every partition goes on.
`no-quorum-policy=suicide` (`fence` in Pacemaker 3) makes a partition
without quorum fence itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hacc.checks.fencing import _delays, _host_list
from hacc.checks.helpers import fencing_enabled, property_of
from hacc.model.pacemaker import Group, Primitive
from hacc.model.values import Duration
from hacc.simulate.quorum import PartitionQuorum, policy


@dataclass
class Survival:
    survivors: list[PartitionQuorum] = field(default_factory=list)
    fenced: list[str] = field(default_factory=list)  # live nodes shot by the surviving side
    race: list[list[str]] = field(default_factory=list)  # partitions in an undecided fence race
    notes: list[str] = field(default_factory=list)


def _seconds(text) -> float | None:
    text = str(text).strip()
    try:
        return Duration.parse(text + "s" if text.replace(".", "", 1).isdigit() else text).ms / 1000
    except ValueError:
        return None


def _node_delay(pacemaker, node: str) -> float:
    """How long a shot at `node` waits: the first fencing level's devices,
    else the fastest device able to fence it."""
    def base(device) -> float:
        return sum(d.ms for key, d in _delays(device) if key == "pcmk_delay_base") / 1000

    levels = sorted((lv for lv in pacemaker.fencing_levels if lv.target == node), key=lambda lv: lv.index)
    if levels:
        devices = [pacemaker.resource(d) for d in levels[0].devices]
        return sum(base(d) for d in devices if isinstance(d, Primitive))
    able = [d for d in pacemaker.fence_devices() if node in getattr(d, "fence_for", []) or node in _host_list(d)]
    return min((base(d) for d in able), default=0.0)


def _priorities(pacemaker, placement: dict[str, str | None]) -> dict[str, int]:
    """Total resource `priority` per node in the steady state."""
    totals: dict[str, int] = {}
    parents = pacemaker.parents()
    for resource in pacemaker.primitives():
        node = placement.get(resource.name)
        parent = parents.get(resource.name)
        value = resource.meta.get("priority", parent.meta.get("priority", 0) if isinstance(parent, Group) else 0)
        try:
            totals[node] = totals.get(node, 0) + int(value)
        except (TypeError, ValueError):
            continue
    totals.pop(None, None)
    return totals


def delays(cluster, placement: dict[str, str | None]) -> dict[str, float]:
    pacemaker = cluster.pacemaker
    out = {n: _node_delay(pacemaker, n) for n in cluster.node_names}
    _, value = property_of(pacemaker, "priority-fencing-delay")
    extra = _seconds(value) if value is not None else None
    totals = _priorities(pacemaker, placement)
    if extra and totals:
        best = max(totals.values())
        leaders = [n for n, t in totals.items() if t == best]
        if best > 0 and len(leaders) == 1 and leaders[0] in out:
            out[leaders[0]] += extra
    return out


def decide(cluster, judged: list[PartitionQuorum], placement: dict[str, str | None]) -> Survival:
    """Which partitions keep running, given their quorum and the steady
    state's placement (for priority-fencing-delay)."""
    pacemaker = cluster.pacemaker
    if pacemaker is None or not fencing_enabled(pacemaker):
        return Survival(list(judged))
    survival = Survival()
    if policy(cluster) in ("suicide", "fence"):
        survival.fenced = [n for j in judged if not j.quorate for n in j.nodes]
        judged = [j for j in judged if j.quorate]
    acting = [j for j in judged if j.quorate or policy(cluster) == "ignore"]
    if len(judged) < 2 or not acting:
        survival.survivors = list(judged)
        if len(judged) > 1:
            survival.notes.append("no partition has quorum, so none may fence")
        return survival
    winner = acting[0]
    if len(acting) > 1:
        wait = delays(cluster, placement)
        slowest = {id(j): min(wait[n] for n in j.nodes) for j in acting}
        best = max(slowest.values())
        leaders = [j for j in acting if slowest[id(j)] == best]
        winner = leaders[0]
        if len(leaders) > 1:
            survival.race = [j.nodes for j in leaders]
            survival.notes.append("fence race: " + " and ".join("{" + ", ".join(j.nodes) + "}" for j in leaders)
                                  + " shoot each other at once; either may survive (shown: the first)")
        else:
            survival.notes.append(f"fence race won by {{{', '.join(winner.nodes)}}}: shots at it wait {best:g}s")
    survival.survivors = [winner]
    survival.fenced += [n for j in judged if j is not winner for n in j.nodes]
    return survival
