"""VRRP election as keepalived 2.2 runs it, for one scenario.

The rules, from keepalived 2.2.7's vrrp_track.c, vrrp.c and vrrp_sync.c
and keepalived.conf(5):

* Effective priority is the base priority plus the weights of tracked
  scripts and interfaces: a positive weight is added while the check
  succeeds, a negative one while it fails; `reverse` multiplies the weight
  by -1 (weight_multiplier), so `weight -30 reverse` adds 30 while failing
  (process_script_update_priority, initialise_interface_tracking_priorities).
  The total is clamped to 1..254 (vrrp_set_effective_priority); an address
  owner (priority 255) keeps 255 whatever its trackers say.
* A tracker of weight 0 puts the instance in FAULT while it fails (with
  `reverse`, while it succeeds). The instance's own interface is tracked
  that way too unless `dont_track_primary`.
* In a sync group without `sync_group_tracking_weight`, a member's weighted
  track scripts are removed and its weighted track interfaces get weight 0,
  i.e. FAULT while down (vrrp_complete_instance: "ignoring tracked script
  ... with weights due to SYNC group", "ignoring ... tracked interface
  weight due to SYNC group"). The group's own trackers apply to every
  member; on a node where a member is address owner, the group's weighted
  scripts get weight 0 (sync_group_tracking_init). A member in FAULT takes
  the whole group to FAULT on that node, and a node is MASTER of the group
  only when it would be MASTER of every member (vrrp_sync.c).
* A MASTER gives way to an advert of higher priority, or of equal priority
  from a higher source address (vrrp_state_master_rx, vrrp_saddr_cmp). A
  BACKUP takes over from a live MASTER only with strictly higher priority
  and preemption allowed (vrrp_state_backup: `nopreempt` or an advert of
  priority >= its own keeps it BACKUP). With no MASTER heard, the highest
  priority times out first (skew time) and wins; equal priorities end with
  the higher source address. `preempt_delay` only delays preemption.
* The initial state is the one hacc writes, as keepalived corrects it:
  with `vrrp_strict` only the address owner starts MASTER, and AH
  authentication refuses MASTER to a non-owner. `nopreempt` is cleared on a
  node whose initial state is MASTER and on an address owner
  (vrrp_complete_instance).

"After a failure" starts from the steady state: who was MASTER before
matters, as it does to keepalived.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from hacc.checks.vrrp_tracking import _weight
from hacc.simulate.scenario import Scenario
from hacc.simulate.topology import vrrp_reachable

OWNER = 255


@dataclass
class Tracked:
    name: str
    kind: str  # "script" or "interface"
    weight: int
    reverse: bool
    dropped: bool  # a weighted track script of a sync group member: keepalived removes it
    tracker: object = None
    zeroed: bool = False  # keepalived set its weight to 0 (FAULT), see trackers()


@dataclass
class VrrpOutcome:
    instance: object
    masters: list[str] = field(default_factory=list)
    states: dict[str, str] = field(default_factory=dict)  # node -> MASTER/BACKUP/FAULT/DOWN
    priorities: dict[str, int | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def master(self) -> str | None:
        return self.masters[0] if self.masters else None


def sync_group_of(cluster, instance):
    return next((g for g in cluster.keepalived.sync_groups if instance.name in g.members), None)


def _owner_in_group(cluster, group, node: str) -> bool:
    """Whether a member of `group` is address owner (priority 255) on `node`."""
    names = cluster.node_names
    members = [i for i in cluster.keepalived.instances if i.name in group.members]
    return any(node in i.node_names(names) and i.priority_of(node, names) == OWNER for i in members)


def trackers(cluster, instance, node: str | None = None) -> list[Tracked]:
    """What `instance` tracks on `node` (any node when None), as keepalived
    applies it: vrrp.c vrrp_complete_instance removes a sync group member's
    weighted scripts and zeroes its weighted interfaces unless the group
    sets `sync_group_tracking_weight`; sync_group_tracking_init zeroes the
    group's weighted scripts where a member is address owner."""
    group = sync_group_of(cluster, instance)
    no_weights = group is not None and not group.tracking_weight
    out = []
    for tracker in instance.track_scripts:
        weight = _weight(cluster, tracker, True)
        out.append(Tracked(tracker.name, "script", weight, tracker.reverse, no_weights and weight != 0, tracker))
    for tracker in instance.track_interfaces:
        weight = _weight(cluster, tracker, False)
        zeroed = no_weights and weight != 0
        out.append(Tracked(tracker.name, "interface", 0 if zeroed else weight, tracker.reverse, False, tracker, zeroed))
    owner = group is not None and node is not None and _owner_in_group(cluster, group, node)
    for tracker in group.track_scripts if group else ():
        weight = _weight(cluster, tracker, True)
        zeroed = owner and weight != 0
        out.append(Tracked(tracker.name, "script", 0 if zeroed else weight, tracker.reverse, False, tracker, zeroed))
    return out


