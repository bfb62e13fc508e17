"""keepalived.conf, one per node: each node gets its own state, priority,
unicast source and peers for the VRRP instances it runs.

keepalived's parser (lib/parser.c) splits words on whitespace, treats `{`
and `}` anywhere as block delimiters, `#` and `!` as comments, and `$` as
parameter substitution. Names and interfaces reach this file only from
validated formats without those characters; commands are written in double
quotes and may not contain quotes, backslashes, `$`, `#`, `!` or braces
(schema format `command`).
"""

from __future__ import annotations

import re

from hacc.emit.context import EmitContext, Output
from hacc.emit.templating import render
from hacc.model.values import Duration

NOTIFY_KEYWORDS = {"master": "notify_master", "backup": "notify_backup", "fault": "notify_fault",
                   "stop": "notify_stop", "any": "notify"}
_AUTH_PASS = re.compile(r"[A-Za-z0-9%&()*+,./:;<=>?@\[\]^_`|~-]{1,8}\Z")


def seconds(duration: Duration | None) -> str | None:
    """keepalived timers are seconds, with decimals where needed."""
    if duration is None:
        return None
    whole, rest = divmod(duration.ms, 1000)
    return str(whole) if rest == 0 else f"{duration.ms / 1000:g}"


def quoted(command: str) -> str:
    return f'"{command}"'


def _auth_problem(text: str) -> str | None:
    if len(text) > 8:
        return f"keepalived uses only the first 8 characters, and it has {len(text)}"
    if not _AUTH_PASS.match(text):
        return "it contains a space, a quote, `#`, `!`, `$`, a brace or a backslash, which keepalived would misread"
    return None


def _tracker(tracker, script=None) -> str:
    words = [tracker.name]
    weight = tracker.weight
    if weight is None and tracker.reverse:
        # keepalived reads `reverse` only after a weight ("unknown track
        # script option reverse"): write the weight the tracker has anyway,
        # its script's, else 0.
        weight = script.weight if script is not None and script.weight is not None else 0
    if weight is not None:
        words += ["weight", str(weight)]
    if tracker.reverse:
        words.append("reverse")
    return " ".join(words)


def _instance_view(ctx: EmitContext, instance, node) -> dict:
    cluster = ctx.cluster
    names = cluster.node_names
    peers = [instance.source_of(cluster.node(n)) for n in instance.node_names(names) if n != node.name]
    auth = None
    if instance.auth is not None:
        auth = {
            "type": instance.auth.type,
            "pass": ctx.reveal(instance.auth.password, instance.auth.span_of("password"), _auth_problem),
        }
    return {
        "name": instance.name,
        "state": instance.state_of(node.name, names, strict=bool(cluster.keepalived.global_ and cluster.keepalived.global_.vrrp_strict)),
        "interface": instance.interface_of(node),
        "vrid": instance.vrid,
        "priority": instance.priority_of(node.name, names),
        "advert": seconds(instance.advert),
        "version": instance.version,
        "nopreempt": instance.preempt is False,
        "preempt_delay": seconds(instance.preempt_delay),
        "auth": auth,
        # An instance no other node runs has no peer to send to: keepalived
        # rejects `unicast_src_ip` with an empty `unicast_peer` block.
        "unicast_src": None if instance.multicast or not peers else instance.source_of(node),
        "unicast_peers": [] if instance.multicast else peers,
        "vips": [_vip(vip) for vip in instance.vips],
        "track_scripts": [_tracker(t, cluster.keepalived.script(t.name)) for t in instance.track_scripts],
        "track_interfaces": [_tracker(t) for t in instance.track_interfaces],
        "notify": [(NOTIFY_KEYWORDS[event], quoted(command)) for event, command in _notify_order(instance.notify)],
        "accept": instance.accept,
        "dont_track_primary": instance.dont_track_primary,
        "garp_master_delay": seconds(instance.garp_master_delay),
        "garp_master_refresh": seconds(instance.garp_master_refresh),
    }


def _notify_order(notify: dict) -> list:
    return [(event, notify[event]) for event in NOTIFY_KEYWORDS if event in notify]


def _vip(vip) -> str:
    words = [str(vip.address)]
    if vip.dev:
        words += ["dev", vip.dev]
    if vip.label:
        words += ["label", vip.label]
    return " ".join(words)


def _script_view(script) -> dict:
    return {
        "name": script.name,
        "command": quoted(script.command),
        "interval": seconds(script.interval),
        "timeout": seconds(script.timeout),
        "weight": script.weight,
        "rise": script.rise,
        "fall": script.fall,
        "user": script.user,
    }


def _sync_group_view(group, running: set[str], keepalived) -> dict | None:
    members = [m for m in group.members if m in running]
    if not members:
        return None
    return {
        "name": group.name,
        "members": members,
        "notify": [(NOTIFY_KEYWORDS[event], quoted(command)) for event, command in _notify_order(group.notify)],
        "track_scripts": [_tracker(t, keepalived.script(t.name)) for t in group.track_scripts],
        "tracking_weight": bool(group.tracking_weight),
    }


def _endpoint_words(endpoint) -> str:
    return f"{endpoint.host} {endpoint.port}" if endpoint.port is not None else str(endpoint.host)


