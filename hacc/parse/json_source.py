"""Read the model's JSON form with the position of every value.

Python's json module forgets positions; parsing with Lark keeps them, so a
schema error in `cluster.json` points at its line and column just as it
would in a `.ha` file.
"""

from __future__ import annotations

import functools
import json
import re

from hacc.diagnostics.codes import define
from hacc.diagnostics.model import Diagnostic, Severity, Span
from hacc.parse.nesting import position, too_deep
from hacc.parse.strings import integer_literal

INVALID_JSON = define(
    "HA009",
    "invalid-json",
    Severity.ERROR,
    """
    A `.json` input is not valid JSON.

    ## What it checks
    `hacc build cluster.json` reads the model's JSON form (what
    `hacc build --emit json` prints). It must be one JSON object, without
    comments, trailing commas or duplicate keys.

    ## Why it matters
    A JSON parser that guesses (or keeps the last of two duplicate keys)
    would compile something other than what the file seems to say.

    ## Example
    ```
    {"cluster": "web", "nodes": [],}
    ```

    ## Fix
    Remove the trailing comma or duplicate key the message points at.
    """,
    fixed=True,
)


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.spans: dict[tuple, Span] = {}
        self.diagnostics: list[Diagnostic] = []

    def span(self, item) -> Span:
        meta = item if hasattr(item, "line") else item.meta
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def value(self, tree, path: tuple):
        from lark import Token

        if isinstance(tree, Token):
            raise AssertionError("tokens are wrapped by rules")
        kind = tree.data
        self.spans[path] = self.span(tree)
        if kind == "string":
            return json.loads(tree.children[0])
        if kind == "number":
            text = str(tree.children[0])
            if text.lstrip("-").isdigit():  # an integer: json.loads fails past 4300 digits
                return integer_literal(text)
            return json.loads(text)
        if kind in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[kind]
        if kind == "array":
            items = [c for c in tree.children if c is not None]
            return [self.value(item, path + (index,)) for index, item in enumerate(items)]
        obj: dict = {}
        for pair in (c for c in tree.children if c is not None):
            key_token, value = pair.children
            key = json.loads(key_token)
            key_span = self.span(key_token)
            if key in obj:
                self.diagnostics.append(
                    INVALID_JSON.at(key_span, f"duplicate key `{key}`", help="keep one of the two entries")
                )
                continue
            self.spans[path + (key, "<key>")] = key_span
            obj[key] = self.value(value, path + (key,))
        return obj


def read_json(text: str, file: str) -> tuple[dict | None, dict[tuple, Span], list[Diagnostic]]:
    from lark.exceptions import UnexpectedInput

    deep = _too_deep(text, file)
    if deep:
        return None, {}, [deep]
    _values[0] = 0
    try:
        tree = _lark_with_positions().parse(text)
    except _TooMany as over:
        token = over.args[0]
        return None, {}, [INVALID_JSON.at(Span(file, token.line, token.column, token.line, token.column + 1),
                                          f"the file holds more than {MAX_VALUES:,} values",
                                          help="the model's JSON form of a cluster holds a few thousand; check the file")]
    except UnexpectedInput as exc:
        line, col = getattr(exc, "line", 1) or 1, getattr(exc, "column", 1) or 1
        if line < 1:
            line, col = text.count("\n") + 1, 1
        return None, {}, [INVALID_JSON.at(Span(file, line, col, line, col + 1), "this is not valid JSON here",
                                          help="check for a missing comma, a trailing comma or an unquoted key")]
    reader = _Reader(file)
    data = reader.value(tree, ())
    if not isinstance(data, dict):
        reader.diagnostics.append(INVALID_JSON.at(reader.spans[()], "the file must hold one JSON object"))
        return None, reader.spans, reader.diagnostics
    return data, reader.spans, reader.diagnostics


# The model's JSON form nests about ten levels; a hostile file could nest
# 100,000, which would exhaust the recursion of every later stage. Counting
# brackets first (outside strings) refuses it quickly, where it goes too deep.
MAX_NESTING = 100
_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{\]}]')


def _too_deep(text: str, file: str) -> Diagnostic | None:
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return None
    offset = too_deep(text, _BRACKETS, "[{", "]}", MAX_NESTING, MAX_VALUES)
    if offset is None:
        return None
    line, col = position(text, offset)
    return INVALID_JSON.at(Span(file, line, col, line, col + 1),
                           f"arrays and objects nest more than {MAX_NESTING} levels deep here",
                           help="the model's JSON form nests about ten levels; check the file")


# 16 MiB of `[1,1,1,...]` is 8 million values, and each costs a kilobyte
# once parsed with its position: values are counted as Lark lexes them, so
# such a file stops early (as `.ha` files do, hacc.parse.parser.MAX_TOKENS).
MAX_VALUES = 200_000
_values = [0]  # values lexed by the parse running


class _TooMany(Exception):
    pass


def _count(token):
    _values[0] += 1
    if _values[0] > MAX_VALUES:
        raise _TooMany(token)
    return token


@functools.lru_cache(maxsize=1)
def _lark_with_positions():
    from lark import Lark

    from hacc.resources import grammar_path

    return Lark(grammar_path("json.lark").read_text(encoding="utf-8"), parser="lalr",
                propagate_positions=True, maybe_placeholders=True,
                lexer_callbacks=dict.fromkeys(("STRING", "NUMBER", "TRUE", "FALSE", "NULL", "LSQB", "LBRACE"), _count))