def _failing(tracked: Tracked, node: str, scenario: Scenario) -> bool:
    pool = scenario.failing_scripts if tracked.kind == "script" else scenario.down_interfaces
    return (node, tracked.name) in pool


def evaluate(cluster, instance, node, scenario: Scenario) -> tuple[int, str | None]:
    """(effective priority, why the instance is in FAULT or None) on `node`."""
    base = instance.priority_of(node.name, cluster.node_names)
    total, fault = base, None
    own = instance.interface_of(node)
    if own and (node.name, own) in scenario.down_interfaces and not instance.dont_track_primary:
        fault = f"interface {own} is down"
    for tracked in trackers(cluster, instance, node.name):
        if tracked.dropped:
            continue
        failing = _failing(tracked, node.name, scenario)
        sign = -1 if tracked.reverse else 1
        if tracked.weight == 0:
            if failing != tracked.reverse:
                why = f"{tracked.kind} {tracked.name} {'fails' if failing else 'succeeds (reverse)'}"
                fault = fault or why + (" and keepalived ignores its weight" if tracked.zeroed else "")
        elif (tracked.weight > 0) != failing:
            # weight > 0 counts while succeeding, weight < 0 while failing
            total += tracked.weight * sign
    if base == OWNER:
        return OWNER, fault
    return min(max(total, 1), OWNER - 1), fault


def _address(instance, node) -> int:
    source = instance.source_of(node)
    try:
        return int(ipaddress.ip_address(str(source))) if source is not None else 0
    except ValueError:
        return 0


def _strict(cluster) -> bool:
    keepalived = cluster.keepalived
    return bool(keepalived.global_ and keepalived.global_.vrrp_strict)


def initial_state(cluster, instance, node: str) -> str:
    """The state keepalived starts `instance` in on `node`: the one hacc
    writes, as vrrp_complete_instance corrects it (strict mode: "State
    MASTER must match being address owner"; VRRPv2 AH: "Initial state
    master is incompatible with AH authentication")."""
    names = cluster.node_names
    strict = _strict(cluster)
    state = instance.state_of(node, names, strict=strict)
    owner = instance.priority_of(node, names) == OWNER
    if strict and (state == "MASTER") != owner:
        return "MASTER" if owner else "BACKUP"
    version = instance.version or (cluster.keepalived.global_.vrrp_version if cluster.keepalived.global_ else None) or 2
    if (state == "MASTER" and not owner and not strict and version == 2
            and instance.auth is not None and instance.auth.type == "AH"):
        return "BACKUP"
    return state


def can_preempt(cluster, instance, node: str) -> bool:
    """vrrp_complete_instance clears `nopreempt` on an address owner and on
    a node whose initial state is MASTER."""
    if instance.priority_of(node, cluster.node_names) == OWNER or initial_state(cluster, instance, node) == "MASTER":
        return True
    return instance.preempt is not False


def elect(instance, cluster, candidates: list[str], priority: dict[str, int], incumbents: list[str]) -> str | None:
    """The MASTER among `candidates`, nodes that hear each other."""
    if not candidates:
        return None

    def rank(name: str):
        return priority[name], _address(instance, cluster.node(name))

    sitting = [n for n in incumbents if n in candidates]
    if not sitting:
        return max(candidates, key=rank)
    # Several MASTERs hearing each other settle on the best advert.
    master = max(sitting, key=rank)
    challengers = [n for n in candidates if n != master and priority[n] > priority[master]
                   and can_preempt(cluster, instance, n)]
    return max(challengers, key=rank) if challengers else master


