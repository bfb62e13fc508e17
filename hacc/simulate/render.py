"""Print a simulation: one readable block per scenario, a table when there
are several, or the JSON object issue 7 specifies.

JSON: `{"cluster", "scenarios": [{"fail", "vrrp": {instance: {"master",
"priorities"}}, "resources", "quorum", "findings", "details"}],
"diagnostics"}`. The five keys the issue names are exactly as specified;
everything else (states, partitions, clones, frontends, the transition,
scores) is under `details`. An instance MASTER on two nodes shows the first
as `master`; `details.vrrp` lists both. `priorities` holds integers only:
a node that is down is left out. `quorum` is always a boolean; a
cluster without corosync has `details.partitions` null (see
ScenarioResult.quorate).
"""

from __future__ import annotations

import json

from hacc.diagnostics.model import Severity
from hacc.simulate import quorum
from hacc.simulate.findings import describe

_BOLD, _RED, _YELLOW, _RESET = "\x1b[1m", "\x1b[1;31m", "\x1b[1;33m", "\x1b[0m"


def _label(result) -> str:
    return ", ".join(result.scenario.given) if result.scenario.given else "(steady state)"


def _master(outcome) -> str:
    return "+".join(outcome.masters) if outcome.masters else "-"


def _placed(node) -> str:
    return node if node else "-"


def _clone_text(roles: dict) -> str:
    started = ",".join(roles.get("started", [])) or "-"
    promoted = roles.get("promoted", [])
    return f"{started} (promoted {','.join(promoted)})" if promoted else started


def _quorum_text(result) -> str:
    if result.partitions is None:
        return "n/a"
    return "yes" if result.quorate else "NO"


# -- JSON ----------------------------------------------------------------------

def _priorities(outcome) -> dict[str, int]:
    """Effective priority per node running keepalived: a node that is down
    has none and is left out (`details.vrrp.states` says DOWN)."""
    return {n: p for n, p in outcome.priorities.items() if p is not None}


def scenario_json(cluster, result) -> dict:
    policy = quorum.policy(cluster) if cluster.pacemaker is not None else None
    return {
        "fail": list(result.scenario.given),
        "vrrp": {name: {"master": o.master, "priorities": _priorities(o)} for name, o in result.vrrp.items()},
        "resources": dict(result.resources),
        "quorum": result.quorate,
        "findings": [d.to_dict() for d in result.findings],
        "details": {
            "vrrp": {name: {"masters": o.masters, "states": o.states, "notes": o.notes} for name, o in result.vrrp.items()},
            "partitions": None if result.partitions is None else [
                {"nodes": p.nodes, "votes": p.votes, "expected_votes": p.expected, "needed": p.needed,
                 "quorate": p.quorate, "no_quorum_policy": None if p.quorate else policy}
                for p in result.partitions],
            "fenced": list(result.survival.fenced) if result.survival else [],
            "pacemaker_simulated": result.simulated,
            "clones": result.clones,
            "transition": result.actions,
            "scores": result.scores,
            "frontends": result.frontends,
        },
    }


def render_json(cluster, report) -> str:
    payload = {
        "cluster": cluster.name,
        "scenarios": [scenario_json(cluster, r) for r in report.scenarios],
        "diagnostics": [d.to_dict() for d in report.diagnostics],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


# -- text ------------------------------------------------------------------------

class _Paint:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.color and text else text


def _table(rows: list[list[str]], paint: _Paint, header: bool = True) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row)]
        line = "  ".join(cells).rstrip()
        lines.append(paint(line, _BOLD) if header and index == 0 else line)
    return lines


def _codes(result, paint: _Paint) -> str:
    out = []
    for d in result.findings:
        style = _RED if d.severity is Severity.ERROR else _YELLOW
        out.append(paint(d.code, style))
    return " ".join(dict.fromkeys(out)) or "-"


def _columns(cluster, report):
    """The resources worth a column: top-level, not fence devices."""
    first = report.scenarios[0]
    inner = set(cluster.pacemaker.parents()) if cluster.pacemaker is not None else set()
    names = [r for r in first.resources
             if r not in inner and not getattr(cluster.pacemaker.resource(r), "is_fence", False)] if first.simulated else []
    clones = list(first.clones) if first.simulated else []
    binds = [(f, b) for f, bs in first.frontends.items() for b in bs]
    return names, clones, binds


