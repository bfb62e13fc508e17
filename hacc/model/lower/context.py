"""Shared machinery for lowering statements into the model's JSON form.

Each section module (cluster, corosync, pacemaker, keepalived, haproxy) maps
keywords to handlers. The handlers use this module to read arguments, convert
words into JSON values, and record the span of every value they produce so
that later stages (schema validation, checks) can point back at the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from hacc.diagnostics.model import Diagnostic, Label, Span
from hacc.diagnostics.suggest import suggest
from hacc.model.lower.codes import ARGUMENTS, DUPLICATE, UNKNOWN
from hacc.parse.ast import Pair, Statement, Value
from hacc.parse.strings import integer_literal

BOOL_WORDS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}
_INT = re.compile(r"[+-]?[0-9]+\Z")

JsonPath = tuple  # a JSON path: str keys and int indices


class Lowering:
    """Collects diagnostics and the span of every JSON value produced."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.spans: dict[JsonPath, Span] = {}
        # Objects with a statement that could not be lowered: the schema's
        # "missing ..." errors there would only repeat the first error.
        self.incomplete: set[JsonPath] = set()
        self._first: dict[tuple[JsonPath, str], Span] = {}

    def report(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def mark(self, path: JsonPath, span: Span) -> None:
        self.spans[path] = span

    def once(self, path: JsonPath, key: str, span: Span, what: str | None = None) -> bool:
        """True the first time `key` is set under `path`; reports a duplicate
        (pointing at the first one) every later time."""
        first = self._first.get((path, key))
        if first is None:
            self._first[(path, key)] = span
            return True
        self.report(
            DUPLICATE.at(
                span,
                f"{what or f'`{key}`'} is set twice",
                labels=[Label(first, "first set here")],
                help="keep one of them",
            )
        )
        return False

    def set(self, obj: dict, path: JsonPath, key: str, value: Any, span: Span, what: str | None = None) -> None:
        if self.once(path, key, span, what):
            obj[key] = value
            self.mark(path + (key,), span)

    def bad_args(self, stmt: Statement, message: str, usage: str, span: Span | None = None) -> None:
        self.report(ARGUMENTS.at(span or stmt.head_span, message, help=f"write `{usage}`"))


# -- Converting words into JSON values ---------------------------------------
# Conversions never fail: a word that is not the wanted kind is kept as text
# and the schema then reports it at its span, in the same words whether the
# input was `.ha` or JSON.


def scalar(value: Value) -> Any:
    """A value whose kind the position does not fix: text, or a secret."""
    if not value.quoted and value.text.startswith("secret:"):
        return {"secret": value.text[len("secret:") :]}
    return value.text


def integer(value: Value) -> Any:
    if not value.quoted and _INT.match(value.text):
        return integer_literal(value.text)
    return scalar(value)


def boolean(value: Value) -> Any:
    if not value.quoted and value.text.lower() in BOOL_WORDS:
        return BOOL_WORDS[value.text.lower()]
    return scalar(value)


CONVERTERS: dict[str, Callable[[Value], Any]] = {
    "str": scalar,
    "int": integer,
    "bool": boolean,
}


def convert(kind: str, value: Value) -> Any:
    return CONVERTERS.get(kind, scalar)(value)


# -- Reading statement shapes --------------------------------------------------


def no_block(low: Lowering, stmt: Statement, usage: str) -> bool:
    if stmt.block is not None:
        low.report(
            ARGUMENTS.at(stmt.block_span or stmt.span, f"`{stmt.keyword}` does not take a block", help=f"write `{usage}`")
        )
        return False
    return True


def single_value(low: Lowering, stmt: Statement, usage: str) -> Value | None:
    """The one plain value of `keyword VALUE`, or None after reporting."""
    values = stmt.values()
    if len(values) == 1 and len(stmt.args) == 1 and no_block(low, stmt, usage):
        return values[0]
    if not stmt.args:
        low.bad_args(stmt, f"`{stmt.keyword}` needs a value", usage)
    elif len(stmt.args) > 1:
        low.bad_args(stmt, f"`{stmt.keyword}` takes one value", usage, _span_from(stmt.args[1:]))
    elif isinstance(stmt.args[0], Pair):
        low.bad_args(stmt, f"`{stmt.keyword}` takes a plain value, not `key=value`", usage, stmt.args[0].span)
    return None


def _span_from(args: Iterable) -> Span:
    args = list(args)
    first, last = args[0].span, args[-1].span
    return Span(first.file, first.line, first.col, last.end_line, last.end_col)


def span_of(args: Iterable) -> Span:
    return _span_from(args)


def unknown_statement(low: Lowering, stmt: Statement, where: str, choices: Iterable[str]) -> None:
    choices = list(choices)
    accepted = [f"`{c}`" for c in sorted(c for c in choices if c)]
    if "" in choices:
        accepted.append("`key=value` lines")
    listing = f"{where} accepts: {', '.join(accepted)}" if accepted else f"{where} takes no statements"
    if stmt.keyword is None:
        low.report(UNKNOWN.at(stmt.head_span, f"`key=value` lines are not allowed in {where}", help=listing))
        return
    close = suggest(stmt.keyword, [c for c in choices if c])
    help = f"did you mean `{close}`?" if close else listing
    low.report(UNKNOWN.at(stmt.keyword_span, f"unknown statement `{stmt.keyword}` in {where}", help=help))


Handler = Callable[[Lowering, Statement, dict, JsonPath], None]


def dispatch(low: Lowering, stmts: Iterable[Statement], handlers: dict[str, Handler], obj: dict, path: JsonPath, where: str,
             fallback: Handler | None = None) -> None:
    """Run the handler of each statement's keyword (a line of `key=value`
    pairs has the keyword ""). Unknown keywords go to `fallback` when the
    block passes them through, else they are reported."""
    for stmt in stmts:
        before = len(low.diagnostics)
        keyword = stmt.keyword if stmt.keyword is not None else ""
        handler = handlers.get(keyword)
        if handler is not None:
            handler(low, stmt, obj, path)
        elif fallback is not None and stmt.keyword is not None:
            fallback(low, stmt, obj, path)
        else:
            unknown_statement(low, stmt, where, handlers)
        if len(low.diagnostics) > before:
            low.incomplete.add(path)


def setting(key: str, kind: str = "str", usage: str | None = None) -> Handler:
    """A handler for `keyword VALUE` stored once under `key`."""

    def handle(low: Lowering, stmt: Statement, obj: dict, path: JsonPath) -> None:
        value = single_value(low, stmt, usage or f"{stmt.keyword} VALUE")
        if value is not None:
            low.set(obj, path, key, convert(kind, value), value.span, f"`{stmt.keyword}`")

    return handle


def flag(key: str, value: Any = True) -> Handler:
    """A handler for a bare keyword such as `nopreempt`."""

    def handle(low: Lowering, stmt: Statement, obj: dict, path: JsonPath) -> None:
        if stmt.args or stmt.block is not None:
            low.bad_args(stmt, f"`{stmt.keyword}` takes no arguments", stmt.keyword)
            return
        low.set(obj, path, key, value, stmt.keyword_span, f"`{stmt.keyword}`")

    return handle


def read_pairs(low: Lowering, pairs: Iterable[Pair], obj: dict, path: JsonPath, kinds: dict[str, str] | None = None,
               where: str | None = None, default_kind: str = "str") -> None:
    """Store `key=value` pairs into `obj`. With `kinds`, only those keys are
    allowed and each converts by its kind; without, any key is text."""
    for pair in pairs:
        if kinds is not None and pair.key not in kinds:
            close = suggest(pair.key, kinds)
            low.report(
                UNKNOWN.at(
                    pair.key_span,
                    f"unknown option `{pair.key}`" + (f" for {where}" if where else ""),
                    help=f"did you mean `{close}`?" if close else f"known options: {', '.join(f'`{k}`' for k in sorted(kinds))}",
                )
            )
            continue
        kind = kinds[pair.key] if kinds is not None else default_kind
        if low.once(path, pair.key, pair.key_span, f"`{pair.key}`"):
            obj[pair.key] = convert(kind, pair.value)
            low.mark(path + (pair.key,), pair.value.span)
            low.mark(path + (pair.key, "<key>"), pair.key_span)


def options_from(low: Lowering, stmt: Statement, kinds: dict[str, str], path: JsonPath, where: str) -> dict:
    """Options written inline as pairs and/or in the block as `key value`
    statements (both spellings mean the same)."""
    obj: dict = {}
    low.mark(path, stmt.head_span)
    read_pairs(low, stmt.pairs(), obj, path, kinds, where)
    for inner in stmt.block or ():
        if inner.keyword is None:
            read_pairs(low, inner.pairs(), obj, path, kinds, where)
        elif inner.keyword in kinds:
            setting(inner.keyword, kinds[inner.keyword])(low, inner, obj, path)
        else:
            unknown_statement(low, inner, where, kinds)
    return obj
