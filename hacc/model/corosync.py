"""The corosync layer of the model: transport, crypto, links, totem timings,
quorum and logging, and the option vocabulary corosync 3 knows.

Kinds in the vocabulary tables: `ms` and `s` are durations written in
milliseconds or seconds in corosync.conf; `int`, `bool` and `str` are what
they say. The tables drive lowering, the schema test and the emitter.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from hacc.model.values import Duration, IPAddress, Located, element

# totem keys corosync 3.1 documents (corosync.conf(5)) that hacc passes
# through; keys hacc writes itself (version, cluster_name, transport, crypto_*,
# keyfile) are set with their own statements.
TOTEM_OPTIONS: dict[str, str] = {
    "token": "ms",
    "token_warning": "int",
    "token_coefficient": "ms",
    "token_retransmit": "ms",
    "hold": "ms",
    "token_retransmits_before_loss_const": "int",
    "join": "ms",
    "send_join": "ms",
    "consensus": "ms",
    "merge": "ms",
    "downcheck": "ms",
    "fail_recv_const": "int",
    "seqno_unchanged_const": "int",
    "heartbeat_failures_allowed": "int",
    "max_network_delay": "ms",
    "window_size": "int",
    "max_messages": "int",
    "miss_count_const": "int",
    "knet_pmtud_interval": "s",
    "knet_mtu": "int",
    "netmtu": "int",
    "knet_compression_model": "str",
    "knet_compression_threshold": "int",
    "knet_compression_level": "int",
    "link_mode": "str",
    "ip_version": "str",
    "clear_node_high_bit": "bool",
    "block_unlisted_ips": "bool",
    "cancel_token_hold_on_retransmit": "bool",
    "config_version": "int",
}

# Keys that look like totem options but that hacc sets another way, with the
# reason given to the user.
TOTEM_MANAGED: dict[str, str] = {
    "version": "hacc always writes `version: 2`, the only version corosync 3 accepts",
    "cluster_name": "the cluster name comes from `cluster NAME`",
    "transport": "use `transport knet|udpu|udp`",
    "crypto_cipher": "use `crypto cipher=aes256 hash=sha256`",
    "crypto_hash": "use `crypto cipher=aes256 hash=sha256`",
    "crypto_model": "use `crypto cipher=aes256 hash=sha256 model=nss`",
    "secauth": "`secauth` is the corosync 2 spelling; use `crypto cipher=aes256 hash=sha256`",
    "key": "a key inside corosync.conf is readable by anyone who can read the file; use `keyfile PATH`",
    "interface": "link options go in `link N { ... }`",
    "nodeid": "node ids go in each `node` block: `id N`",
    "rrp_mode": "corosync 3 replaced redundant rings with knet links: declare a second `addr` per node",
}

LINK_OPTIONS: dict[str, str] = {
    "knet_link_priority": "int",
    "knet_ping_interval": "ms",
    "knet_ping_timeout": "ms",
    "knet_ping_precision": "int",
    "knet_pong_count": "int",
    "knet_transport": "str",
    "bindnetaddr": "str",
    "broadcast": "bool",
    "mcastaddr": "str",
    "mcastport": "int",
    "ttl": "int",
}

QUORUM_OPTIONS: dict[str, str] = {
    "two_node": "bool",
    "wait_for_all": "bool",
    "last_man_standing": "bool",
    "last_man_standing_window": "ms",
    "auto_tie_breaker": "bool",
    "expected_votes": "int",
    "allow_downscale": "bool",
}

QDEVICE_OPTIONS: dict[str, str] = {
    "model": "str",
    "votes": "int",
    "timeout": "ms",
    "sync_timeout": "ms",
    "host": "str",
    "port": "int",
    "algorithm": "str",
    "tie_breaker": "str",
    "tls": "str",
    "connect_timeout": "ms",
    "force_ip_version": "int",
}

# Which qdevice options go in `device { }` and which in `device { net { } }`.
QDEVICE_NET_KEYS = ("host", "port", "algorithm", "tie_breaker", "tls", "connect_timeout", "force_ip_version")

LOGGING_OPTIONS: dict[str, str] = {
    "to_syslog": "bool",
    "to_logfile": "bool",
    "to_stderr": "bool",
    "logfile": "str",
    "timestamp": "str",
    "debug": "str",
    # corosync reads these three with strcmp against "on"/"off" (logconfig.c):
    # `yes` is refused.
    "fileline": "onoff",
    "function_name": "onoff",
    "blackbox": "onoff",
    "syslog_facility": "str",
    "syslog_priority": "str",
    "logfile_priority": "str",
}

KIND_TO_LOWERING = {"ms": "str", "s": "str", "int": "int", "bool": "bool", "onoff": "bool", "str": "str"}




@element
class Crypto(Located):
    """`crypto { cipher hash }`: knet encryption and authentication of totem traffic."""

    cipher: str = "none"
    hash: str = "none"
    model: str | None = None


@element
class Link(Located):
    """One totem link (`link N { ... }`, an `interface` of corosync.conf): priority, knet tuning, addressing."""

    number: int = 0
    knet_link_priority: int | None = None
    knet_ping_interval: Duration | None = None
    knet_ping_timeout: Duration | None = None
    knet_ping_precision: int | None = None
    knet_pong_count: int | None = None
    knet_transport: str | None = None
    bindnetaddr: IPAddress | None = None
    broadcast: bool | None = None
    mcastaddr: IPAddress | None = None
    mcastport: int | None = None
    ttl: int | None = None


@element
class QDevice(Located):
    """The quorum device (corosync-qnetd) that lends a vote to one partition."""

    model: str = "net"
    votes: int | None = None
    timeout: Duration | None = None
    sync_timeout: Duration | None = None
    host: str = ""
    port: int | None = None
    algorithm: str = "ffsplit"
    tie_breaker: str | None = None
    tls: str | None = None
    connect_timeout: Duration | None = None
    force_ip_version: int | None = None


@element
class Quorum(Located):
    """votequorum settings: two_node, wait_for_all, expected votes and the rest."""

    two_node: bool | None = None
    wait_for_all: bool | None = None
    last_man_standing: bool | None = None
    last_man_standing_window: Duration | None = None
    auto_tie_breaker: bool | None = None
    auto_tie_breaker_node: str | list[int] | None = None
    expected_votes: int | None = None
    allow_downscale: bool | None = None
    qdevice: QDevice | None = None


@element
class Logging(Located):
    """corosync's `logging {}` section."""

    to_syslog: bool | None = None
    to_logfile: bool | None = None
    to_stderr: bool | None = None
    logfile: str | None = None
    timestamp: str | None = None
    debug: str | None = None
    fileline: bool | None = None
    function_name: bool | None = None
    blackbox: bool | None = None
    syslog_facility: str | None = None
    syslog_priority: str | None = None
    logfile_priority: str | None = None


@element
class Corosync(Located):
    """The corosync layer: transport, crypto, links, totem timers, quorum and logging."""

    transport: str = "knet"
    crypto: Crypto | None = None
    keyfile: str | None = None
    totem: dict[str, Any] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    quorum: Quorum | None = None
    logging: Logging | None = None

    def __post_init__(self) -> None:
        # totem passes arbitrary known keys through; durations still need
        # their type so emitters and checks can compute with them.
        for key, value in self.totem.items():
            if TOTEM_OPTIONS.get(key) in ("ms", "s") and isinstance(value, str):
                self.totem[key] = Duration.parse(value)

    def timing(self, key: str) -> Duration | None:
        value = self.totem.get(key)
        return value if isinstance(value, Duration) else None

    @property
    def crypto_enabled(self) -> bool:
        return self.crypto is not None and (self.crypto.cipher != "none" or self.crypto.hash != "none")

    def link(self, number: int) -> Link | None:
        return next((link for link in self.links if link.number == number), None)
