"""cib.xml: the Pacemaker configuration, built with lxml.

Ids follow pcs: `<resource>-instance_attributes-<name>` for parameters,
`<resource>-<op>-interval-<interval>` for operations, `cib-bootstrap-options-
<name>` for cluster properties. An IdProvider books every id so a generated
id never collides with a name the user chose; lxml escapes every value.
"""

from __future__ import annotations

import re

from hacc.emit.context import EmitContext, Output
from hacc.model.pacemaker import (
    Clone,
    Colocation,
    Fence,
    Group,
    Location,
    Order,
    Primitive,
)

# Pacemaker 2.1: the oldest schema with the Promoted/Unpromoted role names,
# which 2.1.0 introduced, so every 2.1.x release validates it (2.1.5 knows
# up to 3.9 and rejects 3.10). Pacemaker 3.x: its own major schema, 4.0, into
# which 3.x would otherwise upgrade an older CIB on first write.
SCHEMA_FOR_PACEMAKER_2 = "pacemaker-3.7"
SCHEMA_FOR_PACEMAKER_3 = "pacemaker-4.0"


def schema_for(target: tuple[int, ...]) -> str:
    """The validate-with value the target Pacemaker accepts without upgrading."""
    return SCHEMA_FOR_PACEMAKER_3 if target >= (3, 0) else SCHEMA_FOR_PACEMAKER_2
_ID_BAD = re.compile(r"[^A-Za-z0-9_.-]")
# cib > configuration > resources > (each resource)
_RESOURCES_DEPTH = 3
# Stands in the document for the resources serialized on their own. Only
# hacc writes comments into the tree, and any value's `<` is escaped.
_PLACEHOLDER = "hacc:resources"


