"""keepalived's read_line() (lib/parser.c): from physical lines to the
logical lines its keyword parser sees, each character keeping the column it
came from so every word has a span.

The order of the steps is keepalived's: decomment, multi-line definitions,
`@ID` conditionals, `$NAME=` definitions, `~SEQ`, `$NAME` substitution,
`include`, then the split at the first unquoted brace, whose remainder goes
through the same steps again.
"""

from __future__ import annotations

import string
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from hacc.diagnostics.model import Span
from hacc.importing.files import Source
from hacc.importing.log import ImportLog
from hacc.importing.readers.tree import Word

# fgets() into a MAXBUF (1024) buffer: at most 1023 bytes of a line per read.
MAX_LINE = 1023
MAX_PIECES = 8  # of a line longer than MAX_LINE that are read as lines
# Bounds on substitution, which keepalived would loop on for a definition
# that names itself.
MAX_SUBSTITUTIONS = 256
MAX_DEFINITION_DEPTH = 32
_WHITE = " \t\f\n\r\v"
_BLANK = " \t"
_NAME_START = set(string.ascii_letters + "_")
_NAME_CHARS = set(string.ascii_letters + string.digits + "_")


class Stop(Exception):
    """The file cannot be read on (reported already)."""


@dataclass
class Line:
    """A logical line: its text and, per character, the columns it spans in
    the physical line `lineno` of `file` (substituted text spans the `$NAME`
    it replaced)."""

    text: str
    starts: array
    ends: array
    file: str
    lineno: int
    source: Source | None = None
    include: Word | None = None

    @classmethod
    def physical(cls, text: str, offset: int, source: Source, lineno: int) -> Line:
        cols = array("i", range(offset + 1, offset + len(text) + 1))
        return cls(text, cols, array("i", (c + 1 for c in cols)), source.display, lineno, source)

    def span(self, i: int = 0, j: int | None = None) -> Span:
        if not self.text:
            return Span(self.file, self.lineno, 1, self.lineno, 2)
        j = len(self.text) if j is None else j
        i = min(max(i, 0), len(self.text) - 1)
        j = max(min(j, len(self.text)), i + 1)
        return Span(self.file, self.lineno, self.starts[i], self.lineno, self.ends[j - 1])

    def cut(self, i: int, j: int | None = None) -> Line:
        j = len(self.text) if j is None else j
        return Line(self.text[i:j], self.starts[i:j], self.ends[i:j], self.file, self.lineno, self.source)

    def strip(self) -> Line:
        start = len(self.text) - len(self.text.lstrip(_BLANK))
        end = len(self.text.rstrip(_BLANK))
        return self.cut(start, max(start, end))

    def replace(self, i: int, j: int, text: str) -> Line:
        """Text [i, j) replaced by `text`, which spans what it replaced."""
        start, end = self.starts[i], self.ends[j - 1]
        return Line(self.text[:i] + text + self.text[j:],
                    self.starts[:i] + array("i", [start] * len(text)) + self.starts[j:],
                    self.ends[:i] + array("i", [end] * len(text)) + self.ends[j:],
                    self.file, self.lineno, self.source)


@dataclass
class Definition:
    name: str
    lines: list[str]
    multiline: bool = False
    # Standard definitions compute their value where they are used.
    compute: Callable[[Line], str | None] | None = None
    max_params: int = 0


@dataclass
class _FileState:
    pending: Definition | None = None
    noted_conditional: bool = False


def split_words(line: Line, log: ImportLog | None) -> list[Word]:
    """alloc_strvec_r(): whitespace-separated words, `"..."` as one word
    without its quotes (no escapes); an unquoted word ends at `"`."""
    text, words, i = line.text, [], 0
    while True:
        while i < len(text) and text[i] in _WHITE:
            i += 1
        if i >= len(text):
            return words
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                if log is not None:
                    log.unreadable(line.span(i, len(text)), "this quote is never closed",
                                   help='close the quoted string with `"` on the same line')
                return words
            words.append(Word(text[i + 1:end], line.span(i, end + 1), quoted=True))
            i = end + 1
            continue
        start = i
        while i < len(text) and text[i] not in _WHITE and text[i] != '"':
            i += 1
        words.append(Word(text[start:i], line.span(start, i)))


