"""haproxy.cfg, one per node. The files differ only in `localpeer` (the
node's own name in a `peers` section); everything else is identical so a
failover never changes behaviour.

Within a proxy, directives are written in the order haproxy evaluates them
(tcp-request, http-request, redirect, use_backend, use-server), which avoids
its "rule placed after ... will still be processed before" warnings and
keeps `haproxy -dW -c` clean. Directives hacc does not structure keep their
relative order.
"""

from __future__ import annotations

from hacc.emit.context import EmitContext, Output
from hacc.emit.quoting import haproxy_word
from hacc.emit.templating import render
from hacc.model.haproxy import Peers, Proxy, Resolvers, Userlist
from hacc.model.values import Duration, Endpoint

# haproxy's rule evaluation order (cfgparse-listen.c, warnif_misplaced_*).
_RULE_RANK = {
    ("tcp-request", "connection"): 1,
    ("tcp-request", "session"): 2,
    ("tcp-request", "content"): 3,
    ("tcp-request", "inspect-delay"): 3,
    ("monitor", "fail"): 4,
    ("http-request", None): 5,
    ("redirect", None): 6,
    ("http-response", None): 7,
    ("http-after-response", None): 8,
    ("use-server", None): 10,
}


def _rank(directive) -> int:
    first = directive.args[0] if directive.args and isinstance(directive.args[0], str) else None
    return _RULE_RANK.get((directive.keyword, first), _RULE_RANK.get((directive.keyword, None), 0))


def duration(value: Duration) -> str:
    return value.text()


class _Words:
    """Build a haproxy line word by word, quoting each word on its own."""

    def __init__(self, ctx: EmitContext) -> None:
        self.ctx = ctx

    def word(self, value, span=None) -> str:
        if isinstance(value, bool):
            raise AssertionError("flags are keywords, not values")
        if isinstance(value, Duration):
            return duration(value)
        if isinstance(value, Endpoint):
            return str(value)
        if isinstance(value, int):
            return str(value)
        if not isinstance(value, str):
            value = self.ctx.reveal(value, span)
        return haproxy_word(value)

    def line(self, keyword: str, *args, span=None) -> str:
        return " ".join([keyword, *(self.word(a, span) for a in args)])

    def options(self, options: dict, element) -> list[str]:
        words = []
        for key, value in options.items():
            words.append(key)
            if value is not True:
                words.append(self.word(value, element.span_of("options", key)))
        return words

    def directive(self, directive) -> str:
        args = [self.word(a, directive.span_of("args", i)) for i, a in enumerate(directive.args)]
        return " ".join([directive.keyword, *args])


def _proxy_lines(w: _Words, proxy: Proxy) -> list[str]:
    lines = []
    if proxy.mode:
        lines.append(w.line("mode", proxy.mode))
    if proxy.maxconn is not None:
        lines.append(w.line("maxconn", proxy.maxconn))
    for bind in proxy.binds:
        lines.append(" ".join(["bind", str(bind.address), *w.options(bind.options, bind)]))
    for name, value in proxy.timeouts.items():
        lines.append(w.line("timeout", name, value))
    if proxy.balance:
        lines.append(w.line("balance", proxy.balance.algorithm, *proxy.balance.args))
    if proxy.stick_table:
        lines.append(_stick_table(proxy.stick_table))
    # ACLs come before every directive: any of them may name one in an
    # `if`/`unless` (`stats admin if ops`, `stick on src if api`), and
    # haproxy only knows the ACLs declared above the line that uses them.
    for acl in proxy.acls:
        lines.append(w.line("acl", acl.name, acl.criterion, *[a for a in acl.args], span=acl.span))
    ordered = sorted(proxy.directives, key=_rank)
    lines.extend(w.directive(d) for d in ordered if _rank(d) == 0)
    lines.extend(w.directive(d) for d in ordered if 0 < _rank(d) < 10)
    for rule in proxy.use_backends:
        condition = rule.condition()
        extra = [condition[0], *condition[1]] if condition else []
        lines.append(w.line("use_backend", rule.backend, *extra))
    if proxy.default_backend:
        lines.append(w.line("default_backend", proxy.default_backend))
    lines.extend(w.directive(d) for d in ordered if _rank(d) >= 10)
    for server in proxy.servers:
        lines.append(" ".join(["server", w.word(server.name), str(server.address), *w.options(server.options, server)]))
    return lines


