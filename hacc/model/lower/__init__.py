"""Lower `.ha` statements into the model's JSON form.

The JSON form is plain data (dicts, lists, strings, numbers, booleans) that
`schemas/cluster.schema.json` describes; `hacc build --emit json` prints it
and `hacc build cluster.json` reads it back. Lowering records the source span
of every value it produces so later stages can report at the right place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hacc.diagnostics.model import Diagnostic, Span
from hacc.model.lower.cluster import lower_file
from hacc.model.lower.context import Lowering
from hacc.parse.ast import Statement


@dataclass
class Lowered:
    """The JSON form lowered from the source, with the spans of its values."""

    data: dict | None
    spans: dict[tuple, Span]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    incomplete: set[tuple] = field(default_factory=set)


def lower(statements: list[Statement], file: str) -> Lowered:
    low = Lowering()
    data = lower_file(low, statements, file)
    return Lowered(data, low.spans, low.diagnostics, low.incomplete)
