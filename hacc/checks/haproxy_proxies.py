"""HA405-HA408, HA412-HA416, HA420, HA423, HA424: haproxy proxies: routing,
modes, timeouts and the directives that only work in some modes.

A proxy inherits mode and timeouts from the last `defaults` section before
it, as haproxy reads the file; the rules reason on those effective values.
"""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity
from hacc.model.haproxy import Backend, Defaults, Frontend, Listen, Proxy


def effective(haproxy) -> list[tuple[Proxy, Defaults | None]]:
    """Every frontend/backend/listen with the defaults section it inherits."""
    current: Defaults | None = None
    out = []
    for section in haproxy.sections:
        if isinstance(section, Defaults):
            current = section
        elif isinstance(section, Proxy):
            out.append((section, current))
    return out


def mode_of(proxy: Proxy, defaults: Defaults | None) -> str:
    return proxy.mode or (defaults.mode if defaults and defaults.mode else "tcp")


def timeout_of(proxy: Proxy, defaults: Defaults | None, name: str):
    return proxy.timeouts.get(name) or (defaults.timeouts.get(name) if defaults else None)


def _proxies(cluster):
    return effective(cluster.haproxy)


@rule("HA405", "unused-backend", Severity.WARNING, layer="haproxy")
def unused_backend(cluster) -> Iterator[Finding]:
    """A backend no frontend routes to.

    ## What it checks
    Every `backend` is named by a `default_backend` or `use_backend`
    (unless some `use_backend` computes its target at run time).

    ## Why it matters
    Usually a typo in the routing rule, which then sends the traffic
    elsewhere; at best dead configuration.

    ## Example
    ```
    frontend www { bind *:80; default_backend app }
    backend apps { server a1 10.0.0.21:80 }
    ```

    ## Fix
    Route to it, or remove it.

    ## References
    haproxy-lint (abulimov) "unused backend".
    """
    proxies = _proxies(cluster)
    used = {p.default_backend for p, _ in proxies if p.default_backend}
    used |= {r.backend for p, _ in proxies for r in p.use_backends}
    if any(r.dynamic for p, _ in proxies for r in p.use_backends):
        return
    for proxy, _ in proxies:
        if isinstance(proxy, Backend) and proxy.name not in used:
            yield Finding(proxy.span_of("name"), f"backend `{proxy.name}` receives no traffic", help="route to it, or remove it",
                          path=proxy.path_of("name"))


@rule("HA406", "empty-backend", Severity.WARNING, layer="haproxy")
def empty_backend(cluster) -> Iterator[Finding]:
    """A backend without servers.

    ## What it checks
    Every `backend` (and `listen` that is not a stats page) has a `server`.

    ## Why it matters
    Requests routed there get 503 Service Unavailable.

    ## Example
    ```
    backend app { balance roundrobin }
    ```

    ## Fix
    Add the servers.

    ## References
    keepalived-haproxy.md H10.
    """
    for proxy, _ in _proxies(cluster):
        stats = any(d.keyword == "stats" for d in proxy.directives)
        if isinstance(proxy, (Backend, Listen)) and not proxy.servers and not stats and not (isinstance(proxy, Listen) and proxy.default_backend):
            yield Finding(proxy.span_of("name"), f"`{proxy.name}` has no servers: every request gets 503", help="add a `server`",
                          path=proxy.path_of("name"))