def _frontend_cell(nodes) -> str:
    if nodes is None:
        return "?"
    return ",".join(nodes) or "-"


def render_table(cluster, report, paint: _Paint) -> list[str]:
    names, clones, binds = _columns(cluster, report)
    instances = list(report.scenarios[0].vrrp)
    header = ["scenario", *instances, *names, *clones, *[f"{f} {b}" for f, b in binds], "quorum", "findings"]
    rows = [header]
    for result in report.scenarios:
        row = [_label(result), *[_master(result.vrrp[i]) for i in instances]]
        row += [_placed(result.resources.get(n)) if result.simulated else "?" for n in names]
        row += [_clone_text(result.clones.get(c, {})) if result.simulated else "?" for c in clones]
        row += [_frontend_cell(result.frontends.get(f, {}).get(b)) for f, b in binds]
        rows.append(row + [_quorum_text(result), _codes(result, paint)])
    return _table(rows, paint)


def render_block(cluster, result, paint: _Paint) -> list[str]:
    lines = [paint(describe(result.scenario).capitalize(), _BOLD)]
    if result.vrrp:
        rows = [["VRRP instance", "MASTER", "effective priorities"]]
        for name, o in result.vrrp.items():
            prio = " ".join(f"{n}={p if o.states[n] not in ('DOWN', 'FAULT') else o.states[n]}" for n, p in o.priorities.items())
            rows.append([name, _master(o), prio])
        lines += ["  " + line for line in _table(rows, paint, header=False)]
        lines += [f"    {note}" for o in result.vrrp.values() for note in o.notes]
    if result.partitions is not None:
        rule = quorum.policy(cluster)
        for p in result.partitions:
            line = f"  quorum: {{{', '.join(p.nodes)}}} {'has quorum' if p.quorate else 'NO quorum'}: {p.why}"
            if not p.quorate and cluster.pacemaker is not None:
                line += f"; no-quorum-policy={rule} {quorum.NO_QUORUM_POLICY.get(rule, 'applies')}"
            lines.append(line)
        if result.survival:
            lines += [f"  fencing: {note}" for note in result.survival.notes]
            if result.survival.fenced:
                lines.append(f"  fenced: {', '.join(result.survival.fenced)}")
    if cluster.pacemaker is not None and not result.simulated:
        lines.append("  resources: not simulated (see HA708 or HA709 below)")
    if result.simulated:
        rows = [["resource", "node"]] + [[r, _placed(n)] for r, n in result.resources.items()]
        rows += [[c, _clone_text(roles)] for c, roles in result.clones.items()]
        lines += ["  " + line for line in _table(rows, paint, header=False)]
        lines += [f"    crm_simulate: {a}" for a in result.actions]
        for rid, scores in result.scores.items():
            lines.append(f"    score {rid}: " + " ".join(f"{n}={s}" for n, s in scores.items()))
    for frontend, binds in result.frontends.items():
        text = "; ".join(f"{b} on {_frontend_cell(n)}" for b, n in binds.items())
        lines.append(f"  frontend {frontend}: {text}")
    return lines


def render_text(cluster, report, sources, color: bool) -> str:
    from hacc.diagnostics import render as diagnostics_render

    paint = _Paint(color)
    lines = [paint(f"hacc simulate: cluster `{cluster.name}`, {len(cluster.nodes)} nodes", _BOLD), ""]
    if len(report.scenarios) > 1:
        lines += render_table(cluster, report, paint)
        lines += ["", "`-` none, `a+b` two nodes at once, `?` not known (no crm_simulate, or an address the cluster does not manage)"]
        if any(r.scores for r in report.scenarios):
            for result in report.scenarios:
                lines += ["", *render_block(cluster, result, paint)]
    else:
        for result in report.scenarios:
            lines += render_block(cluster, result, paint)
    text = "\n".join(lines) + "\n"
    diagnostics = list(report.diagnostics) + [d for r in report.scenarios for d in r.findings]
    if diagnostics:
        text += "\n" + diagnostics_render.render_text(diagnostics, sources, color=color)
        summary = diagnostics_render.summary_line(diagnostics)
        if summary:
            text += f"{summary}\n"
    return text
