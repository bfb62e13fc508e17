"""The canonical layout of a `.ha` file: what `hacc fmt` writes.

`format_text` parses the file (it never expands `include`: each file is laid
out on its own) and writes the statements back from the parse tree, copying
every keyword and argument from the source by its span, so quoting, escapes
and `secret:` references stay exactly as written. The layout, in the manner
of gofmt and black (one way to write a file, no options):

- Four spaces per level. One statement per line: statements joined by `;`
  are split and one-line blocks are expanded. `{` ends the statement's line
  after one space; `}` stands alone at the statement's indentation. An
  empty block is `{ }` on the statement's line.
- One space between arguments. Blank lines between statements are the
  author's, runs collapsed to one; none at the start of the file, right
  after `{` or right before `}`. No trailing whitespace, `\\n` line ends,
  exactly one newline at the end (an empty file stays empty).
- Comments are never dropped and keep their text (less trailing blanks).
  A comment on a line of its own stays above the statement that follows it,
  re-indented to that statement's level, and moves with it; comments after
  the last statement of a block stay at the end of that block. A comment at
  the end of a line stays at the end of the line of the statement it
  follows, after two spaces: after `node a { id 1; addr 10.0.0.1 }  # r4`
  (or after `node a {`) it follows `node a {`; after `addr x }` closing an
  earlier line's block it follows `addr x`; after a lone `}` it follows
  that `}`. A comment after a bare `;` becomes a comment line.
- Suppression comments (`# hacc: ignore[...]`, hacc.checks.suppress) cover
  their own line, or the next one when they stand alone, so moving
  statements between lines could change what they silence. After laying a
  file out, every suppression must cover exactly the statements it covered
  before; a line where that fails (e.g. `a; b  # hacc: ignore[HA301] why`)
  is kept on one line, with normal spacing, and its block is not reordered
  (and a blank line between such a line and a suppression above it that
  covered nothing stays, even before a `}`). Should even that not restore
  the coverage (no fuzzed input has needed it), the text is returned as
  written.
- The few blocks whose order carries no meaning are sorted
  (hacc.format.order).

Formatting is idempotent: a formatted file formats to itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hacc.diagnostics.model import Diagnostic, Span
from hacc.format.order import canonical_order
from hacc.parse.ast import Statement
from hacc.parse.parser import Comment, parse_text

INDENT = "    "
# The comments hacc.checks.suppress reads as directives.
_SUPPRESSION = re.compile(r"#\s*hacc\s*:")


class FormatError(ValueError):
    """The text does not parse; `diagnostics` say why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__("; ".join(f"{d.span}: {d.message}" for d in self.diagnostics))


def format_text(text: str, file: str = "<text>") -> str:
    """The canonical layout of `text`; FormatError when it does not parse."""
    try:
        comments: list[Comment] = []
        statements, problems = parse_text(text, file, comments)
        if problems:
            raise FormatError(problems)
        source = _Source(text, statements, comments)
        pinned: set[int] = set()
        while True:
            rendered = _render(_Layout(source, pinned))
            moved, lines = source.moved_suppressions(rendered)
            if not moved:
                return rendered.text
            if not lines - pinned:
                return text  # the suppressions cannot be kept where they were
            pinned |= lines
    except RecursionError:
        from hacc.parse.syntax_errors import SYNTAX

        raise FormatError([SYNTAX.at(Span.point(file), "the input nests too deeply to format",
                                     help="cluster descriptions never need more than a few levels of nesting")]) from None


class _Source:
    """The parsed file: raw text by span, blank lines, and where each
    statement's head and `}` stand."""

    def __init__(self, text: str, statements: list[Statement], comments: list[Comment]) -> None:
        self.lines = text.split("\n")  # Lark counts lines by "\n" only
        self.statements = statements
        self.comments = sorted(comments, key=lambda c: (c.span.line, c.span.col))
        self._blanks = [0]
        for line in self.lines:
            self._blanks.append(self._blanks[-1] + (not line.strip(" \t\r")))
        self.heads: dict[int, list[Statement]] = {}  # line -> statements whose head is on it
        self.tokens: dict[int, list[tuple[int, str, Statement]]] = {}  # line -> (col, "head"/"close", stmt)
        stack = list(reversed(statements))
        while stack:
            stmt = stack.pop()
            line = stmt.keyword_span.line
            self.heads.setdefault(line, []).append(stmt)
            self.tokens.setdefault(line, []).append((stmt.keyword_span.col, "head", stmt))
            if stmt.block is not None:
                self.tokens.setdefault(stmt.span.end_line, []).append((stmt.span.end_col, "close", stmt))
                stack.extend(reversed(stmt.block))
        for found in self.tokens.values():
            found.sort(key=lambda token: token[0])

    def raw(self, span: Span) -> str:
        return self.lines[span.line - 1][span.col - 1 : span.end_col - 1]

    def blank_between(self, after: int, before: int) -> bool:
        """Whether a blank line lies strictly between two lines."""
        return before - after > 1 and self._blanks[before - 1] - self._blanks[after] > 0

    def moved_suppressions(self, rendered: _Rendered) -> tuple[bool, set[int]]:
        """Whether a suppression covers other statements in `rendered` than
        in the source, and the source lines to keep whole to prevent it."""
        moved, lines = False, set()
        for comment in self.comments:
            if not _SUPPRESSION.match(comment.text):
                continue
            covered = _covered_lines(comment.span.line, comment.own_line)
            if _covered(self.heads, covered) != _covered(rendered.heads, _covered_lines(*rendered.comments[id(comment)])):
                moved = True
                lines.update(line for line in covered if line in self.tokens)
        return moved, lines


