"""haproxy values, checked the way the model's schema checks them; the
keyword tables for `bind` and `server` options; which words are secrets.

Each reader returns the JSON value, or raises ValueError with a message in
the user's terms; `rewritten` says when the value hacc writes back differs
in form (`:80` becomes `*:80`, `5000` becomes `5s`) though not in meaning.
"""

from __future__ import annotations

import ipaddress
import re

from hacc.diagnostics.model import Span
from hacc.importing.readers.tree import Word
from hacc.model.formats import check_endpoint, check_name, check_text
from hacc.model.values import Duration, Endpoint

# Option keywords and the number of words they take (0: a flag), from
# `haproxy -dKcfg` (2.6) and the bind_kws/srv_kws tables of later versions.
_COMMON_TLS = {
    "alpn": 1, "ca-file": 1, "ciphers": 1, "ciphersuites": 1, "crl-file": 1, "crt": 1, "curves": 1, "npn": 1,
    "ssl-max-ver": 1, "ssl-min-ver": 1, "verify": 1, "sigalgs": 1, "client-sigalgs": 1, "ssl": 0, "allow-0rtt": 0,
    "force-sslv3": 0, "force-tlsv10": 0, "force-tlsv11": 0, "force-tlsv12": 0, "force-tlsv13": 0,
    "no-sslv3": 0, "no-tls-tickets": 0, "no-tlsv10": 0, "no-tlsv11": 0, "no-tlsv12": 0, "no-tlsv13": 0,
    "namespace": 1, "tcp-ut": 1, "tfo": 0, "id": 1, "maxconn": 1, "proto": 1, "ktls": 1, "tcp-md5sig": 1, "cc": 1,
}
BIND_OPTIONS = {
    **_COMMON_TLS,
    "accept-netscaler-cip": 1, "accept-proxy": 0, "backlog": 1, "defer-accept": 0, "expose-fd": 1, "gid": 1,
    "group": 1, "interface": 1, "level": 1, "mode": 1, "mss": 1, "name": 1, "nice": 1, "process": 1,
    "severity-output": 1, "shards": 1, "thread": 1, "transparent": 0, "uid": 1, "user": 1, "v4v6": 0, "v6only": 0,
    "ca-ignore-err": 1, "ca-sign-file": 1, "ca-sign-pass": 1, "ca-verify-file": 1, "crt-ignore-err": 1,
    "crt-list": 1, "ecdhe": 1, "generate-certificates": 0, "no-ca-names": 0, "prefer-client-ciphers": 0,
    "strict-sni": 0, "tls-ticket-keys": 1, "default-crt": 1, "no-alpn": 0, "no-strict-sni": 0,
    "quic-force-retry": 0, "quic-cc-algo": 1, "quic-socket": 1, "guid-prefix": 1, "idle-ping": 1, "label": 1,
}
SERVER_OPTIONS = {
    **_COMMON_TLS,
    "addr": 1, "agent-addr": 1, "agent-check": 0, "agent-inter": 1, "agent-port": 1, "agent-send": 1,
    "backup": 0, "check": 0, "check-alpn": 1, "check-proto": 1, "check-send-proxy": 0, "check-sni": 1,
    "check-ssl": 0, "check-via-socks4": 0, "cookie": 1, "disabled": 0, "downinter": 1, "enabled": 0,
    "error-limit": 1, "fall": 1, "fastinter": 1, "init-addr": 1, "inter": 1, "log-proto": 1, "max-reuse": 1,
    "maxqueue": 1, "minconn": 1, "no-agent-check": 0, "no-backup": 0, "no-check": 0, "no-check-send-proxy": 0,
    "no-check-ssl": 0, "no-send-proxy": 0, "no-send-proxy-v2": 0, "no-send-proxy-v2-ssl": 0,
    "no-send-proxy-v2-ssl-cn": 0, "no-ssl": 0, "no-ssl-reuse": 0, "no-tfo": 0, "non-stick": 0, "observe": 1,
    "on-error": 1, "on-marked-down": 1, "on-marked-up": 1, "pool-low-conn": 1, "pool-max-conn": 1,
    "pool-purge-delay": 1, "port": 1, "proxy-v2-options": 1, "redir": 1, "resolve-net": 1, "resolve-opts": 1,
    "resolve-prefer": 1, "resolvers": 1, "rise": 1, "send-proxy": 0, "send-proxy-v2": 0, "send-proxy-v2-ssl": 0,
    "send-proxy-v2-ssl-cn": 0, "slowstart": 1, "sni": 1, "socks4": 1, "source": 1, "ssl-reuse": 0, "stick": 0,
    "tls-tickets": 0, "track": 1, "verifyhost": 1, "no-verifyhost": 0, "weight": 1, "ws": 1, "shard": 1,
    "hash-key": 1, "guid": 1, "init-state": 1, "strict-maxconn": 0, "renegotiate": 0, "no-renegotiate": 0,
    "check-reuse-pool": 0, "check-pool-conn-name": 1, "pool-conn-name": 1, "idle-ping": 1, "log-bufsize": 1,
}
# Options whose value is a secret (a passphrase), not configuration.
SECRET_OPTIONS = {"ca-sign-pass"}

PROXY_TIMEOUTS = ("check", "client", "client-fin", "connect", "http-keep-alive", "http-request", "queue", "server",
                  "server-fin", "tarpit", "tunnel")
