"""HA101-HA107: corosync membership: node ids, node addresses and links."""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.helpers import duplicates, plural
from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity

KNET_MAX_NODEID = 65535
KNET_MAX_LINKS = 8


def _needs_nodeids(cluster) -> str | None:
    """Why node ids are required, or None when corosync can derive them."""
    if cluster.pacemaker is not None:
        return "Pacemaker's CIB names nodes by their corosync node id"
    if cluster.corosync is None:
        return None
    if cluster.corosync.transport == "knet":
        return "the knet transport requires an explicit node id"
    if any(addr.version == 6 for node in cluster.nodes for addr in node.addrs):
        return "IPv6 addresses require an explicit node id"
    return None


@rule("HA101", "nodeid-missing", Severity.ERROR, fixed=True)
def nodeid_missing(cluster) -> Iterator[Finding]:
    """A node has no `id` where corosync or Pacemaker needs one.

    ## What it checks
    With the knet transport (the default), with IPv6 addresses, or when the
    cluster runs Pacemaker, every node declares `id N`.

    ## Why it matters
    corosync refuses to start with "Knet requires an explicit nodeid", and
    the CIB's `<node id=...>` must equal the corosync node id.

    ## Example
    ```
    node node1 { addr 10.0.0.1 }
    ```

    ## Fix
    Add `id 1`, `id 2`, ... to the nodes; ids never change once a node has
    joined.

    ## References
    corosync.conf(5) `nodeid`; corosync totemconfig.c.
    """
    reason = _needs_nodeids(cluster)
    if reason is None:
        return
    for node in cluster.nodes:
        if node.id is None:
            yield Finding(node.span, f"node `{node.name}` has no `id`", help=f"add `id N`: {reason}", path=node.path_of())


@rule("HA102", "nodeid-duplicate", Severity.ERROR, fixed=True)
def nodeid_duplicate(cluster) -> Iterator[Finding]:
    """Two nodes have the same node id.

    ## What it checks
    Node ids are unique within the cluster.

    ## Why it matters
    corosync refuses the configuration ("Nodeid 1 appears twice"); Pacemaker
    would merge the two nodes into one.

    ## Example
    ```
    node node1 { id 1; addr 10.0.0.1 }
    node node2 { id 1; addr 10.0.0.2 }
    ```

    ## Fix
    Give each node its own id.

    ## References
    corosync totemconfig.c ("Nodeid ... appears twice"); pcs config_validators.
    """
    nodes = [n for n in cluster.nodes if n.id is not None]
    for first, later in duplicates(nodes, lambda n: n.id):
        yield Finding(
            later.span_of("id"),
            f"node id {later.id} is used by `{first.name}` and `{later.name}`",
            labels=(Label(first.span_of("id"), f"`{first.name}` has it too"),),
            help="give each node its own id",
            path=later.path_of("id"),
        )


@rule("HA103", "nodeid-range", Severity.ERROR, layer="corosync", fixed=True)
def nodeid_range(cluster) -> Iterator[Finding]:
    """A node id is outside the range the transport allows.

    ## What it checks
    With knet, node ids are between 1 and 65535.

    ## Why it matters
    knet addresses hosts with 16 bits; corosync rejects bigger ids.

    ## Example
    ```
    node node1 { id 70000; addr 10.0.0.1 }
    ```

    ## Fix
    Use small ids: 1, 2, 3, ...

    ## References
    corosync PR #651 (KNET_MAX_HOST).
    """
    if cluster.corosync.transport != "knet":
        return
    for node in cluster.nodes:
        if node.id is not None and node.id > KNET_MAX_NODEID:
            yield Finding(
                node.span_of("id"),
                f"node id {node.id} is too large for the knet transport",
                help=f"knet node ids go from 1 to {KNET_MAX_NODEID}",
                path=node.path_of("id"),
            )


