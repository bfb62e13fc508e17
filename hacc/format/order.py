"""The canonical order of statements, in the few blocks where order carries
no meaning.

Most blocks keep the author's order because their output does: haproxy
directives, totem options, Pacemaker resources and constraints all come out
in the order they were written. Only two blocks are sorted, and only when
every statement in them is one the sort knows:

- the top-level `cluster` block: the nodes first, in their own relative
  order (a node's position derives its priority), then the layer blocks in
  the order corosync, pacemaker, keepalived, haproxy. Each layer lowers from
  its own block alone, so moving one changes nothing it produces.
- a `node` block inside that cluster: id, addr, interface, votes, router_id,
  unicast_src, attribute. Each is a setting stored under its own key; `addr`
  statements keep their relative order (the n-th addr is link n), and so do
  repeated `attribute` lines.

A block holding anything else (an `include`, a misspelt keyword, a line of
`key=value` pairs) is left as written: an include can bring in nodes, and a
statement the sort does not know might be one whose position matters. The
sort is stable, so statements of the same kind never change places, and a
statement's comments move with it (hacc.format.layout).

Moving statements does change the order of keys in `hacc build --emit
json`; JSON objects carry no order, and every generated file is unchanged
(tests/test_fmt.py builds every example before and after).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

LAYERS = ("corosync", "pacemaker", "keepalived", "haproxy")
CLUSTER_ORDER = ("node",) + LAYERS
NODE_ORDER = ("id", "addr", "interface", "votes", "router_id", "unicast_src", "attribute")

# The keywords of the enclosing statements, from the top of the file, for
# each block that has a canonical order.
_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("cluster",): CLUSTER_ORDER,
    ("cluster", "node"): NODE_ORDER,
}


def canonical_order(enclosing: tuple[str | None, ...], items: Sequence[T], keyword: Callable[[T], str | None]) -> list[T]:
    """`items` (the statements of one block) in canonical order; unchanged
    when the block has no canonical order or holds a statement the order
    does not know. `enclosing` is the keywords of the statements around the
    block, outermost first (`()` for the top of a file)."""
    order = _ORDERS.get(tuple(enclosing))  # type: ignore[arg-type]
    if order is None:
        return list(items)
    rank = {name: index for index, name in enumerate(order)}
    if any(keyword(item) not in rank for item in items):
        return list(items)
    return sorted(items, key=lambda item: rank[keyword(item)])  # type: ignore[index]
