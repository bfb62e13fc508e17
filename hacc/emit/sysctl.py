"""etc/sysctl.d/90-hacc.conf, on nodes whose haproxy binds a virtual IP.

A node that does not hold the VIP (the backup, or any node at boot before
keepalived or Pacemaker adds it) can only open such a listener when the
kernel allows binding to non-local addresses. Without it haproxy fails to
start there: "cannot bind socket (Cannot assign requested address)".
"""

from __future__ import annotations

from hacc.emit.context import EmitContext, Output
from hacc.model.addresses import nonlocal_binds


def emit(ctx: EmitContext) -> list[Output]:
    binds = nonlocal_binds(ctx.cluster)
    if not binds:
        return []
    families = sorted({bind.address.ip.version for bind in binds})
    addresses = ", ".join(sorted({str(bind.address.ip) for bind in binds}))
    lines = [
        f"# {ctx.header}",
        f"# haproxy binds {addresses}, which a node holds only while it is the active one.",
    ]
    lines += [f"net.ipv{family}.ip_nonlocal_bind = 1" for family in families]
    content = ("\n".join(lines) + "\n").encode()
    return [Output(f"{node.name}/etc/sysctl.d/90-hacc.conf", (content,), "sysctl", node.name) for node in ctx.cluster.nodes]
