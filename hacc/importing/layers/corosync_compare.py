"""Compare the corosync.conf trees of two nodes.

corosync.conf must be the same file on every node; a difference means the
nodes disagree on the cluster they form. The trees are compared, not the
texts, so comments, blank lines, indentation and the order of different
keys do not count. Repeated items (`node`, `interface`) are matched by
their position among items of the same name.
"""

from __future__ import annotations

from hacc.diagnostics.model import Span
from hacc.importing.layers.corosync_values import shown
from hacc.importing.log import ImportLog
from hacc.importing.readers.corosync import value_of
from hacc.importing.readers.tree import Item


def report_differences(first: str, first_items: list[Item], other: str, other_items: list[Item],
                       other_file: str, log: ImportLog) -> None:
    """One HA082 per item of node `other`'s file (`other_file`) that differs
    from node `first`'s."""
    _compare(first, other, first_items, other_items, "", None, Span.point(other_file), log)


def _grouped(items: list[Item]) -> dict[str, list[Item]]:
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.keyword, []).append(item)
    return groups


def _compare(first: str, other: str, first_items: list[Item], other_items: list[Item], path: str,
             first_parent: Span | None, other_parent: Span, log: ImportLog) -> None:
    mine, theirs = _grouped(first_items), _grouped(other_items)
    for keyword in list(mine) + [k for k in theirs if k not in mine]:
        a, b = mine.get(keyword, []), theirs.get(keyword, [])
        repeated = len(a) > 1 or len(b) > 1
        for index in range(max(len(a), len(b))):
            name = f"{path}{keyword}" + (f"[{index}]" if repeated else "")
            left = a[index] if index < len(a) else None
            right = b[index] if index < len(b) else None
            if right is None:
                log.disagree(other_parent,
                             f"`{name}` is missing on {other}, but set on {first}",
                             first=left.span or left.keyword_span, first_label=f"set here on {first}")
            elif left is None:
                log.disagree(right.span or right.keyword_span, f"`{name}` is set on {other} but not on {first}",
                             first=first_parent, first_label=f"not in this section on {first}")
            elif (left.block is None) != (right.block is None):
                what = "a section" if right.block is not None else "a value"
                log.disagree(right.keyword_span, f"`{name}` is {what} on {other} but not on {first}",
                             first=left.keyword_span, first_label=f"as written on {first}")
            elif left.block is not None:
                _compare(first, other, left.block, right.block, name + ".", left.span, right.span, log)
            elif value_of(left).text != value_of(right).text:
                log.disagree(value_of(right).span,
                             f"`{name}` is `{shown(value_of(right).text)}` on {other} but `{shown(value_of(left).text)}` on {first}",
                             first=value_of(left).span, first_label=f"the value kept, from {first}")

