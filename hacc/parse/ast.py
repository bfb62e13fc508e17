"""The generic syntax tree of a `.ha` file.

The grammar knows only statements, values and blocks; the meaning of each
keyword is given by hacc.model.lower. Every node keeps its source span.

Nodes are values: they compare and hash by their fields, and nothing
changes them once the parser made them. They are not frozen dataclasses
because a frozen dataclass sets each field through `object.__setattr__`:
four times slower to create, and a big cluster has 400,000 values.
"""

from __future__ import annotations

from dataclasses import dataclass

from hacc.diagnostics.model import Span


@dataclass(slots=True, unsafe_hash=True)
class Value:
    """A bare word or a quoted string. `quoted` strings are always literal:
    `"secret:X"` is the text secret:X, not a secret reference."""

    text: str
    quoted: bool
    span: Span

    def describe(self) -> str:
        return f'"{self.text}"' if self.quoted else f"`{self.text}`"


@dataclass(slots=True, unsafe_hash=True)
class Pair:
    """`key=value`, written as one token."""

    key: str
    key_span: Span
    value: Value
    span: Span


Argument = Value | Pair


@dataclass(slots=True, unsafe_hash=True)
class Statement:
    """`keyword arguments... { block }`. `keyword` is None for a line of
    pairs such as `ip=10.0.0.1 cidr_netmask=24`."""

    keyword: str | None
    keyword_span: Span
    args: tuple[Argument, ...]
    block: tuple[Statement, ...] | None
    span: Span
    block_span: Span | None = None

    @property
    def head_span(self) -> Span:
        """The statement without its block: what a caret should underline."""
        last = self.args[-1].span if self.args else self.keyword_span
        start = self.keyword_span
        return Span(start.file, start.line, start.col, last.end_line, last.end_col)

    def pairs(self) -> list[Pair]:
        return [a for a in self.args if isinstance(a, Pair)]

    def values(self) -> list[Value]:
        return [a for a in self.args if isinstance(a, Value)]
