"""Statements of a generated cluster, and their `.ha` text.

A generated cluster is a tree of `S` statements; `render` writes it out in
a random but valid layout (indentation, `;` and one-line blocks, comments,
blank lines, CRLF line ends). `q` and `dur` write quoted strings and
durations.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class S:
    """One statement: keyword, arguments (already written as words or
    quoted strings), and an optional block."""

    keyword: str | None
    args: list[str] = field(default_factory=list)
    block: list[S] | None = None


COMMENTS = ["", "# note", "# é — fine", "# a { b } ; c", "# TODO: check", "#"]


def render(statements: list[S], rnd) -> str:
    """The statements as `.ha` text, in a layout drawn from `rnd`."""
    unit = rnd.choice(["    ", "  ", "\t"])
    out: list[str] = []

    def inline(stmt: S) -> str:
        head = " ".join(([stmt.keyword] if stmt.keyword else []) + stmt.args)
        if stmt.block is None:
            return head
        if not stmt.block:
            return head + " { }"
        return head + " { " + "; ".join(inline(s) for s in stmt.block) + " }"

    def leafy(stmt: S) -> bool:
        return stmt.block is not None and all(s.block is None for s in stmt.block) and len(stmt.block) <= 4

    def emit(stmts: list[S], depth: int) -> None:
        pad = unit * depth
        index = 0
        while index < len(stmts):
            stmt = stmts[index]
            comment = rnd.choice(COMMENTS) if rnd.random() < 0.1 else ""
            if rnd.random() < 0.05:
                out.append("")
            if stmt.block is not None and stmt.block and not (leafy(stmt) and rnd.random() < 0.35):
                head = " ".join(([stmt.keyword] if stmt.keyword else []) + stmt.args)
                out.append(f"{pad}{head} {{" + (f"  {comment}" if comment else ""))
                emit(stmt.block, depth + 1)
                out.append(f"{pad}}}")
            elif stmt.block is None and index + 1 < len(stmts) and stmts[index + 1].block is None and rnd.random() < 0.15:
                out.append(f"{pad}{inline(stmt)}; {inline(stmts[index + 1])}" + (f"  {comment}" if comment else ""))
                index += 1
            else:
                out.append(f"{pad}{inline(stmt)}" + (f"  {comment}" if comment else ""))
            index += 1

    emit(statements, 0)
    newline = "\r\n" if rnd.random() < 0.05 else "\n"  # the grammar ends lines at either
    return newline.join(out) + newline


def q(text: str) -> str:
    """A quoted `.ha` string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dur(ms: int, rnd=None) -> str:
    """A duration in one of the units that divide it exactly."""
    choices = [f"{ms}ms"]
    if ms % 1000 == 0:
        choices.append(f"{ms // 1000}s")
    if ms % 60000 == 0 and ms:
        choices.append(f"{ms // 60000}m")
    if ms == 0:
        choices.append("0")
    return rnd.choice(choices) if rnd is not None else choices[-1]
