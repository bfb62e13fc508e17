"""Value types shared by every layer of the model: durations, endpoints,
secret references, and `Located`, the base that gives model elements spans.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass, field

from hacc.diagnostics.model import Span

_DURATION = re.compile(r"(?P<num>[0-9]+(?:\.[0-9]+)?)(?P<unit>ms|s|m|h|d)\Z")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
# Largest unit first, so `text` picks the largest one that divides exactly.
_UNITS_DESC = ("d", "h", "m", "s", "ms")

NOWHERE = Span("<unknown>", 1, 1, 1, 2)


def element(cls):
    """`@dataclass` for the model's elements, applied when first needed.

    An element is a thing in the cluster, equal only to itself (two
    identical `server` lines are two servers) and hashable; its class gets
    no generated `__eq__` and `__repr__` (Located has a short one).

    Making a dataclass compiles its `__init__` from source, which for the
    model's 56 element classes was a tenth of `hacc lint`'s start-up, and
    a cluster uses about a third of them (examples/article-lb.ha: 20). So
    a class becomes a dataclass at its first instance, or when the binder
    asks for its fields (`ready`); until then its `__init__` is the
    stand-in that does it."""
    if "__init__" in cls.__dict__:
        # An element that writes its own __init__ keeps it, as a dataclass
        # would; it is made at once, after its bases.
        for base in cls.__bases__:
            ready(base)
        return dataclass(eq=False, repr=False)(cls)
    cls.__init__ = _first_init
    return cls


def _first_init(self, *args, **kwargs) -> None:
    ready(type(self)).__init__(self, *args, **kwargs)


def ready(cls: type) -> type:
    """`cls`, with it and the element classes it derives from made into
    dataclasses (bases first: a dataclass takes its bases' fields).

    Ask `dataclasses` about an element class only through this: until its
    first instance, a class whose base is made looks like a dataclass with
    only the base's fields."""
    for klass in reversed(cls.__mro__):
        if klass.__dict__.get("__init__") is _first_init:
            del klass.__init__
            dataclass(eq=False, repr=False)(klass)
    return cls


def is_element(cls) -> bool:
    """Whether `cls` is a model element class, made into a dataclass yet or not."""
    return isinstance(cls, type) and issubclass(cls, Located)


@element
class Located:
    """A model element that remembers where it came from.

    `span` covers the statement (or JSON object); `at` holds the spans of
    individual fields, so a check can point at `vrid 300` rather than at the
    whole `vrrp` block.
    """

    span: Span = field(default=NOWHERE, compare=False, repr=False, kw_only=True)
    at: dict = field(default_factory=dict, compare=False, repr=False, kw_only=True)
    model_path: tuple = field(default=(), compare=False, repr=False, kw_only=True)

    def __repr__(self) -> str:
        name = getattr(self, "name", None)
        return f"<{type(self).__name__}{f' {name!r}' if name else ''} at {self.span.file}:{self.span.line}>"

    def span_of(self, name: str, *more: str | int) -> Span:
        """The span of field `name` (or of its entry `more`), else the
        element's own span."""
        if more:
            found = self.at.get((name, *more))
            if found is not None:
                return found
        return self.at.get(name, self.span)

    def path_of(self, *more: str | int) -> str:
        """The JSON path of this element (or of one of its fields), as
        diagnostics report it: `keepalived.instances[0].vrid`."""
        out = ""
        for part in self.model_path + more:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out


def _shown(text: str) -> str:
    """A value as messages quote it: a hostile one may be megabytes long."""
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True, order=True)
class Duration:
    """A length of time, kept in milliseconds. Written with a unit in `.ha`
    (`500ms`, `5s`, `1m`) and converted to each daemon's unit on output."""

    ms: int

    @classmethod
    @functools.lru_cache(maxsize=1 << 12)
    def parse(cls, text: str) -> Duration:
        if text == "0":
            return cls(0)
        shown = _shown(text)
        match = _DURATION.match(text)
        if not match:
            raise ValueError(f"`{shown}` is not a duration")
        value = float(match["num"]) * _UNIT_MS[match["unit"]]
        if value >= 2**63:  # also inf, from a number of 400 digits
            raise ValueError(f"`{shown}` is too long a duration")
        if value != int(value):
            raise ValueError(f"`{shown}` is not a whole number of milliseconds")
        return cls(int(value))

    @property
    def seconds(self) -> float:
        return self.ms / 1000

    def text(self) -> str:
        """Canonical spelling in the largest unit that divides exactly."""
        if self.ms == 0:
            return "0s"
        for unit in _UNITS_DESC:
            if self.ms % _UNIT_MS[unit] == 0:
                return f"{self.ms // _UNIT_MS[unit]}{unit}"
        raise AssertionError("unreachable: ms divides every duration")

    def __str__(self) -> str:
        return self.text()


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface


