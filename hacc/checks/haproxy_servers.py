"""HA411, HA414, HA417-HA419, HA421, HA422: haproxy servers, TLS and peers."""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.helpers import duplicates, option_text
from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity
from hacc.model.haproxy import Peers


def _servers(cluster):
    for proxy in cluster.haproxy.proxies():
        for server in proxy.servers:
            yield proxy, server


@rule("HA411", "check-without-port", Severity.ERROR, layer="haproxy")
def check_without_port(cluster) -> Iterator[Finding]:
    """A health-checked server without a port to check.

    ## What it checks
    A server with `check` has a port in its address or a `port=` option.

    ## Why it matters
    haproxy refuses to start: it cannot know where to connect for the check.

    ## Example
    ```
    server app1 10.0.0.21 check
    ```

    ## Fix
    Write the port: `server app1 10.0.0.21:8080 check`.

    ## References
    haproxy (ALERT "no port for health checks"); keepalived-haproxy.md H23.
    """
    for _proxy, server in _servers(cluster):
        if server.checked and server.address.port is None and "port" not in server.options and "addr" not in server.options:
            yield Finding(server.span_of("address"), f"server `{server.name}` is checked but has no port",
                          help="add the port to the address, or `port=N`", path=server.path_of("address"))


@rule("HA414", "peers-missing-local", Severity.ERROR, layer="haproxy")
def peers_missing_local(cluster) -> Iterator[Finding]:
    """A peers section that does not list every node.

    ## What it checks
    When `peer` lines are written by hand, there is one named after each
    node (hacc sets `localpeer` to the node's name).

    ## Why it matters
    haproxy drops a peers section that does not contain the local peer, with
    only a warning: stick tables silently stop replicating, and sessions are
    lost at the first failover.

    ## Example
    ```
    peers mesh { peer lb1 10.0.0.11:10000 }
    # but the cluster also has lb2
    ```

    ## Fix
    List every node, or write only `port N` and let hacc list them.

    ## References
    haproxy cfgparse.c; configuration.txt section 11.2; haproxy#938.
    """
    for section in cluster.haproxy.sections:
        if isinstance(section, Peers) and section.peers:
            listed = {p.name for p in section.peers}
            for node in cluster.nodes:
                if node.name not in listed:
                    yield Finding(section.span_of("name"), f"peers `{section.name}` has no peer named `{node.name}`",
                                  help=f"add `peer {node.name} ADDRESS:PORT`, or write only `port N`", path=section.path_of())


@rule("HA417", "tls-server-without-verify", Severity.ERROR, layer="haproxy")
def tls_server_without_verify(cluster) -> Iterator[Finding]:
    """A TLS server without a CA to verify it, and without `verify none`.

    ## What it checks
    A server with `ssl` has `ca-file=...` or an explicit `verify=none`.

    ## Why it matters
    haproxy 2.6 verifies servers by default and refuses to start without a
    CA file.

    ## Example
    ```
    server api1 10.0.0.21:443 ssl check
    ```

    ## Fix
    Add `ca-file=/etc/ssl/certs/ca-certificates.crt` (or `verify=none` on a
    trusted network, knowingly).

    ## References
    haproxy (ALERT); keepalived-haproxy.md H25.
    """
    for _proxy, server in _servers(cluster):
        if server.options.get("ssl") and "ca-file" not in server.options and server.options.get("verify") != "none":
            yield Finding(server.span_of("options", "ssl", "<key>"), f"TLS server `{server.name}` has nothing to verify it with",
                          help="add `ca-file=...`, or `verify=none` knowingly", path=server.path_of())


