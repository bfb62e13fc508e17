"""HA2xx rules: Pacemaker ids, references between resources, and how
resources nest."""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.helpers import duplicates
from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity
from hacc.diagnostics.suggest import did_you_mean
from hacc.model.pacemaker import Clone, Group, Primitive


@rule("HA201", "duplicate-id", Severity.ERROR, layer="pacemaker", fixed=True)
def duplicate_ids(cluster) -> Iterator[Finding]:
    """Two resources or constraints have the same name.

    ## What it checks
    Resources, fence devices, groups, clones and constraints all have
    different names.

    ## Why it matters
    The names become XML ids in the CIB, which share one namespace: the
    schema rejects a CIB with two equal ids.

    ## Example
    ```
    resource web ocf:heartbeat:apache
    group web vip
    ```

    ## Fix
    Rename one of them.

    ## References
    Pacemaker schema (IDs are unique across the CIB); pcs `validate_id`.
    """
    pacemaker = cluster.pacemaker
    elements = list(pacemaker.resources) + list(pacemaker.constraints)
    for first, later in duplicates(elements, lambda e: e.name):
        yield Finding(
            later.span_of("name"),
            f"`{later.name}` is already the name of another resource or constraint",
            labels=(Label(first.span_of("name"), "first used here"),),
            help="Pacemaker ids share one namespace: give each element its own name",
            path=later.path_of("name"),
        )


def _references(pacemaker) -> Iterator[tuple[object, tuple, str, str]]:
    """(element, span key, referenced name, what refers) for every resource
    reference."""
    for resource in pacemaker.resources:
        if isinstance(resource, Group):
            for index, member in enumerate(resource.members):
                yield resource, ("members", index), member, f"group `{resource.name}`"
        elif isinstance(resource, Clone):
            yield resource, ("resource",), resource.resource, f"clone `{resource.name}`"
    for constraint in pacemaker.constraints:
        for field, name in constraint.resources():
            if field == "sets":
                for s in constraint.sets:
                    for index, member in enumerate(s.resources):
                        yield s, ("resources", index), member, f"{type(constraint).__name__.lower()} `{constraint.name}`"
                break
            yield constraint, (field,), name, f"{type(constraint).__name__.lower()} `{constraint.name}`"


@rule("HA202", "undefined-resource", Severity.ERROR, layer="pacemaker", fixed=True)
def undefined_resources(cluster) -> Iterator[Finding]:
    """A group, clone, constraint or fencing level names a resource that is
    not defined.

    ## What it checks
    Every resource named in a `group`, `clone`, `promotable`, `location`,
    `colocation`, `order` or resource `set` is defined in the `pacemaker`
    block, and the devices of a `fencing_level` are fence devices.

    ## Why it matters
    The CIB schema rejects dangling references; a fencing level with an
    unknown device leaves the node unfenceable and crm_verify 2.1 does not
    notice.

    ## Example
    ```
    group webgroup vip web
    # but there is no `resource web`
    ```

    ## Fix
    Define the resource, or fix the name.

    ## References
    Pacemaker schema (IDREF); crmsh `CibFencingOrder.check_sanity`.
    """
    pacemaker = cluster.pacemaker
    names = [r.name for r in pacemaker.resources]
    known = set(names)
    for element, key, name, where in _references(pacemaker):
        if name not in known:
            yield Finding(
                element.span_of(*key),
                f"{where} names `{name}`, which is not defined",
                help=did_you_mean(name, known, "define it with `resource NAME AGENT { ... }`"),
                path=element.path_of(),
            )
    fences = {r.name for r in pacemaker.fence_devices()}
    for level in pacemaker.fencing_levels:
        for index, device in enumerate(level.devices):
            if device not in fences:
                what = "is not a fence device" if device in known else "is not defined"
                yield Finding(
                    level.span_of("devices", index),
                    f"fencing level device `{device}` {what}",
                    help=did_you_mean(device, fences, "name a `fence` device"),
                    path=level.path_of("devices", index),
                )


@rule("HA203", "invalid-nesting", Severity.ERROR, layer="pacemaker", fixed=True)
def invalid_nesting(cluster) -> Iterator[Finding]:
    """A resource is placed where Pacemaker does not allow it.

    ## What it checks
    Groups contain primitives only; a clone wraps one primitive or group;
    no resource belongs to two groups or clones; fence devices are not put
    in groups or clones.

    ## Why it matters
    The CIB cannot express the other shapes; fence devices in groups or
    clones are refused by pcs and behave surprisingly under Pacemaker.

    ## Example
    ```
    group g1 vip web
    group g2 web db
    ```

    ## Fix
    Put each resource in one container; use constraints to relate groups.

    ## References
    pcs ("Creating stonith resources in groups is no longer allowed", PR #386); Pacemaker schema.
    """
    pacemaker = cluster.pacemaker
    owner: dict[str, tuple[object, tuple]] = {}
    for container in pacemaker.resources:
        if isinstance(container, Group):
            members = [(m, ("members", i)) for i, m in enumerate(container.members)]
        elif isinstance(container, Clone):
            members = [(container.resource, ("resource",))]
        else:
            continue
        for name, key in members:
            child = pacemaker.resource(name)
            if child is None:
                continue
            span = container.span_of(*key)
            problem = None
            if isinstance(child, Primitive) and child.is_fence:
                problem = f"fence device `{name}` cannot be put in a {'group' if isinstance(container, Group) else 'clone'}"
            elif isinstance(container, Group) and not isinstance(child, Primitive):
                problem = f"group `{container.name}` can only contain primitives, and `{name}` is a {type(child).__name__.lower()}"
            elif isinstance(container, Clone) and isinstance(child, Clone):
                problem = f"clone `{container.name}` wraps `{name}`, which is already a clone"
            elif name in owner:
                previous, previous_key = owner[name]
                yield Finding(
                    span,
                    f"`{name}` is already in `{previous.name}`",
                    labels=(Label(previous.span_of(*previous_key), "placed here first"),),
                    help="a resource belongs to at most one group or clone",
                    path=container.path_of(),
                )
                continue
            if problem:
                yield Finding(span, problem, help="see docs/language.md for how resources nest", path=container.path_of())
            else:
                owner[name] = (container, key)


@rule("HA204", "constraint-on-clone-child", Severity.ERROR, layer="pacemaker", fixed=True)
def constraint_on_clone_child(cluster) -> Iterator[Finding]:
    """A constraint names a resource that is inside a clone.

    ## What it checks
    Constraints refer to the clone (or promotable clone), not to the
    resource it wraps.

    ## Why it matters
    Pacemaker rejects it: "... is not a valid resource or tag".

    ## Example
    ```
    clone web-clone web
    location web-on-a web prefers a
    ```

    ## Fix
    Name the clone: `location web-on-a web-clone prefers a`.

    ## References
    crm_verify; pcs `ResourceForConstraintIsMultiinstance`.
    """
    pacemaker = cluster.pacemaker
    cloned = {r.resource: r for r in pacemaker.resources if isinstance(r, Clone)}
    for element, key, name, where in _references(pacemaker):
        if isinstance(element, (Group, Clone)) or name not in cloned:
            continue
        clone = cloned[name]
        yield Finding(
            element.span_of(*key),
            f"{where} names `{name}`, which runs inside clone `{clone.name}`",
            help=f"name the clone `{clone.name}` instead",
            path=element.path_of(),
        )
