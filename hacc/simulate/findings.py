"""Turn one simulated scenario into diagnostics (HA701-HA707).

Each finding points at the element to change: the VRRP instance, the
tracker, the resource, the quorum settings, a fence device.
"""

from __future__ import annotations

from hacc.diagnostics.model import Diagnostic
from hacc.model.pacemaker import Clone, Group
from hacc.simulate import codes
from hacc.simulate.quorum import NO_QUORUM_POLICY, policy
from hacc.simulate.vrrp import can_preempt, sync_group_of, trackers


def describe(scenario) -> str:
    if not scenario.failures:
        return "in the steady state"
    return f"with {', '.join(f.text for f in scenario.failures)} failed"


def _vips(instance) -> str:
    return ", ".join(str(v.address) for v in instance.vips) or "no VIP"


def _vrrp(cluster, result, steady) -> list[Diagnostic]:
    out = []
    when = describe(result.scenario)
    for name, outcome in result.vrrp.items():
        instance = outcome.instance
        span, path = instance.span_of("name"), instance.path_of()
        if not outcome.masters:
            states = ", ".join(f"{n} {s}" for n, s in outcome.states.items()) or "no node runs it"
            out.append(codes.VIP_UNHELD.at(span, f"{when}, no node holds `{name}` ({_vips(instance)}): {states}",
                                           help="run the instance on another node, or let the failing check lower the priority instead of forcing FAULT",
                                           notes=outcome.notes, path=path))
        elif len(outcome.masters) > 1:
            out.append(codes.VIP_TWICE.at(span, f"{when}, `{name}` ({_vips(instance)}) is MASTER on {' and '.join(outcome.masters)}",
                                          help="the nodes cannot hear each other's adverts: track the uplink or a reachability check so the cut-off node goes to FAULT",
                                          notes=outcome.notes, path=path))
        out += _missed(cluster, result, steady, outcome)
    return out


def _missed(cluster, result, steady, outcome) -> list[Diagnostic]:
    """HA705: a check failed on the MASTER and the VIP stayed."""
    out = []
    instance = outcome.instance
    before = steady.vrrp[instance.name].masters if steady else []
    group = sync_group_of(cluster, instance)
    for failure in result.scenario.failures:
        if failure.kind not in ("script", "interface") or before != [failure.node] or outcome.masters != [failure.node]:
            continue
        for tracked in trackers(cluster, instance, failure.node):
            if tracked.name != failure.what or tracked.kind != failure.kind or tracked.weight == 0 and not tracked.dropped:
                continue
            node = failure.node
            mine = outcome.priorities[node]
            rivals = {n: p for n, p in outcome.priorities.items() if n != node and outcome.states.get(n) == "BACKUP"}
            if tracked.dropped:
                why = f"keepalived drops weighted trackers of sync group members, so `{tracked.name}` is never run for `{instance.name}`"
                help = "move the tracker into the sync group, or add `tracking_weight yes` to it"
            elif group is not None and any(p > mine for p in rivals.values()):
                why = f"sync group `{group.name}` keeps it there: its other members still prefer `{node}`"
                help = "track the check in the sync group with weight 0 (FAULT), so every member moves"
            elif any(p > mine and not can_preempt(cluster, instance, n) for n, p in rivals.items()):
                why = f"`{node}` drops to {mine}, but the other nodes are `nopreempt` and never take over from a live MASTER"
                help = "use weight 0 (FAULT) for this check, or remove `nopreempt`"
            else:
                best = max(rivals.items(), key=lambda kv: kv[1], default=(None, None))
                rival = f"`{best[0]}`'s {best[1]}" if best[0] else "no other live node"
                why = f"`{node}` only drops to {mine}, not below {rival}"
                help = "use a weight larger than the priority gap, or weight 0 (FAULT)"
            out.append(codes.FAILOVER_MISSED.at(tracked.tracker.span, f"{describe(result.scenario)}, `{instance.name}` stays on `{node}`: {why}",
                                                help=help, path=tracked.tracker.path_of()))
    return out


