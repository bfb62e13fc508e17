"""HA308, HA317-HA319, HA321: VRRP addresses: router ids, virtual IPs and
address families."""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity


def _running(cluster):
    names = cluster.node_names
    for instance in cluster.keepalived.instances:
        yield instance, [cluster.node(n) for n in instance.node_names(names) if cluster.node(n) is not None]


@rule("HA308", "vrid-duplicate", Severity.ERROR, layer="keepalived")
def vrid_duplicate(cluster) -> Iterator[Finding]:
    """Two VRRP instances use one router id on the same interface of a node.

    ## What it checks
    Instances that run on a common node, on the same interface and with the
    same address family, have different `vrid`s.

    ## Why it matters
    VRRP tells routers apart by VRID: the two instances read each other's
    adverts, and one of them never becomes MASTER (keepalived refuses the
    multicast case outright).

    ## Example
    ```
    vrrp web { vrid 51; vip 10.0.0.100/24 }
    vrrp api { vrid 51; vip 10.0.0.101/24 }
    ```

    ## Fix
    Give each instance its own `vrid`.

    ## References
    keepalived vrrp.c ("both use VRID ... on interface"); acassen/keepalived#389.
    """
    seen: dict[tuple, object] = {}
    for instance, nodes in _running(cluster):
        for node in nodes:
            key = (node.name, instance.interface_of(node), instance.family, instance.vrid)
            first = seen.setdefault(key, instance)
            if first is not instance:
                yield Finding(instance.span_of("vrid"), f"`{instance.name}` and `{first.name}` both use vrid {instance.vrid} on {key[1]} of `{node.name}`",
                              labels=(Label(first.span_of("vrid"), "used here first"),),
                              help="give each instance its own vrid", path=instance.path_of("vrid"))
                break


def _node_addresses(cluster) -> dict:
    out = {}
    for node in cluster.nodes:
        for address in list(node.addrs) + ([node.unicast_src] if node.unicast_src else []):
            out.setdefault(address, node)
    return out


@rule("HA317", "vip-is-node-address", Severity.ERROR, layer="keepalived")
def vip_is_node_address(cluster) -> Iterator[Finding]:
    """A virtual IP that is also a node's own address.

    ## What it checks
    No `vip` equals an `addr` (or `unicast_src`) of a node.

    ## Why it matters
    When the VIP moves away, keepalived deletes the address from the node
    that owns it: the node loses its own address, and with it the cluster
    link.

    ## Example
    ```
    node lb1 { addr 192.168.1.11 }
    vrrp V { vip 192.168.1.11/24 }
    ```

    ## Fix
    Use a free address for the VIP.

    ## References
    kolla-ansible prechecks (VIP not in use).
    """
    owners = _node_addresses(cluster)
    for instance in cluster.keepalived.instances:
        for vip in instance.vips:
            node = owners.get(vip.address.ip)
            if node is not None:
                yield Finding(vip.span_of("address"), f"VIP {vip.address.ip} is the address of node `{node.name}`",
                              help="use an address no node has", path=vip.path_of("address"))


@rule("HA318", "vip-outside-node-subnet", Severity.WARNING, layer="keepalived")
def vip_outside_node_subnet(cluster) -> Iterator[Finding]:
    """A VIP whose subnet holds no address of a node that carries it.

    ## What it checks
    For a VIP written with a prefix (`/24`), every node of the instance has
    an address inside that subnet.

    ## Why it matters
    keepalived adds the address anyway, but the node has no route for the
    subnet on that interface: the VIP answers ARP and drops the replies.
    Usually the prefix or the node's `interface` is wrong.

    ## Example
    ```
    node lb2 { addr 10.9.0.12 }
    vrrp V { vip 192.168.1.100/24; priority lb1=100 lb2=90 }
    ```

    ## Fix
    Correct the prefix, the VIP, or the interface the instance uses.

    ## References
    kolla-ansible precheck ("VIP is in the same network as the interface").
    """
    for instance, nodes in _running(cluster):
        for vip in instance.vips:
            network = vip.address.network
            if network.prefixlen == network.max_prefixlen:
                continue
            for node in nodes:
                addresses = list(node.addrs) + ([node.unicast_src] if node.unicast_src else []) + list(instance.unicast_src.values())
                if not any(a.version == network.version and a in network for a in addresses):
                    yield Finding(vip.span_of("address"), f"`{node.name}` has no address in {network}, the subnet of VIP {vip.address.ip}",
                                  help="check the prefix length, or give the node an address on that network",
                                  path=vip.path_of("address"))


@rule("HA319", "address-family-mix", Severity.ERROR, layer="keepalived")
def address_family_mix(cluster) -> Iterator[Finding]:
    """IPv4 and IPv6 mixed in one VRRP instance.

    ## What it checks
    The VIPs of an instance share one address family, and so do the
    addresses its nodes send adverts from.

    ## Why it matters
    keepalived takes the instance's family from the first address and drops
    the others ("VIP family mix"); with a unicast source of the other family
    the whole instance flips and its VIPs are discarded.

    ## Example
    ```
    vip 192.168.1.100/24
    vip 2001:db8::100/64
    ```

    ## Fix
    Use one instance per address family.

    ## References
    keepalived vrrp.c; acassen/keepalived#565.
    """
    for instance, nodes in _running(cluster):
        if not instance.vips:
            continue
        family = instance.vips[0].address.version
        for vip in instance.vips[1:]:
            if vip.address.version != family:
                yield Finding(vip.span_of("address"), f"IPv{vip.address.version} VIP in an IPv{family} instance",
                              help="put it in an instance of its own", path=vip.path_of("address"))
        if instance.multicast:
            continue
        for node in nodes:
            source = instance.source_of(node)
            if source is not None and source.version != family:
                yield Finding(instance.span_of("name"), f"`{node.name}` sends adverts from IPv{source.version} {source} for IPv{family} VIPs",
                              help="set `unicast_src` to an address of the VIPs' family", path=instance.path_of())


@rule("HA321", "vip-duplicate", Severity.ERROR, layer="keepalived")
def vip_duplicate(cluster) -> Iterator[Finding]:
    """One virtual IP in two places.

    ## What it checks
    A VIP appears once: not twice in one instance, not in two instances.

    ## Why it matters
    Two instances fight over the address: when one moves it away, the other
    still believes it holds it. keepalived accepts the file.

    ## Example
    ```
    vrrp a { vrid 1; vip 10.0.0.100/24 }
    vrrp b { vrid 2; vip 10.0.0.100/24 }
    ```

    ## Fix
    Keep the VIP in one instance.

    ## References
    keepalived-haproxy.md K23, K24 (accepted by `keepalived -t`).
    """
    first: dict = {}
    for instance in cluster.keepalived.instances:
        for vip in instance.vips:
            previous = first.setdefault(vip.address.ip, vip)
            if previous is not vip:
                yield Finding(vip.span_of("address"), f"VIP {vip.address.ip} is already declared",
                              labels=(Label(previous.span_of("address"), "declared here first"),),
                              help="declare each VIP once", path=vip.path_of("address"))


