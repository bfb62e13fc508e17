"""The diagnostic record every stage of hacc reports problems with."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple


class Severity(enum.IntEnum):
    """Ordered so that `max()` over a list gives the worst one."""

    NOTE = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


class Span(NamedTuple):
    """A range of source text. Lines and columns start at 1; `end_col` is the
    column just after the last character, as Lark reports it.

    A named tuple rather than a dataclass: a big cluster creates hundreds of
    thousands of spans, and a tuple is built three times faster. Spans
    order and compare field by field, which sorts diagnostics by position."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    @classmethod
    def point(cls, file: str, line: int = 1, col: int = 1) -> Span:
        return cls(file, line, col, line, col + 1)


@dataclass(frozen=True)
class Label:
    """A secondary span with a short explanation, e.g. "first defined here"."""

    span: Span
    message: str


@dataclass(frozen=True)
class Diagnostic:
    """One problem: what is wrong (message), where (span), how to fix it (help).

    `message` says what is wrong and never how to fix it; `help` does that.
    `path` is the location in the model's JSON form (e.g. `nodes[1].id`) so
    tools can find the element without parsing the message.
    """

    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    labels: tuple[Label, ...] = ()
    help: str | None = None
    notes: tuple[str, ...] = ()
    path: str | None = None
    suppressible: bool = field(default=True, compare=False)

    def sort_key(self) -> tuple:
        s = self.span
        return (s.file, s.line, s.col, self.code, self.message)

    def to_dict(self) -> dict:
        def span_dict(span: Span) -> dict:
            return {
                "file": span.file,
                "line": span.line,
                "column": span.col,
                "end_line": span.end_line,
                "end_column": span.end_col,
            }

        return {
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "message": self.message,
            "span": span_dict(self.span),
            "labels": [{"span": span_dict(label.span), "message": label.message} for label in self.labels],
            "help": self.help,
            "notes": list(self.notes),
            "path": self.path,
        }