@rule("HA407", "mode-mismatch", Severity.ERROR, layer="haproxy")
def mode_mismatch(cluster) -> Iterator[Finding]:
    """An HTTP frontend routes to a TCP backend.

    ## What it checks
    The backends a `mode http` frontend uses are `mode http` too (after
    inheriting from `defaults`; haproxy's own default is tcp).

    ## Why it matters
    haproxy refuses to start ("unable to use proxy ... with wrong mode").

    ## Example
    ```
    defaults { mode http }
    frontend www { bind *:80; default_backend db }
    backend db { mode tcp; server d 10.0.0.5:5432 }
    ```

    ## Fix
    Use the same mode on both sides (a TCP frontend may use an HTTP backend).

    ## References
    haproxy proxy.c; keepalived-haproxy.md H07.
    """
    proxies = _proxies(cluster)
    modes = {p.name: (p, mode_of(p, d)) for p, d in proxies if isinstance(p, (Backend, Listen))}
    for proxy, defaults in proxies:
        if isinstance(proxy, Backend) or mode_of(proxy, defaults) != "http":
            continue
        targets = [(proxy.default_backend, proxy.span_of("default_backend"))] if proxy.default_backend else []
        targets += [(r.backend, r.span_of("backend")) for r in proxy.use_backends if not r.dynamic]
        for name, span in targets:
            if name in modes and modes[name][1] == "tcp":
                yield Finding(span, f"HTTP {proxy.KIND} `{proxy.name}` cannot use TCP backend `{name}`",
                              labels=(Label(modes[name][0].span_of("name"), "mode tcp"),),
                              help="set `mode http` on the backend", path=proxy.path_of())


@rule("HA408", "missing-timeouts", Severity.ERROR, layer="haproxy")
def missing_timeouts(cluster) -> Iterator[Finding]:
    """A proxy without client, connect or server timeout.

    ## What it checks
    Frontends and listens have `timeout client`; backends and listens have
    `timeout connect` and `timeout server` (in the proxy or inherited from
    `defaults`). The seed article's haproxy.cfg sets none of them.

    ## Why it matters
    Without them a dead client or server holds a connection forever, until
    `maxconn` is exhausted and haproxy stops accepting. haproxy warns, which
    fails `haproxy -dW -c`.

    ## Example
    ```
    defaults { mode http }
    ```

    ## Fix
    Set them in `defaults`: `timeout connect 5s; timeout client 30s;
    timeout server 30s`.

    ## References
    haproxy proxy.c ("missing timeouts"); configuration.txt `timeout`.
    """
    for proxy, defaults in _proxies(cluster):
        needed = []
        if isinstance(proxy, (Frontend, Listen)):
            needed.append("client")
        if isinstance(proxy, (Backend, Listen)):
            needed += ["connect", "server"]
        missing = [n for n in needed if timeout_of(proxy, defaults, n) is None]
        if missing:
            yield Finding(proxy.span_of("name"), f"`{proxy.name}` has no {', '.join(f'`timeout {m}`' for m in missing)}",
                          help="set them in `defaults`: `timeout connect 5s; timeout client 30s; timeout server 30s`",
                          path=proxy.path_of())


@rule("HA412", "http-directive-in-tcp-mode", Severity.WARNING, layer="haproxy")
def http_directive_in_tcp_mode(cluster) -> Iterator[Finding]:
    """An HTTP-only directive in a proxy that runs in TCP mode.

    ## What it checks
    `http-request`, `http-response`, `option httplog`, `option forwardfor`,
    `option httpchk`, `cookie`, `redirect`, `stats` and URI-based `balance`
    appear only where the effective mode is http.

    ## Why it matters
    haproxy ignores them in TCP mode (with a warning that fails `-dW`): the
    header the application relies on is never added.

    ## Example
    ```
    backend db { mode tcp; option forwardfor }
    ```

    ## Fix
    Set `mode http`, or remove the directive.

    ## References
    haproxy proxy.c; keepalived-haproxy.md H15.
    """
    http_keywords = {"http-request", "http-response", "http-after-response", "cookie", "redirect", "stats", "http-check"}
    http_options = {"httplog", "forwardfor", "httpchk", "http-server-close", "httpclose", "http-keep-alive"}
    for proxy, defaults in _proxies(cluster):
        if mode_of(proxy, defaults) != "tcp":
            continue
        for directive in proxy.directives:
            first = directive.args[0] if directive.args and isinstance(directive.args[0], str) else ""
            if directive.keyword in http_keywords or (directive.keyword == "option" and first in http_options):
                words = f"{directive.keyword} {first}".strip() if directive.keyword == "option" else directive.keyword
                yield Finding(directive.span, f"`{words}` is ignored in TCP mode", help="set `mode http`, or remove it",
                              path=directive.path_of())
        if proxy.balance and proxy.balance.algorithm in ("uri", "url_param") or (proxy.balance and proxy.balance.algorithm.startswith("hdr(")):
            yield Finding(proxy.balance.span, f"`balance {proxy.balance.algorithm}` needs HTTP mode", help="set `mode http`",
                          path=proxy.balance.path_of())


