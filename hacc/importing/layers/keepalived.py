"""keepalived.conf from every node -> the model's `keepalived` section, plus
the per-node fields keepalived knows (`interface`, `router_id`, the advert
source as `addrs[0]` or `unicast_src`).

Each node's file is read with keepalived's own rules (readers/keepalived),
mapped node by node (keepalived_node, keepalived_lvs), then merged:
instances by name (keepalived_instances), scripts, sync groups and virtual
servers (keepalived_merge), and `global_defs` here. Values hacc derives are
left out when the derived value is what the files say, so a configuration
hacc generated imports back to the same `.ha` file.
"""

from __future__ import annotations

from collections import Counter

from hacc.importing.files import Files, NodeTable, Source
from hacc.importing.layers.keepalived_instances import merge_instance
from hacc.importing.layers.keepalived_merge import (
    Context,
    agree,
    merge_groups,
    merge_scripts,
    merge_virtual_servers,
)
from hacc.importing.layers.keepalived_node import read_node
from hacc.importing.layers.keepalived_values import Found, Reading
from hacc.importing.log import ImportLog
from hacc.importing.readers.keepalived import read_keepalived


def import_keepalived(sources: dict[str, Source], files: Files, nodes: NodeTable, log: ImportLog) -> dict | None:
    """node -> its keepalived.conf: the `keepalived` section, or None when
    no file could be read. Fills `interface`, `router_id`, `addrs` and
    `unicast_src` on `nodes` where keepalived knows them."""
    configs = []
    for node, source in sources.items():
        nodes.add(node)
        items = read_keepalived(source, files, log, config_id=node)
        if items is not None:
            configs.append(read_node(Reading(log, node), source, items))
    if not configs:
        return None
    configs.sort(key=lambda c: nodes.index(c.node))
    ctx = Context(log, nodes, configs)
    _node_fields(ctx)
    section: dict = {}
    instances = _instances(ctx)
    running = {i["name"]: list(i["priority"]) for i in instances}
    groups = merge_groups(ctx, running)
    servers = merge_virtual_servers(ctx)
    scripts = merge_scripts(ctx, lambda node: _tracked(node, instances, groups))
    settings = _globals(ctx, {c.node: _runs_scripts(c.node, instances, groups, servers) for c in configs})
    if settings:
        section["global"] = settings
    section.update(scripts=scripts, instances=instances, sync_groups=groups, virtual_servers=servers)
    _note_which_nodes_get_a_file(ctx, instances, servers)
    top = configs[0].source.span(1)
    log.mark(("keepalived",), top)
    for key, value in section.items():
        first = (key, 0) if isinstance(value, list) else (key, next(iter(value), None))
        log.mark(("keepalived", key), ctx.spans.get(first, top))
    for path, span in ctx.spans.items():
        log.mark(("keepalived",) + path, span)
    return section


# -- the nodes' own fields ------------------------------------------------------


def _node_fields(ctx: Context) -> None:
    """A node's usual interface and advert source are the ones most of its
    instances use; instances that differ say so themselves."""
    for config in ctx.configs:
        node = ctx.nodes.get(config.node)
        interface = _usual([i.interface for i in config.instances.values()])
        if interface is not None and "interface" not in node:
            node["interface"] = interface.value
            ctx.log.mark(ctx.nodes.path(config.node, "interface"), interface.span)
        source = _usual([i.source for i in config.instances.values() if i.peers])
        if source is not None:
            if not node.get("addrs"):
                node["addrs"] = [source.value]
                ctx.log.mark(ctx.nodes.path(config.node, "addrs"), source.span)
                ctx.log.mark(ctx.nodes.path(config.node, "addrs", 0), source.span)
            elif source.value != node["addrs"][0] and "unicast_src" not in node:
                node["unicast_src"] = source.value
                ctx.log.mark(ctx.nodes.path(config.node, "unicast_src"), source.span)
        router_id = config.globals.get("router_id")
        if router_id is not None and router_id.value != config.node:
            node["router_id"] = router_id.value
            ctx.log.mark(ctx.nodes.path(config.node, "router_id"), router_id.span)
    for config in ctx.configs:
        if ctx.source_of(config.node) is None:
            _address_from_peers(ctx, config)


def _address_from_peers(ctx: Context, config) -> None:
    """A node whose files name no unicast_src_ip (keepalived then sends from
    the interface's address) and whose address no other file gives: the
    other nodes of its instances list that address as a peer."""
    known = {ctx.source_of(c.node) for c in ctx.configs} | {
        i.source.value for c in ctx.configs for i in c.instances.values() if i.source is not None}
    candidates: list[tuple[str, Found]] = []
    for name, instance in config.instances.items():
        if not instance.peers:
            continue
        for other in ctx.configs:
            theirs = other.instances.get(name)
            if other is not config and theirs is not None:
                candidates += [(other.node, peer) for peer in theirs.peers if peer.value not in known]
    if not candidates:
        return
    address, _ = Counter(peer.value for _, peer in candidates).most_common(1)[0]
    other, peer = next((node, peer) for node, peer in candidates if peer.value == address)
    node = ctx.nodes.get(config.node)
    node["addrs"] = [address]
    ctx.log.mark(ctx.nodes.path(config.node, "addrs"), peer.span)
    ctx.log.mark(ctx.nodes.path(config.node, "addrs", 0), peer.span)
    ctx.log.rewrote(peer.span, f"{config.node} names no unicast_src_ip: its address {address} is taken from "
                    f"the unicast peers {other} lists", help="check that it is the node's address")


