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
from hacc.parse.parser import parse_text
from hacc.source.files import SourceMap, read_source

INCLUDE = define(
    "HA004",
    "bad-include",
    Severity.ERROR,
    """
    An `include` is malformed, includes itself, or nests too deeply.

    ## What it checks
    `include` takes exactly one path. A file may not include itself, directly
    or through other files, and includes may nest at most 32 levels deep.

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


class _Loader:
    def __init__(self, sources: SourceMap) -> None:
        self.sources = sources
        self.diagnostics: list[Diagnostic] = []
        self.files: list[tuple[str, Path]] = []

    def load(self, path: Path, display: str, chain: tuple, via: Statement | None) -> list[Statement]:
        """`chain` holds (resolved path, the include that brought it in) for
        every file being loaded above this one; `via` is this file's include."""
        text, problem = read_source(path, display, via.args[0].span if via else None)
        if problem:
            self.diagnostics.append(problem)
            return []
        self.sources.add(display, text)
        self.files.append((display, path))
        statements, diagnostics = parse_text(text, display, self.sources.comments.setdefault(display, []))
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
            self.diagnostics.append(
                INCLUDE.at(
                    stmt.args[0].span,
                    f"includes nest more than {MAX_INCLUDE_DEPTH} levels deep",
                    help="flatten the include chain",
                )
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
