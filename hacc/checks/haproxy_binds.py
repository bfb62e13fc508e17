"""HA409, HA410: haproxy listeners: every frontend binds, and no two binds
take the same address and port."""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.haproxy_proxies import effective
from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity
from hacc.model.haproxy import Frontend, Listen


def _proxies(cluster):
    return effective(cluster.haproxy)


@rule("HA409", "frontend-without-bind", Severity.ERROR, layer="haproxy")
def frontend_without_bind(cluster) -> Iterator[Finding]:
    """A frontend or listen section that listens nowhere.

    ## What it checks
    Every `frontend` and `listen` has a `bind`.

    ## Why it matters
    haproxy warns and, if no proxy listens, refuses to start; the section
    serves nothing.

    ## Example
    ```
    frontend www { default_backend app }
    ```

    ## Fix
    Add `bind ADDRESS:PORT`.

    ## References
    haproxy proxy.c; keepalived-haproxy.md H09.
    """
    for proxy, _ in _proxies(cluster):
        if isinstance(proxy, (Frontend, Listen)) and not proxy.binds:
            yield Finding(proxy.span_of("name"), f"`{proxy.name}` has no `bind`", help="add `bind ADDRESS:PORT`", path=proxy.path_of())


class _Listeners:
    """The binds seen so far on one port, indexed so that finding the first
    one a new bind overlaps takes constant time: `*` overlaps every bind on
    its port, an address overlaps `*` and itself (a host name counts as
    one address, as hacc cannot resolve it)."""

    def __init__(self) -> None:
        self.first = None  # (order, bind): the earliest bind on the port
        self.wildcard = None  # the earliest `*`
        self.by_ip: dict = {}  # address -> the earliest bind on it

    def clash(self, address):
        if address.host is None:
            found = self.first
        else:
            found = min((c for c in (self.wildcard, self.by_ip.get(address.ip)) if c is not None), default=None,
                        key=lambda c: c[0])
        return found[1] if found is not None else None

    def add(self, order: int, bind) -> None:
        entry = (order, bind)
        self.first = self.first or entry
        if bind.address.host is None:
            self.wildcard = self.wildcard or entry
        else:
            self.by_ip.setdefault(bind.address.ip, entry)


@rule("HA410", "duplicate-bind", Severity.ERROR, layer="haproxy")
def duplicate_bind(cluster) -> Iterator[Finding]:
    """Two listeners on the same address and port.

    ## What it checks
    No two `bind`s (in any frontend or listen) share a port on the same
    address, counting `*` as every address.

    ## Why it matters
    haproxy starts, and the kernel splits connections between the two
    listeners (SO_REUSEPORT): half the traffic goes to the wrong frontend.

    ## Example
    ```
    frontend a { bind *:80 }
    frontend b { bind 10.0.0.100:80 }
    ```

    ## Fix
    Merge the frontends, or use different ports.

    ## References
    haproxy/haproxy#868 (works as designed), #629.
    """
    ports: dict = {}
    order = 0
    for proxy, _ in _proxies(cluster):
        for bind in proxy.binds:
            listeners = ports.setdefault(bind.address.port, _Listeners())
            clash = listeners.clash(bind.address)
            if clash is not None:
                yield Finding(bind.span_of("address"), f"{bind.address} overlaps {clash.address}, which is already bound",
                              labels=(Label(clash.span_of("address"), "bound here first"),),
                              help="use one listener per address and port", path=bind.path_of("address"))
            listeners.add(order, bind)
            order += 1
