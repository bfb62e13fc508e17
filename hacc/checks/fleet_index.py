"""The first earlier clash from another cluster, found through indexes.

Checks across clusters (hacc/checks/fleet.py) report each item that clashes
with an earlier item of another cluster, pointing at the first such one. Put
as a scan of every earlier item, that is quadratic in the number of clusters
sharing a key: a fleet whose clusters all name their hosts lb1 and lb2, or
all use VRID 51 on their own subnets, is the usual case. These functions
give the same answers from indexes; tests/test_check_scaling.py holds them
to the pairwise definitions.

An index bucket keeps two entries: the first, and the first of a cluster
other than the first's. Whatever cluster asks, one of the two is the
earliest entry of the bucket that is not its own.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from typing import Any


class _Buckets(dict):
    """Key -> the two entries (order, cluster, item) worth keeping."""

    def add(self, key: Any, order: int, cluster: Any, item: Any) -> None:
        kept = self.setdefault(key, [])
        if not kept or (len(kept) == 1 and kept[0][1] is not cluster):
            kept.append((order, cluster, item))

    def others(self, key: Any, cluster: Any) -> Iterator[tuple[int, Any]]:
        """The earliest (order, item) of the bucket from another cluster."""
        for order, owner, item in self.get(key, ()):
            if owner is not cluster:
                yield order, item
                return


def _earliest(candidates: Iterable[tuple[int, Any]]) -> Any:
    best = min(candidates, key=lambda found: found[0], default=None)
    return None if best is None else best[1]


def listener_clashes(listeners: Iterable[tuple[Any, tuple, Any, Any]]) -> Iterator[tuple[Any, Any]]:
    """(item, earlier item) for each listener (cluster, key, address, item)
    that clashes with an earlier listener of another cluster: same key (host,
    protocol, port), and either listens on every address (address None) or
    both on the same one."""
    every, wildcards, exact = _Buckets(), _Buckets(), _Buckets()
    for order, (cluster, key, address, item) in enumerate(listeners):
        if address is None:
            found = _earliest(every.others(key, cluster))
        else:
            found = _earliest([*wildcards.others(key, cluster), *exact.others((key, address), cluster)])
        if found is not None:
            yield item, found
        every.add(key, order, cluster, item)
        if address is None:
            wildcards.add(key, order, cluster, item)
        else:
            exact.add((key, address), order, cluster, item)


def network_clashes(entries: list[tuple[Any, list, bool, Any]]) -> Iterator[tuple[Any, Any]]:
    """(item, earlier item) for each entry (cluster, networks, multicast,
    item) with an earlier entry of another cluster whose networks overlap
    its own, when at least one of the two is multicast.

    Two networks overlap when one holds the other. A network is indexed
    under itself and under its supernets at every prefix length the entries
    use; a query then looks up its own supernets (networks that hold it) and
    itself among the supernets of others (networks it holds)."""
    lengths = sorted({network.prefixlen for _, networks, _, _ in entries for network in networks})
    # Two indexes, (by network, by supernet), over every entry (asked by a
    # multicast entry) and over multicast entries only (asked by a unicast
    # one).
    every, multicast_only = (_Buckets(), _Buckets()), (_Buckets(), _Buckets())
    for order, (cluster, networks, multicast, item) in enumerate(entries):
        by_network, by_supernet = every if multicast else multicast_only
        candidates: list[tuple[int, Any]] = []
        for network in networks:
            for length in lengths:  # the networks that hold this one
                if length > network.prefixlen:
                    break
                candidates.extend(by_network.others(_supernet(network, length), cluster))
            candidates.extend(by_supernet.others(network, cluster))  # the ones inside it
        found = _earliest(candidates)
        if found is not None:
            yield item, found
        for by_network, by_supernet in (every, multicast_only) if multicast else (every,):
            for network in networks:
                by_network.add(network, order, cluster, item)
                for length in lengths:
                    if length >= network.prefixlen:
                        break
                    by_supernet.add(_supernet(network, length), order, cluster, item)


def _supernet(network: ipaddress.IPv4Network | ipaddress.IPv6Network, length: int):
    return network if length == network.prefixlen else network.supernet(new_prefix=length)
