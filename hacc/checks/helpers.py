"""Small helpers shared by the rule modules."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from hacc.checks.registry import Finding
from hacc.diagnostics.model import Label

T = TypeVar("T")


def duplicates(items: Iterable[T], key: Callable[[T], object]) -> Iterator[tuple[T, T]]:
    """(first, later) for every item whose key was already seen. Indexing by
    key keeps this linear however many items there are."""
    first: dict = {}
    for item in items:
        k = key(item)
        if k in first:
            yield first[k], item
        else:
            first[k] = item


def option_text(value: object) -> str:
    """An option's value as written, to compare and to show: a secret stays
    its reference (`secret:NAME`), since checks never see secret values."""
    return str(value)


def duplicate_findings(items, key, what: str, name=lambda x: x.name, span=lambda x: x.span_of("name")) -> Iterator[Finding]:
    for first, later in duplicates(items, key):
        yield Finding(
            span(later),
            f"{what} `{name(later)}` is defined twice",
            labels=(Label(span(first), "first defined here"),),
            help=f"rename one of them; every {what} needs its own name",
            path=later.path_of(),
        )


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


TRUE_WORDS = {"true", "yes", "on", "1", "y"}


def truthy(value) -> bool:
    return str(value).strip().lower() in TRUE_WORDS


def property_of(pacemaker, name: str):
    """A cluster property by its Pacemaker 2.1 name or its 3.0.2 rename:
    (written name, value) or (None, None)."""
    from hacc.checks.vocabulary import FENCING_RENAMES

    for candidate in (name, FENCING_RENAMES.get(name)):
        if candidate and candidate in pacemaker.properties:
            return candidate, pacemaker.properties[candidate]
    return None, None


def fencing_enabled(pacemaker) -> bool:
    _, value = property_of(pacemaker, "stonith-enabled")
    return value is None or truthy(value)


def quorum_device(cluster):
    quorum = cluster.corosync.quorum if cluster.corosync else None
    return quorum.qdevice if quorum else None
