"""keepalived.conf, read the way keepalived 2.2 reads it (lib/parser.c).

- Lines are read with fgets() into a 1024-byte buffer: a longer line is cut
  and its tail read as a new line (reported here, HA083).
- decomment(): leading blanks go; `#` and `!` start a comment anywhere outside
  double quotes (even inside a word: `2#56` is `2`); `\\#` and `\\!` outside
  quotes are a literal `#`/`!`; trailing blanks go.
- A line starting `@ID ` is kept only when ID is the config id (`@^ID `: only
  when it is not); keepalived's config id defaults to the host name, taken
  here to be the node name. `$NAME=VALUE` defines a parameter (a trailing
  `\\` continues the value on the next lines); `$NAME` (followed by a blank,
  `,`, `)` or the end) and `${NAME}` are replaced in later lines, undefined
  names stay as written. `~SEQ` lines are not evaluated (HA080).
- `include PATTERN` (a line of exactly two words) reads every file the glob
  (with `{a,b}`) matches, in sorted order, relative to the directory of the
  including file (keepalived chdir()s into each file's directory).
- An unquoted `{` or `}` splits the line: each brace becomes a line of its
  own, so `vrrp_instance VI_1 {` and `virtual_ipaddress { 10.0.0.1 }` work.
- Words are split at whitespace; a word starting with `"` runs to the next
  `"` (no escapes); an unquoted word ends at whitespace or `"`.
Keywords that take a command (`script`, `notify_*`, `misc_path`) re-read
their line with quotes (`"` and `'`) and backslash escapes:
`quoted_escaped_words`.
"""

from __future__ import annotations

import glob
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from hacc.diagnostics.model import Span
from hacc.importing.files import Files, Source
from hacc.importing.log import ImportLog
from hacc.importing.readers.keepalived_lines import LineReader, Stop, split_words
from hacc.importing.readers.tree import Item, Word

_WHITE = " \t\f\n\r\v"
MAX_INCLUDE_DEPTH = 16
# Far beyond any real keepalived.conf; bounds memory for hostile input.
MAX_WORDS = 200_000
# Files that include a file many times, which does the same, multiply: the
# include lines followed are capped (each costs a glob) as the words are.
MAX_INCLUDES = 1000
MAX_UNCLOSED_REPORTS = 5


@dataclass
class KeepalivedItem(Item):
    """An item that keeps its logical line: the command keywords re-read it."""

    line: str = ""


@dataclass
class _Enter:
    source: Source


@dataclass
class _Leave:
    source: Source


def node_root(path: Path) -> Path | None:
    """The node's root directory when the file sits where keepalived keeps
    it (`ROOT/etc/keepalived/...`): absolute includes are looked up there."""
    parent = Path(path).parent
    if parent.name == "keepalived" and parent.parent.name == "etc":
        return parent.parent.parent
    return None


def read_keepalived(source: Source, files: Files, log: ImportLog, config_id: str | None = None) -> list[Item] | None:
    """The file's top-level items (includes read in place), or None when its
    braces do not balance (HA083), so its structure is unknown."""
    reader = _Reader(source, files, log, config_id)
    try:
        return _Tree(log).build(reader.events(source))
    except Stop:
        return None