@rule("HA413", "stats-without-auth", Severity.WARNING, layer="haproxy")
def stats_without_auth(cluster) -> Iterator[Finding]:
    """A statistics page without authentication.

    ## What it checks
    A proxy with `stats enable` or `stats uri` also has `stats auth`,
    `http-request auth` or an `http_auth` ACL.

    ## Why it matters
    The stats page shows every backend and server; with `stats admin` it
    lets anyone drain servers.

    ## Example
    ```
    listen stats { bind *:8404; stats enable; stats uri /stats }
    ```

    ## Fix
    Add `stats auth USER:PASSWORD` (from a secret) or a userlist with
    `http-request auth`.

    ## References
    keepalived-haproxy.md H32.
    """
    for proxy, _ in _proxies(cluster):
        stats = [d for d in proxy.directives if d.keyword == "stats" and d.args and d.args[0] in ("enable", "uri")]
        if not stats:
            continue
        guarded = any(d.keyword == "stats" and d.args and d.args[0] in ("auth", "http-request") for d in proxy.directives)
        guarded |= any(d.keyword == "http-request" and d.args and d.args[0] == "auth" for d in proxy.directives)
        guarded |= any("http_auth" in acl.criterion for acl in proxy.acls)
        if not guarded:
            yield Finding(stats[0].span, f"the statistics page of `{proxy.name}` has no authentication",
                          help="add `stats auth` (from a secret) or `http-request auth` with a userlist", path=stats[0].path_of())


@rule("HA415", "servers-shadowed", Severity.WARNING, layer="haproxy")
def servers_shadowed(cluster) -> Iterator[Finding]:
    """A listen section with both servers and a default_backend.

    ## What it checks
    A `listen` that has `server`s does not also route with
    `default_backend`.

    ## Why it matters
    All traffic goes to the default backend; the section's own servers never
    receive a request.

    ## Example
    ```
    listen web { bind *:80; default_backend app; server w1 10.0.0.21:80 }
    ```

    ## Fix
    Remove one of the two.

    ## References
    haproxy proxy.c; keepalived-haproxy.md H17.
    """
    for proxy, _ in _proxies(cluster):
        if isinstance(proxy, Listen) and proxy.servers and proxy.default_backend:
            yield Finding(proxy.span_of("default_backend"), f"the servers of `{proxy.name}` never receive traffic",
                          help="remove `default_backend` or the servers", path=proxy.path_of("default_backend"))


@rule("HA416", "http-check-without-httpchk", Severity.WARNING, layer="haproxy")
def http_check_without_httpchk(cluster) -> Iterator[Finding]:
    """`http-check` rules without `option httpchk`.

    ## What it checks
    A proxy with `http-check` directives also has `option httpchk` (in
    itself or in its defaults).

    ## Why it matters
    The checks stay plain TCP connects: the HTTP status the rules expect is
    never looked at.

    ## Example
    ```
    backend app { http-check expect status 200; server a 10.0.0.21:80 check }
    ```

    ## Fix
    Add `option httpchk GET /health`.

    ## References
    haproxy proxy.c; keepalived-haproxy.md H16.
    """
    for proxy, defaults in _proxies(cluster):
        rules = [d for d in proxy.directives if d.keyword == "http-check"]
        if not rules:
            continue
        sources = list(proxy.directives) + (list(defaults.directives) if defaults else [])
        if not any(d.keyword == "option" and d.args and d.args[0] == "httpchk" for d in sources):
            yield Finding(rules[0].span, "`http-check` has no effect without `option httpchk`",
                          help="add `option httpchk GET /health`", path=rules[0].path_of())