def _covered_lines(line: int, own_line: bool) -> tuple[int, ...]:
    """The lines a suppression comment covers (as hacc.checks.suppress)."""
    return (line, line + 1) if own_line else (line,)


def _covered(heads: dict[int, list[Statement]], lines: tuple[int, ...]) -> set[int]:
    return {id(stmt) for line in lines for stmt in heads.get(line, ())}


@dataclass(eq=False)
class _Note:
    """A comment placed on a line of its own."""

    comment: Comment
    blank: bool = False  # a blank line before it in the source
    detached: bool = False  # a suppression that covered no statement: keep a blank line after it

    @property
    def text(self) -> str:
        return self.comment.text.rstrip(" \t")


@dataclass(eq=False)
class _Entry:
    """A statement with the comments that travel with it."""

    stmt: Statement
    head: str
    children: list[_Entry] | None
    leading: list[_Note] = field(default_factory=list)
    blank: bool = False  # a blank line between its leading comments (or the previous statement) and it
    trailing: Comment | None = None  # at the end of its head line (after `{` for a block)
    closing: list[_Note] = field(default_factory=list)  # comment lines before its `}`
    close_trailing: Comment | None = None  # after its `}`
    close_blank: bool = False


class _Layout:
    """The statement tree with every comment attached, in canonical order.
    `pinned` source lines keep their statements on one line."""

    def __init__(self, source: _Source, pinned: set[int]) -> None:
        self.source = source
        self.pinned = pinned
        self.entries: dict[int, _Entry] = {}
        self.top = self._entries(source.statements)
        self.end: list[_Note] = []  # comment lines after the last statement
        self._attach_comments()
        self.top = self._ordered(self.top, ())

    def _entries(self, statements) -> list[_Entry]:
        out = []
        for stmt in statements:
            spans = ([stmt.keyword_span] if stmt.keyword is not None else []) + [arg.span for arg in stmt.args]
            children = None if stmt.block is None else self._entries(stmt.block)
            entry = self.entries[id(stmt)] = _Entry(stmt, " ".join(self.source.raw(s) for s in spans), children)
            out.append(entry)
        return out

    def _attach_comments(self) -> None:
        source = self.source
        events = [((line, col), kind, stmt) for line, found in source.tokens.items() for col, kind, stmt in found]
        events += [((c.span.line, c.span.col), "comment", c) for c in source.comments]
        events.sort(key=lambda event: event[0])
        previous_line, waiting = 0, []
        for (line, _), kind, item in events:
            blank = source.blank_between(previous_line, line)
            previous_line = line
            if kind == "comment":
                if item.own_line or line not in source.tokens:
                    detached = not item.own_line and bool(_SUPPRESSION.match(item.text))
                    waiting.append(_Note(item, blank, detached))
                else:
                    self._attach_trailing(item, line)
            elif kind == "head":
                entry = self.entries[id(item)]
                entry.leading, entry.blank, waiting = waiting, blank, []
            else:
                entry = self.entries[id(item)]
                entry.closing, waiting = waiting, []
                # No blank line comes before a `}`, except one pinned together
                # with statements below a suppression that must not cover them.
                entry.close_blank = blank and line in self.pinned and line in source.heads
        self.end = waiting

    def _attach_trailing(self, comment: Comment, line: int) -> None:
        """Give an end-of-line comment to the statement it follows."""
        tokens = self.source.tokens[line]
        _, kind, stmt = tokens[-1]
        if line not in self.pinned and kind == "close":
            if stmt.keyword_span.line == line:
                if stmt.block:  # `node a { ... }  # x` describes `node a`; `x { }  # c` stays as it is
                    kind = "head"
            else:
                heads = [s for _, k, s in tokens if k == "head"]
                if heads:  # `addr x }  # x` describes `addr x`
                    kind, stmt = "head", max(heads, key=lambda s: (s.span.end_line, s.span.end_col))
        entry = self.entries[id(stmt)]
        if kind == "head":
            entry.trailing = comment
        else:
            entry.close_trailing = comment

    def _ordered(self, entries: list[_Entry], enclosing: tuple) -> list[_Entry]:
        if not any(e.stmt.keyword_span.line in self.pinned for e in entries):
            entries = canonical_order(enclosing, entries, lambda e: e.stmt.keyword)
        for entry in entries:
            if entry.children is not None:
                entry.children = self._ordered(entry.children, enclosing + (entry.stmt.keyword,))
        return entries


