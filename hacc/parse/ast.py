"""The generic syntax tree of a `.ha` file.

The grammar knows only statements, values and blocks; the meaning of each
keyword is given by hacc.model.lower. Every node keeps its source span.
"""

from __future__ import annotations

from dataclasses import dataclass

from hacc.diagnostics.model import Span


@dataclass(frozen=True, slots=True)
class Value:
    """A bare word or a quoted string. `quoted` strings are always literal:
    `"secret:X"` is the text secret:X, not a secret reference."""

    text: str
    quoted: bool
    span: Span

    def describe(self) -> str:
        return f'"{self.text}"' if self.quoted else f"`{self.text}`"


@dataclass(frozen=True, slots=True)
class Pair:
    """`key=value`, written as one token."""

    key: str
    key_span: Span
    value: Value
    span: Span


Argument = Value | Pair


@dataclass(frozen=True, slots=True)
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