class _Reader:
    def __init__(self, main: Source, files: Files, log: ImportLog, config_id: str | None) -> None:
        self.files = files
        self.log = log
        self.main = main
        self.root = node_root(main.path)
        # Includes stay inside the node's copy: never the host's own /etc.
        self.confine = (self.root or main.path.parent).resolve()
        self.stack: list[Path] = []
        self.includes = 0
        self.lines = LineReader(log, config_id, self._pwd)

    def _pwd(self, source: Source) -> str | None:
        if self.root is None:
            return None
        relative = source.path.resolve().parent.relative_to(self.root.resolve())
        return "/" + relative.as_posix() if relative.parts else "/"

    def events(self, source: Source):
        self.stack.append(source.path.resolve())
        try:
            for line in self.lines.read(source):
                if line.include is None:
                    yield line
                    continue
                self.includes += 1
                if self.includes > MAX_INCLUDES:
                    self.log.unreadable(line.span(), f"the configuration follows more than {MAX_INCLUDES} includes: "
                                        "hacc stops reading it", help="include each file once")
                    raise Stop
                for path, display in self._resolve(source, line.include, line.span()):
                    yield from self._include(path, display, line.span())
        finally:
            self.stack.pop()

    def _include(self, path: Path, display: str, via: Span):
        if path.resolve() in self.stack:
            self.log.unreadable(via, f"this include leads back to `{display}`, which is being read already "
                                "(an include cycle)",
                                help="remove the include that leads back to a file already being read")
            return
        if len(self.stack) >= MAX_INCLUDE_DEPTH:
            self.log.unreadable(via, f"includes nest deeper than {MAX_INCLUDE_DEPTH} files",
                                help="flatten the includes")
            return
        included = self.files.read(path, display, via=via)
        if included is None:
            return
        yield _Enter(included)
        yield from self.events(included)
        yield _Leave(included)

    def _resolve(self, source: Source, pattern: Word, span: Span) -> list[tuple[Path, str]]:
        """The files `include PATTERN` reads, with their display names."""
        text = pattern.text
        if text.startswith("/"):
            base = self.root
            if base is None and text.startswith("/etc/keepalived/"):
                base, text = self.main.path.parent, text[len("/etc/keepalived/"):]
            if base is None:
                self.log.lost(span, f"`include {pattern.text}` names an absolute path, and the node's root "
                              "directory is unknown", help="import the node with `--node NAME=DIR`")
                return []
            text = text.lstrip("/")
        else:
            base = source.path.parent
        found: list[Path] = []
        for alternative in _expand_braces(text):
            try:
                matches = sorted(glob.glob(alternative, root_dir=base))
            except (OSError, ValueError):
                matches = []
            found += [base / m for m in matches if not (base / m).is_dir()]
        if not found:
            self.log.lost(span, f"`include {pattern.text}` matches no file in the node's copy, so what it "
                          "holds on the node is not imported",
                          help="copy the included files next to keepalived.conf, or remove the include")
            return []
        result = []
        for path in found:
            if not _inside(path, self.confine):
                self.log.lost(span, f"`{path.name}` lies outside the node's directory: it is not read",
                              help="keep included files under the node's directory")
                continue
            result.append((path, _display(source, path)))
        return result


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory)
    except (ValueError, OSError):
        return False
    return True


def _display(including: Source, path: Path) -> str:
    relative = os.path.relpath(path.resolve(), including.path.resolve().parent)
    return posixpath.normpath(posixpath.join(posixpath.dirname(including.display), Path(relative).as_posix()))


_BRACES = re.compile(r"\{([^{}]*)\}")


def _expand_braces(pattern: str, limit: int = 256) -> list[str]:
    """glob(3)'s GLOB_BRACE: `a{b,c}d` is `abd` then `acd`."""
    match = _BRACES.search(pattern)
    if match is None or "," not in match.group(1):
        return [pattern]
    out: list[str] = []
    for choice in match.group(1).split(","):
        out += _expand_braces(pattern[: match.start()] + choice + pattern[match.end():], limit)
        if len(out) >= limit:
            break
    return out[:limit]