@rule("HA104", "node-address-duplicate", Severity.ERROR, fixed=True)
def node_address_duplicate(cluster) -> Iterator[Finding]:
    """Two nodes (or two links of one node) share an address.

    ## What it checks
    Every node address is used once in the cluster.

    ## Why it matters
    corosync accepts it, then cannot tell the nodes apart; keepalived would
    send adverts to itself.

    ## Example
    ```
    node node1 { id 1; addr 10.0.0.1 }
    node node2 { id 2; addr 10.0.0.1 }
    ```

    ## Fix
    Give each node and link its own address.

    ## References
    pcs `NodeAddressesDuplication`.
    """
    entries = [(node, index, addr) for node in cluster.nodes for index, addr in enumerate(node.addrs)]
    for (first, first_index, _), (node, index, addr) in duplicates(entries, lambda e: e[2]):
        yield Finding(
            node.span_of("addrs", index),
            f"address {addr} is already used by `{first.name}`",
            labels=(Label(first.span_of("addrs", first_index), "first used here"),),
            help="every node and link needs its own address",
            path=node.path_of("addrs", index),
        )


@rule("HA105", "link-count-mismatch", Severity.ERROR, layer="corosync", fixed=True)
def link_count_mismatch(cluster) -> Iterator[Finding]:
    """Nodes have different numbers of addresses (corosync links).

    ## What it checks
    The n-th `addr` of a node is its address on corosync link n, so every
    node has the same number of `addr` statements, and at least one.

    ## Why it matters
    corosync refuses to start: "Not all nodes have the same number of links".

    ## Example
    ```
    node node1 { id 1; addr 10.0.0.1; addr 10.1.0.1 }
    node node2 { id 2; addr 10.0.0.2 }
    ```

    ## Fix
    Give every node an address on every link.

    ## References
    corosync ("Not all nodes have the same number of links"); pcs CorosyncNodeAddressCountMismatch.
    """
    if not cluster.nodes:
        return
    reference = cluster.nodes[0]
    for node in cluster.nodes:
        if not node.addrs:
            yield Finding(node.span, f"node `{node.name}` has no address", help="add `addr ADDRESS` for corosync link 0", path=node.path_of())
        elif len(node.addrs) != len(reference.addrs) and reference.addrs:
            yield Finding(
                node.span,
                f"node `{node.name}` has {plural(len(node.addrs), 'link')}, `{reference.name}` has {len(reference.addrs)}",
                labels=(Label(reference.span, f"`{reference.name}` is declared here"),),
                help="every node needs one `addr` per corosync link",
                path=node.path_of("addrs"),
            )


@rule("HA106", "link-limit", Severity.ERROR, layer="corosync", fixed=True)
def link_limit(cluster) -> Iterator[Finding]:
    """More links than the transport supports, or link options for a link
    that does not exist.

    ## What it checks
    `udp` and `udpu` support one link (one `addr` per node), knet up to 8.
    Each `link N { ... }` block names a link that the nodes have an address
    for, and no link number appears twice.

    ## Why it matters
    corosync rejects a second interface on udp/udpu; options for a missing
    link are silently ignored.

    ## Example
    ```
    transport udpu
    node node1 { id 1; addr 10.0.0.1; addr 10.1.0.1 }
    ```

    ## Fix
    Use `transport knet` for several links, or remove the extra addresses.

    ## References
    corosync.conf(5) ("maximum number of interface directives"); pcs LINKS_KNET_MAX.
    """
    corosync = cluster.corosync
    count = max((len(n.addrs) for n in cluster.nodes), default=0)
    limit = KNET_MAX_LINKS if corosync.transport == "knet" else 1
    if count > limit:
        node = max(cluster.nodes, key=lambda n: len(n.addrs))
        yield Finding(
            node.span_of("addrs", limit),
            f"the `{corosync.transport}` transport supports {plural(limit, 'link')}, `{node.name}` has {count}",
            help="use `transport knet` for redundant links" if limit == 1 else "remove addresses beyond link 7",
            path=node.path_of("addrs"),
        )
    for first, later in duplicates(corosync.links, lambda link: link.number):
        yield Finding(later.span, f"link {later.number} is configured twice",
                      labels=(Label(first.span, "first configured here"),), help="merge the two `link` blocks")
    for link in corosync.links:
        if count and link.number >= count:
            yield Finding(
                link.span_of("number"),
                f"link {link.number} has no addresses: nodes have {plural(count, 'link')}",
                help=f"add an address for link {link.number} to every node, or remove this block",
                path=link.path_of("number"),
            )


