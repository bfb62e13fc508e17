"""Which addresses a cluster manages, across layers: the virtual IPs that
keepalived moves or Pacemaker starts (IPaddr2 and friends), and the nodes'
own addresses. Checks across layers and the sysctl emitter share this."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from hacc.model.values import IPAddress, Span

# Agents whose `ip` parameter is an address Pacemaker moves between nodes.
IP_AGENTS = ("ocf:heartbeat:IPaddr2", "ocf:heartbeat:IPaddr", "ocf:heartbeat:IPv6addr")


@dataclass(frozen=True)
class ManagedVip:
    """An address some layer brings up on a node: a VRRP VIP or a Pacemaker IPaddr2."""

    address: IPAddress
    layer: str  # "keepalived" or "pacemaker"
    owner: object  # the VrrpInstance or the Primitive
    span: Span


def managed_vips(cluster) -> list[ManagedVip]:
    vips: list[ManagedVip] = []
    if cluster.keepalived:
        for instance in cluster.keepalived.instances:
            for vip in instance.vips:
                vips.append(ManagedVip(vip.address.ip, "keepalived", instance, vip.span_of("address")))
    if cluster.pacemaker:
        for resource in cluster.pacemaker.primitives():
            key = "ipv6addr" if resource.agent.endswith("IPv6addr") else "ip"
            if resource.agent in IP_AGENTS and isinstance(resource.params.get(key), str):
                try:
                    address = ipaddress.ip_address(resource.params[key])
                except ValueError:
                    continue
                vips.append(ManagedVip(address, "pacemaker", resource, resource.span_of("params", key)))
    return vips


def node_addresses(cluster) -> set[IPAddress]:
    out: set[IPAddress] = set()
    for node in cluster.nodes:
        out.update(node.addrs)
        if node.unicast_src:
            out.add(node.unicast_src)
    if cluster.keepalived:
        for instance in cluster.keepalived.instances:
            out.update(instance.unicast_src.values())
    return out


def nonlocal_binds(cluster) -> list:
    """The haproxy binds on a managed VIP without `transparent`: haproxy can
    only open them on a node that does not hold the VIP when the kernel
    allows binding to non-local addresses."""
    if cluster.haproxy is None:
        return []
    vips = {v.address for v in managed_vips(cluster)}
    return [
        bind
        for proxy in cluster.haproxy.proxies()
        for bind in proxy.binds
        if bind.address.ip in vips and not bind.options.get("transparent")
    ]
