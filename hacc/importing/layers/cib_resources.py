"""CIB resources -> `pacemaker.resources`: primitives and fence devices
with their parameters, meta attributes and operations; groups; clones and
promotable clones (the legacy `<master>` too).

The list is in the order a reader declares things: a group's members and a
clone's resource come before the group or clone, and top-level resources
keep their CIB order, which is the order hacc writes them back in.
"""

from __future__ import annotations

import re

from hacc.importing.layers.cib_context import CibReader, Piece, parse_pacemaker_bool
from hacc.importing.layers.cib_nvsets import fill, read_nvsets
from hacc.model.formats import check_agent
from hacc.model.pacemaker import Op
from hacc.model.values import Duration

ROLES = ("Started", "Stopped", "Promoted", "Unpromoted", "Master", "Slave")
ON_FAIL = ("ignore", "block", "stop", "restart", "standby", "fence", "demote")
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")


def is_secret_param(name: str) -> bool:
    """`password`, `passwd`, `*_password`, `*passwd*`, but not the name of a
    script that prints one (fence agents' `passwd_script`)."""
    lowered = name.lower()
    if lowered.endswith("_script"):
        return False
    return lowered in ("password", "passwd") or lowered.endswith("_password") or "passwd" in lowered


def secret_hint(agent: str, resource: str, param: str) -> str:
    """A secret's name: by agent for fence devices, so every device of one
    kind shares the name (`IPMI_PASSWORD`), else by resource."""
    cls, _, kind = agent.partition(":")
    if cls == "stonith":
        short = kind.removeprefix("fence_")
        short = "ipmi" if short in ("ipmilan", "ipmilanplus") else short
        return f"{short}_{param}"
    return f"{resource}_{param}"


