"""Run scenarios through the models: keepalived's election, votequorum,
fencing, Pacemaker's scheduler, HAProxy's binds; then the findings.

The steady state (no failure) is simulated first: every scenario starts
from it, as a real failure starts from a running cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hacc.diagnostics.model import Diagnostic, Span
from hacc.model.pacemaker import Clone, Group
from hacc.simulate import fencing, frontends, quorum, vrrp
from hacc.simulate.codes import PACEMAKER_FAILED, PACEMAKER_SKIPPED
from hacc.simulate.pacemaker import Placement, Runner, SimulationError, find_tool
from hacc.simulate.scenario import Scenario


@dataclass
class ScenarioResult:
    scenario: Scenario
    vrrp: dict[str, vrrp.VrrpOutcome] = field(default_factory=dict)
    partitions: list[quorum.PartitionQuorum] | None = None
    survival: fencing.Survival | None = None
    simulated: bool = False  # Pacemaker placements come from crm_simulate
    resources: dict[str, str | None] = field(default_factory=dict)  # primitives and groups outside clones
    clones: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    twice: dict[str, list[str]] = field(default_factory=dict)  # resources running in two partitions
    actions: list[str] = field(default_factory=list)
    scores: dict[str, dict[str, str]] = field(default_factory=dict)
    frontends: dict[str, dict[str, list[str] | None]] = field(default_factory=dict)
    findings: list[Diagnostic] = field(default_factory=list)
    anyone_up: bool = True

    @property
    def quorate(self) -> bool:
        """Whether some partition keeps quorum. A cluster without corosync
        (keepalived alone) has no quorum to lose: true while any node is up."""
        if self.partitions is None:
            return self.anyone_up
        return any(p.quorate for p in self.partitions)


@dataclass
class Report:
    scenarios: list[ScenarioResult]
    diagnostics: list[Diagnostic]  # about the run itself, not one scenario


def _where(cluster) -> Span:
    return cluster.pacemaker.span if cluster.pacemaker is not None else cluster.span


def _resources(cluster, placement: Placement) -> dict[str, str | None]:
    """Primitive and group id -> node, in configuration order with a group's
    members after it (the first node of a primitive running twice; the node
    of a group's first running member). Clones are reported apart."""
    pacemaker = cluster.pacemaker
    parents = pacemaker.parents()
    out: dict[str, str | None] = {}
    for resource in pacemaker.resources:
        if resource.name in parents or isinstance(resource, Clone):
            continue
        if isinstance(resource, Group):
            nodes = [n for m in resource.members for n in placement.primitives.get(m, [])]
            out[resource.name] = nodes[0] if nodes else None
            for member in resource.members:
                found = placement.primitives.get(member, [])
                out[member] = found[0] if found else None
        else:
            nodes = placement.primitives.get(resource.name, [])
            out[resource.name] = nodes[0] if nodes else None
    return out


def _merge(placements: list[Placement]) -> Placement:
    merged = Placement()
    for placement in placements:
        for rid, nodes in placement.primitives.items():
            merged.primitives.setdefault(rid, []).extend(nodes)
        for cid, roles in placement.clones.items():
            into = merged.clones.setdefault(cid, {"started": [], "promoted": []})
            for role, nodes in roles.items():
                into[role] = sorted(set(into.get(role, []) + nodes))
        merged.groups.update(placement.groups)
        merged.actions += placement.actions
        for rid, scores in placement.scores.items():
            merged.scores.setdefault(rid, {}).update(scores)
    return merged


class _Pacemaker:
    """crm_simulate for the run, or the reason it is not used."""

    def __init__(self, cluster, scores: bool, diagnostics: list[Diagnostic]) -> None:
        self.cluster, self.runner, self.diagnostics = cluster, None, diagnostics
        if cluster.pacemaker is None:
            return
        tool = find_tool()
        if tool is None:
            diagnostics.append(PACEMAKER_SKIPPED.at(
                _where(cluster), "crm_simulate is not installed: Pacemaker resources are not simulated, keepalived and quorum are",
                help="install pacemaker-cli-utils (Debian, Ubuntu) or pacemaker-cli (RHEL)"))
            return
        self.runner = Runner(cluster, tool, scores)

    def failed(self, exc: SimulationError) -> None:
        self.diagnostics.append(PACEMAKER_FAILED.at(_where(self.cluster), str(exc),
                                                    help="run `crm_verify` on the built CIB for details"))
        self.close()

    def close(self) -> None:
        if self.runner is not None:
            self.runner.close()
            self.runner = None


def run(cluster, scenarios: list[Scenario], *, scores: bool = False) -> Report:
    from hacc.simulate.findings import scenario_findings

    diagnostics: list[Diagnostic] = []
    pacemaker = _Pacemaker(cluster, scores, diagnostics)
    try:
        steady = _one(cluster, Scenario(), None, pacemaker, 0)
        results = []
        for index, scenario in enumerate(scenarios, start=1):
            result = steady if not scenario.failures else _one(cluster, scenario, steady, pacemaker, index)
            result.findings = scenario_findings(cluster, result, steady)
            results.append(result)
    finally:
        pacemaker.close()
    return Report(results, diagnostics)


def _one(cluster, scenario: Scenario, steady: ScenarioResult | None, pacemaker: _Pacemaker, index: int) -> ScenarioResult:
    before = {name: o.masters for name, o in steady.vrrp.items()} if steady else None
    result = ScenarioResult(scenario, vrrp.simulate(cluster, scenario, before))
    result.anyone_up = any(n not in scenario.down_nodes for n in cluster.node_names)
    result.partitions = quorum.judge(cluster, scenario)
    if cluster.pacemaker is not None and result.partitions is not None:
        result.survival = fencing.decide(cluster, result.partitions, steady.resources if steady else {})
        _place(cluster, result, steady, pacemaker, index)
    result.frontends = frontends.live(cluster, result.vrrp, result.resources,
                                      scenario.down_nodes | set(result.survival.fenced if result.survival else ()))
    return result


def _place(cluster, result: ScenarioResult, steady: ScenarioResult | None, pacemaker: _Pacemaker, index: int) -> None:
    if pacemaker.runner is None:
        return
    try:
        if steady is None:
            placements = [pacemaker.runner.steady(all(p.quorate for p in result.partitions))]
        else:
            placements = [pacemaker.runner.scenario(index * 10 + i, p.nodes, p.quorate)
                          for i, p in enumerate(result.survival.survivors)]
    except SimulationError as exc:
        pacemaker.failed(exc)
        return
    owners = {}
    for placement in placements:
        for rid, nodes in placement.primitives.items():
            if nodes:
                owners.setdefault(rid, []).append(nodes[0])
    result.twice = {rid: nodes for rid, nodes in owners.items() if len(nodes) > 1}
    merged = _merge(placements)
    result.simulated = True
    result.resources = _resources(cluster, merged)
    result.clones = merged.clones
    # The steady state's transition is the cluster starting from nothing.
    result.actions = merged.actions if steady is not None else []
    result.scores = merged.scores