@dataclass(frozen=True)
class Endpoint:
    """`host:port` where host is an IP address, a DNS name, or None for
    "every address" (`*:80` or `:80`). The port may be absent."""

    host: str | None
    port: int | None

    @property
    def ip(self) -> IPAddress | None:
        if self.host is None:
            return None
        try:
            return parse_ip(self.host)
        except ValueError:
            return None

    @classmethod
    @functools.lru_cache(maxsize=1 << 16)
    def parse(cls, text: str) -> Endpoint:
        host, port = _split_endpoint(text)
        return cls(host, port)

    def host_text(self) -> str:
        if self.host is None:
            return "*"
        return self.host

    def __str__(self) -> str:
        host = self.host_text()
        if self.ip is not None and self.ip.version == 6:
            host = f"[{host}]"
        return host if self.port is None else f"{host}:{self.port}"


def _split_endpoint(text: str) -> tuple[str | None, int | None]:
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise ValueError(f"`{_shown(text)}` has `[` without `]`")
        host, rest = text[1:close], text[close + 1 :]
        ipaddress.IPv6Address(host)
        if rest and not rest.startswith(":"):
            raise ValueError(f"unexpected `{_shown(rest)}` after `]` in `{_shown(text)}`")
        return host, _port(rest[1:], text) if rest else None
    if text.count(":") > 1:
        # A bare IPv6 address cannot carry a port: the colons are ambiguous.
        ipaddress.IPv6Address(text)
        return text, None
    host, sep, port = text.partition(":")
    host_value = None if host in ("", "*") else host
    if host_value is not None:
        _check_host(host_value)
    return host_value, _port(port, text) if sep else None


def _port(text: str, whole: str) -> int:
    if not (text.isascii() and text.isdigit()):  # str.isdigit() also takes `²`, which int() refuses
        raise ValueError(f"`{_shown(whole)}` has no valid port number")
    if len(text.lstrip("0")) > 5:  # too many digits for int(), and out of range anyway
        raise ValueError(f"the port in `{_shown(whole)}` is outside 1..65535")
    port = int(text)
    if not 1 <= port <= 65535:
        raise ValueError(f"port {port} in `{whole}` is outside 1..65535")
    return port


_HOSTNAME = re.compile(r"(?=.{1,253}\Z)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?\Z")


def _check_host(host: str) -> None:
    try:
        parse_ip(host)
        return
    except ValueError:
        pass
    if re.fullmatch(r"[0-9.]+", host):
        raise ValueError(f"`{host}` is not a valid IPv4 address")
    if not _HOSTNAME.match(host):
        raise ValueError(f"`{host}` is neither an IP address nor a host name")


@dataclass(frozen=True)
class SecretRef:
    """`secret:NAME`: a value read at build time from the environment or a
    secrets file, and never printed."""

    name: str

    def __str__(self) -> str:
        return f"secret:{self.name}"


# Address objects are immutable, and a cluster names the same addresses
# over and over (formats, binding, every check): parse each text once.
@functools.lru_cache(maxsize=1 << 16)
def parse_ip(text: str) -> IPAddress:
    return ipaddress.ip_address(text)


@functools.lru_cache(maxsize=1 << 16)
def parse_interface(text: str) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
    """An address with an optional prefix length (`192.168.1.100/24`). The
    host bits are kept: a VIP is an address, not a network."""
    return ipaddress.ip_interface(text)