class LineReader:
    def __init__(self, log: ImportLog, config_id: str | None, pwd: Callable[[Source], str | None]) -> None:
        self.log = log
        self.config_id = config_id
        self.definitions: dict[str, Definition] = {
            "_PWD": Definition("_PWD", [], compute=lambda line: pwd(line.source) if line.source else None),
            "_INSTANCE": Definition("_INSTANCE", [], compute=lambda line: config_id or ""),
            "_RANDOM": Definition("_RANDOM", [], compute=lambda line: None, max_params=2),
        }

    def read(self, source: Source) -> Iterator[Line]:
        if "\x00" in source.text:
            self.log.unreadable(source.span(source.text[: source.text.index("\x00")].count("\n") + 1),
                                "the file holds NUL bytes: it is binary data, not a keepalived configuration",
                                help="name the keepalived.conf file itself")
            raise Stop
        state = _FileState()
        for lineno, raw in enumerate(source.text.split("\n"), start=1):
            raw = raw.rstrip("\r")
            if len(raw.encode()) > MAX_LINE:
                self.log.unreadable(source.span(lineno, MAX_LINE + 1),
                                    f"this line is longer than {MAX_LINE} bytes: keepalived reads the rest as a new line",
                                    help="shorten the line")
                if len(raw) > MAX_LINE * MAX_PIECES:
                    # Megabytes on a line are not a configuration: reading
                    # them as thousands of lines adds thousands of reports.
                    self.log.unreadable(source.span(lineno, 1), f"this line is {len(raw.encode()):,} bytes long: "
                                        "hacc stops reading the file", help="check that this is a keepalived.conf")
                    raise Stop
            for offset in range(0, max(len(raw), 1), MAX_LINE):
                chunk = raw[offset:offset + MAX_LINE]
                if not chunk.strip(_BLANK):
                    if state.pending is not None:
                        self._end_definition(state)
                    continue
                yield from self._physical(_decomment(Line.physical(chunk, offset, source, lineno)), state)

    def _physical(self, line: Line, state: _FileState) -> Iterator[Line]:
        if state.pending is not None:
            self._continue_definition(line.text, state)
            return
        if not line.text:
            return
        yield from self.process(line, state)

    def process(self, line: Line, state: _FileState, depth: int = 0) -> Iterator[Line]:
        """One logical line through the conditional, definition,
        substitution, include and brace steps; what follows a brace goes
        through them again, then the further lines of multi-line
        definitions it used."""
        more: list[str] = []
        current: Line | None = line
        while current is not None:
            current = self._prepare(current, state, more)
            if current is None or not current.text:
                break
            words = split_words(current, None) if "include" in current.text else []
            if len(words) == 2 and words[0].text == "include":
                current.include = words[1]
                yield current
                break
            head, current = self._split(current)
            if head.text:
                yield head
        if more and depth >= MAX_DEFINITION_DEPTH:
            self.log.unreadable(line.span(), "multi-line definitions nest too deep here",
                                help="check for a definition that names itself")
            raise Stop
        for text in more:
            yield from self.process(Line(text, array("i", [line.starts[0]] * len(text)),
                                         array("i", [line.ends[-1]] * len(text)), line.file, line.lineno,
                                         line.source), state, depth + 1)

    def _prepare(self, line: Line, state: _FileState, more: list[str]) -> Line | None:
        """The conditional, definition and substitution steps; None when the
        line is dropped or was a definition."""
        while True:
            if line.text.startswith("@"):
                line = self._conditional(line, state)
                if line is None:
                    return None
            if line.text.startswith("$") and self._define(line, state):
                return None
            if line.text.startswith("~SEQ"):
                self.log.lost(line.span(), "`~SEQ` lines are not evaluated by hacc",
                              help="write the lines the sequence stands for")
                return None
            if line.text.startswith("~") or "$" not in line.text:
                return line
            substituted = self._substitute(line, more)
            if substituted is None or substituted is line:
                return substituted
            line = substituted
            if not (line.text.startswith("@") or "$" in line.text):
                return line

    def _split(self, line: Line) -> tuple[Line, Line | None]:
        """Split at the first `{`/`}` outside double quotes: the brace is a
        line of its own, and what follows is read as the next line."""
        text = line.text
        at = 0 if text[0] in "{}" else _first_brace(text)
        if at is None:
            return line.strip(), None
        if at == 0:
            head, rest = line.cut(0, 1), line.cut(1).strip()
        else:
            head, rest = line.cut(0, at).strip(), line.cut(at).strip()
        return head, rest if rest.text else None

    def _conditional(self, line: Line, state: _FileState) -> Line | None:
        reverse = line.text.startswith("@^")
        start = 2 if reverse else 1
        gap = min((i for i in (line.text.find(" ", start), line.text.find("\t", start)) if i >= 0), default=-1)
        if gap < 0:
            return None
        ident = line.text[start:gap]
        if not state.noted_conditional:
            state.noted_conditional = True
            self.log.rewrote(line.span(0, gap), f"lines starting `@ID` are read as on the host `{self.config_id}`",
                             help="keepalived's config id defaults to the host name, taken to be the node name")
        matches = self.config_id is not None and ident == self.config_id
        if matches == reverse:
            return None
        rest = line.cut(gap)
        return rest.cut(len(rest.text) - len(rest.text.lstrip(_BLANK)))

    def _define(self, line: Line, state: _FileState) -> bool:
        """check_definition(): `$NAME=VALUE`, VALUE continued by a trailing `\\`."""
        text = line.text
        if len(text) < 2 or text[1] not in _NAME_START:
            return False
        equals = text.find("=", 2)
        if equals < 0 or any(c not in _NAME_CHARS for c in text[2:equals]):
            return False
        value = text[equals + 1:].lstrip(_BLANK)
        definition = Definition(text[1:equals], [])
        if value.endswith("\\"):
            value = value[:-1].rstrip(_BLANK)
            definition.multiline = True
            state.pending = definition
        definition.lines = [value] if value or not definition.multiline else []
        self.definitions[definition.name] = definition
        return True

    def _continue_definition(self, text: str, state: _FileState) -> None:
        definition = state.pending
        if text.endswith("\\"):
            text = text[:-1].rstrip(_BLANK)
        else:
            state.pending = None
        if text:
            definition.lines.append(text)
        if state.pending is None and not definition.lines:
            definition.multiline = False

    def _end_definition(self, state: _FileState) -> None:
        if not state.pending.lines:
            state.pending.multiline = False
        state.pending = None

    def _substitute(self, line: Line, more: list[str]) -> Line | None:
        """replace_param(): the line with every known `$NAME` replaced (the
        same line when none is known), or None when it is dropped."""
        changed, at, count = line, 0, 0
        while True:
            at = changed.text.find("$", at)
            if at < 0 or at + 1 >= len(changed.text):
                return changed
            found = self._use(changed.text, at + 1)
            if found is None:
                at += 1
                continue
            definition, end = found
            count += 1
            if count > MAX_SUBSTITUTIONS:
                self.log.unreadable(line.span(), "parameter substitution does not end on this line",
                                    help="check for a definition that names itself")
                return None
            value = self._value(definition, changed, at, end, more)
            if value is None:
                return None
            changed = changed.replace(at, end, value)
            if len(changed.text) > MAX_LINE:
                self.log.unreadable(line.span(), f"parameter substitution makes this line longer than {MAX_LINE} bytes",
                                    help="shorten the definition")
                return None
            if value.lstrip(_BLANK).startswith("~"):
                return changed

    def _value(self, definition: Definition, line: Line, at: int, end: int, more: list[str]) -> str | None:
        if definition.compute is not None:
            value = definition.compute(line)
            if value is None:
                self.log.lost(line.span(at, end), f"`${definition.name}` cannot be evaluated here, so the line "
                              "is not imported", help="write the value the line should have")
            return value
        if definition.multiline:
            more[:0] = definition.lines[1:]
        return definition.lines[0] if definition.lines else ""

    def _use(self, text: str, at: int) -> tuple[Definition, int] | None:
        """find_definition() for a use: `$NAME` or `${NAME}` at `at`."""
        braces = text[at] == "{"
        start = at + 1 if braces else at
        if start >= len(text) or text[start] not in _NAME_START:
            return None
        end = start + 1
        while end < len(text) and text[end] in _NAME_CHARS:
            end += 1
        name, params = text[start:end], False
        if braces:
            close = end
            while close < len(text) and (text[close] == " " or text[close].isdigit()):
                params = params or text[close] != " "
                close += 1
            if close >= len(text) or text[close] != "}" or (params and text[close - 1] == " "):
                return None
            end = close + 1
        elif end < len(text) and text[end] not in " \t,)":
            return None
        definition = self.definitions.get(name)
        if definition is None or (definition.multiline and end != len(text)) or (params and not definition.max_params):
            return None
        return definition, end