_ESCAPES = {"a": "\a", "b": "\b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def quoted_escaped_words(text: str) -> list[str] | None:
    """alloc_strvec_quoted_escaped(): words where `"..."` and `'...'` group
    and backslash escapes apply; None where keepalived gives up (a quote
    left open, a backslash at the end)."""
    words: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in _WHITE:
            i += 1
        if i >= n:
            return words
        out, quote = [], ""
        while i < n:
            char = text[i]
            if char == "\\":
                i += 1
                if i >= n:
                    return None
                value, i = _escape(text, i)
                out.append(value)
            elif quote:
                if char == quote:
                    quote = ""
                else:
                    out.append(char)
                i += 1
            elif char in "\"'":
                quote = char
                i += 1
            elif char in _WHITE:
                break
            else:
                out.append(char)
                i += 1
        if quote:
            return None
        words.append("".join(out))


def _escape(text: str, i: int) -> tuple[str, int]:
    char = text[i]
    if char == "x" and i + 1 < len(text) and text[i + 1] in "0123456789abcdefABCDEF":
        j = i + 1
        while j < len(text) and text[j] in "0123456789abcdefABCDEF":
            j += 1
        return chr(int(text[i + 1:j], 16) & 0xFF), j
    if char == "c" and i + 1 < len(text):
        return chr(ord(text[i + 1]) & 0x1F), i + 2
    if "0" <= char <= "7":
        j = i
        while j < len(text) and j < i + 3 and "0" <= text[j] <= "7":
            j += 1
        return chr(int(text[i:j], 8) & 0xFF), j
    return _ESCAPES.get(char, char), i + 1


@dataclass
class _Frame:
    items: list[Item]
    owner: Item | None
    opened: Span | None


class _Tree:
    """Blocks from the brace lines: a `{` line opens a block for the item
    of the line just before it."""

    def __init__(self, log: ImportLog) -> None:
        self.log = log
        self.broken = False
        self.words = 0
        self.strays = 0  # braces reported that open or close nothing

    def _stray(self, span: Span, message: str, help: str) -> None:
        """Report the first few: `{{{{...` a hundred thousand times is one mistake."""
        self.broken = True
        self.strays += 1
        if self.strays <= MAX_UNCLOSED_REPORTS:
            self.log.unreadable(span, message, help=help)

    def build(self, events) -> list[Item] | None:
        root: list[Item] = []
        frames = [_Frame(root, None, None)]
        floors = [1]
        last: Item | None = None
        for event in events:
            if isinstance(event, _Enter):
                floors.append(len(frames))
                last = None
            elif isinstance(event, _Leave):
                self._close_all(frames, floors.pop(), event.source)
                last = None
            elif event.text == "{":
                frames.append(self._open(last, event.span(0, 1)))
                last = None
            elif event.text == "}":
                self._close(frames, floors[-1], event.span(0, 1))
                last = None
            else:
                words = split_words(event, self.log)
                self.words += len(words)
                if self.words > MAX_WORDS:
                    self.log.unreadable(event.span(), f"the configuration holds more than {MAX_WORDS} words: "
                                        "hacc stops reading it", help="check that this is a keepalived.conf")
                    raise Stop
                if words:
                    last = KeepalivedItem(words[0].text, words[0].span, words[1:], None, None, line=event.text)
                    last.span = last.head_span
                    frames[-1].items.append(last)
        self._close_all(frames, 1, None)
        return None if self.broken else root

    def _open(self, last: Item | None, span: Span) -> _Frame:
        if last is not None and last.block is None:
            last.block = []
            return _Frame(last.block, last, span)
        self._stray(span, "this `{` follows no keyword that can take a block",
                    help="put the `{` after the keyword whose block it opens")
        return _Frame([], None, span)

    def _close(self, frames: list[_Frame], floor: int, span: Span) -> None:
        if len(frames) <= floor:
            message = "this `}` closes no block opened in this included file" if floor > 1 else \
                "this `}` closes no open block"
            self._stray(span, message, help="remove the extra `}`, or add the `{` it should close")
            return
        frame = frames.pop()
        owner = frame.owner
        if owner is not None and owner.keyword_span.file == span.file:
            start = owner.keyword_span
            owner.span = Span(start.file, start.line, start.col, span.end_line, span.end_col)

    def _close_all(self, frames: list[_Frame], floor: int, source: Source | None) -> None:
        unclosed = frames[floor:]
        del frames[floor:]
        if not unclosed:
            return
        self.broken = True
        where = "before the end of the included file" if source is not None else "before the end of the file"
        # The outermost few: with hundreds open, the rest add nothing.
        for frame in unclosed[:MAX_UNCLOSED_REPORTS]:
            self.log.unreadable(frame.opened, f"this block is never closed {where}", help="add the missing `}`")
