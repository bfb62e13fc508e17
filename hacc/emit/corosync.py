"""corosync.conf: the same file on every node.

corosync's parser (exec/coroparse.c) is line based: a line holding `{`
opens a section, the first `:` splits key and value, and nothing is quoted.
Every value written here therefore comes from a validated format with no
braces, colons in keys, or whitespace at either end.
"""

from __future__ import annotations

from hacc.emit.context import EmitContext, Output
from hacc.emit.templating import render
from hacc.model.corosync import (
    LINK_OPTIONS,
    LOGGING_OPTIONS,
    QDEVICE_NET_KEYS,
    TOTEM_OPTIONS,
)
from hacc.model.values import Duration

DEFAULT_KEYFILE = "/etc/corosync/authkey"


def value(kind: str, item) -> str:
    """A value in corosync's own spelling for its kind."""
    if isinstance(item, Duration):
        return str(item.ms // 1000) if kind == "s" else str(item.ms)
    if isinstance(item, bool):
        if kind == "onoff":
            return "on" if item else "off"
        return "yes" if item else "no"
    return str(item)


def _options(element, table: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    for key, kind in table.items():
        item = getattr(element, key, None)
        if item is not None:
            out.append((key, value(kind, item)))
    return out


def _totem(corosync) -> list[tuple[str, str]]:
    options = []
    if corosync.crypto is not None:
        crypto = corosync.crypto
        if crypto.model:
            options.append(("crypto_model", crypto.model))
        options.append(("crypto_cipher", crypto.cipher))
        options.append(("crypto_hash", crypto.hash))
    if corosync.crypto_enabled or corosync.keyfile:
        options.append(("keyfile", corosync.keyfile or DEFAULT_KEYFILE))
    # Pass-through options in corosync.conf(5) order, not in input order, so
    # that reordering the source never changes the output.
    for key, kind in TOTEM_OPTIONS.items():
        if key in corosync.totem:
            options.append((key, value(kind, corosync.totem[key])))
    return options


def _quorum(quorum) -> tuple[list[tuple[str, str]], dict | None]:
    if quorum is None:
        return [], None
    options = []
    for key in ("expected_votes", "two_node", "wait_for_all", "last_man_standing", "last_man_standing_window",
                "auto_tie_breaker", "auto_tie_breaker_node", "allow_downscale"):
        item = getattr(quorum, key)
        if item is None:
            continue
        if isinstance(item, bool):
            options.append((key, "1" if item else "0"))  # votequorum reads these as integers
        elif isinstance(item, list):
            options.append((key, " ".join(str(i) for i in item)))
        else:
            options.append((key, value("ms", item)))
    device = None
    if quorum.qdevice is not None:
        qdevice = quorum.qdevice
        device = {"options": [], "net": []}
        for key in ("votes", "model", "timeout", "sync_timeout"):
            item = getattr(qdevice, key)
            if item is not None:
                device["options"].append((key, value("ms", item)))
        for key in QDEVICE_NET_KEYS:
            item = getattr(qdevice, key)
            if item is not None:
                device["net"].append((key, value("ms", item)))
    return options, device


def _logging(logging) -> list[tuple[str, str]]:
    if logging is None:
        return []
    options = _options(logging, LOGGING_OPTIONS)
    # A log file is only written with to_logfile on; an operator who names a
    # file expects it to be used.
    if logging.logfile and logging.to_logfile is None:
        position = [k for k, _ in options].index("logfile")
        options.insert(position, ("to_logfile", "yes"))
    return options


def render_corosync(ctx: EmitContext) -> str:
    cluster = ctx.cluster
    corosync = cluster.corosync
    quorum_options, device = _quorum(corosync.quorum)
    links = [(link.number, _options(link, LINK_OPTIONS)) for link in sorted(corosync.links, key=lambda link: link.number)]
    return render(
        "corosync",
        "corosync.conf.j2",
        header=ctx.header,
        cluster_name=cluster.name,
        transport=corosync.transport,
        totem=_totem(corosync),
        links=links,
        nodes=cluster.nodes,
        quorum=quorum_options,
        device=device,
        logging=_logging(corosync.logging),
    )


def emit(ctx: EmitContext) -> list[Output]:
    if ctx.cluster.corosync is None:
        return []
    ctx.begin_file()
    content = render_corosync(ctx).encode()
    return [
        Output(f"{node.name}/etc/corosync/corosync.conf", (content,), "corosync", node.name)
        for node in ctx.cluster.nodes
    ]
