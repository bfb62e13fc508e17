"""HA601-HA606: checks across clusters. `hacc lint a.ha b.ha ...` (or a
directory) runs them on every cluster it reads: mistakes that only show when
two clusters share a network or a host."""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.fleet_index import listener_clashes, network_clashes
from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity
from hacc.model.addresses import managed_vips


def _first_seen(clusters, items):
    """(first, later) pairs of items from different clusters with one key.
    `items(cluster)` yields (key, element-with-span, extra)."""
    seen: dict = {}
    for cluster in clusters:
        for key, element, extra in items(cluster):
            first = seen.get(key)
            if first is None:
                seen[key] = (cluster, element, extra)
            elif first[0] is not cluster:
                yield first, (cluster, element, extra)


@rule("HA601", "vrid-reused", Severity.ERROR, fleet=True)
def vrid_reused(clusters) -> Iterator[Finding]:
    """Two clusters use one VRRP router id on the same network.

    ## What it checks
    Across the clusters linted together, two VRRP instances of the same
    address family whose VIPs share a subnet use different `vrid`s, unless
    both use unicast (hacc's default): unicast instances with disjoint peers
    may share a VRID.

    ## Why it matters
    Multicast adverts of one cluster reach the other: each side sees an
    advert with a wrong password or VIP set and discards it, or worse, takes
    the other cluster's master for its own. OpenShift's installer shipped
    exactly this bug.

    ## Example
    ```
    # web.ha
    vrrp V { vrid 51; vip 10.0.0.100/24; multicast }
    # db.ha
    vrrp V { vrid 51; vip 10.0.0.200/24; multicast }
    ```

    ## Fix
    Give each cluster its own range of VRIDs on a shared network.

    ## References
    openshift/installer#2966; acassen/keepalived#2444; keepalived-haproxy.md X04, K21.
    """
    buckets: dict[tuple, list] = {}
    for cluster in clusters:
        if cluster.keepalived is None:
            continue
        for instance in cluster.keepalived.instances:
            networks = list(dict.fromkeys(vip.address.network for vip in instance.vips))
            buckets.setdefault((instance.vrid, instance.family), []).append(
                (cluster, networks, instance.multicast, (cluster, instance)))
    for entries in buckets.values():
        for (_, instance), (other_cluster, other) in network_clashes(entries):
            yield Finding(instance.span_of("vrid"), f"vrid {instance.vrid} is also used by cluster `{other_cluster.name}` on the same network",
                          labels=(Label(other.span_of("vrid"), f"`{other.name}` in cluster `{other_cluster.name}`"),),
                          help="give each cluster its own VRIDs", path=instance.path_of("vrid"))


@rule("HA602", "vip-claimed-twice", Severity.ERROR, fleet=True)
def vip_claimed_twice(clusters) -> Iterator[Finding]:
    """One virtual IP managed by two clusters.

    ## What it checks
    No VIP (keepalived `vip` or Pacemaker IPaddr2 `ip`) appears in two
    clusters.

    ## Why it matters
    Both clusters add the address: two hosts answer ARP for it and clients
    flip between them.

    ## Example
    ```
    # web.ha: vip 10.0.0.100/24      # api.ha: vip 10.0.0.100/24
    ```

    ## Fix
    Give each cluster its own VIPs.

    ## References
    keepalived-haproxy.md X13.
    """
    def vips(cluster):
        for vip in managed_vips(cluster):
            yield vip.address, vip, None

    for (first_cluster, first, _), (_cluster, later, _) in _first_seen(clusters, vips):
        yield Finding(later.span, f"VIP {later.address} is also managed by cluster `{first_cluster.name}`",
                      labels=(Label(first.span, f"in cluster `{first_cluster.name}`"),), help="give each cluster its own VIPs")


@rule("HA603", "node-address-reused", Severity.ERROR, fleet=True)
def node_address_reused(clusters) -> Iterator[Finding]:
    """Two clusters give different nodes the same address.

    ## What it checks
    A node address is used by one node in one cluster only (the same host
    in two clusters is HA604).

    ## Why it matters
    Two hosts cannot share an address; one of the clusters is configured for
    a host it does not have.

    ## Example
    ```
    # web.ha: node web1 { addr 10.0.0.1 }    # db.ha: node db1 { addr 10.0.0.1 }
    ```

    ## Fix
    Correct the address.

    ## References
    pcs NodeAddressesDuplication (within one cluster).
    """
    def addresses(cluster):
        for node in cluster.nodes:
            for index, address in enumerate(node.addrs):
                yield address, node, index

    for (first_cluster, first, first_index), (_cluster, node, index) in _first_seen(clusters, addresses):
        if first.name != node.name:
            yield Finding(node.span_of("addrs", index), f"{node.addrs[index]} is also the address of `{first.name}` in cluster `{first_cluster.name}`",
                          labels=(Label(first.span_of("addrs", first_index), f"in cluster `{first_cluster.name}`"),),
                          help="correct the address", path=node.path_of("addrs", index))


