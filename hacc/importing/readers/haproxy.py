"""haproxy.cfg, read the way haproxy reads it (src/cfgparse.c `readcfgfile`,
src/tools.c `parse_line`).

- The file is split at `\\n` only. Leading blanks are skipped; a `\\r` ends
  the line's text (so CRLF files read as LF files); a NUL makes haproxy stop
  reading the file; a last line without a newline is refused ("Missing LF").
- Words are separated by unescaped, unquoted blanks (space, tab, \\v, \\f);
  at most 64 words per line. `#` outside quotes starts a comment.
- Outside single quotes a backslash escapes: `\\ ` `\\\\` `\\#` `\\'` `\\"`
  `\\t` `\\n` `\\r` `\\xHH`, and `\\$` inside double quotes; any other
  backslash stays a backslash.
- `'...'` is literal. `"..."` keeps blanks, `#` and `'`, processes escapes
  and expands environment variables: `$NAME`, `${NAME}`, `${NAME-default}`,
  `${NAME[*]}` and the pseudo-variables `.LINE`, `.FILE`, `.SECTION`. The
  import cannot know the environment haproxy starts with, so a line that
  uses a variable is reported (HA080) and carries the names in `variables`.
- A line whose first word is a section keyword (`global`, `defaults`,
  `frontend`, `backend`, `listen`, `peers`, `userlist`, ...) starts a
  section; every other line belongs to the section above it. A line before
  any section is refused by haproxy ("unknown keyword out of section").
- `.if` / `.elif` / `.else` / `.endif` blocks are evaluated by haproxy when it
  starts; hacc has no equivalent, so a block is kept whole as one `.if` line
  (its lines in `block`, for the per-node comparison) and reported (HA080).
  `.notice`, `.warning` and `.diag` print a message; `.alert` stops haproxy.

Errors haproxy reports for one line (unmatched quote, bad escape, bad
variable name, too many words) are reported (HA083) and the line is
skipped, as haproxy skips it; reading goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hacc.diagnostics.model import Span
from hacc.importing.files import Source
from hacc.importing.log import ImportLog
from hacc.importing.readers.tree import Item, Word

# Section keywords registered by haproxy (cfg_register_section), up to 3.2.
SECTION_KEYWORDS = frozenset({
    "global", "defaults", "frontend", "backend", "listen", "peers", "userlist", "resolvers", "mailers",
    "cache", "program", "http-errors", "ring", "fcgi-app", "log-forward", "crt-store", "traces", "acme",
})
MAX_LINE_ARGS = 64  # include/haproxy/defaults.h
_SEPARATORS = " \t\v\f"  # isspace() minus the line ends, which end the line first
_SKIPPED = " \t\v\f\r"  # a run of separators also swallows a `\r`
_ORDINARY = re.compile(r"[^ \t\v\f\r\"'\\$#]+")
_ESCAPES = {" ": " ", "\\": "\\", "t": "\t", "n": "\n", "r": "\r", "#": "#", "'": "'", '"': '"'}
_PSEUDO_VARIABLES = (".LINE", ".FILE", ".SECTION")
_MESSAGES = (".notice", ".warning", ".diag")


@dataclass
class Line(Item):
    """One directive line; `variables` names the environment variables
    haproxy would expand in it (their words keep the text as written)."""

    variables: tuple[str, ...] = ()


@dataclass
class HaproxyFile:
    """The sections of one haproxy.cfg, in order. Each section is a Line
    (keyword = the section keyword, args = its name and any other words)
    whose block holds its Lines; `preamble` holds lines before any section."""

    source: Source
    sections: list[Line] = field(default_factory=list)
    preamble: list[Line] = field(default_factory=list)


class LineError(Exception):
    def __init__(self, col: int, message: str, help: str) -> None:
        super().__init__(message)
        self.col, self.message, self.help = col, message, help


def read_haproxy(source: Source, log: ImportLog) -> HaproxyFile:
    return _Reader(source, log).read()


class _Reader:
    def __init__(self, source: Source, log: ImportLog) -> None:
        self.source, self.log = source, log
        self.file = HaproxyFile(source)
        self.section: Line | None = None
        self.conditions: list[Line] = []  # the open `.if` blocks, outermost first

    def read(self) -> HaproxyFile:
        text = self.source.text
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        elif lines:
            self.log.unreadable(self._span(len(lines), 1, len(lines[-1]) + 1),
                                "the last line has no newline: haproxy refuses the file (\"Missing LF on last line\")",
                                help="end the file with a newline")
        for number, raw in enumerate(lines, start=1):
            stray_nul = "\0" in raw
            self._line(number, raw.split("\0", 1)[0])
            if stray_nul:
                self.log.unreadable(self._span(number, raw.index("\0") + 1),
                                    "a NUL character: haproxy stops reading the file here",
                                    help="remove the NUL byte; the file may be damaged")
                break
        if self.conditions:
            opened = self.conditions[0]
            self.log.unreadable(opened.keyword_span, "this `.if` block has no `.endif`: haproxy refuses the file",
                                help="close the block with `.endif`")
        return self.file

    def _span(self, line: int, col: int, end_col: int | None = None) -> Span:
        return Span(self.source.display, line, col, line, end_col if end_col is not None else col + 1)

    def _line(self, number: int, raw: str) -> None:
        stripped = raw.lstrip(_SKIPPED)
        if stripped.startswith("["):
            indent = len(raw) - len(stripped)
            self._lost(self._span(number, indent + 1, len(raw) + 1), "a `[scope]` line has no equivalent in hacc")
            return
        try:
            words, variables = split_line(raw)
        except LineError as error:
            self.log.unreadable(self._span(number, error.col), error.message, help=error.help)
            return
        words = [Word(text, self._span(number, start, end), quoted) for text, start, end, quoted in words]
        if not words or words[0].text == "":
            return  # haproxy skips a line whose first word is empty
        line = Line(words[0].text, words[0].span, words[1:], variables=tuple(variables))
        line.span = line.head_span
        if self.conditions:
            self._in_condition(line)
        elif line.keyword.startswith("."):
            self._directive(line)
        else:
            if variables:
                self._unknown_variables(line)
            if line.keyword in SECTION_KEYWORDS:
                line.block = []
                self.section = line
                self.file.sections.append(line)
            else:
                self._append(line)

    def _unknown_variables(self, line: Line) -> None:
        names = ", ".join(f"`{name}`" for name in dict.fromkeys(line.variables))
        what = "section" if line.keyword in SECTION_KEYWORDS else "line"
        self._lost(line.head_span, f"this {what} uses the environment variable {names}, which haproxy reads when it "
                   f"starts; the import cannot know its value, so the {what} was not imported",
                   "write the value itself, then import again")

    def _append(self, line: Line) -> None:
        if self.section is not None:
            self.section.block.append(line)
            return
        self.file.preamble.append(line)
        if not line.keyword.startswith("."):
            self.log.unreadable(line.keyword_span, f"`{line.keyword}` before any section: haproxy refuses it "
                                "(\"unknown keyword out of section\")", help="move it into a section such as `global`")

    def _directive(self, line: Line) -> None:
        """A `.xxx` line outside a conditional block."""
        if line.keyword == ".if":
            line.block = []
            self.conditions.append(line)
            self._append(line)
        elif line.keyword in (".elif", ".else", ".endif"):
            self.log.unreadable(line.keyword_span, f"`{line.keyword}` without `.if`: haproxy refuses the file",
                                help="remove it or add the missing `.if`")
        elif line.keyword in _MESSAGES:
            self._lost(line.head_span, f"`{line.keyword}` prints a message when haproxy starts; hacc does not write it")
            self._append(line)
        elif line.keyword == ".alert":
            self.log.unreadable(line.head_span, "`.alert` outside a conditional block: haproxy refuses to start",
                                help="remove the line")
        else:
            self.log.unreadable(line.keyword_span, f"`{line.keyword}` is not a haproxy directive (\"unknown directive\")",
                                help="haproxy knows `.if`, `.elif`, `.else`, `.endif`, `.notice`, `.warning`, `.alert` and `.diag`")

    def _in_condition(self, line: Line) -> None:
        """Lines inside `.if` ... `.endif` are kept in the block, unread."""
        block = self.conditions[-1]
        if line.keyword == ".endif":
            block.block.append(line)
            self.conditions.pop()
            if not self.conditions:
                self._lost(block.head_span, f"this conditional block (lines {block.keyword_span.line}-"
                           f"{line.keyword_span.line}) is evaluated by haproxy when it starts; hacc has no "
                           "conditional blocks, so none of its lines were imported",
                           "keep the lines that apply to this cluster, without `.if`, and import again")
            return
        if line.keyword == ".if":
            line.block = []
            block.block.append(line)
            self.conditions.append(line)
            return
        block.block.append(line)

    def _lost(self, span: Span, message: str, help: str | None = None) -> None:
        self.log.lost(span, message, help=help)


def split_line(text: str) -> tuple[list[tuple[str, int, int, bool]], list[str]]:
    """haproxy's parse_line for one line: the words as (text, start column,
    end column (exclusive), quoted), and the environment variables used.
    Raises LineError where haproxy reports an error for the line."""
    return _Splitter(text).split()


class _Splitter:
    def __init__(self, text: str) -> None:
        self.text = text
        self.words: list[tuple[str, int, int, bool]] = []
        self.variables: list[str] = []
        self.chars: list[str] = []
        self.start: int | None = None
        self.quoted = False

    def split(self) -> tuple[list[tuple[str, int, int, bool]], list[str]]:
        text, n = self.text, len(self.text)
        i = len(text) - len(text.lstrip(_SKIPPED))
        squote = dquote = False
        quote_at: int | None = None
        too_many_at: int | None = None
        while i < n:
            c = text[i]
            if c == "\r" or (c == "#" and not squote and not dquote):
                break
            if c in _SEPARATORS and not squote and not dquote:
                self._end_word(i)
                while i < n and text[i] in _SKIPPED:
                    i += 1
                if len(self.words) >= MAX_LINE_ARGS and too_many_at is None:
                    too_many_at = i
                continue
            if self.start is None:
                self.start = i
            if c == '"' and not squote:
                dquote, quote_at, self.quoted = not dquote, (None if dquote else i), True
                i += 1
            elif c == "'" and not dquote:
                squote, quote_at, self.quoted = not squote, (None if squote else i), True
                i += 1
            elif c == "\\" and not squote:
                i = self._escape(i, dquote)
            elif c == "$" and dquote:
                i = self._variable(i)
            else:  # a run of ordinary characters at once, as haproxy's speedup does
                run = _ORDINARY.match(text, i)
                end = run.end() if run else i + 1
                self.chars.append(text[i:end])
                i = end
        if quote_at is not None:
            raise LineError(quote_at + 1, "unmatched quote: haproxy skips this line",
                            "close the quote, or escape it with a backslash")
        if too_many_at is not None:
            raise LineError(too_many_at + 1, f"more than {MAX_LINE_ARGS} words: haproxy skips this line",
                            "split the directive into several lines")
        if self.chars:  # haproxy adds no empty word after trailing blanks
            self._end_word(i)
        return self.words, self.variables

    def _end_word(self, end: int) -> None:
        start = self.start if self.start is not None else end
        self.words.append(("".join(self.chars), start + 1, end + 1, self.quoted))
        self.chars, self.start, self.quoted = [], None, False

    def _escape(self, i: int, dquote: bool) -> int:
        text = self.text
        following = text[i + 1] if i + 1 < len(text) else ""
        if following in _ESCAPES and following:
            self.chars.append(_ESCAPES[following])
            return i + 2
        if following == "$" and dquote:
            self.chars.append("$")
            return i + 2
        if following == "x":
            digits = text[i + 2:i + 4]
            if len(digits) != 2 or not all(d in "0123456789abcdefABCDEF" for d in digits):
                raise LineError(i + 1, "truncated or invalid `\\x` escape: haproxy skips this line",
                                "write two hexadecimal digits after `\\x`")
            self.chars.append(chr(int(digits, 16)))
            return i + 4
        self.chars.append("\\")  # not an escape sequence: the backslash stays
        return i + 1

    def _variable(self, i: int) -> int:
        """`$NAME`, `${NAME}`, `${NAME-default}`, `${NAME[*]}` in double
        quotes. The word keeps the text as written."""
        text, n = self.text, len(self.text)
        j = i + 1
        brace = None
        if j < n and text[j] == "{":
            brace, j = j, j + 1
        if not (j < n and (text[j].isascii() and text[j].isalpha() or text[j] in "_.")):
            raise LineError(j + 1, "forbidden first character in an environment variable name: haproxy skips this line",
                            "escape the dollar sign as `\\$` for a literal `$`")
        name_start = j
        if text[j] == ".":
            j += 1
        while j < n and (text[j].isascii() and text[j].isalnum() or text[j] == "_"):
            j += 1
        name = text[name_start:j]
        if name.startswith(".") and name not in _PSEUDO_VARIABLES:
            raise LineError(name_start + 1, f"`{name}` is not a haproxy pseudo-variable: haproxy skips this line",
                            "haproxy knows `.LINE`, `.FILE` and `.SECTION`")
        if brace is not None and j < n and text[j] == "[":
            if text[j:j + 3] != "[*]":
                raise LineError(j + 1, "invalid word expansion (only `[*]` is allowed): haproxy skips this line",
                                "write `${NAME[*]}`")
            j += 3
        if brace is not None:
            if j < n and text[j] == "-":
                close = text.find("}", j)
                if close < 0:
                    raise LineError(brace + 1, "unmatched brace in an environment variable: haproxy skips this line",
                                    "close it with `}`")
                j = close
            elif not (j < n and text[j] == "}"):
                raise LineError(brace + 1, "unmatched brace in an environment variable: haproxy skips this line",
                                "close it with `}`")
            j += 1
        self.chars.append(text[i:j])
        self.variables.append(name)
        return j
