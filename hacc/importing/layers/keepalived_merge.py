"""Merging what every node's keepalived.conf says into one model.

What must be equal on every node is taken from the first node that has it
(in cluster order); each node that differs is reported (HA082) at its own
file and line, with the kept value as a label. Track scripts, sync groups
and LVS virtual servers are merged here; VRRP instances, whose values are
partly per node, in keepalived_instances.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hacc.diagnostics.model import Span
from hacc.importing.files import NodeTable
from hacc.importing.layers.keepalived_node import NodeConfig
from hacc.importing.layers.keepalived_values import Found
from hacc.importing.log import ImportLog


@dataclass
class Context:
    log: ImportLog
    nodes: NodeTable
    configs: list[NodeConfig]
    # Spans by JSON path inside the `keepalived` section.
    spans: dict[tuple, Span] = field(default_factory=dict)

    @property
    def order(self) -> list[str]:
        return [c.node for c in self.configs]

    def config(self, node: str) -> NodeConfig:
        return next(c for c in self.configs if c.node == node)

    def mark(self, path: tuple, span: Span | None) -> None:
        if span is not None:
            self.spans[path] = span

    def mark_parts(self, path: tuple, found: Found) -> None:
        self.mark(path, found.span)
        for key, span in found.parts.items():
            self.mark(path + (key if isinstance(key, tuple) else (key,)), span)

    def source_of(self, node: str) -> str | None:
        """The address hacc sends the node's adverts from (Node.vrrp_source)."""
        data = self.nodes.get(node) or {}
        addrs = data.get("addrs") or []
        return data.get("unicast_src") or (addrs[0] if addrs else None)

    def disagree(self, what: str, node: str, found: Found | None, span: Span, first_node: str, first: Found,
                 describe: Callable[[Found], str]) -> None:
        if found is None:
            message = f"{what} is {describe(first)} on {first_node} but not set on {node}"
        else:
            message = f"{what} differs between nodes: {node} has {describe(found)}, {first_node} has {describe(first)}"
        self.log.disagree(span, message, first=first.span, first_label=f"on {first_node}: the value kept")


def described(found: Found) -> str:
    return f"`{found.text}`" if found.text else f"`{found.value}`"


def first_holder(holders: list[tuple[str, Found | None]]) -> tuple[str, Found] | None:
    return next(((node, found) for node, found in holders if found is not None), None)


def agree(ctx: Context, what: str, holders: list[tuple[str, Found | None, Span]],
          describe: Callable[[Found], str] = described) -> tuple[str, Found] | None:
    """The first node's value; every node with another value, or none, is
    reported. `holders` are (node, value or None, where to point if None)."""
    kept = first_holder([(node, found) for node, found, _ in holders])
    if kept is None:
        return None
    first_node, first = kept
    for node, found, span in holders:
        if node == first_node:
            continue
        if found is None or found.value != first.value:
            ctx.disagree(what, node, found, found.span if found else span, first_node, first, describe)
    return kept


def merge_scripts(ctx: Context, tracked_on: Callable[[str], set[str]]) -> list[dict]:
    scripts = []
    for name in _names(ctx, lambda c: c.scripts):
        holders = [(c.node, c.scripts.get(name), c.source.span(1)) for c in ctx.configs
                   if name in c.scripts or name in tracked_on(c.node)]
        kept_first = first_holder([(n, f) for n, f, _ in holders])[1]
        _, found = agree(ctx, f"`vrrp_script {name}`", holders,
                         lambda f, first=kept_first: _first_difference(f, first))
        path = ("scripts", len(scripts))
        ctx.mark_parts(path, found)
        ctx.mark(path + ("name",), found.span)
        scripts.append({"name": name, **found.value})
        for config in ctx.configs:
            if name in config.scripts and name not in tracked_on(config.node):
                ctx.log.rewrote(config.scripts[name].span, f"no instance on {config.node} tracks `{name}`: "
                                "hacc leaves the unused script out of its keepalived.conf")
    return scripts


