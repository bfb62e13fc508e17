"""Turn diagnostics into text for people (rustc style) or machines.

The text format shows the source line with a caret under the span:

    error[HA013]: `5x` is not a duration
     --> cluster.ha:7:15
      |
    7 |         token 5x
      |               ^^ expected a number with a unit
      |
      = help: write a number and a unit, e.g. `500ms`, `5s` or `1m`
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable

from hacc.diagnostics.model import Diagnostic, Label, Severity, Span
from hacc.source.files import SourceMap

_COLORS = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[1;33m",
    Severity.NOTE: "\x1b[1;36m",
}
_BLUE = "\x1b[1;34m"
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"
_TAB = "    "


def _printable(line: str) -> str:
    """Expand tabs and replace control characters so a hostile source line
    cannot move the cursor or corrupt the terminal (one column per char)."""
    out = []
    for ch in line:
        if ch == "\t":
            out.append(_TAB)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            out.append("\N{REPLACEMENT CHARACTER}")
        else:
            out.append(ch)
    return "".join(out)


def _display_col(line: str, col: int) -> int:
    """The 0-based screen column of 1-based source column `col`."""
    prefix = line[: max(col - 1, 0)]
    return len(prefix) + prefix.count("\t") * (len(_TAB) - 1)


class _Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.color else text


def render_text(diagnostics: Iterable[Diagnostic], sources: SourceMap, *, color: bool = False) -> str:
    paint = _Painter(color)
    blocks = [_render_one(d, sources, paint) for d in diagnostics]
    return "\n".join(blocks)


def _render_one(diag: Diagnostic, sources: SourceMap, paint: _Painter) -> str:
    style = _COLORS[diag.severity]
    # Messages may quote a hostile value: it is shown as harmlessly as the
    # source line (a newline or an escape sequence would forge output).
    head = paint(f"{diag.severity}[{diag.code}]", style) + paint(f": {_printable(diag.message)}", _BOLD)
    # The primary span and the labels that share its file go in one snippet;
    # labels in other files (e.g. an included file) get their own.
    by_file: dict[str, list[tuple[Span, str, bool]]] = {diag.span.file: [(diag.span, "", True)]}
    for label in diag.labels:
        by_file.setdefault(label.span.file, []).append((label.span, _printable(label.message), False))
    width = max(len(str(s.line)) for spans in by_file.values() for s, _, _ in spans)
    gutter = " " * width
    lines = [head]
    for index, (file, spans) in enumerate(by_file.items()):
        first = spans[0][0]
        arrow = "-->" if index == 0 else ":::"
        lines.append(f"{gutter}{paint(arrow, _BLUE)} {_printable(str(first))}")
        lines.extend(_snippet(file, spans, sources, width, style, paint))
    for note in diag.notes:
        lines.append(f"{gutter} {paint('=', _BLUE)} {paint('note', _BOLD)}: {_printable(note)}")
    if diag.help:
        lines.append(f"{gutter} {paint('=', _BLUE)} {paint('help', _BOLD)}: {_printable(diag.help)}")
    return "\n".join(lines) + "\n"


def _snippet(file, spans, sources: SourceMap, width: int, style: str, paint: _Painter) -> list[str]:
    bar = paint(" " * width + " |", _BLUE)
    out = [bar]
    shown = sorted({s.line for s, _, _ in spans})
    previous = None
    for lineno in shown:
        text = sources.line(file, lineno)
        if text is None:
            continue
        if previous is not None and lineno > previous + 1:
            out.append(paint("...", _BLUE))
        previous = lineno
        on_line = [s for s in spans if s[0].line == lineno]
        text, on_line = _window(text, on_line)
        out.append(paint(f"{lineno:>{width}} |", _BLUE) + " " + _printable(text))
        out.extend(_markers(text, on_line, bar, style, paint))
    out.append(bar)
    return out


_MAX_LINE = 160


def _window(text: str, spans):
    """Cut a very long source line down to the part around the first span,
    shifting the spans to match, so one line never floods the terminal."""
    if len(text) <= _MAX_LINE:
        return text, spans
    start = max(spans[0][0].col - 1 - 40, 0)
    piece = text[start : start + _MAX_LINE - 6]
    prefix = "..." if start else ""
    suffix = "..." if start + len(piece) < len(text) else ""
    shift = start - len(prefix)
    kept = []
    for span, message, primary in spans:
        col = span.col - shift
        if len(prefix) < col <= len(prefix) + len(piece):
            end = min(span.end_col - shift, len(prefix) + len(piece) + 1) if span.end_line == span.line else col + 1
            kept.append((type(span)(span.file, span.line, col, span.line, end), message, primary))
    return prefix + piece + suffix, kept or spans[:1]


def _markers(text: str, spans, bar: str, style: str, paint: _Painter) -> list[str]:
    """Underline every span of one source line on a single marker line (`^`
    for the primary span, `-` for labels); the rightmost label's message
    follows it, the others hang below their markers, as rustc does."""
    placed = []
    for span, message, primary in spans:
        start = _display_col(text, span.col)
        end_col = span.end_col if span.end_line == span.line else len(text) + 1
        end = max(_display_col(text, end_col), start + 1)
        placed.append((start, end, message, primary))
    placed.sort()
    line, cursor = "", 0
    for start, end, _, primary in placed:
        if start < cursor:
            continue  # overlapping spans: keep the first
        line += " " * (start - cursor) + paint(("^" if primary else "-") * (end - start), style if primary else _BLUE)
        cursor = end
    last = placed[-1]
    if last[2]:
        line += " " + paint(last[2], style if last[3] else _BLUE)
    out = [bar + " " + line]
    for start, _, message, primary in reversed(placed[:-1]):
        if message:
            out.append(bar + " " + " " * start + paint("|", _BLUE))
            out.append(bar + " " + " " * start + paint(message, style if primary else _BLUE))
    return out


def render_concise(diagnostics: Iterable[Diagnostic]) -> str:
    return "".join(f"{_printable(str(d.span))}: {d.severity}[{d.code}] {_printable(d.message)}\n" for d in diagnostics)


def render_json(diagnostics: list[Diagnostic]) -> str:
    counts = {str(s): 0 for s in Severity}
    for d in diagnostics:
        counts[str(d.severity)] += 1
    payload = {"diagnostics": [d.to_dict() for d in diagnostics], "summary": counts}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def summary_line(diagnostics: list[Diagnostic]) -> str | None:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    if not errors and not warnings:
        return None
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)


__all__ = ["Label", "render_concise", "render_json", "render_text", "summary_line"]
