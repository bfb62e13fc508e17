"""Merging one VRRP instance across the nodes whose files define it.

Per-node values become per-node maps, written only where they differ from
what hacc derives (docs/language.md, "What hacc derives"): the priority
always (it also says which nodes run the instance); the state only when a
node's differs from MASTER-for-the-highest-priority (BACKUP everywhere with
`nopreempt` or `preempt_delay`); the interface and advert source only where
they differ from the node's usual ones. The unicast peers are derived, so
peers that are not the other nodes of the instance are reported.
"""

from __future__ import annotations

from hacc.diagnostics.model import Span
from hacc.importing.layers.keepalived_merge import Context, agree, tracker_text
from hacc.importing.layers.keepalived_node import InstanceFound
from hacc.importing.layers.keepalived_values import Found

# keepalived's priority when none is written (vrrp.c VRRP_PRIO_DFL).
DEFAULT_PRIORITY = 100
SHARED = ("vrid", "vips", "preempt", "preempt_delay", "advert", "version", "auth", "track_scripts",
          "track_interfaces", "notify", "accept", "dont_track_primary", "garp_master_delay", "garp_master_refresh")
LABELS = {
    "vrid": "virtual_router_id", "vips": "the VIP set (virtual_ipaddress)", "preempt": "nopreempt",
    "advert": "advert_int", "auth": "authentication", "track_scripts": "track_script",
    "track_interfaces": "track_interface", "notify": "the notify scripts",
}
_ORDER = ("name", "vrid", "interface", "unicast_src", "vips", "priority", "state", "preempt", "preempt_delay",
          "advert", "version", "auth", "track_scripts", "track_interfaces", "notify", "multicast", "accept",
          "dont_track_primary", "garp_master_delay", "garp_master_refresh")


def merge_instance(ctx: Context, name: str, holders: list[tuple[str, InstanceFound]], path: tuple) -> dict | None:
    merge = _Instance(ctx, name, holders, path)
    return merge.run()


def describe(key: str, found: Found) -> str:
    value = found.value
    if key == "vips":
        return ", ".join(" ".join([v["address"]] + [f"{k} {v[k]}" for k in ("dev", "label") if k in v])
                         for v in value) or "no VIP"
    if key in ("track_scripts", "track_interfaces"):
        return ", ".join(tracker_text(t) for t in value) or "none"
    if key == "notify":
        return ", ".join(f"{event} `{command}`" for event, command in value.items())
    if key == "auth":
        return f"`auth_type {value['type']}` with its auth_pass"
    return f"`{found.text}`" if found.text else f"`{value}`"


