"""HA309-HA312, HA324: VRRP protocol settings keepalived ignores, truncates
or refuses: preemption with MASTER, passwords, authentication with VRRPv3,
advert intervals, strict mode."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity
from hacc.model.values import SecretRef

_AUTH_PASS = re.compile(r"[A-Za-z0-9%&()*+,./:;<=>?@\[\]^_`|~-]{1,8}\Z")


def version_of(cluster, instance) -> int:
    """The VRRP version an instance speaks: its own, the global one, else 2;
    IPv6 instances always use 3."""
    if instance.family == 6:
        return 3
    settings = cluster.keepalived.global_
    return instance.version or (settings.vrrp_version if settings and settings.vrrp_version else 2)


def _strict(cluster) -> bool:
    settings = cluster.keepalived.global_
    return bool(settings and settings.vrrp_strict)


@rule("HA309", "nopreempt-with-master", Severity.ERROR, layer="keepalived")
def nopreempt_with_master(cluster) -> Iterator[Finding]:
    """`nopreempt`, `preempt_delay` or AH authentication on a node that starts as MASTER.

    ## What it checks
    An instance with `nopreempt` (or `preempt no`, or `preempt_delay`), or
    with `auth ah=...`, does not force `state MASTER` on any node.

    ## Why it matters
    keepalived clears both options on an instance whose initial state is
    MASTER (keepalived.conf(5): "the initial state must not be MASTER"): the
    node takes the VIP back the moment it returns, which is what the option
    was meant to prevent. With AH authentication keepalived refuses the
    MASTER state instead ("Initial state master is incompatible with AH
    authentication") and `keepalived -t` fails. hacc starts every node as
    BACKUP when it derives the state.

    ## Example
    ```
    state lb1=MASTER lb2=BACKUP
    nopreempt
    ```

    ## Fix
    Remove `state`: hacc then starts every node as BACKUP.

    ## References
    keepalived vrrp.c; acassen/keepalived PR #346.
    """
    for instance in cluster.keepalived.instances:
        if instance.preempt is False or instance.preempt_delay is not None:
            option = "nopreempt" if instance.preempt is False else "preempt_delay"
            where, message = instance.span_of("preempt_delay" if option == "preempt_delay" else "preempt"), "keepalived ignores `{}` on `{}`, which starts as MASTER"
        elif instance.auth is not None and instance.auth.type == "AH":
            option, where, message = "auth ah", instance.auth.span, "keepalived refuses `{}` on `{}`, which starts as MASTER"
        else:
            continue
        for node in instance.node_names(cluster.node_names):
            if instance.explicit_state(node) == "MASTER":
                yield Finding(instance.span_of("state"), message.format(option, node), labels=(Label(where, option),),
                              help="remove `state`; hacc starts every node as BACKUP", path=instance.path_of("state"))
                break


@rule("HA310", "auth-pass-too-long", Severity.ERROR, layer="keepalived")
def auth_pass_too_long(cluster) -> Iterator[Finding]:
    """A VRRP password longer than 8 characters, or with characters keepalived misreads.

    ## What it checks
    A password written in the file (not a `secret:`, which is checked at
    build time) has 1 to 8 characters, none of them a space, quote, `#`,
    `!`, `$`, brace or backslash.

    ## Why it matters
    keepalived uses only the first 8 characters and logs a warning that
    makes `keepalived -t` fail; `#` and `!` start a comment.

    ## Example
    ```
    auth pass=correcthorse
    ```

    ## Fix
    Use at most 8 plain characters, ideally from a secret:
    `auth pass=secret:VRRP_PASSWORD`.

    ## References
    keepalived.conf(5) "Only the first eight (8) characters are used";
    vrrp_parser.c.
    """
    for instance in cluster.keepalived.instances:
        auth = instance.auth
        if auth is None or isinstance(auth.password, SecretRef):
            continue
        if not _AUTH_PASS.match(auth.password):
            problem = f"has {len(auth.password)} characters" if len(auth.password) > 8 else "holds characters keepalived misreads"
            yield Finding(auth.span_of("password"), f"the VRRP password {problem}",
                          help="use 1 to 8 letters and digits, from a secret: `auth pass=secret:VRRP_PASSWORD`",
                          path=auth.path_of("password"))


@rule("HA311", "auth-ignored", Severity.ERROR, layer="keepalived")
def auth_ignored(cluster) -> Iterator[Finding]:
    """Authentication on an instance where keepalived ignores it.

    ## What it checks
    `auth` is not used with VRRP version 3 (IPv6 instances are always
    version 3) or with `vrrp_strict`.

    ## Why it matters
    VRRPv3 has no authentication; keepalived drops the setting and fails
    `keepalived -t`. The instance is not protected as the file suggests.

    ## Example
    ```
    vrrp V { version 3; auth pass=secret:PW }
    ```

    ## Fix
    Remove `auth`, or use VRRP version 2 (IPv4 only).

    ## References
    keepalived vrrp.c; RFC 5798.
    """
    strict = _strict(cluster)
    for instance in cluster.keepalived.instances:
        if instance.auth is None:
            continue
        if version_of(cluster, instance) == 3 or strict:
            why = "vrrp_strict" if strict else "VRRP version 3"
            yield Finding(instance.auth.span, f"keepalived ignores authentication with {why}",
                          help="remove `auth`" + ("" if strict else ", or use `version 2`"), path=instance.auth.path_of())


@rule("HA312", "advert-interval", Severity.ERROR, layer="keepalived")
def advert_interval(cluster) -> Iterator[Finding]:
    """An advert interval the VRRP version cannot carry.

    ## What it checks
    With VRRP version 2, `advert` is a whole number of seconds from 1s to
    255s; with version 3 it is a multiple of 10ms up to 40.95s.

    ## Why it matters
    keepalived rounds or rejects the value and `keepalived -t` fails; nodes
    that disagree on the interval drop each other's adverts and both become
    MASTER.

    ## Example
    ```
    advert 500ms      # with VRRP version 2
    ```

    ## Fix
    Use whole seconds with version 2, or `version 3` for sub-second adverts.

    ## References
    keepalived vrrp.c; RFC 3768 and RFC 5798.
    """
    for instance in cluster.keepalived.instances:
        if instance.advert is None:
            continue
        ms = instance.advert.ms
        if version_of(cluster, instance) == 2:
            if ms % 1000 or not 1000 <= ms <= 255_000:
                yield Finding(instance.span_of("advert"), f"VRRP version 2 adverts are whole seconds from 1s to 255s, not {instance.advert}",
                              help="use whole seconds, or `version 3` for sub-second adverts", path=instance.path_of("advert"))
        elif ms % 10 or not 10 <= ms <= 40_950:
            yield Finding(instance.span_of("advert"), f"VRRP version 3 adverts are multiples of 10ms up to 40.95s, not {instance.advert}",
                          help="round to 10ms", path=instance.path_of("advert"))


@rule("HA324", "strict-mode-conflict", Severity.ERROR, layer="keepalived")
def strict_mode_conflict(cluster) -> Iterator[Finding]:
    """`vrrp_strict` with unicast peers, a MASTER that is not the address owner, or another setting strict mode refuses.

    ## What it checks
    With `global { vrrp_strict yes }`, instances use `multicast`, a node
    forced to `state MASTER` has priority 255, the first `vip` of an IPv6
    instance is a link-local address (fe80::/10), and no instance sets
    `preempt_delay` or (with VRRP version 2) `accept yes`.

    ## Why it matters
    Strict mode follows the RFCs: no unicast, only the address owner may
    start as MASTER, and an IPv6 router's first address is link-local (RFC
    5798 section 5.2.9). keepalived refuses or silently changes such
    instances, and `keepalived -t` fails.

    ## Example
    ```
    global { vrrp_strict yes }
    vrrp V { vrid 1; vip 10.0.0.100/24 }     # unicast by default in hacc
    ```

    ## Fix
    Remove `vrrp_strict` (hacc derives unicast peers), or add `multicast`.

    ## References
    keepalived vrrp.c; keepalived.conf(5) `vrrp_strict`.
    """
    if not _strict(cluster):
        return
    settings = cluster.keepalived.global_
    for instance in cluster.keepalived.instances:
        if not instance.multicast:
            yield Finding(instance.span_of("name"), f"`{instance.name}` uses unicast peers, which `vrrp_strict` forbids",
                          labels=(Label(settings.span_of("vrrp_strict"), "strict mode"),),
                          help="add `multicast` to the instance, or remove `vrrp_strict`", path=instance.path_of())
        if instance.preempt_delay is not None:
            yield Finding(instance.span_of("preempt_delay"), "strict mode resets `preempt_delay`",
                          help="remove `preempt_delay`, or remove `vrrp_strict`", path=instance.path_of("preempt_delay"))
        if instance.accept and version_of(cluster, instance) == 2:
            yield Finding(instance.span_of("accept"), "strict mode resets `accept` with VRRP version 2 (RFC 3768)",
                          help="remove `accept`, or use `version 3`", path=instance.path_of("accept"))
        first = instance.vips[0] if instance.vips else None
        if first is not None and first.address.version == 6 and not first.address.ip.is_link_local:
            yield Finding(first.span_of("address"), f"strict mode needs a link-local first VIP for IPv6 instance `{instance.name}`",
                          help="add a `vip fe80::...` line before the others, or remove `vrrp_strict`",
                          path=first.path_of("address"))
        for node in instance.node_names(cluster.node_names):
            if instance.explicit_state(node) == "MASTER" and instance.priority_of(node, cluster.node_names) != 255:
                yield Finding(instance.span_of("state"), f"strict mode lets only the address owner (priority 255) start as MASTER, not `{node}`",
                              help="remove `state`", path=instance.path_of("state"))
