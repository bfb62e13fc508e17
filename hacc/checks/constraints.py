"""HA210, HA211, HA222-HA224: constraints that contradict each other or
point inside groups."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity
from hacc.model.pacemaker import Colocation, Group, Order


def _order_edges(pacemaker) -> list[tuple[str, str, object]]:
    """(before, after, constraint or group) for every ordering."""
    edges = []
    for element in pacemaker.constraints:
        if not isinstance(element, Order):
            continue
        if element.sets:
            previous: list[str] = []
            for resource_set in element.sets:
                names = resource_set.resources
                if resource_set.sequential is not False:
                    edges += [(a, b, element) for a, b in itertools.pairwise(names)]
                edges += [(a, b, element) for a in previous for b in names]
                previous = names
        elif element.first and element.then:
            edges.append((element.first, element.then, element))
    for group in pacemaker.resources:
        if isinstance(group, Group):
            edges += [(a, b, group) for a, b in itertools.pairwise(group.members)]
    return edges


def _cycles(edges) -> list[list[tuple[str, str, object]]]:
    """The edges of each strongly connected component with a cycle
    (Tarjan's algorithm, iterative so long chains cannot overflow)."""
    graph: dict[str, list[tuple[str, object]]] = {}
    for a, b, why in edges:
        graph.setdefault(a, []).append((b, why))
        graph.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child, _ in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or any(child == node for child, _ in graph[node]):
                    components.append(component)
    return [[e for e in edges if e[0] in c and e[1] in c] for c in components]


@rule("HA210", "order-cycle", Severity.ERROR, layer="pacemaker")
def order_cycle(cluster) -> Iterator[Finding]:
    """Order constraints (and group order) form a cycle.

    ## What it checks
    Following `order` constraints, resource sets and the start order of
    group members, no resource must start before itself.

    ## Why it matters
    Pacemaker cannot produce a transition: nothing in the cycle ever starts.
    crm_verify does not notice; crm_simulate reports "An invalid transition
    was produced".

    ## Example
    ```
    order a-then-b a then b
    order b-then-a b then a
    ```

    ## Fix
    Remove the constraint that closes the loop.

    ## References
    crm_simulate (observed); Pacemaker Explained, "Ordering Constraints".
    """
    for cycle in _cycles(_order_edges(cluster.pacemaker)):
        constraints = []
        for _, _, why in cycle:
            if why not in constraints:
                constraints.append(why)
        names = sorted({a for a, _, _ in cycle})
        first, *others = constraints
        yield Finding(first.span, f"ordering cycle between {', '.join(f'`{n}`' for n in names)}: none of them can start",
                      labels=tuple(Label(o.span, "part of the cycle") for o in others),
                      help="remove one ordering so the resources start in one direction", path=first.path_of())


def _mandatory(score: str | None) -> int:
    text = (score or "INFINITY").lstrip("+")
    return 1 if text == "INFINITY" else -1 if text == "-INFINITY" else 0


@rule("HA211", "colocation-conflict", Severity.ERROR, layer="pacemaker")
def colocation_conflict(cluster) -> Iterator[Finding]:
    """Two colocations demand that two resources run together and apart.

    ## What it checks
    No pair of resources has both a mandatory colocation (`INFINITY`) and a
    mandatory anti-colocation (`-INFINITY`).

    ## Why it matters
    Pacemaker cannot satisfy both and stops one of the resources for good.

    ## Example
    ```
    colocation web-with-db web with db
    colocation web-apart db web with db score=-INFINITY
    ```

    ## Fix
    Keep the one you mean.

    ## References
    Pacemaker Explained, "Colocation Constraints".
    """
    seen: dict[frozenset, tuple[int, Colocation]] = {}
    for constraint in cluster.pacemaker.constraints:
        if not isinstance(constraint, Colocation) or constraint.sets:
            continue
        sign = _mandatory(constraint.score)
        if sign == 0 or not constraint.resource or not constraint.with_:
            continue
        key = frozenset((constraint.resource, constraint.with_))
        if key in seen and seen[key][0] == -sign:
            other = seen[key][1]
            yield Finding(constraint.span, f"`{constraint.resource}` and `{constraint.with_}` must both run together and apart",
                          labels=(Label(other.span, "the contradicting colocation"),),
                          help="remove one of the two colocations", path=constraint.path_of())
        seen.setdefault(key, (sign, constraint))


@rule("HA222", "leftover-cli-constraint", Severity.WARNING, layer="pacemaker")
def leftover_cli_constraint(cluster) -> Iterator[Finding]:
    """A constraint named like those `pcs resource move` and `crm resource ban` leave behind.

    ## What it checks
    No constraint is named `cli-ban-...`, `cli-prefer-...` or
    `cli-standby-...`.

    ## Why it matters
    Those constraints are meant to be temporary; kept in the source they pin
    a resource to (or away from) a node long after the maintenance.

    ## Example
    ```
    location cli-prefer-web web prefers a
    ```

    ## Fix
    Remove it, or give a permanent constraint a name that says why it exists.

    ## References
    pcs `_move_constraints_warnings`; Trento FA37C7.
    """
    for constraint in cluster.pacemaker.constraints:
        if constraint.name.startswith(("cli-ban-", "cli-prefer-", "cli-standby-")):
            yield Finding(constraint.span_of("name"), f"`{constraint.name}` looks like a leftover of a resource move or ban",
                          help="remove it, or rename it after the reason it exists", path=constraint.path_of("name"))


def _group_of(pacemaker) -> dict[str, Group]:
    return {m: g for g in pacemaker.resources if isinstance(g, Group) for m in g.members}


@rule("HA223", "order-within-group", Severity.ERROR, layer="pacemaker")
def order_within_group(cluster) -> Iterator[Finding]:
    """An order constraint between two members of one group.

    ## What it checks
    `order` constraints do not relate two members of the same group.

    ## Why it matters
    A group already starts its members in the order written; a second order
    either repeats it or contradicts it.

    ## Example
    ```
    group g vip web
    order web-first web then vip
    ```

    ## Fix
    Reorder the group's members instead.

    ## References
    pcs `CannotSetOrderConstraintsForResourcesInTheSameGroup`.
    """
    groups = _group_of(cluster.pacemaker)
    for constraint in cluster.pacemaker.constraints:
        if isinstance(constraint, Order) and constraint.first and constraint.then:
            group = groups.get(constraint.first)
            if group is not None and groups.get(constraint.then) is group:
                yield Finding(constraint.span, f"`{constraint.first}` and `{constraint.then}` are both in group `{group.name}`",
                              labels=(Label(group.span, "the group orders them already"),),
                              help="change the order of the group's members instead", path=constraint.path_of())


@rule("HA224", "constraint-on-group-member", Severity.WARNING, layer="pacemaker")
def constraint_on_group_member(cluster) -> Iterator[Finding]:
    """A colocation or location names one member of a group.

    ## What it checks
    `location` and `colocation` constraints name the group, not one of its
    members.

    ## Why it matters
    A group moves as a whole; a constraint on one member drags the group in
    ways that are hard to read, or cannot be met because the group's other
    members pull elsewhere.

    ## Example
    ```
    group webgroup vip web
    location web-on-a web prefers a
    ```

    ## Fix
    Name the group: `location web-on-a webgroup prefers a`.

    ## References
    crmsh (warning on constraints referencing group members).
    """
    groups = _group_of(cluster.pacemaker)
    for constraint in cluster.pacemaker.constraints:
        if isinstance(constraint, Order):
            continue
        for field, name in constraint.resources():
            if field == "sets" or name not in groups:
                continue
            group = groups[name]
            if isinstance(constraint, Colocation) and groups.get(constraint.with_ if field == "resource" else constraint.resource) is group:
                continue
            yield Finding(constraint.span_of(field), f"`{name}` is a member of group `{group.name}`",
                          help=f"name the group `{group.name}` instead", path=constraint.path_of(field))