_CHECK_TYPES = {"tcp": "TCP_CHECK", "http": "HTTP_GET", "https": "SSL_GET", "misc": "MISC_CHECK"}


def _check_view(check) -> dict:
    lines = []
    if check.type == "misc":
        lines.append(f"misc_path {quoted(check.command)}")
        if check.timeout is not None:
            lines.append(f"misc_timeout {seconds(check.timeout)}")
        if check.dynamic:
            lines.append("misc_dynamic")
    for key in ("connect_ip", "connect_port", "connect_timeout", "retry", "delay_before_retry", "delay_loop"):
        item = getattr(check, key)
        if item is not None:
            lines.append(f"{key} {seconds(item) if isinstance(item, Duration) else item}")
    url = None
    if check.type in ("http", "https"):
        url = [("path", check.path)]
        if check.digest:
            url.append(("digest", check.digest))
        if check.status:
            url.append(("status_code", check.status))
        if check.virtualhost:
            url.append(("virtualhost", check.virtualhost))
    return {"type": _CHECK_TYPES[check.type], "lines": lines, "url": url}


# What keepalived uses for an omitted setting; written out, since keepalived
# -t reports each omission ("no protocol set - defaulting to UDP").
VS_DEFAULTS = {"lvs_sched": "wlc", "lvs_method": "NAT", "protocol": "UDP"}


def _virtual_server_view(vs) -> dict:
    options = []
    for key in ("delay_loop", "lvs_sched", "lvs_method", "protocol", "persistence_timeout", "quorum",
                "connect_timeout", "retry", "delay_before_retry"):
        item = getattr(vs, key)
        if item is None:
            item = VS_DEFAULTS.get(key)
        if item is None:
            continue
        if isinstance(item, Duration):
            item = seconds(item)
        elif key in ("lvs_method", "protocol"):
            item = item.upper()
        options.append((key, str(item)))
    if vs.sorry_server is not None:
        options.append(("sorry_server", _endpoint_words(vs.sorry_server)))
    servers = []
    for rs in vs.real_servers:
        rs_options = []
        for key in ("weight", "inhibit_on_failure", "connect_timeout", "retry", "delay_before_retry"):
            item = getattr(rs, key)
            if item is None:
                continue
            if isinstance(item, bool):
                item = "yes" if item else "no"
            elif isinstance(item, Duration):
                item = seconds(item)
            rs_options.append((key, str(item)))
        servers.append({"address": _endpoint_words(rs.address), "options": rs_options,
                        "checks": [_check_view(c) for c in rs.checks]})
    return {"address": _endpoint_words(vs.address), "options": options, "real_servers": servers}


def render_node(ctx: EmitContext, node) -> str:
    keepalived = ctx.cluster.keepalived
    names = ctx.cluster.node_names
    instances = [i for i in keepalived.instances if node.name in i.node_names(names)]
    running = {i.name for i in instances}
    tracked = {t.name for i in instances for t in i.track_scripts}
    tracked |= {t.name for g in keepalived.sync_groups for t in g.track_scripts if set(g.members) & running}
    settings = keepalived.global_
    has_scripts = bool(tracked) or any(i.notify for i in instances) or any(g.notify for g in keepalived.sync_groups) \
        or any(c.type == "misc" for vs in keepalived.virtual_servers for rs in vs.real_servers for c in rs.checks)
    security = settings.enable_script_security if settings and settings.enable_script_security is not None else has_scripts
    return render(
        "keepalived",
        "keepalived.conf.j2",
        header=ctx.header,
        router_id=node.router_id or node.name,
        script_user=settings.script_user if settings and settings.script_user else ("root" if has_scripts else None),
        enable_script_security=security,
        vrrp_version=settings.vrrp_version if settings else None,
        vrrp_strict=bool(settings and settings.vrrp_strict),
        # keepalived runs only the scripts some instance tracks; the others
        # are left out so its log does not fill with "unused script" notes.
        scripts=[_script_view(s) for s in keepalived.scripts if s.name in tracked],
        sync_groups=[v for g in keepalived.sync_groups if (v := _sync_group_view(g, running, keepalived))],
        instances=[_instance_view(ctx, i, node) for i in instances],
        virtual_servers=[_virtual_server_view(vs) for vs in keepalived.virtual_servers],
    )


def emit(ctx: EmitContext) -> list[Output]:
    if ctx.cluster.keepalived is None:
        return []
    keepalived = ctx.cluster.keepalived
    names = ctx.cluster.node_names
    outputs = []
    for node in ctx.cluster.nodes:
        # A node runs keepalived when it takes part in a VRRP instance, or
        # when the cluster balances with LVS (every director needs the
        # virtual servers); other nodes get no keepalived.conf.
        runs_vrrp = any(node.name in i.node_names(names) for i in keepalived.instances)
        if not runs_vrrp and not keepalived.virtual_servers:
            continue
        ctx.begin_file()
        content = render_node(ctx, node).encode()
        outputs.append(Output(f"{node.name}/etc/keepalived/keepalived.conf", (content,), "keepalived", node.name,
                              secret=ctx.file_holds_secret, unresolved=ctx.file_unresolved))
    return outputs
