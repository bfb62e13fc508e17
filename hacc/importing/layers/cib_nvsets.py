"""Name/value attribute sets (`instance_attributes`, `meta_attributes`,
`cluster_property_set`): hacc has one unconditional map where the CIB may
have several sets, ordered by score, some shared by id-ref, some applying
only under a rule.

Sets without a rule merge as Pacemaker merges them (the set named
`first_id` first, then by score, highest first, then in document order; the
first value of a name wins). A set with a rule cannot be expressed and is
reported; a set or pair shared by id-ref becomes a copy, reported too.
"""

from __future__ import annotations

from dataclasses import dataclass

from hacc.diagnostics.model import Span
from hacc.importing.layers.cib_context import CibReader, Piece
from hacc.model.formats import check_id, check_text

INFINITY = 1_000_000


@dataclass
class NvPair:
    name: str
    value: str
    name_span: Span
    value_span: Span


def read_nvsets(reader: CibReader, sets: list, what: str, first_id: str | None = None) -> list[NvPair]:
    """The pairs `sets` define, in the order Pacemaker applies them."""
    usable = []
    for index, nvset in enumerate(sets):
        target = reader.resolve(nvset, what)
        if target is None:
            continue
        if any(child.tag == "rule" for child in target):
            reader.lost(target, f"{what}: this set applies only while its rule matches, and hacc has no conditional "
                        "attribute sets; its values are not imported",
                        help="decide which value should always apply and set it in the .ha file")
            continue
        reader.extra_attributes(target, {"score"})
        first = 0 if first_id is not None and target.get("id") == first_id else 1
        usable.append((first, -_score(target.get("score")), index, target))
    usable.sort(key=lambda entry: entry[:3])
    if len(usable) > 1:
        reader.rewrote(usable[1][3], f"{what}: {len(usable)} attribute sets were merged into one, in the order "
                       "Pacemaker applies them")
    pairs: list[NvPair] = []
    seen: dict[str, NvPair] = {}
    for *_, target in usable:
        for child in target:
            if child.tag == "rule":
                continue
            if child.tag != "nvpair":
                reader.unknown_child(child, target)
                continue
            pair = _pair(reader, child, what)
            if pair is None:
                continue
            if pair.name in seen:
                reader.log.lost(pair.name_span, f"{what}: `{pair.name}` is set again; Pacemaker uses the first "
                                "value, which is the one imported", help="remove the duplicate")
                continue
            seen[pair.name] = pair
            pairs.append(pair)
    return pairs


def _pair(reader: CibReader, child, what: str) -> NvPair | None:
    source = child
    if child.get("id-ref") is not None:
        source = reader.resolve(child, f"{what}: an attribute")
        if source is None:
            return None
    reader.extra_attributes(child, {"name", "value", "id-ref"})
    name = child.get("name") or source.get("name")
    name_at = child if child.get("name") else source
    value = source.get("value")
    try:
        check_id(name or "")
    except ValueError:
        reader.lost(name_at, f"{what}: the name `{name}` cannot be written in hacc", attr="name" if name else None)
        return None
    if value is None:
        reader.lost(child, f"{what}: `{name}` has no value", help="give it a value or remove it")
        return None
    try:
        if not value:
            raise ValueError("the value is empty")
        check_text(value)
    except ValueError as problem:
        reader.lost(source, f"{what}: `{name}` cannot be carried over: {problem}", attr="value")
        return None
    return NvPair(name, value, reader.attr_span(name_at, "name"), reader.attr_span(source, "value"))


def fill(piece: Piece, key: str, pairs: list[NvPair], target: dict | None = None) -> dict:
    """Put `pairs` into `piece.value[key]` (or `target`), with their spans."""
    out = piece.value.setdefault(key, {}) if target is None else target
    for pair in pairs:
        out[pair.name] = pair.value
        piece.mark((key, pair.name), pair.value_span)
        piece.mark((key, pair.name, "<key>"), pair.name_span)
    return out


def _score(text: str | None) -> int:
    if text is None:
        return 0
    text = text.strip()
    if text.lstrip("+-") == "INFINITY":
        return -INFINITY if text.startswith("-") else INFINITY
    try:
        return max(-INFINITY, min(INFINITY, int(text)))
    except ValueError:
        return 0
