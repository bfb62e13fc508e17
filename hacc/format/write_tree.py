"""The statements the writer builds, and how they are laid out as text.

Layout is deliberately plain (4 spaces, one statement per line, `{` on the
statement's line, `}` alone); `hacc fmt` owns the canonical layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hacc.format.write_values import JsonPath, Unwritable, bare_word_ok

INDENT = "    "
# Long `property a=1 b=2 ...` lines are split into several statements of the
# same keyword, which lowering merges back into one map.
LINE_LIMIT = 100


@dataclass
class Stmt:
    """`head` is the statement without its block; `body` is None for no block."""

    head: str
    body: list[Stmt] | None = None
    blank_before: bool = field(default=False, compare=False)


def line(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def render(statements: Iterable[Stmt], depth: int = 0) -> list[str]:
    lines: list[str] = []
    for stmt in statements:
        if stmt.blank_before and lines:
            lines.append("")
        pad = INDENT * depth
        if stmt.body is None:
            lines.append(pad + stmt.head)
        elif not stmt.body:
            lines.append(f"{pad}{stmt.head} {{ }}")
        else:
            lines.append(f"{pad}{stmt.head} {{")
            lines.extend(render(stmt.body, depth + 1))
            lines.append(pad + "}")
    return lines


def chunked(keyword: str, parts: list[str]) -> list[Stmt]:
    """`keyword part part ...`, split over several statements when long."""
    out: list[Stmt] = []
    current: list[str] = []
    for part in parts:
        if current and len(line(keyword, *current, part)) > LINE_LIMIT:
            out.append(Stmt(line(keyword, *current)))
            current = []
        current.append(part)
    if current:
        out.append(Stmt(line(keyword, *current)))
    return out


def expect_keys(obj, allowed: Iterable[str], path: JsonPath, what: str) -> dict:
    """`obj` must be an object with only `allowed` keys: anything else would
    be dropped without a word, so it is refused."""
    if not isinstance(obj, dict):
        raise Unwritable(path, f"{what} must be an object, not {type(obj).__name__}")
    extra = [key for key in obj if key not in allowed]
    if extra:
        raise Unwritable(path + (extra[0],), f"{what} has no `{extra[0]}` that the language can write")
    return obj


def items(obj, path: JsonPath, what: str) -> list:
    """The (key, value) pairs of a JSON object, in order."""
    if not isinstance(obj, dict):
        raise Unwritable(path, f"{what} must be an object, not {type(obj).__name__}")
    return list(obj.items())


def expect_list(value, path: JsonPath, what: str) -> list:
    if not isinstance(value, list):
        raise Unwritable(path, f"{what} must be a list, not {type(value).__name__}")
    return value


def keyword(name, path: JsonPath, reserved: Iterable[str] = ()) -> str:
    """A statement keyword taken from the data (a totem option, a haproxy
    directive): it must be a bare word no handler of the block claims."""
    if not isinstance(name, str) or not bare_word_ok(name):
        raise Unwritable(path, f"`{name}` cannot be written as a statement keyword")
    if name in reserved:
        raise Unwritable(path, f"`{name}` would be read as the `{name}` statement of this block, not passed through")
    return name
