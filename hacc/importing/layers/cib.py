"""The Pacemaker CIB -> the `pacemaker` section of the model, plus node ids
and node attributes from `<nodes>`.

hacc regenerates every id on build (a documented normalisation), derives
`<nodes>` from the cluster's nodes and writes `fence NAME AGENT for NODE` as
`pcmk_host_list` plus a `-INFINITY` ban; the import maps each of these back
to the compact form. What Pacemaker writes itself (the DC version, the
cluster infrastructure, the whole status section) is runtime state and is
skipped silently. Everything else that hacc cannot express is reported
with its line (HA080), never dropped silently.
"""

from __future__ import annotations

from hacc.importing.files import NodeTable, Source
from hacc.importing.layers.cib_constraints import ConstraintImporter
from hacc.importing.layers.cib_context import CibReader, Piece
from hacc.importing.layers.cib_fencing import fold_fence_bans, read_fencing_levels
from hacc.importing.layers.cib_nvsets import read_nvsets
from hacc.importing.layers.cib_resources import ResourceImporter
from hacc.importing.log import ImportLog
from hacc.importing.readers.cib import read_cib
from hacc.model.formats import check_name

# Cluster properties the cluster itself maintains (pcs keeps them read-only).
PACEMAKER_SETS = ("dc-version", "cluster-infrastructure", "have-watchdog", "last-lrm-refresh")
MAX_NODE_ID = 4294967295

_NOT_MODELLED = {
    "acls": ("ACL", "hacc does not write ACLs", "keep managing them with `pcs acl` or `crm configure acl_target`"),
    "tags": ("tag", "hacc has no resource tags", "name the resources themselves where the tag was used"),
    "alerts": ("alert", "hacc does not write alert agents", "keep managing them with `pcs alert` after deploying"),
}


def import_cib(source: Source, nodes: NodeTable, log: ImportLog, cluster_name: str | None = None) -> dict | None:
    """The `pacemaker` section for the CIB in `source`, or None when the
    file is not a CIB (reported as HA083). `cluster_name`, when known from
    corosync.conf, is checked against the CIB's `cluster-name`."""
    doc = read_cib(source, log)
    if doc is None:
        return None
    reader = CibReader(doc, log)
    if doc.root.tag == "cib":
        # Comments outside <configuration> are not part of the cluster's
        # configuration (hacc's own header is one); the status is runtime.
        for child in doc.root:
            if isinstance(child.tag, str) and child.tag not in ("configuration", "status"):
                reader.unknown_child(child, doc.root)
    sections: dict[str, object] = {}
    for child in doc.configuration:
        if not isinstance(child.tag, str):
            reader.unknown_child(child, doc.configuration)
        elif child.tag in sections:
            reader.lost(child, f"a second `<{child.tag}>` section is not imported")
        elif child.tag in _NOT_MODELLED:
            _not_modelled(reader, child)
        elif child.tag in ("crm_config", "nodes", "resources", "constraints", "rsc_defaults", "op_defaults",
                           "fencing-topology"):
            sections[child.tag] = child
        else:
            reader.unknown_child(child, doc.configuration)

    out: dict = {}
    log.mark(("pacemaker",), reader.span(doc.configuration))
    if "crm_config" in sections:
        _properties(reader, sections["crm_config"], out, cluster_name)
    if "nodes" in sections:
        _nodes(reader, sections["nodes"], nodes)
    for tag in ("rsc_defaults", "op_defaults"):
        if tag in sections:
            _defaults(reader, sections[tag], tag, out)
    resources = ResourceImporter(reader).read(sections["resources"]) if "resources" in sections else []
    constraints = []
    if "constraints" in sections:
        importer = ConstraintImporter(reader, {piece.name for piece in resources})
        constraints = fold_fence_bans(resources, importer.read(sections["constraints"]))
    out["resources"] = _place(log, ("pacemaker", "resources"), resources)
    out["constraints"] = _place(log, ("pacemaker", "constraints"), constraints)
    if "fencing-topology" in sections:
        levels = read_fencing_levels(reader, sections["fencing-topology"])
        if levels:
            log.mark(("pacemaker", "fencing_levels"), reader.span(sections["fencing-topology"]))
            out["fencing_levels"] = _place(log, ("pacemaker", "fencing_levels"), levels)
    return out


def _place(log: ImportLog, path: tuple, pieces: list[Piece]) -> list[dict]:
    for index, piece in enumerate(pieces):
        piece.place(log, path + (index,))
    return [piece.value for piece in pieces]


def _not_modelled(reader: CibReader, section) -> None:
    kind, why, help = _NOT_MODELLED[section.tag]
    entries = [child for child in section if isinstance(child.tag, str)]
    for entry in entries or [section]:
        reader.lost(entry, f"{kind} {reader.label(entry)}: {why}; the CIB hacc builds will not have it", help=help)


