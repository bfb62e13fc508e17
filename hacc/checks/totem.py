"""HA110-HA112, HA115-HA118, HA127, HA128: totem settings: crypto, timeouts
and link options."""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity


@rule("HA110", "crypto-needs-knet", Severity.ERROR, layer="corosync", fixed=True)
def crypto_needs_knet(cluster) -> Iterator[Finding]:
    """Encryption or authentication is configured with a transport other than knet.

    ## What it checks
    `crypto` settings other than `none` are used only with `transport knet`.

    ## Why it matters
    corosync 3 refuses to start: "crypto_cipher & crypto_hash are only valid
    for the Knet transport" - a common failure after upgrading from
    corosync 2.

    ## Example
    ```
    transport udpu
    crypto cipher=aes256 hash=sha256
    ```

    ## Fix
    Use `transport knet`, or drop `crypto`.

    ## References
    corosync ("crypto_cipher & crypto_hash are only valid for the Knet transport"); voxpupuli/puppet-corosync#506.
    """
    corosync = cluster.corosync
    if corosync.crypto_enabled and corosync.transport != "knet":
        yield Finding(
            corosync.span_of("crypto"),
            f"`crypto` needs the knet transport, not `{corosync.transport}`",
            labels=(Label(corosync.span_of("transport"), f"transport is `{corosync.transport}`"),) if "transport" in corosync.at else (),
            help="use `transport knet`",
            path=corosync.path_of("crypto"),
        )


@rule("HA111", "cipher-needs-hash", Severity.ERROR, layer="corosync", fixed=True)
def cipher_needs_hash(cluster) -> Iterator[Finding]:
    """A cipher is set without a hash.

    ## What it checks
    `crypto cipher=...` other than `none` comes with `hash=...` other than
    `none`.

    ## Why it matters
    corosync refuses encryption without authentication.

    ## Example
    ```
    crypto cipher=aes256
    ```

    ## Fix
    Add `hash=sha256`.

    ## References
    corosync.conf(5) `crypto_cipher`; pcs PrerequisiteOptionMustBeEnabledAsWell.
    """
    crypto = cluster.corosync.crypto
    if crypto and crypto.cipher != "none" and crypto.hash == "none":
        yield Finding(crypto.span, f"cipher `{crypto.cipher}` needs a hash", help="add `hash=sha256`", path=crypto.path_of())


@rule("HA112", "consensus-below-join", Severity.ERROR, layer="corosync", fixed=True)
def consensus_below_join(cluster) -> Iterator[Finding]:
    """The consensus timeout is shorter than the join timeout.

    ## What it checks
    `consensus` is at least `join` (both default when not set: join 50ms,
    consensus 1.2 x token).

    ## Why it matters
    corosync refuses to start: "consensus timeout may not be less than join
    timeout".

    ## Example
    ```
    join 5s
    consensus 3s
    ```

    ## Fix
    Raise `consensus`, or lower `join`.

    ## References
    corosync ("consensus timeout may not be less than join timeout").
    """
    corosync = cluster.corosync
    join = corosync.timing("join")
    token = corosync.timing("token")
    consensus = corosync.timing("consensus")
    if join is None:
        return
    effective = consensus.ms if consensus else int(1.2 * (token.ms if token else 3000))
    if effective < join.ms:
        span = corosync.span_of("totem", "consensus") if consensus else corosync.span_of("totem", "join")
        yield Finding(
            span,
            f"consensus ({effective}ms) is shorter than join ({join.ms}ms)",
            help="consensus must be at least join",
            path=corosync.path_of("totem"),
        )


@rule("HA115", "weak-crypto-hash", Severity.WARNING, layer="corosync")
def weak_crypto_hash(cluster) -> Iterator[Finding]:
    """corosync traffic authenticated with MD5 or SHA-1.

    ## What it checks
    `crypto hash=` is `sha256`, `sha384` or `sha512`.

    ## Why it matters
    MD5 and SHA-1 are broken for authentication; the seed article's
    configuration still uses `crypto_hash: sha1` with `secauth`, the
    corosync 2 habit.

    ## Example
    ```
    crypto cipher=aes256 hash=sha1
    ```

    ## Fix
    Use `hash=sha256` (change it on all nodes at once).

    ## References
    crmsh `migration.py` (sha1 -> sha256); corosync.conf(5).
    """
    crypto = cluster.corosync.crypto
    if crypto and crypto.hash in ("md5", "sha1"):
        yield Finding(crypto.span_of("hash"), f"`{crypto.hash}` is too weak to authenticate cluster traffic",
                      help="use `hash=sha256`", path=crypto.path_of("hash"))


@rule("HA116", "crypto-disabled", Severity.WARNING, layer="corosync")
def crypto_disabled(cluster) -> Iterator[Finding]:
    """knet traffic that is neither encrypted nor authenticated.

    ## What it checks
    A cluster on the knet transport sets `crypto` with a cipher and a hash.

    ## Why it matters
    Anyone who can reach the cluster network can inject membership messages
    and take nodes out of the cluster. pcs enables aes256/sha256 by default.

    ## Example
    ```
    corosync { transport knet }
    ```

    ## Fix
    Add `crypto cipher=aes256 hash=sha256`, and create the key with
    `corosync-keygen` on one node, then copy it to the others.

    ## References
    pcs `ConfigFacade.create` (default crypto for knet).
    """
    corosync = cluster.corosync
    if corosync.transport == "knet" and (corosync.crypto is None or corosync.crypto.cipher == "none"):
        span = corosync.span_of("crypto") if corosync.crypto else corosync.span
        yield Finding(span, "cluster traffic is not encrypted", help="add `crypto cipher=aes256 hash=sha256`",
                      path=corosync.path_of())