@rule("HA420", "maxconn-above-global", Severity.WARNING, layer="haproxy")
def maxconn_above_global(cluster) -> Iterator[Finding]:
    """A proxy allows more connections than the whole process.

    ## What it checks
    A proxy's `maxconn` does not exceed `global { maxconn }`.

    ## Why it matters
    The process limit is reached first: the proxy's limit is never the one
    that applies, and queues build up where nobody expects them.

    ## Example
    ```
    global { maxconn 2000 }
    frontend www { maxconn 10000 }
    ```

    ## Fix
    Raise the global limit or lower the proxy's.

    ## References
    keepalived-haproxy.md H31.
    """
    settings = cluster.haproxy.global_
    if not settings or settings.maxconn is None:
        return
    for proxy, _ in _proxies(cluster):
        if proxy.maxconn is not None and proxy.maxconn > settings.maxconn:
            yield Finding(proxy.span_of("maxconn"), f"`{proxy.name}` allows {proxy.maxconn} connections, the process only {settings.maxconn}",
                          labels=(Label(settings.span_of("maxconn"), "the global limit"),),
                          help="raise `global { maxconn }` or lower this one", path=proxy.path_of("maxconn"))


@rule("HA423", "routing-loop", Severity.ERROR, layer="haproxy")
def routing_loop(cluster) -> Iterator[Finding]:
    """A listen section that routes to itself.

    ## What it checks
    `default_backend` and `use_backend` of a `listen` do not name the
    section itself.

    ## Why it matters
    haproxy refuses to start.

    ## Example
    ```
    listen web { bind *:80; default_backend web }
    ```

    ## Fix
    Point to another backend, or remove the rule.

    ## References
    haproxy proxy.c; keepalived-haproxy.md H18.
    """
    for proxy, _ in _proxies(cluster):
        if not isinstance(proxy, Listen):
            continue
        if proxy.default_backend == proxy.name:
            yield Finding(proxy.span_of("default_backend"), f"`{proxy.name}` routes to itself", help="name another backend",
                          path=proxy.path_of("default_backend"))
        for rule_ in proxy.use_backends:
            if rule_.backend == proxy.name:
                yield Finding(rule_.span_of("backend"), f"`{proxy.name}` routes to itself", help="name another backend",
                              path=rule_.path_of())


@rule("HA424", "frontend-backend-same-name", Severity.WARNING, layer="haproxy")
def frontend_backend_same_name(cluster) -> Iterator[Finding]:
    """A frontend and a backend with the same name.

    ## What it checks
    Frontend and backend names differ.

    ## Why it matters
    haproxy allows it, but logs, stats and the runtime API then show two
    things under one name; configuration.txt advises against it.

    ## Example
    ```
    frontend web { bind *:80; default_backend web }
    backend web { server w1 10.0.0.21:80 }
    ```

    ## Fix
    Rename one, e.g. `frontend web-in`.

    ## References
    haproxy configuration.txt section 2.1; keepalived-haproxy.md H06.
    """
    frontends = {p.name: p for p, _ in _proxies(cluster) if isinstance(p, Frontend)}
    for proxy, _ in _proxies(cluster):
        if isinstance(proxy, Backend) and proxy.name in frontends:
            yield Finding(proxy.span_of("name"), f"frontend and backend both named `{proxy.name}`",
                          labels=(Label(frontends[proxy.name].span_of("name"), "the frontend"),),
                          help="rename one of them", path=proxy.path_of("name"))