class IdProvider:
    """Hands out unique XML ids, suffixing `-1`, `-2`, ... on collision."""

    def __init__(self, reserved) -> None:
        self.used = set(reserved)

    def make(self, *parts: str) -> str:
        base = _ID_BAD.sub("-", "-".join(p for p in parts if p))
        if base[0].isdigit() or base[0] in "-.":
            base = "_" + base
        candidate, counter = base, 0
        while candidate in self.used:
            counter += 1
            candidate = f"{base}-{counter}"
        self.used.add(candidate)
        return candidate


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Builder:
    def __init__(self, ctx: EmitContext) -> None:
        from lxml import etree

        self.E = etree
        self.ctx = ctx
        pacemaker = ctx.cluster.pacemaker
        self.ids = IdProvider([r.name for r in pacemaker.resources] + [c.name for c in pacemaker.constraints])

    def sub(self, parent, tag: str, **attributes):
        attrib = {(key if key == "id" else key.replace("_", "-")): _text(value)
                  for key, value in attributes.items() if value is not None}
        return self.E.SubElement(parent, tag, attrib)

    def nvset(self, parent, tag: str, owner: str, values: dict, element=None, field: str | None = None):
        if not values:
            return None
        set_id = self.ids.make(owner, tag)
        nvset = self.sub(parent, tag, id=set_id)
        for name, value in values.items():
            span = element.span_of(field, name) if element is not None and field else None
            text = self.ctx.reveal(value, span) if span is not None else _text(value)
            self.sub(nvset, "nvpair", id=self.ids.make(set_id, name), name=name, value=text)
        return nvset

    # -- configuration sections -------------------------------------------------

    def crm_config(self, parent) -> None:
        crm_config = self.sub(parent, "crm_config")
        properties = self.ctx.cluster.pacemaker.properties
        if properties:
            self.nvset(crm_config, "cluster_property_set", "cib-bootstrap-options", properties)
            # pcs names the set `cib-bootstrap-options` exactly.
            crm_config[0].set("id", "cib-bootstrap-options")
            for nvpair in crm_config[0]:
                nvpair.set("id", f"cib-bootstrap-options-{nvpair.get('name')}")

    def nodes(self, parent) -> None:
        nodes = self.sub(parent, "nodes")
        for node in self.ctx.cluster.nodes:
            element = self.sub(nodes, "node", id=str(node.id), uname=node.name)
            self.nvset(element, "instance_attributes", f"nodes-{node.id}", node.attributes)

    def primitive(self, parent, resource: Primitive) -> None:
        cls, provider, kind = resource.agent_parts
        element = self.sub(parent, "primitive", id=resource.name, **{"class": cls}, provider=provider, type=kind)
        params = dict(resource.params)
        if isinstance(resource, Fence) and resource.fence_for and "pcmk_host_list" not in params:
            params["pcmk_host_list"] = " ".join(resource.fence_for)
        self.nvset(element, "instance_attributes", resource.name, params, resource, "params")
        self.nvset(element, "meta_attributes", resource.name, resource.meta)
        if resource.ops:
            operations = self.sub(element, "operations")
            for op in resource.ops:
                interval = op.interval.text() if op.interval is not None else "0s"
                attributes = {key: op.extra[key] for key in op.XML_ATTRIBUTES if key in op.extra}
                op_element = self.sub(
                    operations,
                    "op",
                    id=self.ids.make(resource.name, op.name, "interval", interval),
                    name=op.name,
                    interval=interval,
                    timeout=op.timeout.text() if op.timeout else None,
                    start_delay=op.start_delay.text() if op.start_delay else None,
                    **{k.replace("-", "_"): v for k, v in attributes.items()},
                )
                instance = {k: v for k, v in op.extra.items() if k not in op.XML_ATTRIBUTES}
                self.nvset(op_element, "instance_attributes", op_element.get("id"), instance)

    def resources(self, parent) -> list[bytes]:
        """The `resources` section, serialized one top-level resource at a
        time: a whole tree of 10,000 resources held 60 MB in libxml2, a
        fifth of a big build's memory, for a 6 MB file. `parent` gets a
        placeholder that `document` replaces with the returned text."""
        pacemaker = self.ctx.cluster.pacemaker
        resources = self.sub(parent, "resources")
        contained = set(pacemaker.parents())
        holder = self.E.Element("resources")
        pieces = []
        for resource in pacemaker.resources:
            if resource.name not in contained:
                self.resource(holder, resource)
                pieces.append(self._pretty(holder[0], _RESOURCES_DEPTH))
                del holder[0]
        if pieces:
            resources.append(self.E.Comment(_PLACEHOLDER))
        return pieces

    def _pretty(self, element, depth: int) -> bytes:
        """`element` as pretty printing the whole document would show it
        at `depth`: libxml2 indents by two spaces a level."""
        text = self.E.tostring(element, pretty_print=True, encoding="UTF-8")
        indent = b"  " * depth
        return b"".join(indent + line + b"\n" for line in text.split(b"\n")[:-1])

    def resource(self, parent, resource) -> None:
        pacemaker = self.ctx.cluster.pacemaker
        if isinstance(resource, Primitive):
            self.primitive(parent, resource)
        elif isinstance(resource, Group):
            group = self.sub(parent, "group", id=resource.name)
            self.nvset(group, "meta_attributes", resource.name, resource.meta)
            for member in resource.members:
                self.resource(group, pacemaker.resource(member))
        elif isinstance(resource, Clone):
            clone = self.sub(parent, "clone", id=resource.name)
            meta = dict(resource.meta)
            if resource.promotable:
                meta = {"promotable": "true", **meta}
            self.nvset(clone, "meta_attributes", resource.name, meta)
            self.resource(clone, pacemaker.resource(resource.resource))

    def constraints(self, parent) -> None:
        pacemaker = self.ctx.cluster.pacemaker
        constraints = self.sub(parent, "constraints")
        for resource in pacemaker.resources:
            if isinstance(resource, Fence):
                for node in resource.fence_for:
                    # A device must not run on the node it fences: that node
                    # could not fence itself once it is in trouble.
                    self.sub(constraints, "rsc_location", id=self.ids.make("location", resource.name, node, "-INFINITY"),
                             rsc=resource.name, node=node, score="-INFINITY")
        for constraint in pacemaker.constraints:
            if isinstance(constraint, Location):
                self.location(constraints, constraint)
            elif isinstance(constraint, Colocation):
                self.colocation(constraints, constraint)
            elif isinstance(constraint, Order):
                self.order(constraints, constraint)

    def location(self, parent, constraint: Location) -> None:
        common = {"rsc": constraint.resource, "role": constraint.role, "resource_discovery": constraint.resource_discovery}
        if constraint.rule is not None:
            element = self.sub(parent, "rsc_location", id=constraint.name, **common)
            rule = constraint.rule
            rule_id = self.ids.make(constraint.name, "rule")
            rule_element = self.sub(element, "rule", id=rule_id, score=rule.score or "INFINITY", role=rule.role,
                                    boolean_op=rule.boolean_op if len(rule.expressions) > 1 else None)
            for expression in rule.expressions:
                self.sub(rule_element, "expression", id=self.ids.make(rule_id, "expr"), attribute=expression.attribute,
                         operation=expression.operation, value=expression.value)
            return
        scores = constraint.node_scores()
        for node, score in scores:
            constraint_id = constraint.name if len(scores) == 1 else self.ids.make(constraint.name, node)
            self.sub(parent, "rsc_location", id=constraint_id, rsc=constraint.resource, node=node, score=score,
                     role=constraint.role, resource_discovery=constraint.resource_discovery)

    def resource_sets(self, element, owner: str, sets) -> None:
        for index, resource_set in enumerate(sets, start=1):
            set_element = self.sub(element, "resource_set", id=self.ids.make(owner, "set", str(index)),
                                   sequential=resource_set.sequential, require_all=resource_set.require_all,
                                   role=resource_set.role, action=resource_set.action, ordering=resource_set.ordering)
            for name in resource_set.resources:
                self.sub(set_element, "resource_ref", id=name)

    def colocation(self, parent, constraint: Colocation) -> None:
        element = self.sub(parent, "rsc_colocation", id=constraint.name, rsc=constraint.resource,
                           with_rsc=constraint.with_, score=constraint.score or "INFINITY",
                           rsc_role=constraint.rsc_role, with_rsc_role=constraint.with_rsc_role,
                           influence=constraint.influence, node_attribute=constraint.node_attribute)
        self.resource_sets(element, constraint.name, constraint.sets)

    def order(self, parent, constraint: Order) -> None:
        element = self.sub(parent, "rsc_order", id=constraint.name, first=constraint.first, then=constraint.then,
                           kind=constraint.kind, symmetrical=constraint.symmetrical,
                           first_action=constraint.first_action, then_action=constraint.then_action,
                           require_all=constraint.require_all)
        self.resource_sets(element, constraint.name, constraint.sets)

    def defaults(self, parent) -> None:
        pacemaker = self.ctx.cluster.pacemaker
        for tag, values in (("rsc_defaults", pacemaker.rsc_defaults), ("op_defaults", pacemaker.op_defaults)):
            if values:
                section = self.sub(parent, tag)
                self.nvset(section, "meta_attributes", tag, values)

    def fencing_topology(self, parent) -> None:
        levels = self.ctx.cluster.pacemaker.fencing_levels
        if not levels:
            return
        topology = self.sub(parent, "fencing-topology")
        for level in levels:
            self.sub(topology, "fencing-level", id=self.ids.make("fl", level.target, str(level.index)),
                     target=level.target, index=str(level.index), devices=",".join(level.devices))

    def document(self) -> tuple[bytes, ...]:
        cib = self.E.Element("cib")
        for key, value in (("validate-with", schema_for(self.ctx.cluster.targets.pacemaker)), ("epoch", "1"), ("num_updates", "0"), ("admin_epoch", "0")):
            cib.set(key, value)
        configuration = self.sub(cib, "configuration")
        self.crm_config(configuration)
        self.nodes(configuration)
        pieces = self.resources(configuration)
        self.constraints(configuration)
        self.defaults(configuration)
        self.fencing_topology(configuration)
        self.sub(cib, "status")
        comment = self.E.Comment(f" {self.ctx.header} ")
        head = b'<?xml version="1.0" encoding="UTF-8"?>\n' + self.E.tostring(comment) + b"\n"
        body = self.E.tostring(cib, pretty_print=True, xml_declaration=False, encoding="UTF-8")
        if not pieces:
            return head, body
        # The file's parts (Output.parts): no copy of the whole document.
        placeholder = b"  " * _RESOURCES_DEPTH + b"<!--" + _PLACEHOLDER.encode() + b"-->\n"
        before, found, after = body.partition(placeholder)
        assert found, "the resources placeholder is missing from the CIB"
        return head, before, b"".join(pieces), after


def emit(ctx: EmitContext) -> list[Output]:
    if ctx.cluster.pacemaker is None:
        return []
    ctx.begin_file()
    parts = _Builder(ctx).document()
    return [Output("cib.xml", parts, "cib", secret=ctx.file_holds_secret, unresolved=ctx.file_unresolved)]