class ResourceImporter:
    def __init__(self, reader: CibReader) -> None:
        self.reader = reader
        self.pieces: list[Piece] = []

    def read(self, resources) -> list[Piece]:
        for child in resources:
            if child.tag in ("primitive", "group", "clone", "master"):
                self.resource(child)
            elif child.tag == "template":
                self.reader.lost(child, f"resource template {self.reader.label(child)}: hacc has no templates, so it "
                                 "and the primitives built from it are not imported",
                                 help="write each primitive in full in the .ha file")
            elif child.tag == "bundle":
                self.reader.lost(child, f"bundle {self.reader.label(child)}: hacc has no container bundles",
                                 help="keep managing the bundle by hand, outside the CIB hacc builds")
            else:
                self.reader.unknown_child(child, resources)
        return self.pieces

    def resource(self, element) -> Piece | None:
        handler = {"primitive": self.primitive, "group": self.group, "clone": self.clone, "master": self.clone}
        piece = handler[element.tag](element)
        if piece is not None:
            self.pieces.append(piece)
        return piece

    # -- primitives ---------------------------------------------------------

    def primitive(self, element) -> Piece | None:
        reader = self.reader
        name = reader.id_of(element, "the resource id")
        if name is None:
            return None
        if element.get("template") is not None:
            reader.lost(element, f"`{name}` is built from the template `{element.get('template')}`, which hacc cannot "
                        "express; the resource is not imported", help="write the primitive in full", attr="template")
            return None
        cls, provider, kind = element.get("class", ""), element.get("provider"), element.get("type", "")
        agent = f"{cls}:{provider}:{kind}" if provider else f"{cls}:{kind}"
        try:
            check_agent(agent)
        except ValueError:
            reader.lost(element, f"the agent `{agent}` of `{name}` is not one hacc can write (ocf, stonith, systemd, "
                        "service or lsb); the resource is not imported", attr="class")
            return None
        reader.extra_attributes(element, {"class", "provider", "type"})
        piece = Piece({"type": "fence" if cls == "stonith" else "primitive", "name": name, "agent": agent,
                       "params": {}, "meta": {}, "ops": []}, element)
        piece.mark((), reader.span(element))
        piece.mark(("name",), reader.attr_span(element, "id"))
        piece.mark(("agent",), reader.attr_span(element, "type"))
        for key in ("params", "meta", "ops"):
            piece.mark((key,), reader.span(element))
        instance, meta = [], []
        for child in element:
            if child.tag == "instance_attributes":
                instance.append(child)
            elif child.tag == "meta_attributes":
                meta.append(child)
            elif child.tag == "operations":
                self.operations(child, piece)
            elif child.tag == "utilization":
                reader.lost(child, f"the utilization of `{name}`: hacc does not model utilization",
                            help="set it with `crm_resource --utilization` after deploying, or drop it")
            else:
                reader.unknown_child(child, element)
        self.params(piece, read_nvsets(reader, instance, f"the parameters of `{name}`"))
        fill(piece, "meta", read_nvsets(reader, meta, f"the meta attributes of `{name}`"))
        return piece

    def params(self, piece: Piece, pairs) -> None:
        params = piece.value["params"]
        for pair in pairs:
            if not _PARAM_NAME.match(pair.name):
                self.reader.log.lost(pair.name_span, f"the parameter name `{pair.name}` cannot be written in hacc")
                continue
            value = pair.value
            if is_secret_param(pair.name):
                value = self.reader.log.secret(secret_hint(piece.value["agent"], piece.name, pair.name), value,
                                               pair.value_span)
            params[pair.name] = value
            piece.mark(("params", pair.name), pair.value_span)
            piece.mark(("params", pair.name, "<key>"), pair.name_span)

    def operations(self, element, piece: Piece) -> None:
        target = self.reader.resolve(element, f"the operations of `{piece.name}`")
        if target is None:
            return
        for child in target:
            if child.tag == "op":
                op = self.op(child, piece.name)
                if op is not None:
                    index = len(piece.value["ops"])
                    piece.value["ops"].append(op[0])
                    for relative, span in op[1].items():
                        piece.mark(("ops", index) + relative, span)
            else:
                self.reader.unknown_child(child, target)

    def op(self, element, resource: str):
        """(op JSON, spans) or None after reporting."""
        reader = self.reader
        name = reader.id_of_text(element, "name", f"an operation of `{resource}`")
        if name is None:
            return None
        what = f"the `{name}` operation of `{resource}`"
        op: dict = {"name": name}
        spans = {(): reader.span(element), ("name",): reader.attr_span(element, "name")}
        interval = reader.duration(element, "interval", f"{what}: the interval", iso=True)
        if interval is None and element.get("interval") is not None:
            return None
        if interval is not None and interval.ms:
            op["interval"] = self._duration_text(element, "interval", interval, what)
            spans[("interval",)] = reader.attr_span(element, "interval")
        for key in ("timeout", "start-delay"):
            value = reader.duration(element, key, f"{what}: `{key}`")
            if value is not None:
                op[key] = self._duration_text(element, key, value, what)
                spans[(key,)] = reader.attr_span(element, key)
        for key in ("interval-origin", "description"):
            value = reader.text(element, key, f"{what}: `{key}`")
            if value is not None:
                op[key] = value
                spans[(key,)] = reader.attr_span(element, key)
        for key, allowed in (("role", ROLES), ("on-fail", ON_FAIL)):
            value = element.get(key)
            if value is None:
                continue
            if value not in allowed:
                reader.lost(element, f"{what}: `{key}={value}` is not a value hacc can write", attr=key)
                continue
            op[key] = value
            spans[(key,)] = reader.attr_span(element, key)
        for key in ("enabled", "record-pending"):
            value = reader.boolean(element, key, f"{what}: `{key}`")
            if value is not None:
                op[key] = "true" if value else "false"
                spans[(key,)] = reader.attr_span(element, key)
        reader.extra_attributes(element, {"name", "interval", "timeout", "start-delay", *Op.XML_ATTRIBUTES})
        instance = []
        for child in element:
            if child.tag == "instance_attributes":
                instance.append(child)
            elif child.tag == "meta_attributes":
                reader.lost(child, f"{what}: operation meta attributes are not imported",
                            help="write them as attributes of the `op` line (e.g. `timeout=20s`)")
            else:
                reader.unknown_child(child, element)
        for pair in read_nvsets(reader, instance, f"{what}: its instance attributes"):
            if pair.name in op or pair.name in Op.XML_ATTRIBUTES or pair.name in ("interval", "timeout", "start-delay"):
                reader.log.lost(pair.name_span, f"{what}: the instance attribute `{pair.name}` has the name of an "
                                "operation attribute, which hacc cannot tell apart")
                continue
            op[pair.name] = pair.value
            spans[(pair.name,)] = pair.value_span
            spans[(pair.name, "<key>")] = pair.name_span
        return op, spans

    def _duration_text(self, element, key: str, duration, what: str) -> str:
        """The duration as written when hacc reads it the same, else hacc's
        spelling, with a note."""
        written = element.get(key).strip()
        try:
            if Duration.parse(written) == duration:
                return written
        except ValueError:
            pass
        self.reader.rewrote(element, f"{what}: `{key}=\"{written}\"` is written `{duration.text()}`", attr=key)
        return duration.text()

    # -- groups and clones --------------------------------------------------

    def group(self, element) -> Piece | None:
        reader = self.reader
        name = reader.id_of(element, "the group id")
        if name is None:
            return None
        reader.extra_attributes(element, set())
        piece = Piece({"type": "group", "name": name, "members": [], "meta": {}}, element)
        meta = []
        for child in element:
            if child.tag == "primitive":
                member = self.resource(child)
                if member is not None:
                    piece.mark(("members", len(piece.value["members"])), reader.attr_span(child, "id"))
                    piece.value["members"].append(member.name)
            elif child.tag == "meta_attributes":
                meta.append(child)
            else:
                self._inherited_or_unknown(child, element, name)
        if not piece.value["members"]:
            reader.lost(element, f"the group `{name}` has no member hacc could import; it is not imported either")
            return None
        piece.mark((), reader.span(element))
        piece.mark(("name",), reader.attr_span(element, "id"))
        piece.mark(("members",), reader.span(element))
        piece.mark(("meta",), reader.span(element))
        fill(piece, "meta", read_nvsets(reader, meta, f"the meta attributes of `{name}`"))
        return piece

    def clone(self, element) -> Piece | None:
        reader = self.reader
        name = reader.id_of(element, "the clone id")
        if name is None:
            return None
        reader.extra_attributes(element, set())
        inner, meta = None, []
        for child in element:
            if child.tag in ("primitive", "group") and inner is None:
                inner = self.resource(child)
                if inner is None:
                    reader.lost(element, f"the resource inside `{name}` could not be imported, so the clone is not "
                                "imported either")
                    return None
            elif child.tag == "meta_attributes":
                meta.append(child)
            else:
                self._inherited_or_unknown(child, element, name)
        if inner is None:
            reader.lost(element, f"the clone `{name}` holds no resource")
            return None
        piece = Piece({"type": "clone", "name": name, "resource": inner.name, "promotable": False, "meta": {}}, element)
        piece.mark((), reader.span(element))
        piece.mark(("name",), reader.attr_span(element, "id"))
        piece.mark(("resource",), reader.attr_span(inner.element, "id"))
        piece.mark(("meta",), reader.span(element))
        pairs = read_nvsets(reader, meta, f"the meta attributes of `{name}`")
        if element.tag == "master":
            piece.value["promotable"] = True
            reader.rewrote(element, f"`<master>` is the legacy form of a promotable clone: `{name}` becomes a "
                           "clone with `promotable=true`", help="Pacemaker 3 no longer accepts `<master>`")
        for pair in list(pairs):
            if pair.name == "promotable":
                pairs.remove(pair)
                flag = parse_pacemaker_bool(pair.value)
                if flag is None:
                    reader.log.lost(pair.value_span, f"`promotable={pair.value}` of `{name}` is not a boolean")
                    continue
                piece.value["promotable"] = piece.value["promotable"] or flag
                piece.mark(("promotable",), pair.value_span)
                if pair.value != "true":
                    reader.log.rewrote(pair.value_span, f"`promotable={pair.value}` of `{name}` is written as "
                                       + ("`promotable`" if flag else "a plain clone"))
        fill(piece, "meta", pairs)
        return piece

    def _inherited_or_unknown(self, child, parent, name: str) -> None:
        if child.tag == "instance_attributes":
            self.reader.lost(child, f"instance attributes of `{name}` (inherited by its resources) are not imported",
                             help="set the parameters on the resources themselves")
        else:
            self.reader.unknown_child(child, parent)