def _properties(reader: CibReader, crm_config, out: dict, cluster_name: str | None) -> None:
    sets = []
    for child in crm_config:
        if child.tag == "cluster_property_set":
            sets.append(child)
        else:
            reader.unknown_child(child, crm_config)
    pairs = read_nvsets(reader, sets, "the cluster properties", first_id="cib-bootstrap-options")
    properties: dict = {}
    for pair in pairs:
        if pair.name in PACEMAKER_SETS:
            continue
        if pair.name == "cluster-name":
            if cluster_name is not None and pair.value != cluster_name:
                reader.log.disagree(pair.value_span, f"the CIB's cluster-name is `{pair.value}` but corosync.conf "
                                    f"names the cluster `{cluster_name}`",
                                    help="Pacemaker takes the name from corosync; the imported name is corosync's")
            continue
        properties[pair.name] = pair.value
        reader.log.mark(("pacemaker", "properties", pair.name), pair.value_span)
        reader.log.mark(("pacemaker", "properties", pair.name, "<key>"), pair.name_span)
    if properties:
        out["properties"] = properties
        reader.log.mark(("pacemaker", "properties"), reader.span(crm_config))


def _defaults(reader: CibReader, section, tag: str, out: dict) -> None:
    sets = []
    for child in section:
        if child.tag == "meta_attributes":
            sets.append(child)
        else:
            reader.unknown_child(child, section)
    pairs = read_nvsets(reader, sets, "the resource defaults" if tag == "rsc_defaults" else "the operation defaults")
    if not pairs:
        return
    out[tag] = {pair.name: pair.value for pair in pairs}
    reader.log.mark(("pacemaker", tag), reader.span(section))
    for pair in pairs:
        reader.log.mark(("pacemaker", tag, pair.name), pair.value_span)
        reader.log.mark(("pacemaker", tag, pair.name, "<key>"), pair.name_span)


def _nodes(reader: CibReader, section, nodes: NodeTable) -> None:
    """Node ids and attributes. corosync.conf is the authority on which
    nodes exist and their ids; the CIB's `<nodes>` only echoes it."""
    log = reader.log
    known_before = len(nodes) > 0
    for child in section:
        if child.tag != "node":
            reader.unknown_child(child, section)
            continue
        uname = child.get("uname") or ""
        try:
            check_name(uname)
        except ValueError:
            reader.lost(child, f"the node name `{uname}` cannot be written in hacc", attr="uname")
            continue
        if child.get("type", "member") != "member":
            reader.lost(child, f"`{uname}` is a Pacemaker {child.get('type')} node; hacc's nodes are corosync members",
                        help="manage remote nodes by hand after deploying", attr="type")
            continue
        reader.extra_attributes(child, {"uname", "type"})
        node = nodes.get(uname)
        if node is None:
            if known_before:
                log.disagree(reader.attr_span(child, "uname"), f"the CIB has a node `{uname}` that corosync.conf does "
                             "not list", help="Pacemaker only runs on corosync's nodes: add it to the nodelist, or "
                             "remove it from the CIB (`crm_node --remove`)")
            node = nodes.add(uname)
            log.mark(nodes.path(uname), reader.span(child))
            log.mark(nodes.path(uname, "name"), reader.attr_span(child, "uname"))
        _node_id(reader, child, uname, node, nodes)
        attributes = []
        for inner in child:
            if inner.tag == "instance_attributes":
                attributes.append(inner)
            elif inner.tag == "utilization":
                reader.lost(inner, f"the utilization of node `{uname}`: hacc does not model utilization",
                            help="set it with `crm_attribute --utilization` after deploying, or drop it")
            else:
                reader.unknown_child(inner, child)
        pairs = read_nvsets(reader, attributes, f"the attributes of node `{uname}`")
        if pairs:
            values = node.setdefault("attributes", {})
            log.mark(nodes.path(uname, "attributes"), reader.span(child))
            for pair in pairs:
                values[pair.name] = pair.value
                log.mark(nodes.path(uname, "attributes", pair.name), pair.value_span)
                log.mark(nodes.path(uname, "attributes", pair.name, "<key>"), pair.name_span)


def _node_id(reader: CibReader, child, uname: str, node: dict, nodes: NodeTable) -> None:
    text = child.get("id", "")
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or not 1 <= int(text) <= MAX_NODE_ID:
        reader.lost(child, f"the id `{text}` of node `{uname}` is not a corosync node id; hacc writes corosync's",
                    attr="id")
        return
    number = int(text)
    if "id" not in node:
        node["id"] = number
        reader.log.mark(nodes.path(uname, "id"), reader.attr_span(child, "id"))
    elif node["id"] != number:
        reader.log.disagree(reader.attr_span(child, "id"), f"node `{uname}` has id {number} in the CIB but nodeid "
                            f"{node['id']} in corosync.conf", first=reader.log.spans.get(nodes.path(uname, "id")),
                            first_label="corosync's nodeid",
                            help="Pacemaker takes a node's id from corosync; the imported id is corosync's")