def _stick_table(table) -> str:
    words = ["stick-table", "type", table.type]
    if table.len is not None:
        words += ["len", str(table.len)]
    words += ["size", table.size]
    if table.expire is not None:
        words += ["expire", duration(table.expire)]
    if table.nopurge:
        words.append("nopurge")
    if table.peers:
        words += ["peers", table.peers]
    if table.store:
        words += ["store", haproxy_word(table.store)]
    return " ".join(words)


def _peer_entries(cluster, peers: Peers) -> list[str]:
    if peers.peers:
        return [f"peer {p.name} {p.address}" for p in peers.peers]
    port = peers.port or Peers.DEFAULT_PORT
    return [f"peer {node.name} {Endpoint(str(node.addrs[0]), port)}" for node in cluster.nodes if node.addrs]


def _section(w: _Words, cluster, section) -> dict:
    head = section.KIND if not section.name else f"{section.KIND} {section.name}"
    lines: list[str] = []
    if isinstance(section, Proxy):
        lines = _proxy_lines(w, section)
    elif isinstance(section, Peers):
        lines = _peer_entries(cluster, section) + [w.directive(d) for d in section.directives]
    elif isinstance(section, Userlist):
        for group in section.groups:
            lines.append(" ".join(["group", group.name] + (["users", group.users] if group.users else [])))
        for user in section.users:
            words = ["user", user.name]
            if user.password is not None:
                words += ["password", w.word(user.password, user.span_of("password"))]
            else:
                words += ["insecure-password", w.word(user.insecure_password, user.span_of("insecure_password"))]
            if user.groups:
                words += ["groups", user.groups]
            lines.append(" ".join(words))
    elif isinstance(section, Resolvers):
        lines = [f"nameserver {ns.name} {ns.address}" for ns in section.nameservers]
        lines += [w.directive(d) for d in section.directives]
    return {"head": head, "lines": lines}


def _global_lines(w: _Words, haproxy, node) -> list[str]:
    settings = haproxy.global_
    lines = []
    if settings and settings.maxconn is not None:
        lines.append(w.line("maxconn", settings.maxconn))
    if any(isinstance(s, Peers) for s in haproxy.sections):
        # One peers section on every node; each node names itself here.
        lines.append(f"localpeer {node.name}")
    if settings:
        lines += [w.directive(d) for d in settings.directives]
    return lines


def emit(ctx: EmitContext) -> list[Output]:
    haproxy = ctx.cluster.haproxy
    if haproxy is None:
        return []
    # Every node gets the same sections; only `global` differs (localpeer).
    # They are rendered once: on a big cluster they are most of the work.
    ctx.begin_file()
    w = _Words(ctx)
    # The files share that one encoded copy (Output.parts).
    sections = render("haproxy", "haproxy-sections.cfg.j2",
                      sections=[_section(w, ctx.cluster, s) for s in haproxy.sections]).encode()
    secret, unresolved = ctx.file_holds_secret, ctx.file_unresolved
    outputs = []
    for node in ctx.cluster.nodes:
        ctx.begin_file()
        head = render("haproxy", "haproxy-global.cfg.j2", header=ctx.header, global_lines=_global_lines(w, haproxy, node))
        outputs.append(Output(f"{node.name}/etc/haproxy/haproxy.cfg", (head.encode(), sections), "haproxy", node.name,
                              secret=secret or ctx.file_holds_secret, unresolved=unresolved or ctx.file_unresolved))
    return outputs
