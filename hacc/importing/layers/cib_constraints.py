"""CIB constraints -> `pacemaker.constraints`: locations (node scores or a
rule), colocations and orders (two resources or resource sets); and the
fencing topology -> `pacemaker.fencing_levels`.

A constraint is imported whole or not at all: one that refers to something
hacc did not import (a tag, a template, a resource it could not read), or
whose meaning needs what hacc cannot write (a lifetime, a date rule, a
resource pattern), is reported and left out, never imported half-way.
"""

from __future__ import annotations

import re

from hacc.importing.layers.cib_context import CibReader, Piece
from hacc.importing.layers.cib_resources import ROLES
from hacc.model.formats import check_id, check_name, check_text

ACTIONS = ("start", "stop", "promote", "demote")
OPERATIONS = ("eq", "ne", "lt", "gt", "lte", "gte", "defined", "not_defined")
COMPARISONS = ("lt", "gt", "lte", "gte")
_ATTRIBUTE_NAME = re.compile(r"#?[A-Za-z_][A-Za-z0-9_.-]*\Z")


class Skip(Exception):
    """The constraint cannot be imported; the reason was reported."""


class ConstraintImporter:
    def __init__(self, reader: CibReader, resources: set[str]) -> None:
        self.reader = reader
        self.resources = resources
        self.names = set(resources)
        self.pieces: list[Piece] = []

    def read(self, constraints) -> list[Piece]:
        handlers = {"rsc_location": self.location, "rsc_colocation": self.colocation, "rsc_order": self.order}
        for child in constraints:
            if child.tag in handlers:
                try:
                    handlers[child.tag](child)
                except Skip:
                    pass
            elif child.tag == "rsc_ticket":
                self.reader.lost(child, f"ticket constraint {self.reader.label(child)}: hacc has no tickets (booth)",
                                 help="keep managing tickets by hand after deploying")
            else:
                self.reader.unknown_child(child, constraints)
        return self.pieces

    # -- shared -------------------------------------------------------------

    def start(self, element, kind: str) -> Piece:
        reader = self.reader
        name = reader.id_of(element, f"the {kind} constraint id")
        if name is None:
            raise Skip
        for child in element:
            if child.tag == "lifetime":
                self.skip(child, f"`{name}` has a lifetime, which hacc cannot express; the constraint is not imported",
                          help="if it should hold for good, write it without the lifetime")
        self.names.add(name)
        piece = Piece({"type": kind, "name": name}, element)
        piece.mark((), reader.span(element))
        piece.mark(("name",), reader.attr_span(element, "id"))
        return piece

    def skip(self, element, message: str, help: str | None = None, attr: str | None = None):
        self.reader.lost(element, message, help=help, attr=attr)
        raise Skip

    def resource(self, element, attr: str, piece: Piece, key: tuple) -> str:
        name = element.get(attr)
        if name is None:
            self.skip(element, f"`{piece.name}` has no `{attr}`; the constraint is not imported")
        if name not in self.resources:
            self.skip(element, f"`{piece.name}` refers to `{name}`, which is not a resource hacc imported (a tag, a "
                      "template, or a resource reported above); the constraint is not imported", attr=attr)
        piece.mark(key, self.reader.attr_span(element, attr))
        return name

    def enum(self, element, attr: str, allowed, piece: Piece, key: str, where: tuple = ()) -> None:
        value = element.get(attr)
        if value is None:
            return
        if value not in allowed:
            self.skip(element, f"`{piece.name}`: `{attr}={value}` is not a value hacc can write", attr=attr)
        target = piece.value
        for part in where:
            target = target[part]
        target[key] = value
        piece.mark(where + (key,), self.reader.attr_span(element, attr))

    def boolean(self, element, attr: str, piece: Piece, target: dict, where: tuple = ()) -> None:
        value = self.reader.boolean(element, attr, f"`{piece.name}`: `{attr}`")
        if value is not None:
            target[attr] = value
            piece.mark(where + (attr,), self.reader.attr_span(element, attr))

    def unexpected(self, element, piece: Piece, handled, children=()) -> None:
        """Anything else on the constraint changes its meaning: skip it."""
        for attr in element.attrib:
            if attr not in handled and attr != "id":
                self.skip(element, f"`{piece.name}`: attribute `{attr}` has no equivalent in hacc; the constraint is "
                          "not imported", attr=attr)
        for child in element:
            if child.tag not in children:
                if isinstance(child.tag, str):
                    self.skip(child, f"`{piece.name}`: {self.reader.label(child)} has no equivalent in hacc; the "
                              "constraint is not imported")
                self.reader.unknown_child(child, element)

    def unique(self, base: str) -> str:
        name, counter = base, 1
        while name in self.names:
            counter += 1
            name = f"{base}-{counter}"
        self.names.add(name)
        return name

    # -- location -----------------------------------------------------------

    def location(self, element) -> None:
        reader = self.reader
        piece = self.start(element, "location")
        if element.get("rsc-pattern") is not None:
            self.skip(element, f"`{piece.name}` applies to resources by pattern, which hacc cannot express; the "
                      "constraint is not imported", attr="rsc-pattern")
        if element.find("resource_set") is not None:
            self.skip(element, f"`{piece.name}` places a resource set, which hacc's `location` cannot express; the "
                      "constraint is not imported", help="write one location per resource")
        self.unexpected(element, piece, {"rsc", "node", "score", "role", "resource-discovery"}, ("rule",))
        piece.value["resource"] = self.resource(element, "rsc", piece, ("resource",))
        rules = [child for child in element if child.tag == "rule"]
        if element.get("node") is not None and rules:
            self.skip(element, f"`{piece.name}` has both a node and a rule, which Pacemaker does not allow; the "
                      "constraint is not imported")
        if element.get("node") is not None:
            node = element.get("node")
            try:
                check_name(node)
            except ValueError:
                self.skip(element, f"`{piece.name}`: `{node}` is not a node name hacc can write", attr="node")
            score = reader.score(element, "score", f"`{piece.name}`: the score") if element.get("score") else None
            if score is None:
                self.skip(element, f"`{piece.name}` has a node but no usable score; the constraint is not imported")
            mode, value = ("avoids", score[1:]) if score.startswith("-") else ("prefers", score)
            piece.value[mode] = {node: value}
            piece.mark((mode,), reader.span(element))
            piece.mark((mode, node), reader.attr_span(element, "score"))
            piece.mark((mode, node, "<key>"), reader.attr_span(element, "node"))
        elif not rules:
            self.skip(element, f"`{piece.name}` has neither a node nor a rule; the constraint is not imported")
        self.enum(element, "role", ROLES, piece, "role")
        self.enum(element, "resource-discovery", ("always", "never", "exclusive"), piece, "resource-discovery")
        if not rules:
            self.pieces.append(piece)
            return
        parsed = [self.rule(rule, piece) for rule in rules]
        if len(parsed) > 1:
            reader.rewrote(rules[1], f"`{piece.name}` has {len(parsed)} rules: each becomes its own location "
                           "constraint, which scores the same")
        base_value, base_spans = dict(piece.value), dict(piece.spans)
        for index, (rule, spans) in enumerate(parsed):
            part = piece if index == 0 else Piece(dict(base_value), element, dict(base_spans))
            if index:
                part.value["name"] = self.unique(f"{piece.name}-{index + 1}")
            part.value["rule"] = rule
            for relative, span in spans.items():
                part.mark(("rule",) + relative, span)
            self.pieces.append(part)

    def rule(self, element, piece: Piece) -> tuple[dict, dict]:
        reader = self.reader
        target = reader.resolve(element, f"a rule of `{piece.name}`")
        if target is None:
            raise Skip
        what = f"the rule of `{piece.name}`"
        if target.get("score-attribute") is not None:
            self.skip(target, f"{what} takes its score from a node attribute, which hacc cannot express; the "
                      "constraint is not imported", attr="score-attribute")
        self.unexpected(target, piece, {"score", "boolean-op", "role"}, ("expression",))
        rule: dict = {}
        spans = {(): reader.span(target)}
        score = reader.score(target, "score", f"{what}: the score")
        if score is None:
            if target.get("score") is not None:
                raise Skip
            score = "0"
            reader.rewrote(target, f"{what} has no score, which Pacemaker counts as 0: written `score=0`")
        else:
            spans[("score",)] = reader.attr_span(target, "score")
        rule["score"] = score
        role = target.get("role")
        if role is not None:
            if role not in ROLES:
                self.skip(target, f"{what}: `role={role}` is not a role hacc can write", attr="role")
            rule["role"] = role
            spans[("role",)] = reader.attr_span(target, "role")
        expressions = [self.expression(child, what, piece) for child in target if child.tag == "expression"]
        if not expressions:
            self.skip(target, f"{what} has no expression; the constraint is not imported")
        operator = target.get("boolean-op", "and")
        if operator not in ("and", "or"):
            self.skip(target, f"{what}: `boolean-op={operator}` is not `and` or `or`", attr="boolean-op")
        if len(expressions) > 1:
            rule["boolean_op"] = operator
            spans[("boolean_op",)] = reader.attr_span(target, "boolean-op")
        rule["expressions"] = []
        for index, (expression, expression_spans) in enumerate(expressions):
            rule["expressions"].append(expression)
            for relative, span in expression_spans.items():
                spans[("expressions", index) + relative] = span
        return rule, spans

    def expression(self, element, what: str, piece: Piece) -> tuple[dict, dict]:
        reader = self.reader
        self.unexpected(element, piece, {"attribute", "operation", "value", "type", "value-source"})
        attribute, operation, value = element.get("attribute", ""), element.get("operation", ""), element.get("value")
        if not _ATTRIBUTE_NAME.match(attribute):
            self.skip(element, f"{what}: the node attribute `{attribute}` cannot be written in hacc", attr="attribute")
        if operation not in OPERATIONS:
            self.skip(element, f"{what}: `operation={operation}` is not one hacc can write", attr="operation")
        if element.get("value-source", "literal") != "literal":
            self.skip(element, f"{what} compares with a resource parameter (`value-source`), which hacc cannot "
                      "express; the constraint is not imported", attr="value-source")
        kind = element.get("type")
        default = ("number", "integer") if operation in COMPARISONS else ("string",)
        if kind is not None and operation not in ("defined", "not_defined") and kind not in default:
            self.skip(element, f"{what} compares as `{kind}`; hacc writes comparisons with Pacemaker's default type "
                      f"(`{default[0]}` for `{operation}`), so the constraint is not imported", attr="type")
        expression: dict = {"attribute": attribute, "operation": operation}
        spans = {(): reader.span(element), ("attribute",): reader.attr_span(element, "attribute"),
                 ("operation",): reader.attr_span(element, "operation")}
        if operation not in ("defined", "not_defined"):
            try:
                check_text(value or "")
                if not value:
                    raise ValueError("it is empty")
            except ValueError as problem:
                self.skip(element, f"{what}: the value cannot be carried over: {problem}", attr="value")
            expression["value"] = value
            spans[("value",)] = reader.attr_span(element, "value")
        return expression, spans

    # -- colocation and order -----------------------------------------------

    def colocation(self, element) -> None:
        piece = self.start(element, "colocation")
        self.unexpected(element, piece, {"rsc", "with-rsc", "score", "rsc-role", "with-rsc-role", "influence",
                                         "node-attribute"}, ("resource_set", "lifetime"))
        self.pair_or_sets(element, piece, ("rsc", "with-rsc"), ("resource", "with"))
        score = self.reader.score(element, "score", f"`{piece.name}`: the score")
        if score is None:
            if element.get("score") is not None:
                raise Skip
            score = "0"
            self.reader.rewrote(element, f"`{piece.name}` has no score, which Pacemaker counts as 0: written `score=0`")
        else:
            piece.mark(("score",), self.reader.attr_span(element, "score"))
        piece.value["score"] = score
        self.enum(element, "rsc-role", ROLES, piece, "rsc-role")
        self.enum(element, "with-rsc-role", ROLES, piece, "with-rsc-role")
        self.boolean(element, "influence", piece, piece.value)
        attribute = element.get("node-attribute")
        if attribute is not None:
            try:
                check_id(attribute)
            except ValueError:
                self.skip(element, f"`{piece.name}`: the node attribute `{attribute}` cannot be written in hacc",
                          attr="node-attribute")
            piece.value["node-attribute"] = attribute
            piece.mark(("node-attribute",), self.reader.attr_span(element, "node-attribute"))
        self.pieces.append(piece)

    def order(self, element) -> None:
        piece = self.start(element, "order")
        self.unexpected(element, piece, {"first", "then", "kind", "score", "symmetrical", "first-action",
                                         "then-action", "require-all"}, ("resource_set", "lifetime"))
        self.pair_or_sets(element, piece, ("first", "then"), ("first", "then"))
        self.enum(element, "kind", ("Mandatory", "Optional", "Serialize"), piece, "kind")
        score = element.get("score")
        if score is not None and "kind" in piece.value:
            self.reader.rewrote(element, f"`{piece.name}` has both a kind and a score; Pacemaker ignores the score, and "
                                "so does the import", attr="score")
        elif score is not None:
            parsed = self.reader.score(element, "score", f"`{piece.name}`: the score")
            if parsed is None:
                raise Skip
            piece.value["kind"] = "Optional" if parsed.lstrip("+-").lstrip("0") == "" else "Mandatory"
            piece.mark(("kind",), self.reader.attr_span(element, "score"))
            self.reader.rewrote(element, f"`{piece.name}`: the deprecated `score={score}` means "
                                f"`kind={piece.value['kind']}`", attr="score")
        self.boolean(element, "symmetrical", piece, piece.value)
        self.enum(element, "first-action", ACTIONS, piece, "first-action")
        self.enum(element, "then-action", ACTIONS, piece, "then-action")
        self.boolean(element, "require-all", piece, piece.value)
        self.pieces.append(piece)

    def pair_or_sets(self, element, piece: Piece, attrs: tuple[str, str], keys: tuple[str, str]) -> None:
        sets = [child for child in element if child.tag == "resource_set"]
        if sets:
            piece.value["sets"] = []
            piece.mark(("sets",), self.reader.span(element))
            for resource_set in sets:
                self.resource_set(resource_set, piece)
            return
        for attr, key in zip(attrs, keys):
            piece.value[key] = self.resource(element, attr, piece, (key,))

    def resource_set(self, element, piece: Piece) -> None:
        reader = self.reader
        target = reader.resolve(element, f"a resource set of `{piece.name}`")
        if target is None:
            raise Skip
        index = len(piece.value["sets"])
        where = ("sets", index)
        entry: dict = {"resources": []}
        piece.value["sets"].append(entry)
        piece.mark(where, reader.span(target))
        if target.get("score") is not None or target.get("kind") is not None:
            self.skip(target, f"`{piece.name}`: a resource set with its own score or kind cannot be written in hacc; "
                      "the constraint is not imported")
        self.unexpected(target, piece, {"sequential", "require-all", "ordering", "action", "role"}, ("resource_ref",))
        for ref in target:
            if ref.tag == "resource_ref":
                entry["resources"].append(self.resource(ref, "id", piece, where + ("resources", len(entry["resources"]))))
        if not entry["resources"]:
            self.skip(target, f"`{piece.name}`: an empty resource set")
        self.boolean(target, "sequential", piece, entry, where)
        self.boolean(target, "require-all", piece, entry, where)
        self.enum(target, "role", ROLES, piece, "role", where)
        self.enum(target, "action", ACTIONS, piece, "action", where)
        self.enum(target, "ordering", ("group", "listed"), piece, "ordering", where)
