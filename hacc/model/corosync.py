"""The corosync layer of the model: transport, crypto, links, totem timings,
quorum and logging, and the option vocabulary corosync 3 knows.

Kinds in the vocabulary tables: `ms` and `s` are durations written in
milliseconds or seconds in corosync.conf; `int`, `bool` and `str` are what
they say. The tables drive lowering, the schema test and the emitter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hacc.model.values import Duration, Located

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
    "fileline": "bool",
    "function_name": "bool",
    "blackbox": "bool",
    "syslog_facility": "str",
    "syslog_priority": "str",
    "logfile_priority": "str",
}

KIND_TO_LOWERING = {"ms": "str", "s": "str", "int": "int", "bool": "bool", "str": "str"}


@dataclass
class Link(Located):
    number: int = 0
    options: dict = field(default_factory=dict)


@dataclass
class QDevice(Located):
    options: dict = field(default_factory=dict)

    @property
    def model(self) -> str:
        return self.options.get("model", "net")


@dataclass
class Quorum(Located):
    options: dict = field(default_factory=dict)
    auto_tie_breaker_node: str | list[int] | None = None
    qdevice: QDevice | None = None

    def flag(self, name: str) -> bool:
        return bool(self.options.get(name, False))


@dataclass
class Crypto(Located):
    cipher: str = "none"
    hash: str = "none"
    model: str | None = None


@dataclass
class Corosync(Located):
    transport: str = "knet"
    crypto: Crypto | None = None
    keyfile: str | None = None
    totem: dict = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    quorum: Quorum | None = None
    logging: dict = field(default_factory=dict)

    def duration(self, key: str) -> Duration | None:
        value = self.totem.get(key)
        return value if isinstance(value, Duration) else None
