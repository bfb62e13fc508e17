"""The haproxy layer of the model: global settings and the ordered list of
sections (defaults, frontends, backends, listens, peers, userlists,
resolvers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from hacc.model.values import Duration, Endpoint, Located, SecretRef

Word = str | SecretRef


@dataclass
class Directive(Located):
    """A directive hacc does not structure, kept verbatim: `option forwardfor`."""

    keyword: str = ""
    args: list[Word] = field(default_factory=list)


@dataclass
class Bind(Located):
    address: Endpoint = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Server(Located):
    name: str = ""
    address: Endpoint = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def checked(self) -> bool:
        return bool(self.options.get("check"))


@dataclass
class Acl(Located):
    name: str = ""
    criterion: str = ""
    args: list[Word] = field(default_factory=list)


@dataclass
class UseBackend(Located):
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


@dataclass
class Balance(Located):
    algorithm: str = "roundrobin"
    args: list[str] = field(default_factory=list)


@dataclass
class StickTable(Located):
    type: str = "ip"
    size: str = ""
    expire: Duration | None = None
    peers: str | None = None
    store: str | None = None
    len: int | None = None
    nopurge: bool = False


@dataclass
class Section(Located):
    name: str | None = None
    directives: list[Directive] = field(default_factory=list)

    VARIANTS: ClassVar[dict] = {}
    KIND: ClassVar[str] = ""


@dataclass
class Proxy(Section):
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


@dataclass
class Defaults(Proxy):
    KIND: ClassVar[str] = "defaults"


@dataclass
class Frontend(Proxy):
    KIND: ClassVar[str] = "frontend"


@dataclass
class Backend(Proxy):
    KIND: ClassVar[str] = "backend"


@dataclass
class Listen(Proxy):
    KIND: ClassVar[str] = "listen"


@dataclass
class NamedEndpoint(Located):
    name: str = ""
    address: Endpoint = None


@dataclass
class Peers(Section):
    KIND: ClassVar[str] = "peers"
    port: int | None = None
    peers: list[NamedEndpoint] = field(default_factory=list)

    DEFAULT_PORT: ClassVar[int] = 10000


@dataclass
class UserEntry(Located):
    name: str = ""
    password: Word | None = None
    insecure_password: Word | None = field(default=None, metadata={"json": "insecure-password"})
    groups: str | None = None


@dataclass
class GroupEntry(Located):
    name: str = ""
    users: str | None = None


@dataclass
class Userlist(Section):
    KIND: ClassVar[str] = "userlist"
    users: list[UserEntry] = field(default_factory=list)
    groups: list[GroupEntry] = field(default_factory=list)


@dataclass
class Resolvers(Section):
    KIND: ClassVar[str] = "resolvers"
    nameservers: list[NamedEndpoint] = field(default_factory=list)


Section.VARIANTS = {
    cls.KIND: cls for cls in (Defaults, Frontend, Backend, Listen, Peers, Userlist, Resolvers)
}


@dataclass
class HAProxyGlobal(Located):
    maxconn: int | None = None
    directives: list[Directive] = field(default_factory=list)


@dataclass
class HAProxy(Located):
    global_: HAProxyGlobal | None = field(default=None, metadata={"json": "global"})
    sections: list[Section] = field(default_factory=list)

    def proxies(self, *kinds: str) -> list[Proxy]:
        return [s for s in self.sections if isinstance(s, Proxy) and (not kinds or s.KIND in kinds)]

    def backend_names(self) -> set[str]:
        return {s.name for s in self.proxies("backend", "listen") if s.name}