def _quorum_span(cluster):
    corosync = cluster.corosync
    if corosync is None:
        return cluster.span, cluster.path_of()
    element = corosync.quorum or corosync
    return element.span, element.path_of()


def _quorum(cluster, result) -> list[Diagnostic]:
    parts = result.partitions
    if parts is None or result.quorate or len(cluster.nodes) < 2 or len(result.scenario.failures) > 1:
        return []
    span, path = _quorum_span(cluster)
    detail = "; ".join(f"{{{', '.join(p.nodes)}}}: {p.why}" for p in parts) or "every node is down"
    rule = policy(cluster)
    notes = [f"no-quorum-policy={rule} {NO_QUORUM_POLICY.get(rule, 'applies')}"] if cluster.pacemaker else []
    fix = "add `quorum { two_node yes }` (with fencing) or a `qdevice`" if len(cluster.nodes) == 2 else "add a node or a `qdevice`"
    return [codes.QUORUM_LOST.at(span, f"{describe(result.scenario)}, no partition keeps quorum ({detail})",
                                 help=fix, notes=notes, path=path)]


def _stopped_members(cluster, result, steady, resource) -> list[str]:
    members = resource.members if isinstance(resource, Group) else [resource.name]
    if steady is not result:
        return [m for m in members if steady.resources.get(m) and not result.resources.get(m)]
    return [m for m in members if not result.resources.get(m)]


def _resources(cluster, result, steady) -> list[Diagnostic]:
    pacemaker = cluster.pacemaker
    if pacemaker is None or not result.simulated or not result.quorate or (steady is not result and not steady.simulated):
        return []
    out, when = [], describe(result.scenario)
    parents = pacemaker.parents()
    for resource in pacemaker.resources:
        if resource.name in parents or str(resource.meta.get("target-role", "")).lower() == "stopped":
            continue
        if isinstance(resource, Clone):
            was = steady.clones.get(resource.name, {}).get("started")
            if result.clones.get(resource.name, {}).get("started") or (steady is not result and not was):
                continue
            stopped = [resource.name]
        elif getattr(resource, "is_fence", False):
            continue
        else:
            stopped = _stopped_members(cluster, result, steady, resource)
        if stopped:
            what = f"`{resource.name}`" if stopped == [resource.name] else f"`{resource.name}` ({', '.join(stopped)})"
            scope = "even with every node up" if steady is result else "after the failure"
            out.append(codes.RESOURCE_STOPPED.at(resource.span_of("name"), f"{when}, {what} has nowhere to run {scope}",
                                                 help="let it run on another node: check its location constraints, colocations and bans",
                                                 notes=[f"crm_simulate: {a}" for a in result.actions if resource.name in a][:5],
                                                 path=resource.path_of()))
    for rid, nodes in result.twice.items():
        element = pacemaker.resource(rid)
        span = element.span_of("name") if element is not None else pacemaker.span
        out.append(codes.SPLIT_BRAIN.at(span, f"{when}, `{rid}` runs on {' and '.join(nodes)}, in partitions that cannot see each other",
                                        help="enable fencing, and do not combine no-quorum-policy=ignore with a cluster that can split",
                                        path=element.path_of() if element is not None else None))
    return out


def _race(cluster, result) -> list[Diagnostic]:
    if result.survival is None or not result.survival.race:
        return []
    devices = cluster.pacemaker.fence_devices()
    element = devices[0] if devices else cluster.pacemaker
    return [codes.FENCE_RACE.at(element.span_of("name") if devices else element.span,
                                f"{describe(result.scenario)}, " + result.survival.notes[-1],
                                help="add `pcmk_delay_base=10s` to the device that fences the node that should survive, or set `property priority-fencing-delay=20s`",
                                path=element.path_of())]


def scenario_findings(cluster, result, steady) -> list[Diagnostic]:
    found = _vrrp(cluster, result, steady) + _quorum(cluster, result) + _resources(cluster, result, steady) + _race(cluster, result)
    return sorted(found, key=Diagnostic.sort_key)
