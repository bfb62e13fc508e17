"""Load a `.ha` file and splice in the files it includes.

`include "other.ha"` may appear in any block; the statements of the included
file take its place, with spans that still point into the included file.
Paths are relative to the including file. Cycles and runaway chains are
errors that name the chain.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from hacc.diagnostics.codes import define
from hacc.diagnostics.model import Diagnostic, Label, Severity
from hacc.parse.ast import Statement, Value
from hacc.parse.parser import TokenBudget, parse_text
from hacc.source.files import SourceMap, read_source

INCLUDE = define(
    "HA004",
    "bad-include",
    Severity.ERROR,
    """
    An `include` is malformed, includes itself, or nests too deeply.

    ## What it checks
    `include` takes exactly one path. A file may not include itself, directly
    or through other files, and includes may nest at most 32 levels deep. At
    most 1000 includes are read in one compilation.

    ## Why it matters
    A cycle would never finish loading; a path that is not what you meant
    would silently leave part of the cluster out.

    ## Example
    ```
    # a.ha
    include "b.ha"
    # b.ha
    include "a.ha"
    ```

    ## Fix
    Move the shared statements into a file that both include.
    """,
    fixed=True,
)

MAX_INCLUDE_DEPTH = 32
# Files may include the same file many times, and each of those can do the
# same ("billion laughs"): the number of includes read in one compilation is
# capped too, far above what a real cluster uses.
MAX_INCLUDES = 1000


class _Loader:
    def __init__(self, sources: SourceMap) -> None:
        self.sources = sources
        self.diagnostics: list[Diagnostic] = []
        self.files: list[tuple[str, Path]] = []
        self.budget = TokenBudget()  # for the main file and all it includes
        self.includes = 0

    def load(self, path: Path, display: str, chain: tuple, via: Statement | None) -> list[Statement]:
        """`chain` holds (resolved path, the include that brought it in) for
        every file being loaded above this one; `via` is this file's include."""
        text, problem = read_source(path, display, via.args[0].span if via else None)
        if problem:
            self.diagnostics.append(problem)
            return []
        self.sources.add(display, text)
        self.files.append((display, path))
        statements, diagnostics = parse_text(text, display, self.sources.comments.setdefault(display, []), self.budget)
        self.diagnostics.extend(diagnostics)
        return self.expand(statements, path.parent, chain + ((path.resolve(), via),))

    def expand(self, statements, base: Path, chain) -> list[Statement]:
        out: list[Statement] = []
        for stmt in statements:
            if stmt.keyword == "include":
                out.extend(self.include(stmt, base, chain))
            elif stmt.block is not None:
                out.append(replace(stmt, block=tuple(self.expand(stmt.block, base, chain))))
            else:
                out.append(stmt)
        return out

    def include(self, stmt: Statement, base: Path, chain) -> list[Statement]:
        if len(stmt.args) != 1 or not isinstance(stmt.args[0], Value) or stmt.block is not None:
            self.diagnostics.append(
                INCLUDE.at(stmt.head_span, "`include` takes exactly one path", help='write `include "path/to/file.ha"`')
            )
            return []
        name = stmt.args[0].text
        target = base / name
        seen = [resolved for resolved, _ in chain]
        resolved = target.resolve()
        if resolved in seen:
            later = chain[seen.index(resolved) + 1 :]
            self.diagnostics.append(
                INCLUDE.at(
                    stmt.args[0].span,
                    f"`{name}` is already being included: this include is a cycle",
                    labels=[Label(via.args[0].span, "included from here") for _, via in later if via is not None],
                    help="move the shared statements into a third file that both include",
                )
            )
            return []
        if len(chain) >= MAX_INCLUDE_DEPTH:
            # Name the chain, shortened: it is at most MAX_INCLUDE_DEPTH long,
            # but a note of 32 file names would bury the message.
            files = [via.span.file for _, via in chain if via is not None] + [stmt.span.file]
            shown = files if len(files) <= 6 else files[:3] + [f"... {len(files) - 5} more ..."] + files[-2:]
            self.diagnostics.append(
                INCLUDE.at(
                    stmt.args[0].span,
                    f"includes nest more than {MAX_INCLUDE_DEPTH} levels deep",
                    notes=[f"include chain: {' -> '.join(shown)} -> {name}"],
                    help="flatten the include chain",
                )
            )
            return []
        self.includes += 1
        if self.includes > MAX_INCLUDES:
            if self.includes == MAX_INCLUDES + 1:  # once, not for each of a million
                self.diagnostics.append(
                    INCLUDE.at(stmt.args[0].span, f"more than {MAX_INCLUDES} includes are read in one compilation",
                               help="a file that includes another many times, which does the same, multiplies them; "
                                    "include each file once")
                )
            return []
        display = os.path.normpath(os.path.join(os.path.dirname(stmt.span.file), name))
        return self.load(target, display, chain, stmt)


def load_statements(path: Path, display: str, sources: SourceMap) -> tuple[list[Statement], list[Diagnostic], list[tuple[str, Path]]]:
    """Read and parse `path` with its includes. Returns the statements, the
    diagnostics, and every file read as (display name, path)."""
    loader = _Loader(sources)
    statements = loader.load(path, display, (), None)
    return statements, loader.diagnostics, loader.files
