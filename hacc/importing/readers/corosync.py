"""corosync.conf, read the way corosync 3 reads it (exec/coroparse.c).

The format is line based, with no quoting and no escapes:
- a line is split at `\\n` only; one trailing `\\r` and trailing blanks (space,
  tab) are dropped; a line longer than 510 bytes is refused ("Line too long");
- a line whose first non-blank character is `#` is a comment, and so is a
  blank line; `#` anywhere else is ordinary text, so `token: 5000 # ms` gives
  the value `5000 # ms`;
- a line holding `{` opens a section: the name is the text before the first
  `{` with blanks and trailing `:`/`{` removed; text after the `{` is refused;
- otherwise a line holding `:` is `key: value`, split at the first `:`; the
  value runs to the end of the line, so it may hold `:`, `#`, quotes or `}`;
- otherwise a line holding `}` closes the section and must hold nothing else;
- any other line is refused, as are an empty key, an empty section name, a
  `}` with no open section and a section still open at the end of the file.
There is no include directive. The tree keeps each value as corosync stores
it: a key/value line becomes an `Item` with one `Word`, a section an `Item`
with a block.
"""

from __future__ import annotations

from dataclasses import dataclass

from hacc.diagnostics.model import Span
from hacc.importing.files import Source
from hacc.importing.log import ImportLog
from hacc.importing.readers.tree import Item, Word

# coroparse.c reads lines with fgets() into a 512-byte buffer and refuses a
# line that does not fit with its newline.
MAX_LINE_BYTES = 510
# corosync stores `section.sub.key` paths in icmap, whose keys are at most
# ICMAP_KEYNAME_MAXLEN (255) bytes; a longer path is refused. This also
# bounds how deep sections can nest.
MAX_PATH_BYTES = 255
_BLANKS = " \t"


class CorosyncSyntaxError(Exception):
    def __init__(self, span: Span, message: str, help: str) -> None:
        super().__init__(message)
        self.span = span
        self.message = message
        self.help = help


@dataclass
class _Open:
    item: Item
    parent: list[Item]
    path: str


def read_corosync(source: Source, log: ImportLog) -> list[Item] | None:
    """The file's top-level items, or None after reporting (HA083) why
    corosync would refuse it. Like corosync, the first error stops reading."""
    try:
        return _parse(source)
    except CorosyncSyntaxError as error:
        log.unreadable(error.span, error.message, help=error.help)
        return None


def _parse(source: Source) -> list[Item]:
    top: list[Item] = []
    current = top
    stack: list[_Open] = []
    path = ""
    for number, raw in enumerate(source.text.split("\n"), start=1):
        line = _clean(source, number, raw)
        start = len(line) - len(line.lstrip(_BLANKS))
        if start == len(line) or line[start] == "#":
            continue
        if "{" in line:
            item = _section(source, number, line, start)
            _check_path(path, item)
            current.append(item)
            stack.append(_Open(item, current, path))
            current = item.block
            path = f"{path}.{item.keyword}" if path else item.keyword
        elif ":" in line:
            item = _key_value(source, number, line, start)
            _check_path(path, item)
            current.append(item)
        elif "}" in line:
            if line.strip(_BLANKS) != "}":
                raise CorosyncSyntaxError(
                    _span(source, number, start, len(line)),
                    "corosync refuses text before or after a closing `}`",
                    "put the `}` on a line of its own; a comment needs its own line too",
                )
            if not stack:
                raise CorosyncSyntaxError(
                    _span(source, number, start, start + 1),
                    "this `}` closes no section",
                    "remove it, or open the section it was meant to close",
                )
            opened = stack.pop()
            brace = _span(source, number, start, start + 1)
            head = opened.item.keyword_span
            opened.item.span = Span(head.file, head.line, head.col, brace.end_line, brace.end_col)
            current, path = opened.parent, opened.path
        else:
            raise CorosyncSyntaxError(
                _span(source, number, start, len(line)),
                "corosync refuses this line: it neither opens a section (`name {`), closes one (`}`) "
                "nor sets a value (`key: value`)",
                "write `key: value` with a colon; corosync has no `key = value` or `key value` form",
            )
    if stack:
        opened = stack[-1].item
        raise CorosyncSyntaxError(
            opened.keyword_span,
            f"the section `{opened.keyword}` is never closed",
            "add the missing `}`; corosync refuses the whole file without it",
        )
    return top


def _check_path(path: str, item: Item) -> None:
    if len(path.encode()) + len(item.keyword.encode()) + 1 >= MAX_PATH_BYTES:
        raise CorosyncSyntaxError(
            item.keyword_span,
            f"corosync refuses this name: with the sections around it, its path is longer than {MAX_PATH_BYTES - 1} bytes",
            "nest fewer sections, or use shorter names",
        )


def _clean(source: Source, number: int, raw: str) -> str:
    """The line as corosync sees it after fgets() and its trimming."""
    if "\x00" in raw:
        col = raw.index("\x00")
        raise CorosyncSyntaxError(
            _span(source, number, col, col + 1),
            "the file holds a NUL byte: corosync stops reading the line there",
            "this is not a text file, or it is damaged; restore corosync.conf from a good copy",
        )
    if len(raw.encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
        raise CorosyncSyntaxError(
            _span(source, number, 0, 1),
            f"this line is {len(raw.encode('utf-8', 'surrogatepass'))} bytes long; corosync refuses lines "
            f"over {MAX_LINE_BYTES} bytes",
            "shorten the line; corosync values never need to be this long",
        )
    raw = raw.removesuffix("\r")
    return raw.rstrip(_BLANKS)


def _section(source: Source, number: int, line: str, start: int) -> Item:
    brace = line.index("{")
    after = line[brace + 1 :].strip(_BLANKS)
    if after:
        col = line.index(after, brace + 1)
        raise CorosyncSyntaxError(
            _span(source, number, col, len(line)),
            "corosync refuses text after an opening `{`",
            "put each `key: value` on a line of its own after `name {`",
        )
    name = line[start:brace]
    while len(name) > 1 and name[-1] in _BLANKS + ":{":
        name = name[:-1]
    name = name.rstrip(_BLANKS)
    if not name:
        raise CorosyncSyntaxError(
            _span(source, number, brace, brace + 1),
            "this `{` has no section name before it",
            "write the section name before the brace: `totem {`",
        )
    return Item(name, _span(source, number, start, start + len(name)), block=[],
                span=_span(source, number, start, brace + 1))


def _key_value(source: Source, number: int, line: str, start: int) -> Item:
    colon = line.index(":")
    key = line[start:colon].rstrip(_BLANKS)
    if not key:
        raise CorosyncSyntaxError(
            _span(source, number, colon, colon + 1),
            "this line has a value but no key before the `:`",
            "write the key before the colon: `key: value`",
        )
    value_start = colon + 1
    while value_start < len(line) and line[value_start] in _BLANKS:
        value_start += 1
    value = line[value_start:]
    value_span = _span(source, number, value_start, len(line))
    key_span = _span(source, number, start, start + len(key))
    return Item(key, key_span, args=[Word(value, value_span)], span=_span(source, number, start, len(line)))


def _span(source: Source, number: int, start: int, end: int) -> Span:
    """0-based [start, end) columns of line `number` as a 1-based span."""
    return Span(source.display, number, start + 1, number, max(end, start + 1) + 1)


def value_of(item: Item) -> Word:
    """The value of a `key: value` item (empty for a section)."""
    return item.args[0] if item.args else Word("", item.keyword_span)
