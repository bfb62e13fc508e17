"""HA110-HA112: totem settings corosync refuses: crypto and timeouts."""

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
