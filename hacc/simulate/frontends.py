"""Where each HAProxy frontend's bind address is live in a scenario.

hacc writes one haproxy.cfg to every node (and `ip_nonlocal_bind`), so
every node that is up listens; traffic for an address only reaches the
node that holds it. A bind on a VRRP VIP is live on the instance's MASTERs,
one on a Pacemaker IPaddr2 address where that resource runs, one on a
node's own address on that node, and `*` on every node that is up.
"""

from __future__ import annotations

import ipaddress


def _ip(text) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(str(text).split("/")[0])
    except ValueError:
        return None


def _holders(cluster, vrrp: dict, resources: dict[str, str | None], up: list[str]) -> dict:
    """Address -> the nodes that hold it."""
    out: dict = {}
    for node in cluster.nodes:
        for addr in node.addrs:
            out.setdefault(_ip(addr), [node.name] if node.name in up else [])
    for outcome in vrrp.values():
        for vip in outcome.instance.vips:
            out[_ip(vip.address)] = list(outcome.masters)
    if cluster.pacemaker is not None:
        for resource in cluster.pacemaker.primitives():
            address = _ip(resource.params.get("ip", "")) if resource.agent.endswith("IPaddr2") else None
            if address is not None and resource.name in resources:
                node = resources[resource.name]
                out[address] = [node] if node else []
    out.pop(None, None)
    return out


def live(cluster, vrrp: dict, resources: dict[str, str | None], down: set[str]) -> dict[str, dict[str, list[str] | None]]:
    """Frontend (or listen) name -> bind text -> nodes where it is live, or
    None for an address the cluster does not manage."""
    if cluster.haproxy is None:
        return {}
    up = [n for n in cluster.node_names if n not in down]
    holders = _holders(cluster, vrrp, resources, up)
    out: dict[str, dict[str, list[str] | None]] = {}
    for proxy in cluster.haproxy.proxies("frontend", "listen"):
        binds: dict[str, list[str] | None] = {}
        for bind in proxy.binds:
            address = bind.address
            if address is None:
                continue
            if address.host is None:
                binds[str(address)] = list(up)
            else:
                found = holders.get(_ip(address.host))
                binds[str(address)] = [n for n in found if n in up] if found is not None else None
        out[proxy.name or "?"] = binds
    return out