def _decomment(line: Line) -> Line:
    """decomment(): drop leading blanks, the comment (`#` or `!` outside
    double quotes), the backslash of `\\#`/`\\!`, and trailing blanks; a
    trailing backslash is kept (it continues a definition)."""
    text = line.text
    keep: list[int] = []
    i = len(text) - len(text.lstrip(_BLANK))
    quote, comment, continued = False, None, None
    while i < len(text):
        char = text[i]
        if char == '"' and comment is None:
            quote = not quote
        elif char == "\\":
            if i + 1 >= len(text):
                continued = i
                break
            if not quote and text[i + 1] in "#!":
                keep.append(i + 1)
            else:
                keep += [i, i + 1]
            i += 2
            continue
        elif char in "#!" and not quote and comment is None:
            comment = len(keep)
        keep.append(i)
        i += 1
    if comment is not None:
        keep = keep[:comment]
    while keep and text[keep[-1]] in _BLANK:
        keep.pop()
    if continued is not None:
        keep.append(continued)
    return Line("".join(text[k] for k in keep), array("i", (line.starts[k] for k in keep)),
                array("i", (line.ends[k] for k in keep)), line.file, line.lineno, line.source)


def _first_brace(text: str) -> int | None:
    at = 0
    while True:
        candidates = [i for i in (text.find("{", at), text.find("}", at), text.find('"', at)) if i >= 0]
        if not candidates:
            return None
        at = min(candidates)
        if text[at] != '"':
            return at
        close = text.find('"', at + 1)
        if close < 0:
            return None
        at = close + 1