def _usual(values: list[Found | None]) -> Found | None:
    """The most frequent value (the first seen on a tie), with its first span."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    value, _ = Counter(v.value for v in present).most_common(1)[0]
    return next(v for v in present if v.value == value)


def _instances(ctx: Context) -> list[dict]:
    names: list[str] = []
    for config in ctx.configs:
        names += [name for name in config.instances if name not in names]
    instances = []
    for name in names:
        holders = [(c.node, c.instances[name]) for c in ctx.configs if name in c.instances]
        instance = merge_instance(ctx, name, holders, ("instances", len(instances)))
        if instance is not None:
            instances.append(instance)
    return instances


# -- global_defs ----------------------------------------------------------------


def _tracked(node: str, instances: list[dict], groups: list[dict]) -> set[str]:
    """The scripts hacc writes into `node`'s file (emit/keepalived.py)."""
    running = {i["name"] for i in instances if node in i["priority"]}
    names = {t["name"] for i in instances if i["name"] in running for t in i.get("track_scripts", ())}
    return names | {t["name"] for g in groups if set(g["members"]) & running for t in g.get("track_scripts", ())}


def _runs_scripts(node: str, instances: list[dict], groups: list[dict], servers: list[dict]) -> bool:
    """Whether hacc's keepalived.conf for `node` runs scripts, which makes it
    write `script_user root` and `enable_script_security`."""
    mine = [i for i in instances if node in i["priority"]]
    return (bool(_tracked(node, instances, groups)) or any(i.get("notify") for i in mine)
            or any(g.get("notify") for g in groups)
            or any(c["type"] == "misc" for vs in servers for rs in vs["real_servers"] for c in rs["checks"]))


def _globals(ctx: Context, runs_scripts: dict[str, bool]) -> dict:
    settings: dict = {}
    for key, default in (("vrrp_version", None), ("vrrp_strict", False)):
        holders = [(c.node, c.globals.get(key) or (Found(default, c.source.span(1), "not set")
                                                    if default is not None else None), c.source.span(1))
                   for c in ctx.configs]
        kept = agree(ctx, f"`{key}` in global_defs", holders)
        if kept is not None and kept[1].value:
            settings[key] = kept[1].value
            ctx.mark(("global", key), kept[1].span)
    user = _script_setting(ctx, "script_user", runs_scripts, lambda scripts: "root" if scripts else None, None)
    if user is not None:
        settings["script_user"] = user
    security = _script_setting(ctx, "enable_script_security", runs_scripts, lambda scripts: scripts, False)
    if security is not None:
        settings["enable_script_security"] = security
    return settings


def _script_setting(ctx: Context, key: str, runs_scripts: dict[str, bool], derived, absent) -> object:
    """`script_user` and `enable_script_security`, which hacc derives from
    whether scripts run on a node: None (derived) or one value for every
    node, whichever reproduces most files; the other files are reported."""
    found = {c.node: c.globals.get(key) for c in ctx.configs}
    values = {node: f.value if f is not None else absent for node, f in found.items()}

    def effective(choice, node: str):
        return derived(runs_scripts[node]) if choice is None else choice

    choices = [None] + list(dict.fromkeys(v for v in values.values() if v != absent))
    if absent is not None:
        choices.append(absent)
    best = min(choices, key=lambda choice: sum(values[n] != effective(choice, n) for n in values))
    for node, value in values.items():
        wanted = effective(best, node)
        if value == wanted:
            continue
        shown = f"`{key}`" if wanted is True else f"no `{key}`" if wanted in (None, False) else f"`{key} {wanted}`"
        if found[node] is None:
            ctx.log.rewrote(ctx.config(node).source.span(1), f"{node}'s global_defs has no `{key}`: hacc writes "
                            f"{shown} there", help="check that the scripts may run as that user"
                            if key == "script_user" else "check that the scripts pass keepalived's security checks")
        else:
            ctx.log.disagree(found[node].span, f"`{key}` differs between nodes: {node} has `{found[node].text}`, "
                             f"and hacc writes {shown} there")
    if best is not None:
        holder = next((f for node, f in found.items() if f is not None and f.value == best), None)
        ctx.mark(("global", key), holder.span if holder else ctx.configs[0].source.span(1))
    return best


def _note_which_nodes_get_a_file(ctx: Context, instances: list[dict], servers: list[dict]) -> None:
    """hacc writes keepalived.conf only for nodes that run an instance, or
    for every node when there are virtual servers (emit/keepalived.py)."""
    if servers:
        imported = set(ctx.order)
        for node in ctx.nodes.names:
            if node not in imported:
                ctx.log.rewrote(ctx.configs[0].source.span(1), f"{node} has no keepalived.conf, but hacc writes "
                                "one on every node when there are virtual servers",
                                help="check that the node should direct LVS traffic")
        return
    for config in ctx.configs:
        if not any(config.node in i["priority"] for i in instances):
            ctx.log.rewrote(config.source.span(1), f"{config.node} runs no VRRP instance and no virtual server: "
                            "hacc writes no keepalived.conf for it")