@rule("HA107", "link-family-mismatch", Severity.ERROR, layer="corosync", fixed=True)
def link_family_mismatch(cluster) -> Iterator[Finding]:
    """The addresses of one corosync link mix IPv4 and IPv6.

    ## What it checks
    On each link, all nodes use the same IP family.

    ## Why it matters
    corosync refuses to start: "Nodes for link 0 have different IP families".

    ## Example
    ```
    node node1 { id 1; addr 10.0.0.1 }
    node node2 { id 2; addr fd00::2 }
    ```

    ## Fix
    Use one address family per link.

    ## References
    corosync ("Nodes for link 0 have different IP families"); pcs CorosyncIpVersionMismatchInLinks.
    """
    count = min((len(n.addrs) for n in cluster.nodes), default=0)
    for link in range(count):
        first = cluster.nodes[0]
        for node in cluster.nodes[1:]:
            if node.addrs[link].version != first.addrs[link].version:
                yield Finding(
                    node.span_of("addrs", link),
                    f"link {link} mixes IPv{first.addrs[link].version} (`{first.name}`) and IPv{node.addrs[link].version} (`{node.name}`)",
                    labels=(Label(first.span_of("addrs", link), f"IPv{first.addrs[link].version} here"),),
                    help="use one address family per link",
                    path=node.path_of("addrs", link),
                )
                break


def _two_node(cluster) -> bool:
    quorum = cluster.corosync.quorum if cluster.corosync else None
    return bool(quorum and quorum.two_node)


def _qdevice(cluster):
    quorum = cluster.corosync.quorum if cluster.corosync else None
    return quorum.qdevice if quorum else None


@rule("HA113", "cluster-name", Severity.WARNING, layer="corosync")
def cluster_name(cluster) -> Iterator[Finding]:
    """A cluster name that GFS2 and DLM cannot use.

    ## What it checks
    The cluster name has at most 32 characters of letters, digits, `_` and
    `-`.

    ## Why it matters
    corosync accepts longer names, but GFS2 and DLM lock spaces are named
    after the cluster and refuse them; renaming a cluster later means
    reformatting its shared file systems.

    ## Example
    ```
    cluster production.web-frontends.eu-central-1 { ... }
    ```

    ## Fix
    Choose a short name: `cluster prod-web { ... }`.

    ## References
    pcs `_ClusterNameGfs2Validator`; corosync.conf(5) `cluster_name`.
    """
    name = cluster.name
    bad = sorted({c for c in name if not (c.isascii() and (c.isalnum() or c in "_-"))})
    if len(name) > 32 or bad:
        reason = f"is {len(name)} characters long" if len(name) > 32 else f"contains {', '.join(f'`{c}`' for c in bad)}"
        yield Finding(cluster.span_of("name"), f"cluster name `{name}` {reason}: GFS2 and DLM cannot use it",
                      help="use at most 32 letters, digits, `_` and `-`", path=cluster.path_of("cluster"))


MAX_NODES = 32


@rule("HA114", "too-many-nodes", Severity.ERROR, layer="corosync")
def too_many_nodes(cluster) -> Iterator[Finding]:
    """More nodes than corosync and Pacemaker support.

    ## What it checks
    A cluster has at most 32 nodes.

    ## Why it matters
    32 is the largest membership corosync 3 and Pacemaker are tested and
    supported with; beyond it token rotation slows and the vendors refuse
    support. Use Pacemaker Remote nodes to grow further.

    ## Example
    ```
    node n1 { id 1; addr 10.0.0.1 }
    # ... node n33
    ```

    ## Fix
    Keep 32 full nodes at most; run more hosts as Pacemaker Remote nodes.

    ## References
    Red Hat and SUSE support limits; corosync.conf(5) `send_join`.
    """
    if len(cluster.nodes) > MAX_NODES:
        extra = cluster.nodes[MAX_NODES]
        yield Finding(extra.span, f"{len(cluster.nodes)} nodes: corosync and Pacemaker support {MAX_NODES}",
                      help="run the extra hosts as Pacemaker Remote nodes", path=extra.path_of())
