"""The tree every text-format reader produces: directives with words."""

from __future__ import annotations

from dataclasses import dataclass, field

from hacc.diagnostics.model import Span


@dataclass(frozen=True)
class Word:
    """One token after the daemon's own unquoting; `quoted` if it was."""

    text: str
    span: Span
    quoted: bool = False


@dataclass
class Item:
    """`keyword args... [{ block }]`, or one haproxy line / section."""

    keyword: str
    keyword_span: Span
    args: list[Word] = field(default_factory=list)
    block: list[Item] | None = None
    span: Span | None = None

    @property
    def head_span(self) -> Span:
        """From the keyword to the last argument: what a caret underlines."""
        last = self.args[-1].span if self.args else self.keyword_span
        start = self.keyword_span
        if last.file != start.file:
            return start
        return Span(start.file, start.line, start.col, last.end_line, last.end_col)

    def texts(self) -> list[str]:
        return [word.text for word in self.args]

    def find(self, keyword: str) -> list[Item]:
        return [item for item in self.block or () if item.keyword == keyword]

    def first(self, keyword: str) -> Item | None:
        found = self.find(keyword)
        return found[0] if found else None
