"""`hacc fmt FILE...`: lay `.ha` files out canonically, on disk.

Each file is formatted on its own (includes are not followed; list the
included files too). Without options a file that changes is rewritten
atomically: the new text goes to a temporary file beside it, is fsync'ed,
gets the old file's permission bits, and replaces the file with one
`os.replace`, so a reader sees the old file or the new one, never half of
one. A symlink is followed and its target rewritten, so the link stays a
link. A file already in canonical layout is not written at all (its mtime
does not change).

- `--check` writes nothing, prints the name of every file that would change
  (one per line, on stdout, like `gofmt -l`) and exits 1 if there is one.
- `--diff` writes nothing and prints a unified diff (`a/NAME`, `b/NAME`, so
  `git apply` takes it) of each file that would change; it exits 0 unless
  `--check` is also given.

A file that cannot be read or does not parse is never touched: its
diagnostics go to stderr and the exit code is 1, after the other files
were handled. Exit codes: 0 done, 1 a file would change (`--check`) or
could not be formatted.
"""

from __future__ import annotations

import difflib
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from hacc.format.layout import FormatError, format_text
from hacc.source.files import SourceMap, display_name, read_source

EXIT_OK, EXIT_ERRORS = 0, 1


def format_paths(paths: Iterable[Path], *, check: bool = False, diff: bool = False,
                 stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Format each of `paths` (see the module docstring); the exit code."""
    from hacc.diagnostics.render import render_text

    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr

    failed = changed = False
    for path in paths:
        path = Path(path)
        display = display_name(path)
        text, problem = read_source(path, display)
        if problem is not None:
            stderr.write(render_text([problem], SourceMap()))
            failed = True
            continue
        try:
            formatted = format_text(text, display)
        except FormatError as exc:
            sources = SourceMap()
            sources.add(display, text)
            stderr.write(render_text(exc.diagnostics, sources))
            failed = True
            continue
        original = _as_read(path, text)
        if formatted == original:
            continue
        changed = True
        if diff:
            stdout.write(unified_diff(original, formatted, display))
        elif check:
            stdout.write(f"{display}\n")
        else:
            try:
                write_atomically(path, formatted)
            except OSError as exc:
                stderr.write(f"error: cannot write `{display}`: {exc.strerror or exc}\n")
                failed = True
                continue
            stderr.write(f"reformatted {display}\n")
    return EXIT_ERRORS if failed or (check and changed) else EXIT_OK


def _as_read(path: Path, text: str) -> str:
    """The text as it is on disk: read_source drops a byte-order mark, which
    the canonical layout does not have either, so a file with one changes."""
    try:
        with open(path, "rb") as handle:
            if handle.read(3) == b"\xef\xbb\xbf":
                return "\ufeff" + text
    except OSError:
        pass
    return text


def unified_diff(old: str, new: str, display: str) -> str:
    """A unified diff that also says when a side lacks its final newline."""
    lines = difflib.unified_diff(_split(old), _split(new), f"a/{display}", f"b/{display}")
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _split(text: str) -> list[str]:
    """Lines with their `\\n`, split at `\\n` only (str.splitlines would also
    split at characters the language treats as part of a line)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def write_atomically(path: Path, text: str) -> None:
    """Replace the file at `path` (its target, for a symlink) with `text`,
    keeping its permission bits; readers see the old or the new file."""
    target = Path(os.path.realpath(path))
    mode = stat.S_IMODE(target.stat().st_mode)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".hacc-fmt")
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(text.encode("utf-8"))
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    _fsync_directory(target.parent)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return  # some systems cannot open a directory; the rename is done
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
