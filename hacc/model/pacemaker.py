"""The Pacemaker layer of the model: cluster options, resources, fencing and
constraints."""

from __future__ import annotations

from dataclasses import field
from typing import Any, ClassVar

from hacc.model.values import Duration, Located, SecretRef, element


@element
class Op(Located):
    """An operation of a resource (monitor, start, stop ...) with its interval and timeout."""

    name: str = ""
    interval: Duration | None = None
    timeout: Duration | None = None
    start_delay: Duration | None = field(default=None, metadata={"json": "start-delay"})
    extra: dict[str, Any] = field(default_factory=dict, metadata={"rest": True})

    # Op attributes the CIB schema knows; anything else is an op instance
    # attribute such as OCF_CHECK_LEVEL.
    XML_ATTRIBUTES: ClassVar[tuple] = ("interval-origin", "role", "on-fail", "enabled", "record-pending", "description")


@element
class Resource(Located):
    """What every Pacemaker resource has: an id, meta attributes and operations."""

    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    VARIANTS: ClassVar[dict] = {}  # filled in below: JSON `type` -> class


@element
class Primitive(Resource):
    """A primitive resource: one resource agent instance."""

    agent: str = ""
    params: dict[str, str | SecretRef] = field(default_factory=dict)
    ops: list[Op] = field(default_factory=list)

    @property
    def agent_parts(self) -> tuple[str, str | None, str]:
        """(class, provider, type) of `ocf:heartbeat:IPaddr2` and friends."""
        parts = self.agent.split(":")
        if len(parts) == 3:
            return parts[0], parts[1], parts[2]
        return parts[0], None, ":".join(parts[1:])

    @property
    def is_fence(self) -> bool:
        return self.agent_parts[0] == "stonith"


@element
class Fence(Primitive):
    """A fencing device (a stonith primitive) and the nodes it can fence."""

    fence_for: list[str] = field(default_factory=list, metadata={"json": "for"})


@element
class Group(Resource):
    """A group: resources started in order on one node."""

    members: list[str] = field(default_factory=list)


@element
class Clone(Resource):
    """A clone, or a promotable clone, of a primitive or group."""

    resource: str = ""
    promotable: bool = False


Resource.VARIANTS = {"primitive": Primitive, "fence": Fence, "group": Group, "clone": Clone}


@element
class Expression(Located):
    """One expression of a rule: a node attribute compared with a value."""

    attribute: str = ""
    operation: str = "eq"
    value: str | None = None


@element
class Rule(Located):
    """A rule of a location constraint: a score and expressions joined by and/or."""

    score: str | None = None
    role: str | None = None
    boolean_op: str | None = None
    expressions: list[Expression] = field(default_factory=list)


@element
class ResourceSet(Located):
    """A resource set of a colocation or order constraint."""

    resources: list[str] = field(default_factory=list)
    sequential: bool | None = None
    require_all: bool | None = field(default=None, metadata={"json": "require-all"})
    role: str | None = None
    action: str | None = None
    ordering: str | None = None


@element
class Constraint(Located):
    """What every constraint has: an id."""

    name: str = ""

    VARIANTS: ClassVar[dict] = {}

    def resources(self) -> list[tuple[str, str]]:
        """(field name, resource name) for every resource it refers to."""
        raise NotImplementedError


@element
class Location(Constraint):
    """A location constraint: where a resource prefers or refuses to run."""

    resource: str = ""
    prefers: dict[str, str] = field(default_factory=dict)
    avoids: dict[str, str] = field(default_factory=dict)
    rule: Rule | None = None
    role: str | None = None
    resource_discovery: str | None = field(default=None, metadata={"json": "resource-discovery"})

    def resources(self) -> list[tuple[str, str]]:
        return [("resource", self.resource)]

    def node_scores(self) -> list[tuple[str, str]]:
        """(node, score) with `avoids` turned into negative scores."""
        out = list(self.prefers.items())
        for node, score in self.avoids.items():
            out.append((node, _negate(score)))
        return out


def _negate(score: str) -> str:
    if score.startswith("-"):
        return score[1:]
    return "-" + score.lstrip("+")


@element
class Colocation(Constraint):
    """A colocation constraint: resources that run together (or apart)."""

    resource: str | None = None
    with_: str | None = field(default=None, metadata={"json": "with"})
    sets: list[ResourceSet] = field(default_factory=list)
    score: str | None = None
    rsc_role: str | None = field(default=None, metadata={"json": "rsc-role"})
    with_rsc_role: str | None = field(default=None, metadata={"json": "with-rsc-role"})
    influence: bool | None = None
    node_attribute: str | None = field(default=None, metadata={"json": "node-attribute"})

    def resources(self) -> list[tuple[str, str]]:
        if self.sets:
            return [("sets", r) for s in self.sets for r in s.resources]
        return [("resource", self.resource or ""), ("with_", self.with_ or "")]


@element
class Order(Constraint):
    """An order constraint: what starts before what."""

    first: str | None = None
    then: str | None = None
    sets: list[ResourceSet] = field(default_factory=list)
    kind: str | None = None
    symmetrical: bool | None = None
    first_action: str | None = field(default=None, metadata={"json": "first-action"})
    then_action: str | None = field(default=None, metadata={"json": "then-action"})
    require_all: bool | None = field(default=None, metadata={"json": "require-all"})

    def resources(self) -> list[tuple[str, str]]:
        if self.sets:
            return [("sets", r) for s in self.sets for r in s.resources]
        return [("first", self.first or ""), ("then", self.then or "")]


Constraint.VARIANTS = {"location": Location, "colocation": Colocation, "order": Order}


@element
class FencingLevel(Located):
    """A fencing topology level: the devices tried, in order, for a node."""

    target: str = ""
    index: int = 1
    devices: list[str] = field(default_factory=list)


@element
class Pacemaker(Located):
    """The Pacemaker layer: cluster properties, resources, constraints and fencing."""

    properties: dict[str, Any] = field(default_factory=dict)
    rsc_defaults: dict[str, Any] = field(default_factory=dict)
    op_defaults: dict[str, Any] = field(default_factory=dict)
    resources: list[Resource] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    fencing_levels: list[FencingLevel] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_name: dict[str, Resource] = {}
        for resource in self.resources:
            self._by_name.setdefault(resource.name, resource)

    def resource(self, name: str) -> Resource | None:
        return self._by_name.get(name)

    def primitives(self) -> list[Primitive]:
        return [r for r in self.resources if isinstance(r, Primitive)]

    def fence_devices(self) -> list[Primitive]:
        return [r for r in self.primitives() if r.is_fence]

    def parents(self) -> dict[str, Resource]:
        """Resource name -> the group or clone that contains it."""
        out: dict[str, Resource] = {}
        for resource in self.resources:
            if isinstance(resource, Group):
                for member in resource.members:
                    out.setdefault(member, resource)
            elif isinstance(resource, Clone):
                out.setdefault(resource.resource, resource)
        return out
