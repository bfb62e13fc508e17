"""HA217-HA220, HA225: Pacemaker option names and values, checked against
the options the target Pacemaker documents (its own metadata)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hacc.checks.helpers import property_of
from hacc.checks.registry import Finding, rule
from hacc.checks.vocabulary import (
    CLONE_META,
    FENCING_RENAMES,
    META_RENAMES,
    OP_DEFAULTS,
    PRIMITIVE_META,
    ROLE_RENAMES,
    cluster_options,
)
from hacc.diagnostics.model import Severity
from hacc.diagnostics.suggest import suggest
from hacc.model.pacemaker import Clone, Colocation, Location, Order
from hacc.model.values import Duration
from hacc.targets import show

# Options Pacemaker sets itself; writing them by hand is overwritten or
# confuses the controller (pcs READONLY_CLUSTER_PROPERTY_LIST).
READ_ONLY = frozenset({"cluster-infrastructure", "cluster-name", "dc-version", "have-watchdog", "last-lrm-refresh"})


@rule("HA217", "unknown-cluster-property", Severity.ERROR, layer="pacemaker")
def unknown_cluster_property(cluster) -> Iterator[Finding]:
    """A cluster property the target Pacemaker does not know, or one it sets itself.

    ## What it checks
    Every `property` name is a cluster option of the target Pacemaker
    (as its daemons' metadata lists them), and not one Pacemaker maintains
    itself (`dc-version`, `cluster-name`, `have-watchdog`, ...).

    ## Why it matters
    crm_verify accepts unknown properties silently: a misspelt
    `stonith-enabeld=false` changes nothing while the author believes it
    did. `fencing-enabled` is Pacemaker 3.0.2's name; Pacemaker 2.1 ignores
    it.

    ## Example
    ```
    property no-quorum-polcy=freeze
    ```

    ## Fix
    Use the name the message suggests, or set the target version in
    `[tool.hacc.target]`.

    ## References
    pcs `validate_set_cluster_properties`; crmsh `CibProperty.check_sanity`;
    `pacemaker-schedulerd metadata`.
    """
    pacemaker = cluster.pacemaker
    target = cluster.targets.pacemaker
    known = cluster_options(target)
    renamed_back = {new: old for old, new in FENCING_RENAMES.items()}
    for name in pacemaker.properties:
        span, path = pacemaker.span_of("properties", name, "<key>"), pacemaker.path_of("properties", name)
        if name in READ_ONLY:
            yield Finding(span, f"`{name}` is set by Pacemaker itself", help="remove it", path=path)
        elif name not in known:
            if name in renamed_back:
                help = f"Pacemaker {show(target)} calls it `{renamed_back[name]}` (`{name}` is the 3.0.2 name)"
            else:
                close = suggest(name, known)
                help = f"did you mean `{close}`?" if close else "`pacemaker-schedulerd metadata` lists the cluster options"
            yield Finding(span, f"`{name}` is not a cluster option of Pacemaker {show(target)}", help=help, path=path)


def _meta_sets(pacemaker):
    for resource in pacemaker.resources:
        allowed = PRIMITIVE_META | (CLONE_META if isinstance(resource, Clone) else set())
        yield resource, "meta", resource.meta, allowed
    yield pacemaker, "rsc_defaults", pacemaker.rsc_defaults, PRIMITIVE_META | CLONE_META
    yield pacemaker, "op_defaults", pacemaker.op_defaults, OP_DEFAULTS


@rule("HA218", "unknown-meta-attribute", Severity.WARNING, layer="pacemaker")
def unknown_meta_attribute(cluster) -> Iterator[Finding]:
    """A meta attribute Pacemaker does not know.

    ## What it checks
    Names in `meta`, `rsc_defaults` and `op_defaults` are meta attributes
    Pacemaker documents for that kind of element (clone options only on
    clones).

    ## Why it matters
    An unknown meta attribute is ignored without a word: `resource-stickyness`
    leaves every resource free to move back.

    ## Example
    ```
    rsc_defaults resource-stickyness=100
    ```

    ## Fix
    Use the name the message suggests.

    ## References
    Pacemaker Explained, "Resource Meta-Attributes" and "Clone Options";
    crmsh `sanity_check_meta`; pcs `MetaAttrsUnknownToPcmk`.
    """
    for owner, field, values, allowed in _meta_sets(cluster.pacemaker):
        for name in values:
            if name not in allowed:
                close = suggest(name, allowed)
                where = f"`{owner.name}`" if field == "meta" else f"`{field}`"
                yield Finding(owner.span_of(field, name, "<key>"),
                              f"`{name}` is not a meta attribute Pacemaker knows for {where}",
                              help=f"did you mean `{close}`?" if close else "see Pacemaker Explained, Resource Meta-Attributes",
                              path=owner.path_of(field, name))


def _roles(pacemaker):
    """(element, field, key path, role) for every role written anywhere."""
    for resource in pacemaker.primitives():
        for op in resource.ops:
            if "role" in op.extra:
                yield op, ("extra", "role"), op.extra["role"]
    for constraint in pacemaker.constraints:
        if isinstance(constraint, Location):
            if constraint.role:
                yield constraint, ("role",), constraint.role
            if constraint.rule and constraint.rule.role:
                yield constraint.rule, ("role",), constraint.rule.role
        if isinstance(constraint, Colocation):
            for field in ("rsc_role", "with_rsc_role"):
                if getattr(constraint, field):
                    yield constraint, (field,), getattr(constraint, field)
        for resource_set in getattr(constraint, "sets", []):
            if resource_set.role:
                yield resource_set, ("role",), resource_set.role


@rule("HA219", "deprecated-name", Severity.WARNING, layer="pacemaker")
def deprecated_name(cluster) -> Iterator[Finding]:
    """A name the target Pacemaker deprecates or no longer accepts.

    ## What it checks
    Roles `Master`/`Slave` (use `Promoted`/`Unpromoted`; removed in
    Pacemaker 3.0), meta attributes `master-max`/`master-node-max` (use
    `promoted-max`/`promoted-node-max`), `stonith-action=poweroff` (use
    `off`), `no-quorum-policy=suicide` on 3.0 (use `fence`), `require-all`
    on an order constraint (use the clone's `clone-min` meta attribute), and
    from Pacemaker 3.0.2 the `stonith-*` options (renamed `fencing-*`).

    ## Why it matters
    Deprecated names make crm_verify exit with warnings (breaking automation
    that treats exit 78 as failure), and names removed in 3.0 make the CIB
    invalid there.

    ## Example
    ```
    op monitor interval=10s role=Master
    ```

    ## Fix
    Use the new name the message gives.

    ## References
    Pacemaker 2.1.0 and 3.0.2 ChangeLog; crmsh PR #1434; crm_verify 2.1.5
    ("Support for require-all in ordering constraints is deprecated").
    """
    pacemaker = cluster.pacemaker
    target = cluster.targets.pacemaker
    removed = target >= (3, 0)
    severity = Severity.ERROR if removed else None
    for element, key, role in _roles(pacemaker):
        if role in ROLE_RENAMES:
            yield Finding(element.span_of(*key), f"role `{role}` is deprecated" + (" and removed in Pacemaker 3.0" if removed else ""),
                          help=f"write `{ROLE_RENAMES[role]}`", severity=severity, path=element.path_of())
    for resource in pacemaker.resources:
        for name in resource.meta:
            if name in META_RENAMES:
                yield Finding(resource.span_of("meta", name), f"meta attribute `{name}` is deprecated",
                              help=f"write `{META_RENAMES[name]}`", severity=severity, path=resource.path_of("meta", name))
    for constraint in pacemaker.constraints:
        if isinstance(constraint, Order) and constraint.require_all is not None:
            yield Finding(constraint.span_of("require_all"), "`require-all` on an order constraint is deprecated",
                          help="remove it, and set `clone-min` in the meta attributes of the clone it waits for",
                          path=constraint.path_of("require-all"))
    for name, value in pacemaker.properties.items():
        span, path = pacemaker.span_of("properties", name), pacemaker.path_of("properties", name)
        if name in FENCING_RENAMES and target >= (3, 0, 2):
            yield Finding(span, f"`{name}` is deprecated in Pacemaker {show(target)}", help=f"write `{FENCING_RENAMES[name]}`", path=path)
        if name in ("stonith-action", "fencing-action") and value == "poweroff":
            yield Finding(span, "`poweroff` is a deprecated spelling of `off`", help=f"write `{name}=off`", path=path)
        if name == "no-quorum-policy" and value == "suicide" and removed:
            yield Finding(span, "`suicide` is called `fence` in Pacemaker 3.0", help="write `no-quorum-policy=fence`", path=path)


_INTEGER = re.compile(r"[+-]?[0-9]+\Z")


def _value_problem(kind: str, value: str, entry: dict) -> str | None:
    if kind == "boolean" and value.lower() not in {"true", "false", "yes", "no", "on", "off", "1", "0", "y", "n"}:
        return "expected true or false"
    if kind == "integer" and not _INTEGER.match(value):
        return "expected a whole number"
    if kind in ("time", "duration"):
        text = value + "s" if value.isdigit() else value.replace("min", "m").replace("sec", "s")
        try:
            Duration.parse(text)
        except ValueError:
            return "expected a duration such as `60s`"
    if kind == "select" and entry.get("values") and value not in entry["values"]:
        return "expected one of " + ", ".join(f"`{v}`" for v in entry["values"])
    return None


@rule("HA220", "invalid-property-value", Severity.ERROR, layer="pacemaker")
def invalid_property_value(cluster) -> Iterator[Finding]:
    """A cluster property with a value of the wrong kind.

    ## What it checks
    Boolean, integer, duration and enumerated cluster options get a value of
    their kind, as the target Pacemaker's metadata declares them.

    ## Why it matters
    Pacemaker replaces an invalid value with the default and only logs it:
    `no-quorum-policy=fence` on Pacemaker 2.1 silently becomes `stop`.

    ## Example
    ```
    property no-quorum-policy=fence
    ```

    ## Fix
    Use one of the values the message lists.

    ## References
    crm_verify ("Using default value for cluster option ... because ... is
    invalid"); `pacemaker-schedulerd metadata`.
    """
    pacemaker = cluster.pacemaker
    known = cluster_options(cluster.targets.pacemaker)
    for name, value in pacemaker.properties.items():
        entry = known.get(name)
        if entry is None:
            continue
        problem = _value_problem(entry.get("type", "string"), str(value), entry)
        if problem:
            yield Finding(pacemaker.span_of("properties", name), f"`{value}` is not a valid value for `{name}`", help=problem,
                          path=pacemaker.path_of("properties", name))


@rule("HA225", "ignore-quorum-with-two-node", Severity.WARNING, layer="pacemaker")
def ignore_quorum_with_two_node(cluster) -> Iterator[Finding]:
    """`no-quorum-policy=ignore` together with corosync's `two_node`.

    ## What it checks
    A cluster that sets `two_node` does not also set
    `no-quorum-policy=ignore`.

    ## Why it matters
    `two_node` already keeps quorum on the surviving node; `ignore` adds
    nothing but makes a node that starts alone (or is cut off during start)
    run every resource without waiting for its peer.

    ## Example
    ```
    corosync { quorum { two_node yes } }
    pacemaker { property no-quorum-policy=ignore }
    ```

    ## Fix
    Remove `no-quorum-policy=ignore`.

    ## References
    SUSE/doc-sleha PR #80.
    """
    pacemaker = cluster.pacemaker
    quorum = cluster.corosync.quorum if cluster.corosync else None
    name, value = property_of(pacemaker, "no-quorum-policy")
    if name and value == "ignore" and quorum and quorum.two_node:
        yield Finding(pacemaker.span_of("properties", name), "`no-quorum-policy=ignore` with `two_node`",
                      help="remove `no-quorum-policy=ignore`: `two_node` already keeps the survivor quorate",
                      path=pacemaker.path_of("properties", name))

