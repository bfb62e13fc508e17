"""Read `.ha` and `.json` sources safely and remember their text for snippets.

A source can be missing, a directory, unreadable, huge or not UTF-8. Each of
those becomes an HA003 diagnostic instead of an exception, so the CLI never
shows a traceback for a bad path.
"""

from __future__ import annotations

import os
from pathlib import Path

from hacc.diagnostics.codes import define
from hacc.diagnostics.model import Diagnostic, Severity, Span

# 16 MiB is far beyond any real cluster description; refusing bigger files
# bounds memory and time for hostile input.
MAX_SOURCE_BYTES = 16 * 1024 * 1024

UNREADABLE = define(
    "HA003",
    "unreadable-source",
    Severity.ERROR,
    """
    A source file could not be read.

    ## What it checks
    The file named on the command line, or by an `include`, must exist, be a
    regular file, be readable, be at most 16 MiB and be valid UTF-8.

    ## Why it matters
    hacc cannot compile what it cannot read; a half-read file would compile
    into a config that silently misses part of the cluster.

    ## Example
    ```
    include "nodes.ha"      # nodes.ha does not exist
    ```

    ## Fix
    Check the path (includes are relative to the including file) and the
    file's encoding and permissions.
    """,
    fixed=True,
)


class SourceMap:
    """The text of every file read, by display name, for rendering snippets."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._lines: dict[str, list[str]] = {}
        # The `#` comments of each file (hacc.parse.parser.Comment), for
        # suppression comments and, later, for formatting.
        self.comments: dict[str, list] = {}

    def add(self, name: str, text: str) -> None:
        self._texts[name] = text

    def text(self, name: str) -> str | None:
        return self._texts.get(name)

    def line(self, name: str, lineno: int) -> str | None:
        lines = self._lines.get(name)
        if lines is None:
            text = self._texts.get(name)
            if text is None:
                return None
            # Lines end at \n only, as every span counts them (Lark, and the
            # importers' readers): U+2028 or a lone \r inside a line is not an end.
            lines = self._lines[name] = [line.removesuffix("\r") for line in text.split("\n")]
        if 1 <= lineno <= len(lines):
            return lines[lineno - 1]
        return None

    def names(self) -> list[str]:
        return list(self._texts)

    def redact(self, values, spans=()) -> None:
        """Hide secret values from every snippet a diagnostic may show: each
        becomes `*` of the same length, so columns stay right. `spans` mark
        values exactly; `values` are also hidden wherever else they appear
        (those of 4 characters or more: hiding every `ab` would garble the
        snippets more than it protects)."""
        for span in spans:
            text = self._texts.get(span.file)
            if text is None or span.line != span.end_line:
                continue
            lines = text.split("\n")
            if 1 <= span.line <= len(lines):
                line = lines[span.line - 1]
                start, end = span.col - 1, min(span.end_col - 1, len(line))
                lines[span.line - 1] = line[:start] + "*" * max(end - start, 0) + line[end:]
                self._texts[span.file] = "\n".join(lines)
        for value in sorted({v for v in values if len(v) >= 4}, key=len, reverse=True):
            for name, text in self._texts.items():
                if value in text:
                    self._texts[name] = text.replace(value, "*" * len(value))
        self._lines.clear()


def read_source(path: Path, display: str, blame: Span | None = None) -> tuple[str | None, Diagnostic | None]:
    """Return the text of `path`, or a diagnostic saying why it cannot be read.

    `blame` is where the file was named (an include statement); without it the
    diagnostic points at the file itself.
    """
    span = blame or Span.point(display)

    def fail(message: str, help: str) -> tuple[None, Diagnostic]:
        return None, UNREADABLE.at(span, message, help=help)

    try:
        st = path.stat()
    except FileNotFoundError:
        return fail(f"`{display}` does not exist", "check the path; includes are relative to the including file")
    except OSError as exc:
        return fail(f"cannot read `{display}`: {exc.strerror}", "check the path and its permissions")
    if path.is_dir():
        return fail(f"`{display}` is a directory, not a file", "name the `.ha` file inside it")
    if not path.is_file():
        return fail(f"`{display}` is not a regular file", "name a regular `.ha` or `.json` file")
    if st.st_size > MAX_SOURCE_BYTES:
        return fail(
            f"`{display}` is {st.st_size} bytes, more than the {MAX_SOURCE_BYTES} hacc reads",
            "split the cluster description with `include`, or check that this is the right file",
        )
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except PermissionError:
        return fail(f"permission denied reading `{display}`", "make the file readable by the user running hacc")
    except OSError as exc:
        return fail(f"cannot read `{display}`: {exc.strerror}", "check the file and its permissions")
    if len(data) != st.st_size:
        # A file under /proc or /sys says it is empty (or 4096 bytes) and
        # reads as something else: /proc/self/environ would put the secrets
        # of the environment into a diagnostic's snippet. A file that grew
        # or shrank while it was read is no better.
        return fail(f"`{display}` changed size while it was read, or is not an ordinary file (such as one under /proc)",
                    "name a regular file that nothing is writing to")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, UNREADABLE.at(
            Span(display, line, col, line, col + 1),
            f"`{display}` is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            help="save the file as UTF-8",
        )
    text = text.removeprefix("\ufeff")
    return text, None


def display_name(path: Path, relative_to: Path | None = None) -> str:
    """How a path is shown in diagnostics: relative to the working directory
    when it is inside it, so messages stay short and machine-independent."""
    try:
        # abspath, not resolve: a symlinked file keeps the name it was given.
        return str(Path(os.path.abspath(path)).relative_to(os.path.abspath(relative_to or Path.cwd())))
    except (ValueError, OSError):
        return str(path)
