"""HA4xx rules: haproxy section names and references between sections."""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.helpers import duplicates
from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity
from hacc.diagnostics.suggest import did_you_mean
from hacc.model.haproxy import Peers, Proxy

# ACLs haproxy defines itself (configuration.txt, "7.4. Pre-defined ACLs").
PREDEFINED_ACLS = frozenset(
    ["FALSE", "HTTP", "HTTP_1.0", "HTTP_1.1", "HTTP_2.0", "HTTP_CONTENT", "HTTP_URL_ABS", "HTTP_URL_SLASH", "HTTP_URL_STAR", "LOCALHOST", "METH_CONNECT", "METH_DELETE", "METH_GET", "METH_HEAD", "METH_OPTIONS", "METH_POST", "METH_PUT", "METH_TRACE", "RDP_COOKIE", "REQ_CONTENT", "TRUE", "WAIT_END"]
)


def _named(cluster, kinds) -> list:
    return [s for s in cluster.haproxy.sections if s.KIND in kinds and s.name]


@rule("HA401", "duplicate-proxy-name", Severity.ERROR, layer="haproxy", fixed=True)
def duplicate_proxy_names(cluster) -> Iterator[Finding]:
    """Two haproxy sections that share a namespace have the same name.

    ## What it checks
    Frontends, backends and listens have different names (a frontend and a
    backend may share one), peers, userlist and resolvers sections are
    unique per kind, and server names are unique within a backend.

    ## Why it matters
    haproxy refuses to start: "proxy 'x' has the same name as another proxy".

    ## Example
    ```
    backend servers { server web1 192.168.1.101:80 }
    backend servers { server web2 192.168.1.102:80 }
    ```

    ## Fix
    Rename one of them.

    ## References
    haproxy cfgparse-listen.c ("has the same name as another proxy"); keepalived-haproxy.md H04, H06.
    """
    kinds_groups = [("frontend", "listen"), ("backend", "listen"), ("peers",), ("userlist",), ("resolvers",), ("defaults",)]
    reported = set()
    for kinds in kinds_groups:
        for first, later in duplicates(_named(cluster, kinds), lambda s: s.name):
            if id(later) in reported:
                continue
            reported.add(id(later))
            yield Finding(
                later.span_of("name"),
                f"{later.KIND} `{later.name}` has the same name as a {first.KIND} declared before",
                labels=(Label(first.span_of("name"), "first declared here"),),
                help="give each section its own name",
                path=later.path_of("name"),
            )
    for proxy in cluster.haproxy.proxies():
        for first, later in duplicates(proxy.servers, lambda s: s.name):
            yield Finding(
                later.span_of("name"),
                f"server `{later.name}` appears twice in {proxy.KIND} `{proxy.name}`",
                labels=(Label(first.span_of("name"), "first declared here"),),
                help="give each server its own name",
                path=later.path_of("name"),
            )


@rule("HA402", "undefined-backend", Severity.ERROR, layer="haproxy", fixed=True)
def undefined_backends(cluster) -> Iterator[Finding]:
    """`default_backend` or `use_backend` names a backend that does not exist.

    ## What it checks
    Backend names in `default_backend` and `use_backend` are `backend` or
    `listen` sections (names computed at run time, `%[...]`, are skipped).

    ## Why it matters
    haproxy refuses to start: "unable to find required default_backend".

    ## Example
    ```
    frontend http-in { bind *:80; default_backend servers }
    backend server { server web1 192.168.1.101:80 }
    ```

    ## Fix
    Use the name of a defined backend.

    ## References
    haproxy proxy.c ("unable to find required default_backend"); keepalived-haproxy.md H01, H02.
    """
    backends = cluster.haproxy.backend_names()
    for proxy in cluster.haproxy.proxies():
        if proxy.default_backend and proxy.default_backend not in backends:
            yield Finding(
                proxy.span_of("default_backend"),
                f"`default_backend {proxy.default_backend}`: there is no backend `{proxy.default_backend}`",
                help=did_you_mean(proxy.default_backend, backends, "define it with `backend NAME { ... }`"),
                path=proxy.path_of("default_backend"),
            )
        for rule_ in proxy.use_backends:
            if not rule_.dynamic and rule_.backend not in backends:
                yield Finding(
                    rule_.span_of("backend"),
                    f"`use_backend {rule_.backend}`: there is no backend `{rule_.backend}`",
                    help=did_you_mean(rule_.backend, backends, "define it with `backend NAME { ... }`"),
                    path=rule_.path_of("backend"),
                )


def _acl_words(words: list[str]) -> Iterator[tuple[int, str]]:
    """The ACL names a condition uses: words other than operators, with a
    leading `!` removed."""
    for index, word in enumerate(words):
        if word in ("||", "or", "&&", "!"):
            continue
        yield index, word.lstrip("!")


@rule("HA403", "undefined-acl", Severity.ERROR, layer="haproxy", fixed=True)
def undefined_acls(cluster) -> Iterator[Finding]:
    """A `use_backend` condition names an ACL that is not defined.

    ## What it checks
    Each word of an `if`/`unless` condition (other than `!`, `||` and `or`)
    is an `acl` of the same section or one of haproxy's predefined ACLs.

    ## Why it matters
    haproxy refuses to start ("no such ACL"), or, for a misspelt negated ACL,
    routes traffic where nobody expected.

    ## Example
    ```
    acl is_api path_beg /api
    use_backend api if is_apii
    ```

    ## Fix
    Use the name of an `acl` defined in the same section.

    ## References
    haproxy configuration.txt section 7 (ACLs, pre-defined ACLs); keepalived-haproxy.md H12.
    """
    for proxy in cluster.haproxy.proxies():
        defined = {acl.name for acl in proxy.acls} | PREDEFINED_ACLS
        for rule_ in proxy.use_backends:
            condition = rule_.condition()
            if condition is None:
                continue
            keyword, words = condition
            field = "if_" if keyword == "if" else "unless"
            for index, name in _acl_words(words):
                if name not in defined:
                    yield Finding(
                        rule_.span_of(field, index),
                        f"the condition names ACL `{name}`, which {proxy.KIND} `{proxy.name}` does not define",
                        help=did_you_mean(name, {a.name for a in proxy.acls}, f"define it: `acl {name} CRITERION VALUE`"),
                        path=rule_.path_of(),
                    )


@rule("HA404", "undefined-peers", Severity.ERROR, layer="haproxy", fixed=True)
def undefined_peers(cluster) -> Iterator[Finding]:
    """A stick table names a `peers` section that does not exist.

    ## What it checks
    `stick-table ... peers=NAME` names a `peers` section.

    ## Why it matters
    haproxy refuses to start ("unknown peers section").

    ## Example
    ```
    stick-table type=ip size=100k peers=lbpeer
    ```

    ## Fix
    Use the name of a `peers` section, or declare it.

    ## References
    haproxy proxy.c; keepalived-haproxy.md H37.
    """
    peers = {s.name for s in cluster.haproxy.sections if isinstance(s, Peers)}
    for proxy in cluster.haproxy.proxies():
        table = proxy.stick_table
        if isinstance(proxy, Proxy) and table and table.peers and table.peers not in peers:
            yield Finding(
                table.span_of("peers"),
                f"stick table names peers section `{table.peers}`, which is not declared",
                help=did_you_mean(table.peers, peers, f"declare it: `peers {table.peers} {{ port 10000 }}`"),
                path=table.path_of("peers"),
            )
