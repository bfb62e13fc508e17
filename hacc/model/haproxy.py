"""The haproxy layer of the model: global settings and the ordered list of
sections (defaults, frontends, backends, listens, peers, userlists,
resolvers)."""

from __future__ import annotations

from dataclasses import field
from typing import ClassVar

from hacc.model.values import Duration, Endpoint, Located, SecretRef, element

Word = str | SecretRef
# A `key=value` option of a bind or server line: a flag, a number, text, or
# a secret (bound to a SecretRef, as every other secret, so emitters resolve
# it and checks can hash and print it).
Option = bool | int | str | SecretRef


@element
class Directive(Located):
    """A directive hacc does not structure, kept verbatim: `option forwardfor`."""

    keyword: str = ""
    args: list[Word] = field(default_factory=list)


@element
class Bind(Located):
    """A `bind ADDRESS:PORT options...` line of a frontend or listen section."""

    address: Endpoint = None
    options: dict[str, Option] = field(default_factory=dict)


@element
class Server(Located):
    """A `server NAME ADDRESS:PORT options...` line of a backend or listen section."""

    name: str = ""
    address: Endpoint = None
    options: dict[str, Option] = field(default_factory=dict)

    @property
    def checked(self) -> bool:
        return bool(self.options.get("check"))


@element
class Acl(Located):
    """An `acl NAME CRITERION ARGS...` line."""

    name: str = ""
    criterion: str = ""
    args: list[Word] = field(default_factory=list)


@element
class UseBackend(Located):
    """A `use_backend NAME if|unless CONDITION` rule."""

    backend: str = ""
    if_: list[str] = field(default_factory=list, metadata={"json": "if"})
    unless: list[str] = field(default_factory=list)

    @property
    def dynamic(self) -> bool:
        """`use_backend be_%[req.hdr(host)]` names its backend at run time."""
        return "%[" in self.backend

    def condition(self) -> tuple[str, list[str]] | None:
        if self.if_:
            return "if", self.if_
        if self.unless:
            return "unless", self.unless
        return None


@element
class Balance(Located):
    """The `balance ALGORITHM ARGS...` line of a backend."""

    algorithm: str = "roundrobin"
    args: list[str] = field(default_factory=list)


@element
class StickTable(Located):
    """A `stick-table` declaration."""

    type: str = "ip"
    size: str = ""
    expire: Duration | None = None
    peers: str | None = None
    store: str | None = None
    len: int | None = None
    nopurge: bool = False


@element
class Section(Located):
    """What every haproxy section has: a name and the directives hacc keeps verbatim."""

    name: str | None = None
    directives: list[Directive] = field(default_factory=list)

    VARIANTS: ClassVar[dict] = {}
    KIND: ClassVar[str] = ""


@element
class Proxy(Section):
    """What frontends, backends, listens and defaults share: mode, timeouts, options."""

    mode: str | None = None
    maxconn: int | None = None
    binds: list[Bind] = field(default_factory=list)
    timeouts: dict[str, Duration] = field(default_factory=dict)
    acls: list[Acl] = field(default_factory=list)
    use_backends: list[UseBackend] = field(default_factory=list)
    default_backend: str | None = None
    balance: Balance | None = None
    servers: list[Server] = field(default_factory=list)
    stick_table: StickTable | None = None


@element
class Defaults(Proxy):
    """A `defaults` section."""

    KIND: ClassVar[str] = "defaults"


@element
class Frontend(Proxy):
    """A `frontend` section: binds, ACLs, routing rules."""

    KIND: ClassVar[str] = "frontend"


@element
class Backend(Proxy):
    """A `backend` section: balance, health checks, servers."""

    KIND: ClassVar[str] = "backend"


@element
class Listen(Proxy):
    """A `listen` section: a frontend and a backend in one."""

    KIND: ClassVar[str] = "listen"


@element
class NamedEndpoint(Located):
    """A `peer NAME ADDRESS:PORT` or `nameserver NAME ADDRESS:PORT` line."""

    name: str = ""
    address: Endpoint = None


@element
class Peers(Section):
    """A `peers` section: the nodes that share stick tables."""

    KIND: ClassVar[str] = "peers"
    port: int | None = None
    peers: list[NamedEndpoint] = field(default_factory=list)

    DEFAULT_PORT: ClassVar[int] = 10000


@element
class UserEntry(Located):
    """A `user NAME password|insecure-password ...` line of a userlist."""

    name: str = ""
    password: Word | None = None
    insecure_password: Word | None = field(default=None, metadata={"json": "insecure-password"})
    groups: str | None = None


@element
class GroupEntry(Located):
    """A `group NAME users ...` line of a userlist."""

    name: str = ""
    users: str | None = None


@element
class Userlist(Section):
    """A `userlist` section: users and groups for HTTP authentication."""

    KIND: ClassVar[str] = "userlist"
    users: list[UserEntry] = field(default_factory=list)
    groups: list[GroupEntry] = field(default_factory=list)


@element
class Resolvers(Section):
    """A `resolvers` section: DNS servers for run-time name resolution."""

    KIND: ClassVar[str] = "resolvers"
    nameservers: list[NamedEndpoint] = field(default_factory=list)


Section.VARIANTS = {
    cls.KIND: cls for cls in (Defaults, Frontend, Backend, Listen, Peers, Userlist, Resolvers)
}


@element
class HAProxyGlobal(Located):
    """haproxy's `global` section."""

    maxconn: int | None = None
    directives: list[Directive] = field(default_factory=list)


@element
class HAProxy(Located):
    """The haproxy layer: the global section and the ordered list of sections."""

    global_: HAProxyGlobal | None = field(default=None, metadata={"json": "global"})
    sections: list[Section] = field(default_factory=list)

    def proxies(self, *kinds: str) -> list[Proxy]:
        return [s for s in self.sections if isinstance(s, Proxy) and (not kinds or s.KIND in kinds)]

    def backend_names(self) -> set[str]:
        return {s.name for s in self.proxies("backend", "listen") if s.name}