@rule("HA604", "node-in-two-clusters", Severity.ERROR, fleet=True)
def node_in_two_clusters(clusters) -> Iterator[Finding]:
    """One host belongs to two clusters that both run corosync.

    ## What it checks
    A node name appears in at most one cluster with a `corosync` block.

    ## Why it matters
    A host runs one corosync and one Pacemaker: it cannot be a member of two
    clusters, and whichever configuration is deployed last wins.

    ## Example
    ```
    # web.ha: node shared1 { ... }    # db.ha: node shared1 { ... }
    ```

    ## Fix
    Move the host to one cluster.

    ## References
    corosync(8): one instance per host.
    """
    def members(cluster):
        if cluster.corosync is not None:
            for node in cluster.nodes:
                yield node.name, node, None

    for (first_cluster, first, _), (_cluster, node, _) in _first_seen(clusters, members):
        yield Finding(node.span_of("name"), f"node `{node.name}` is also a member of cluster `{first_cluster.name}`",
                      labels=(Label(first.span_of("name"), f"in cluster `{first_cluster.name}`"),),
                      help="a host can belong to one corosync cluster", path=node.path_of())


@rule("HA605", "duplicate-cluster-name", Severity.ERROR, fleet=True)
def duplicate_cluster_name(clusters) -> Iterator[Finding]:
    """Two clusters with one name.

    ## What it checks
    Cluster names are unique among the clusters linted together.

    ## Why it matters
    corosync derives its multicast address from the name (udp transport),
    GFS2 and DLM name lock spaces after it, and monitoring tells clusters
    apart by it.

    ## Example
    ```
    # a.ha: cluster web { ... }    # b.ha: cluster web { ... }
    ```

    ## Fix
    Rename one of them.

    ## References
    corosync.conf(5) `cluster_name`.
    """
    def names(cluster):
        yield cluster.name, cluster, None

    for (_first_cluster, first, _), (_cluster, later, _) in _first_seen(clusters, names):
        yield Finding(later.span_of("name"), f"cluster name `{later.name}` is already used",
                      labels=(Label(first.span_of("name"), "used here first"),), help="give each cluster its own name")


def _listeners(cluster):
    """(node name, protocol, port, address or None) per listener of a host."""
    for node in cluster.nodes:
        if cluster.corosync is not None:
            yield node.name, "udp", 5405, None, cluster.corosync
        if cluster.haproxy is not None:
            for proxy in cluster.haproxy.proxies():
                for bind in proxy.binds:
                    yield node.name, "tcp", bind.address.port, bind.address.ip, bind


@rule("HA606", "port-collision-across-clusters", Severity.ERROR, fleet=True)
def port_collision_across_clusters(clusters) -> Iterator[Finding]:
    """Two clusters listen on one port of a shared host.

    ## What it checks
    When a host belongs to two clusters, their haproxy listeners (and
    corosync's UDP port 5405) do not collide on it.

    ## Why it matters
    The second daemon fails to bind, or (haproxy with SO_REUSEPORT) the two
    split the traffic.

    ## Example
    ```
    # web.ha and api.ha both run haproxy on node lb1 with `bind *:80`
    ```

    ## Fix
    Use different ports or addresses.

    ## References
    haproxy#868; keepalived-haproxy.md HX07.
    """
    listeners = ((cluster, (host, protocol, port), address, (cluster, host, protocol, port, element))
                 for cluster in clusters for host, protocol, port, address, element in _listeners(cluster))
    for (_, host, protocol, port, element), (other_cluster, _, _, _, other) in listener_clashes(listeners):
        yield Finding(element.span, f"{protocol} port {port} on `{host}` is also used by cluster `{other_cluster.name}`",
                      labels=(Label(other.span, f"in cluster `{other_cluster.name}`"),),
                      help="use another port or address")