@dataclass(eq=False)
class _Piece:
    """One unit of output: a statement's head (with its `{`), a `}`, or a
    comment line."""

    kind: str  # "head", "close" or "note"
    depth: int
    line: int  # in the source
    text: str
    blank: bool = False
    entry: _Entry | None = None
    note: _Note | None = None
    trailing: Comment | None = None


@dataclass
class _Rendered:
    text: str
    heads: dict[int, list[Statement]]  # output line -> statements whose head is on it
    comments: dict[int, tuple[int, bool]]  # id(comment) -> (output line, alone on its line)


def _pieces(entries: list[_Entry], depth: int, out: list[_Piece]) -> None:
    for entry in entries:
        out.extend(_note_piece(note, depth) for note in entry.leading)
        head = entry.head + (" {" if entry.children is not None else "")
        out.append(_Piece("head", depth, entry.stmt.keyword_span.line, head, entry.blank, entry, trailing=entry.trailing))
        if entry.children is not None:
            _pieces(entry.children, depth + 1, out)
            out.extend(_note_piece(note, depth + 1) for note in entry.closing)
            out.append(_Piece("close", depth, entry.stmt.span.end_line, "}", entry.close_blank, entry, trailing=entry.close_trailing))


def _note_piece(note: _Note, depth: int) -> _Piece:
    return _Piece("note", depth, note.comment.span.line, note.text, note.blank, note=note)


def _render(layout: _Layout) -> _Rendered:
    pieces: list[_Piece] = []
    _pieces(layout.top, 0, pieces)
    pieces.extend(_note_piece(note, 0) for note in layout.end)
    lines: list[str] = []
    rendered = _Rendered("", {}, {})
    previous: _Piece | None = None
    commented = False  # the current line already ends with a comment
    for piece in pieces:
        if previous is not None and not commented and _joins(previous, piece, layout.pinned):
            lines[-1] += _separator(previous, piece) + piece.text
        else:
            if _blank_before(previous, piece):
                lines.append("")
            lines.append(INDENT * piece.depth + piece.text)
            commented = False
        if piece.kind == "head":
            rendered.heads.setdefault(len(lines), []).append(piece.entry.stmt)
        elif piece.kind == "note":
            rendered.comments[id(piece.note.comment)] = (len(lines), True)
        if piece.trailing is not None:
            lines[-1] += "  " + piece.trailing.text.rstrip(" \t")
            rendered.comments[id(piece.trailing)] = (len(lines), False)
            commented = True
        previous = piece
    rendered.text = "\n".join(lines) + "\n" if lines else ""
    return rendered


def _joins(previous: _Piece, piece: _Piece, pinned: set[int]) -> bool:
    """Whether `piece` goes on the same line as `previous`: an empty block
    `{ }`, or both from one pinned source line."""
    if previous.kind == "note" or piece.kind == "note":
        return False
    if previous.kind == "head" and piece.kind == "close" and piece.entry is previous.entry:
        return previous.line == piece.line or (previous.line not in pinned and piece.line not in pinned)
    return previous.line == piece.line and piece.line in pinned


def _separator(previous: _Piece, piece: _Piece) -> str:
    if previous.kind == "head" and previous.entry.children is not None:
        return " "  # after `{`
    return "; " if piece.kind == "head" else " "


def _blank_before(previous: _Piece | None, piece: _Piece) -> bool:
    if previous is None:
        return False
    if previous.kind == "head" and previous.entry.children is not None:
        return False  # first line of a block
    if previous.kind == "note" and previous.note.detached:
        return True
    if piece.kind == "close":
        return piece.blank and previous.kind == "note" and bool(_SUPPRESSION.match(previous.note.text))
    return piece.blank