STICK_TABLE_TYPES = ("ip", "ipv6", "integer", "string", "binary")
_BALANCE = re.compile(r"[a-z_-]+(\([A-Za-z0-9_.-]*\))?\Z")
_SIZE = re.compile(r"([0-9]+)([kmgKMG]?)\Z")
_KEYWORD = re.compile(r"[a-z][a-z0-9_.-]*\Z")
_INT = re.compile(r"[+-]?[0-9]+\Z")
_NAMES = re.compile(r"[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*\Z")
_FAMILY_PREFIX = {"ipv4@": 4, "ipv6@": 6}


def text(value: str) -> str:
    """A word hacc writes back as one haproxy word."""
    if value == "":
        raise ValueError("an empty word, which hacc cannot write")
    check_text(value)
    return value


def name(value: str) -> str:
    check_name(value)
    return value


def keyword(value: str) -> str:
    if not _KEYWORD.match(value):
        raise ValueError(f"`{_short(value)}` is not a directive keyword hacc can write")
    return value


def integer(value: str, minimum: int | None = None) -> int:
    if not _INT.match(value):
        raise ValueError(f"`{_short(value)}` is not a whole number")
    if len(value.lstrip("+-").lstrip("0")) > 18:  # beyond haproxy's 64 bits, and int() refuses 4300 digits
        raise ValueError(f"`{_short(value)}` is too large")
    number = int(value)
    if minimum is not None and number < minimum:
        raise ValueError(f"`{value}` is below {minimum}")
    return number


def names(value: str) -> str:
    if not _NAMES.match(value):
        raise ValueError(f"`{_short(value)}` is not a comma-separated list of names")
    return value


def endpoint(value: str) -> tuple[str, bool]:
    """An address[:port] as the model holds it, and whether its form
    changes. haproxy splits a bare IPv6 address at its last colon; hacc
    writes it in brackets."""
    if "$" in value:
        raise ValueError(f"`{_short(value)}` holds `$`: haproxy expands environment variables in addresses")
    rewritten = False
    for prefix, family in _FAMILY_PREFIX.items():
        if value.startswith(prefix):
            value, rewritten = value[len(prefix):], True
            host = Endpoint.parse(_bracketed(value)[0]).ip
            if host is None or host.version != family:
                raise ValueError(f"`{prefix}{_short(value)}` is not an IPv{family} address")
    value, bracketed = _bracketed(value)
    try:
        check_endpoint(value)
    except ValueError as exc:
        raise ValueError(f"{exc}: hacc reads an address and port such as `10.0.0.1:80`, `*:80` or `[2001:db8::1]:443`") from None
    return value, rewritten or bracketed or str(Endpoint.parse(value)) != value


def _bracketed(value: str) -> tuple[str, bool]:
    if value.startswith("[") or value.count(":") < 2:
        return value, False
    host, _, port = value.rpartition(":")
    try:
        address = ipaddress.IPv6Address(host)
    except ValueError:
        return value, False
    if not port.isdigit():
        return value, False
    return f"[{address}]:{port}", True


def duration(value: str) -> tuple[str, bool]:
    """A haproxy duration (milliseconds when it has no unit)."""
    spelled = f"{value}ms" if value.isdigit() else value
    try:
        parsed = Duration.parse(spelled)
    except ValueError:
        raise ValueError(f"`{_short(value)}` is not a duration hacc can write (a number and ms, s, m, h or d)") from None
    return spelled, parsed.text() != value


def size(value: str) -> tuple[str, bool]:
    match = _SIZE.match(value)
    if not match:
        raise ValueError(f"`{_short(value)}` is not a size such as `100k`")
    return value.lower(), value.lower() != value


def balance_algorithm(value: str) -> str:
    if not _BALANCE.match(value):
        raise ValueError(f"`{_short(value)}` is not a balance algorithm hacc can write")
    return value


def span_of(words: list[Word], fallback: Span) -> Span:
    if not words:
        return fallback
    first, last = words[0].span, words[-1].span
    return Span(first.file, first.line, first.col, last.end_line, last.end_col)


def line_text(keyword: str, words: list[str], secret_at: set[int] = frozenset()) -> str:
    """A line as diagnostics show it: secrets masked, long lines cut."""
    shown = [keyword] + ["***" if index in secret_at else word for index, word in enumerate(words)]
    text = " ".join(shown)
    return text if len(text) <= 80 else text[:77] + "..."


def secret_positions(section: str, keyword: str, words: list[str]) -> set[int]:
    """Which arguments (0-based) of a line hold a secret: never shown in a
    message, and replaced by a `secret:NAME` reference in the model."""
    if keyword == "stats" and words[:1] == ["auth"] and len(words) > 1:
        return {1}
    if section == "userlist" and keyword == "user":
        return {i + 1 for i, word in enumerate(words[:-1]) if word in ("password", "insecure-password")}
    if keyword in ("bind", "server"):
        return {i + 1 for i, word in enumerate(words[:-1]) if word in SECRET_OPTIONS}
    return set()


def secret_hint(*parts: str) -> str:
    """A name for `log.secret`: secret names start with a letter."""
    hint = "_".join(parts)
    return hint if hint[:1].isascii() and hint[:1].isalpha() else f"haproxy_{hint}"


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."