def _components(instance, cluster, nodes: list[str], scenario: Scenario) -> list[list[str]]:
    """Nodes whose adverts get through form one group; a cut-off node is alone."""
    heard = [n for n in nodes if vrrp_reachable(instance, cluster.node(n), scenario)]
    return ([heard] if heard else []) + [[n] for n in nodes if n not in heard]


def _evaluate_all(cluster, instance, scenario: Scenario) -> VrrpOutcome:
    outcome = VrrpOutcome(instance)
    for name in instance.node_names(cluster.node_names):
        if name in scenario.down_nodes:
            outcome.states[name], outcome.priorities[name] = "DOWN", None
            continue
        outcome.priorities[name], fault = evaluate(cluster, instance, cluster.node(name), scenario)
        outcome.states[name] = "FAULT" if fault else "BACKUP"
        if fault:
            outcome.notes.append(f"{name}: FAULT ({fault})")
    return outcome


def _winners(cluster, outcome: VrrpOutcome, scenario: Scenario, sitting: list[str], excluded: set[str]) -> set[str]:
    live = [n for n, s in outcome.states.items() if s == "BACKUP" and n not in excluded]
    components = _components(outcome.instance, cluster, live, scenario)
    return {w for c in components if (w := elect(outcome.instance, cluster, c, outcome.priorities, sitting))}


def simulate(cluster, scenario: Scenario, before: dict[str, list[str]] | None = None) -> dict[str, VrrpOutcome]:
    """Instance name -> outcome. `before` maps instance names to the steady
    state's MASTERs; without it (the steady state itself), the nodes whose
    initial state is MASTER are the sitting masters."""
    keepalived = cluster.keepalived
    if keepalived is None:
        return {}
    names = cluster.node_names
    results, sitting = {}, {}
    for instance in keepalived.instances:
        results[instance.name] = _evaluate_all(cluster, instance, scenario)
        if before is not None:
            sitting[instance.name] = before.get(instance.name, [])
        else:
            sitting[instance.name] = [n for n in instance.node_names(names)
                                      if initial_state(cluster, instance, n) == "MASTER"]
    groups = [[m for m in g.members if m in results] for g in keepalived.sync_groups]
    for group, members in zip(keepalived.sync_groups, groups):
        _spread_fault(group, members, results)
    excluded: dict[str, set[str]] = {name: set() for name in results}
    # A node wins a sync group only by winning every member it runs; one that
    # wins some is held BACKUP in all, which lets another node win those:
    # repeat until nobody else is held (each round holds at least one more).
    while True:
        winners = {name: _winners(cluster, results[name], scenario, sitting[name], excluded[name]) for name in results}
        held = _held(keepalived.sync_groups, groups, results, winners, excluded, sitting)
        if not held:
            break
    for name, outcome in results.items():
        outcome.masters = [n for n in names if n in winners[name]]
        for node in outcome.masters:
            outcome.states[node] = "MASTER"
    return results


def _spread_fault(group, members: list[str], results: dict) -> None:
    """A member in FAULT takes the whole sync group to FAULT on that node."""
    for node in {n for m in members for n in results[m].states}:
        runs = [m for m in members if node in results[m].states]
        if any(results[m].states[node] == "FAULT" for m in runs):
            for m in runs:
                if results[m].states[node] == "BACKUP":
                    results[m].states[node] = "FAULT"
                    results[m].notes.append(f"{node}: FAULT (sync group {group.name})")


def _held(sync_groups, groups, results, winners, excluded, sitting) -> bool:
    """Hold BACKUP the nodes that win some members of a group but not all.
    A sitting MASTER is held only when no challenger is: a challenger that
    cannot take every member never goes MASTER, so it never sends the
    adverts that would unseat the sitting one."""
    held = False
    for group, members in zip(sync_groups, groups):
        partial = {}
        for node in {n for m in members for n in results[m].states}:
            runs = [m for m in members if node in results[m].states]
            won = [m for m in runs if node in winners[m]]
            if won and len(won) < len(runs):
                partial[node] = (runs, won)
        challengers = {n: v for n, v in partial.items() if not any(n in sitting[m] for m in v[1])}
        for node, (runs, won) in sorted((challengers or partial).items()):
            held = True
            for m in runs:
                excluded[m].add(node)
                if m in won:
                    results[m].notes.append(f"{node}: held BACKUP by sync group {group.name}")
    return held