class _Instance:
    def __init__(self, ctx: Context, name: str, holders: list[tuple[str, InstanceFound]], path: tuple) -> None:
        self.ctx, self.name, self.path = ctx, name, path
        self.holders = holders
        self.nodes = [node for node, _ in holders]
        self.first = holders[0][1]
        self.out: dict = {"name": name}

    def run(self) -> dict | None:
        ctx = self.ctx
        for key in SHARED:
            self._shared(key)
        if "vrid" not in self.out or "vips" not in self.out or not self.out["vips"]:
            missing = "virtual_router_id" if "vrid" not in self.out else "virtual_ipaddress"
            ctx.log.lost(self.first.span, f"`vrrp_instance {self.name}` has no {missing} hacc can use: "
                         "it is not imported", help="hacc needs a VRID and at least one VIP")
            return None
        ctx.mark(self.path, self.first.span)
        ctx.mark(self.path + ("name",), self.first.span)
        self._priority()
        self._state()
        self._interface()
        if self._multicast():
            self.out["multicast"] = True
            ctx.mark(self.path + ("multicast",), self.first.span)
            self._multicast_sources()
        else:
            self._unicast()
        return {key: self.out[key] for key in _ORDER if key in self.out}

    # -- values that must agree ----------------------------------------------------

    def _shared(self, key: str) -> None:
        holders = [(node, inst.shared.get(key), inst.span) for node, inst in self.holders]
        what = f"{LABELS.get(key, key)} of `{self.name}`"
        if key == "auth":
            kept = self._auth(holders, what)
        else:
            kept = agree(self.ctx, what, holders, lambda f: describe(key, f))
        if kept is None:
            return
        found = kept[1]
        value = found.value
        if key == "auth":
            value = {"type": value["type"], "pass": self.ctx.log.secret("VRRP_PASSWORD", value["pass"],
                                                                          found.parts.get(("pass",)))}
        if key != "vips" and isinstance(value, (list, dict)) and not value:
            return  # an empty `track_script { }`: nothing to write, and nothing would read back
        self.out[key] = value
        self.ctx.mark_parts(self.path + (key,), found)

    def _auth(self, holders: list, what: str):
        """Like `agree`, but never shows a password in a message."""
        kept = next(((node, found) for node, found, _ in holders if found is not None), None)
        if kept is None:
            return None
        for node, found, span in holders:
            if node == kept[0] or (found is not None and found.value == kept[1].value):
                continue
            if found is not None and found.value["type"] == kept[1].value["type"]:
                self.ctx.log.disagree(found.parts.get(("pass",), found.span),
                                      f"the auth_pass of `{self.name}` on {node} differs from the one on {kept[0]}",
                                      first=kept[1].parts.get(("pass",)), first_label=f"on {kept[0]}: the password kept")
            else:
                self.ctx.disagree(what, node, found, found.span if found else span, kept[0], kept[1],
                                  lambda f: describe("auth", f))
        return kept

    # -- per-node values -----------------------------------------------------------

    def _priority(self) -> None:
        priority = {}
        for node, inst in self.holders:
            if inst.priority is None:
                self.ctx.log.rewrote(inst.span, f"`{self.name}` on {node} has no priority: hacc writes "
                                     f"keepalived's default, `priority {DEFAULT_PRIORITY}`")
                priority[node] = DEFAULT_PRIORITY
                self.ctx.mark(self.path + ("priority", node), inst.span)
            else:
                priority[node] = inst.priority.value
                self.ctx.mark(self.path + ("priority", node), inst.priority.span)
        self.out["priority"] = priority
        self.ctx.mark(self.path + ("priority",), self.ctx.spans.get(self.path + ("priority", self.nodes[0])))

    def derived_states(self) -> dict[str, str]:
        """VrrpInstance.state_of without a written state."""
        if self.out.get("preempt") is False or "preempt_delay" in self.out or (self.out.get("auth") or {}).get("type") == "AH":
            return {node: "BACKUP" for node in self.nodes}
        priority = self.out["priority"]
        best = max(self.nodes, key=lambda n: (priority[n], -self.nodes.index(n)))
        return {node: "MASTER" if node == best else "BACKUP" for node in self.nodes}

    def _state(self) -> None:
        derived = self.derived_states()
        found = {node: inst.state for node, inst in self.holders if inst.state is not None}
        if all(found[node].value == derived[node] for node in found):
            for node, inst in self.holders:
                if node not in found and derived[node] == "MASTER":
                    self.ctx.log.rewrote(inst.span, f"`{self.name}` on {node} has no state: hacc writes "
                                         "`state MASTER`, derived from the highest priority")
            return
        self.out["state"] = {node: state.value for node, state in found.items()}
        for node, state in found.items():
            self.ctx.mark(self.path + ("state", node), state.span)
        self.ctx.mark(self.path + ("state",), next(iter(found.values())).span)

    def _interface(self) -> None:
        usual = {node: (self.ctx.nodes.get(node) or {}).get("interface") for node in self.nodes}
        found = {node: inst.interface for node, inst in self.holders}
        differing = {node: f for node, f in found.items() if f is not None and f.value != usual[node]}
        for node, inst in self.holders:
            if found[node] is None and usual[node] is not None:
                self.ctx.log.rewrote(inst.span, f"`{self.name}` on {node} names no interface: hacc writes "
                                     f"`interface {usual[node]}`, the node's usual one")
        if not differing:
            return
        values = {f.value for f in differing.values()}
        if len(differing) == len(self.nodes) and len(values) == 1:
            self.out["interface"] = values.pop()
            self.ctx.mark(self.path + ("interface",), next(iter(differing.values())).span)
            return
        self.out["interface"] = {node: f.value for node, f in differing.items()}
        for node, f in differing.items():
            self.ctx.mark(self.path + ("interface", node), f.span)
        self.ctx.mark(self.path + ("interface",), next(iter(differing.values())).span)

    # -- adverts: multicast, or unicast with derived peers ---------------------------

    def _multicast(self) -> bool:
        holders = [(node, Found(not inst.peers, inst.peers[0].span if inst.peers else inst.span,
                                "multicast" if not inst.peers else "unicast_peer"), inst.span)
                   for node, inst in self.holders]
        return agree(self.ctx, f"the advert mode of `{self.name}`", holders,
                     lambda f: "multicast adverts" if f.value else "unicast peers")[1].value

    def _multicast_sources(self) -> None:
        for node, inst in self.holders:
            if inst.source is not None:
                self.ctx.log.lost(inst.source.span, f"the advert source of multicast `{self.name}` on {node} has "
                                  "no equivalent in hacc: keepalived picks the interface's address",
                                  help="use unicast adverts, or drop the source address")

    def _unicast(self) -> None:
        sources: dict[str, str | None] = {}
        written: dict[str, str] = {}
        for node, inst in self.holders:
            node_source = self.ctx.source_of(node)
            if inst.source is not None and inst.source.value != node_source:
                written[node] = inst.source.value
                self.ctx.mark(self.path + ("unicast_src", node), inst.source.span)
            elif inst.source is None and node_source is not None:
                self.ctx.log.rewrote(inst.span, f"`{self.name}` on {node} has no unicast_src_ip: hacc writes "
                                     f"`unicast_src_ip {node_source}`, the node's address")
            sources[node] = written.get(node, node_source)
        if written:
            self.out["unicast_src"] = written
            self.ctx.mark(self.path + ("unicast_src",), self.ctx.spans[self.path + ("unicast_src", next(iter(written)))])
        for node, inst in self.holders:
            if sources[node] is None:
                self.ctx.log.lost(inst.span, f"{node} has no address for the unicast adverts of `{self.name}`: "
                                  "hacc cannot write its unicast_src_ip and peers",
                                  help="add `unicast_src_ip`, or import corosync.conf for the node addresses")
        self._peers(sources)

    def _peers(self, sources: dict[str, str | None]) -> None:
        """hacc writes as peers the sources of the other nodes of the instance."""
        spans = {node: (inst.source.span if inst.source else inst.span) for node, inst in self.holders}
        for node, inst in self.holders:
            derived = {sources[other]: other for other in self.nodes if other != node and sources[other]}
            listed = {peer.value: peer for peer in inst.peers}
            for address, other in derived.items():
                if address not in listed:
                    self.ctx.log.disagree(_peer_block(inst), f"`{self.name}` on {node} does not list {other}'s "
                                          f"address {address} as a unicast peer: hacc writes it",
                                          first=spans[other], first_label=f"{other} sends from here")
            for address, peer in listed.items():
                if address not in derived:
                    self.ctx.log.lost(peer.span, f"unicast peer {address} of `{self.name}` on {node} is not "
                                      "another node running the instance: hacc derives the peers from the nodes "
                                      "and leaves it out",
                                      help="import that node too (`--node NAME=DIR`), or remove the peer")


def _peer_block(inst: InstanceFound) -> Span:
    return inst.peers[0].span if inst.peers else inst.span