def merge_groups(ctx: Context, instances: dict[str, list[str]]) -> list[dict]:
    """Sync groups: one per name; members are checked against the instances
    each node runs, as hacc writes on each node only those."""
    groups = []
    for name in _names(ctx, lambda c: c.groups):
        holders = [(c.node, c.groups[name]) for c in ctx.configs if name in c.groups]
        members: list[str] = []
        for _node, found in holders:
            for index, member in enumerate(found.value["members"]):
                if member in members:
                    continue
                if member not in instances:
                    ctx.log.lost(found.parts.get(("members", index), found.span), f"`{member}` in sync group "
                                 f"`{name}` is not an imported VRRP instance: it is left out")
                    continue
                members.append(member)
        if not members:
            ctx.log.lost(holders[0][1].span, f"sync group `{name}` has no imported instance: it is not imported")
            continue
        by_node = dict(holders)
        for config in ctx.configs:
            expected = {m for m in members if config.node in instances[m]}
            found = by_node.get(config.node)
            if (set(found.value["members"]) & set(instances) if found else set()) != expected:
                kept = holders[0]
                ctx.disagree(f"the members of sync group `{name}`", config.node, found,
                             found.span if found else config.source.span(1), kept[0], kept[1],
                             lambda f: ", ".join(m for m in f.value["members"]) or "none")
        first = holders[0][1]
        value = {"name": name, "members": members}
        path = ("sync_groups", len(groups))
        ctx.mark(path, first.span)
        ctx.mark(path + ("name",), first.span)
        ctx.mark(path + ("members",), first.parts.get(("members", 0), first.span))
        for index, member in enumerate(members):
            span = next((f.parts.get(("members", f.value["members"].index(member))) for _, f in holders
                         if member in f.value["members"]), None)
            ctx.mark(path + ("members", index), span)
        for key in ("notify", "track_scripts", "tracking_weight"):
            found_by = [(n, Found(f.value[key], f.parts.get((key,), f.span), _describe(key, f.value[key]))
                         if key in f.value else None, f.span) for n, f in holders]
            kept = agree(ctx, f"{_LABELS[key]} of sync group `{name}`", found_by)
            if kept is not None:
                value[key] = kept[1].value
                owner = next(f for n, f in holders if n == kept[0])
                ctx.mark(path + (key,), kept[1].span)
                for part, span in owner.parts.items():
                    if part[0] == key and len(part) > 1:
                        ctx.mark(path + part, span)
        groups.append(value)
    return groups


def merge_virtual_servers(ctx: Context) -> list[dict]:
    """hacc writes every virtual server on every keepalived node."""
    servers = []
    for address in _names(ctx, lambda c: c.virtual_servers):
        holders = [(c.node, c.virtual_servers.get(address), c.source.span(1)) for c in ctx.configs]
        first_node, first = first_holder([(n, f) for n, f, _ in holders])
        for node, found, span in holders:
            if node != first_node and (found is None or found.value != first.value):
                ctx.disagree(f"`virtual_server {address}`", node, found, _difference_span(found, first) or span,
                             first_node, first, lambda f, first=first: _first_difference(f, first))
        path = ("virtual_servers", len(servers))
        ctx.mark_parts(path, first)
        servers.append(first.value)
    return servers


def _names(ctx: Context, table: Callable[[NodeConfig], dict]) -> list[str]:
    names: list[str] = []
    for config in ctx.configs:
        names += [name for name in table(config) if name not in names]
    return names


def _first_difference(found: Found, first: Found | None) -> str:
    """What differs, in words: the first key whose value differs."""
    if first is None or found is first:
        return described(found)
    for key in list(found.value) + [k for k in first.value if k not in found.value]:
        if found.value.get(key) != first.value.get(key):
            return f"{key} {_describe(key, found.value.get(key))}"
    return described(found)


def _difference_span(found: Found | None, first: Found) -> Span | None:
    if found is None:
        return None
    for key in found.value:
        if found.value.get(key) != first.value.get(key):
            return found.parts.get((key,), found.span)
    return found.span


_LABELS = {"notify": "the notify scripts", "track_scripts": "track_script", "tracking_weight":
           "sync_group_tracking_weight"}


def _describe(key: str, value) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "set" if value else "not set"
    if isinstance(value, dict) and key == "notify":
        return ", ".join(f"{event} `{command}`" for event, command in value.items())
    if isinstance(value, list) and key in ("track_scripts", "track_interfaces"):
        return ", ".join(tracker_text(t) for t in value) or "none"
    if isinstance(value, list):
        return f"{len(value)} entries"
    return f"`{value}`"


def tracker_text(tracker: dict) -> str:
    words = [tracker["name"]]
    if "weight" in tracker:
        words += ["weight", str(tracker["weight"])]
    if tracker.get("reverse"):
        words.append("reverse")
    return " ".join(words)