@rule("HA418", "tls-bind-without-certificate", Severity.ERROR, layer="haproxy")
def tls_bind_without_certificate(cluster) -> Iterator[Finding]:
    """A TLS listener without a certificate.

    ## What it checks
    A `bind ... ssl` has `crt=...` (or `crt-list=...`).

    ## Why it matters
    haproxy refuses to start.

    ## Example
    ```
    bind :443 ssl
    ```

    ## Fix
    Add `crt=/etc/haproxy/certs/site.pem`.

    ## References
    haproxy (ALERT); keepalived-haproxy.md H26.
    """
    for proxy in cluster.haproxy.proxies():
        for bind in proxy.binds:
            if bind.options.get("ssl") and "crt" not in bind.options and "crt-list" not in bind.options:
                yield Finding(bind.span_of("options", "ssl", "<key>"), f"TLS listener {bind.address} has no certificate",
                              help="add `crt=PATH`", path=bind.path_of())


@rule("HA419", "server-name-resolution", Severity.WARNING, layer="haproxy")
def server_name_resolution(cluster) -> Iterator[Finding]:
    """A server named by host name that haproxy must resolve at start.

    ## What it checks
    Servers given by host name have `init-addr=...` ending in `none`, or a
    `resolvers=...` option.

    ## Why it matters
    haproxy resolves the name when it starts (and in `haproxy -c`): if DNS
    is down, or the name is unknown on the checking host, haproxy refuses to
    start and the whole load balancer stays down.

    ## Example
    ```
    server api1 api1.internal:9000 check
    ```

    ## Fix
    Add `init-addr=last,libc,none` (and `resolvers=dns` to follow changes).

    ## References
    haproxy#2176, #2627; configuration.txt `init-addr`.
    """
    for _proxy, server in _servers(cluster):
        if server.address.host is None or server.address.ip is not None:
            continue
        init = str(server.options.get("init-addr", ""))
        if not init.endswith("none") and "resolvers" not in server.options:
            yield Finding(server.span_of("address"), f"haproxy must resolve `{server.address.host}` before it can start",
                          help="add `init-addr=last,libc,none`", path=server.path_of("address"))


@rule("HA421", "duplicate-cookie", Severity.ERROR, layer="haproxy")
def duplicate_cookie(cluster) -> Iterator[Finding]:
    """Two servers of a backend with the same cookie value.

    ## What it checks
    `cookie=` values are unique among the servers of a backend.

    ## Why it matters
    Sticky sessions for the second server land on the first one.

    ## Example
    ```
    server a1 10.0.0.21:80 cookie=s1
    server a2 10.0.0.22:80 cookie=s1
    ```

    ## Fix
    Give each server its own cookie value.

    ## References
    haproxy cfgdiag.c `srv_diag_cookies`; keepalived-haproxy.md H33.
    """
    for proxy in cluster.haproxy.proxies():
        with_cookie = [s for s in proxy.servers if "cookie" in s.options and not s.options.get("backup")]
        for first, later in duplicates(with_cookie, lambda s: option_text(s.options["cookie"])):
            yield Finding(later.span_of("options", "cookie"),
                          f"`{later.name}` and `{first.name}` share cookie `{option_text(later.options['cookie'])}`",
                          labels=(Label(first.span_of("options", "cookie"), "used here first"),),
                          help="give each server its own cookie value", path=later.path_of())


@rule("HA422", "duplicate-server-id", Severity.ERROR, layer="haproxy")
def duplicate_server_id(cluster) -> Iterator[Finding]:
    """Two servers of a backend with the same `id`.

    ## What it checks
    `id=` values are unique among the servers of a backend.

    ## Why it matters
    haproxy refuses to start; peers use server ids to share stick tables.

    ## Example
    ```
    server a1 10.0.0.21:80 id=1
    server a2 10.0.0.22:80 id=1
    ```

    ## Fix
    Give each server its own id, or leave ids out.

    ## References
    haproxy (ALERT); keepalived-haproxy.md H05.
    """
    for proxy in cluster.haproxy.proxies():
        with_id = [s for s in proxy.servers if "id" in s.options]
        for first, later in duplicates(with_id, lambda s: option_text(s.options["id"])):
            yield Finding(later.span_of("options", "id"),
                          f"`{later.name}` and `{first.name}` share id {option_text(later.options['id'])}",
                          labels=(Label(first.span_of("options", "id"), "used here first"),),
                          help="give each server its own id", path=later.path_of())