def _token_ms(cluster) -> int:
    token = cluster.corosync.timing("token")
    base = token.ms if token else 3000
    if len(cluster.nodes) > 2:
        coefficient = cluster.corosync.timing("token_coefficient")
        base += (len(cluster.nodes) - 2) * (coefficient.ms if coefficient is not None else 650)
    return base


@rule("HA117", "consensus-below-token", Severity.WARNING, layer="corosync")
def consensus_below_token(cluster) -> Iterator[Finding]:
    """`consensus` shorter than 1.2 x token on three or more nodes.

    ## What it checks
    With three or more nodes, an explicit `consensus` is at least 1.2 times
    the effective token timeout (token + (nodes - 2) x token_coefficient).

    ## Why it matters
    corosync.conf(5): "For three node or larger clusters, consensus should be
    larger than token. There is an increasing risk of odd membership
    changes". corosync does not enforce it.

    ## Example
    ```
    token 5s
    consensus 3s
    ```

    ## Fix
    Remove `consensus` (corosync computes 1.2 x token) or raise it.

    ## References
    corosync.conf(5) `consensus`, `token_coefficient`.
    """
    corosync = cluster.corosync
    consensus = corosync.timing("consensus")
    if consensus is None or len(cluster.nodes) < 3:
        return
    needed = int(1.2 * _token_ms(cluster))
    if consensus.ms < needed:
        yield Finding(corosync.span_of("totem", "consensus"), f"consensus {consensus} is below 1.2 x token ({needed}ms)",
                      help="remove `consensus`, or raise it", path=corosync.path_of("totem", "consensus"))


MIN_TIMEOUT_MS = 30
_TIMEOUTS = ("token", "join", "consensus", "merge", "downcheck", "max_network_delay", "token_retransmit", "hold")


@rule("HA118", "timeout-too-small", Severity.ERROR, layer="corosync")
def timeout_too_small(cluster) -> Iterator[Finding]:
    """A totem timeout below corosync's minimum of 30ms.

    ## What it checks
    `token`, `join`, `consensus`, `merge`, `downcheck`, `max_network_delay`,
    `token_retransmit` and `hold` are at least 30ms.

    ## Why it matters
    corosync refuses the configuration (the minimum is three kernel ticks).

    ## Example
    ```
    token 10ms
    ```

    ## Fix
    Use a realistic value; the defaults are token 3s and join 50ms.

    ## References
    corosync totemconfig.c (MINIMUM_TIMEOUT).
    """
    corosync = cluster.corosync
    for key in _TIMEOUTS:
        value = corosync.timing(key)
        if value is not None and value.ms < MIN_TIMEOUT_MS:
            yield Finding(corosync.span_of("totem", key), f"{key} {value} is below corosync's minimum of 30ms",
                          help="use at least 30ms", path=corosync.path_of("totem", key))


@rule("HA127", "knet-ping-pair", Severity.WARNING, layer="corosync")
def knet_ping_pair(cluster) -> Iterator[Finding]:
    """`knet_ping_interval` without `knet_ping_timeout`, or the reverse.

    ## What it checks
    A `link` that sets one of the two sets both.

    ## Why it matters
    corosync.conf(5): "knet_ping_interval and knet_ping_timeout are a pair,
    if one is specified the other should be too"; the missing one is derived
    from the token timeout and may contradict the one given.

    ## Example
    ```
    link 0 { knet_ping_interval 500ms }
    ```

    ## Fix
    Set both, with the timeout several times the interval.

    ## References
    corosync.conf(5); pcs (DependsOnOption).
    """
    for link in cluster.corosync.links:
        given = [k for k in ("knet_ping_interval", "knet_ping_timeout") if getattr(link, k) is not None]
        if len(given) == 1:
            missing = "knet_ping_timeout" if given[0] == "knet_ping_interval" else "knet_ping_interval"
            yield Finding(link.span_of(given[0]), f"link {link.number} sets `{given[0]}` without `{missing}`",
                          help=f"add `{missing}`", path=link.path_of(given[0]))


_KNET_ONLY = ("knet_link_priority", "knet_ping_interval", "knet_ping_timeout", "knet_ping_precision", "knet_pong_count", "knet_transport")
_UDP_ONLY = ("bindnetaddr", "broadcast", "mcastaddr", "ttl")


@rule("HA128", "link-option-transport", Severity.ERROR, layer="corosync")
def link_option_transport(cluster) -> Iterator[Finding]:
    """A link option the transport does not have.

    ## What it checks
    `knet_*` link options appear only with knet; `bindnetaddr`, `broadcast`,
    `mcastaddr` and `ttl` only with udp (multicast).

    ## Why it matters
    corosync refuses them ("Can only set link priority on knet", "Can only
    set ttl on multicast transport types").

    ## Example
    ```
    transport udpu
    link 0 { knet_link_priority 1 }
    ```

    ## Fix
    Remove the option, or change the transport.

    ## References
    corosync totemconfig.c (observed errors).
    """
    transport = cluster.corosync.transport
    for link in cluster.corosync.links:
        forbidden = (_KNET_ONLY if transport != "knet" else ()) + (_UDP_ONLY if transport != "udp" else ())
        for key in forbidden:
            if getattr(link, key) is not None:
                needs = "knet" if key in _KNET_ONLY else "udp"
                yield Finding(link.span_of(key), f"`{key}` needs the {needs} transport, not `{transport}`",
                              help="remove it, or change the transport", path=link.path_of(key))
