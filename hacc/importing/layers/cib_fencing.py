"""Fencing in the CIB: `fence NAME AGENT for NODE` recognised in the form
hacc writes it (a `pcmk_host_list` plus a `-INFINITY` ban per node, under
whatever ids), and the fencing topology -> `pacemaker.fencing_levels`."""

from __future__ import annotations

import re

from hacc.importing.layers.cib_context import CibReader, Piece
from hacc.model.formats import check_id, check_name


def fold_fence_bans(resources: list[Piece], constraints: list[Piece]) -> list[Piece]:
    """Recognise `fence NAME AGENT for NODE`: a device whose `pcmk_host_list`
    names nodes, each with a `-INFINITY` location keeping the device off it.
    The bans become `for`; the constraints that remain are returned."""
    bans: dict[tuple[str, str], Piece] = {}
    for piece in constraints:
        value = piece.value
        if value["type"] == "location" and set(value) == {"type", "name", "resource", "avoids"}:
            ((node, score),) = value["avoids"].items()
            if score == "INFINITY":
                bans.setdefault((value["resource"], node), piece)
    folded: set[int] = set()
    for device in resources:
        params = device.value.get("params", {})
        hosts_text = params.get("pcmk_host_list")
        if device.value["type"] != "fence" or not isinstance(hosts_text, str):
            continue
        hosts = [h for h in re.split(r"[\s,;]+", hosts_text) if h]
        if not hosts or len(set(hosts)) != len(hosts) or any((device.name, h) not in bans for h in hosts):
            continue
        value = device.value
        rebuilt = {key: value[key] for key in ("type", "name", "agent")}
        rebuilt["for"] = hosts
        rebuilt.update((key, item) for key, item in value.items() if key not in rebuilt)
        value.clear()
        value.update(rebuilt)
        # hacc appends pcmk_host_list as the last parameter, nodes joined by
        # a space; written otherwise, the parameter stays as it was.
        if list(params)[-1] == "pcmk_host_list" and hosts_text == " ".join(hosts):
            del params["pcmk_host_list"]
            device.forget(("params", "pcmk_host_list"))
        for index, host in enumerate(hosts):
            ban = bans[(device.name, host)]
            folded.add(id(ban))
            device.mark(("for", index), ban.spans.get(("avoids", host, "<key>"), ban.spans[()]))
        device.mark(("for",), bans[(device.name, hosts[0])].spans[()])
    return [piece for piece in constraints if id(piece) not in folded]


def read_fencing_levels(reader: CibReader, topology) -> list[Piece]:
    levels = []
    for child in topology:
        if child.tag != "fencing-level":
            reader.unknown_child(child, topology)
            continue
        target = child.get("target")
        if target is None:
            reader.lost(child, "a fencing level that targets nodes by pattern or attribute has no equivalent in hacc",
                        help="write one level per node")
            continue
        reader.extra_attributes(child, {"target", "index", "devices"})
        index_text = child.get("index", "")
        devices = [d for d in child.get("devices", "").split(",") if d]
        try:
            check_name(target)
            index = int(index_text)
            if not 1 <= index <= 9:
                raise ValueError
            for device in devices:
                check_id(device)
            if not devices:
                raise ValueError
        except ValueError:
            reader.lost(child, f"the fencing level {reader.label(child)} cannot be written in hacc (a node name, an "
                        "index from 1 to 9 and fence device ids are needed)")
            continue
        piece = Piece({"target": target, "index": index, "devices": devices}, child)
        piece.mark((), reader.span(child))
        piece.mark(("target",), reader.attr_span(child, "target"))
        piece.mark(("index",), reader.attr_span(child, "index"))
        for position, _ in enumerate(devices):
            piece.mark(("devices", position), reader.attr_span(child, "devices"))
        levels.append(piece)
    return levels
