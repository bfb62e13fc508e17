"""Run Lark over one file's text and build the statement tree with spans."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import NamedTuple

from hacc.diagnostics.codes import define
from hacc.diagnostics.model import Diagnostic, Severity, Span
from hacc.parse import fast_path
from hacc.parse.ast import Argument, Pair, Statement, Value
from hacc.parse.nesting import position, too_deep
from hacc.parse.strings import EscapeError, decode
from hacc.parse.syntax_errors import SYNTAX, translate

BAD_TEXT = define(
    "HA002",
    "invalid-character",
    Severity.ERROR,
    """
    The source holds a control character, an invisible bidirectional
    override, or a string with an invalid escape.

    ## What it checks
    Outside of line ends and tabs, `.ha` files may not contain control
    characters (U+0000-U+001F, U+007F-U+009F) or the Unicode bidirectional
    controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C), not even in
    comments. Quoted strings may only use the escapes `\\\\`, `\\"`, `\\n`, `\\t`,
    `\\r`, `\\xHH` and `\\u{H...}`.

    ## Why it matters
    Invisible characters make a file read differently from what it does
    ("Trojan Source"), and control characters in a value can break out of the
    directive it is written into.

    ## Example
    ```
    cluster "web\\q" { }
    ```

    ## Fix
    Delete the character, or write it with an escape inside a quoted string.
    """,
    fixed=True,
)

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


@dataclass(frozen=True)
class Comment:
    """A `#` comment. `own_line` when nothing but blanks precede it, which is
    what lets a suppression comment apply to the line below."""

    span: Span
    text: str
    own_line: bool


# Lark hands comments to a callback while it lexes; parse_text collects them
# here for the one parse running at a time.
_comments: list = []

# A source may hold 16 MiB, which is millions of tiny statements (`x;x;x;`)
# or comments, each costing about a kilobyte once parsed: a gigabyte and a
# minute. Every token Lark lexes is counted against a budget shared by a
# file and the files it includes, so such input stops early, at the token
# over the limit. A real cluster has a few thousand tokens.
MAX_TOKENS = 1_000_000


class TokenBudget:
    def __init__(self, limit: int = MAX_TOKENS) -> None:
        self.limit = limit
        self.left = limit


_OverBudget = fast_path.OverBudget

_budget: list[TokenBudget] = []  # the budget of the parse running


def _count(token):
    budget = _budget[0]
    budget.left -= 1
    if budget.left < 0:
        raise _OverBudget(token)
    return token


def _comment(token):
    _comments.append(_count(token))


class _Block(NamedTuple):
    statements: tuple
    span: Span  # of the `{`
    rbrace: object  # the `}` token, where the statement ends


_CALLBACKS = {"COMMENT": _comment, **dict.fromkeys(("WORD", "STRING", "PAIR", "LBRACE", "RBRACE", "_SEP"), _count)}
# The basic lexer (one regular expression for all terminals) is a third
# faster than Lark's contextual one and lexes this grammar the same way:
# every terminal may follow every other.
OPTIONS = {"parser": "lalr", "lexer": "basic", "propagate_positions": False, "maybe_placeholders": False}
# Bumped when the way the cached parser is generated changes.
_GENERATION = "1"


@functools.lru_cache(maxsize=1)
def _lark():
    """The parser and the exception class its syntax errors derive from.

    Building the LALR tables from the grammar takes longer than linting a
    whole cluster, so they are computed once per grammar and kept in the
    cache (hacc.cache) as a module Lark's standalone generator writes: it
    holds the tables and Lark's own parsing runtime, so importing it does
    not even import lark. Without a usable cache, Lark builds them here."""
    from hacc import __version__, cache
    from hacc.resources import grammar_path

    grammar = grammar_path().read_text(encoding="utf-8")
    name = "hacc_parser_" + cache.key(grammar, repr(sorted(OPTIONS.items())), __version__, _GENERATION)
    module = cache.load(name, lambda: _standalone_source(grammar))
    if module is not None:
        return module.Lark_StandAlone(lexer_callbacks=_CALLBACKS, transformer=_BUILDER), module.UnexpectedInput
    from lark import Lark
    from lark.exceptions import UnexpectedInput

    return Lark(grammar, lexer_callbacks=_CALLBACKS, transformer=_BUILDER, **OPTIONS), UnexpectedInput


class _LarkRefused(Exception):
    def __init__(self, error) -> None:
        super().__init__(error)
        self.error = error


def _parse_with_lark(text: str, budget: TokenBudget, found: list) -> list[Statement]:
    parser, UnexpectedInput = _lark()
    _comments.clear()
    _budget[:] = [budget]
    try:
        return parser.parse(text)
    except UnexpectedInput as exc:
        raise _LarkRefused(exc) from None
    finally:
        found.extend(_comments)
        _comments.clear()


def _standalone_source(grammar: str) -> str:
    import io

    from lark import Lark
    from lark.tools.standalone import gen_standalone

    out = io.StringIO()
    gen_standalone(Lark(grammar, **OPTIONS), out=out)
    return out.getvalue()


def parse_text(text: str, file: str, comments: list[Comment] | None = None,
               budget: TokenBudget | None = None) -> tuple[list[Statement], list[Diagnostic]]:
    """Parse one file. On a syntax error the statements are empty and the
    diagnostics explain the first error (LALR cannot safely go on). The
    file's comments are appended to `comments` when it is given. `budget`
    is shared by the files of one compilation (a fresh one by default)."""
    bad = _FORBIDDEN.search(text)
    if bad:
        return [], [_forbidden_character(text, bad, file)]
    deep = _too_deep(text, file)
    if deep:
        return [], [deep]
    budget = budget or TokenBudget()
    found: list = []
    _BUILDER.start_file(file)
    left = budget.left
    try:
        statements = fast_path.parse(text, _BUILDER, budget, found)
        if statements is None:  # not valid, or no tables: Lark parses it, and explains what is wrong
            budget.left, found = left, []
            _BUILDER.start_file(file)
            statements = _parse_with_lark(text, budget, found)
    except _OverBudget as over:
        token = over.token
        return [], [SYNTAX.at(Span(file, token.line, token.column, token.line, token.column + 1),
                              f"the input has more than {budget.limit:,} words, strings and separators",
                              help="a cluster description has a few thousand; check that this is the right file")]
    except _LarkRefused as refused:
        return [], [translate(refused.error, text, file)]
    if comments is not None:
        lines = text.split("\n")  # as Lark counts lines: U+2028 is not a line end
        for token in found:
            before = lines[token.line - 1][: token.column - 1] if token.line <= len(lines) else ""
            span = Span(file, token.line, token.column, token.end_line, token.end_column)
            comments.append(Comment(span, token.value, not before.strip()))
    return statements, _BUILDER.diagnostics


def _forbidden_character(text: str, match: re.Match, file: str) -> Diagnostic:
    line, col = position(text, match.start())
    return BAD_TEXT.at(
        Span(file, line, col, line, col + 1),
        f"invisible or control character U+{ord(match.group()):04X} in the source",
        help="delete it; inside a quoted string, write it as an escape such as `\\u{...}` if you really need it",
    )


# Blocks nest a handful of levels in a real cluster; a hostile file could nest
# 100,000, which Lark would parse slowly and the builder could not recurse
# through. Counting braces first (outside strings and comments) refuses such
# a file quickly, at the brace that goes too deep.
MAX_NESTING = 100
_BRACES = re.compile(r'"[^"\\\r\n]*(?:\\[^\r\n][^"\\\r\n]*)*"|#[^\r\n]*|[{}]')


def _too_deep(text: str, file: str) -> Diagnostic | None:
    if text.count("{") <= MAX_NESTING:
        return None
    offset = too_deep(text, _BRACES, "{", "}", MAX_NESTING, MAX_TOKENS)
    if offset is None:
        return None
    line, col = position(text, offset)
    return SYNTAX.at(Span(file, line, col, line, col + 1), f"blocks nest more than {MAX_NESTING} levels deep here",
                     help="a cluster description needs a few levels of nesting; check the file")


# No statement needs more: haproxy takes 64 words on a line, a group lists a
# few dozen resources. Checking here keeps 100,000 arguments from reaching
# the schema, which would check each before reporting the list too long.
MAX_ARGS = 1000


class _Builder:
    """Build `Statement`s as the parser reduces each rule: the methods are
    named after grammar rules and Lark calls them with the rule's children
    (tokens, and what the methods returned for nested rules), so no parse
    tree is ever made. One builder serves every parse; `start` points it at
    a file."""

    def start_file(self, file: str) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    def span(self, token, length: int | None = None) -> Span:
        end_col = token.end_column if length is None else token.column + length
        return Span(self.file, token.line, token.column, token.end_line, end_col)

    # -- grammar rules ---------------------------------------------------------

    def start(self, children: list) -> list[Statement]:
        return children[0]

    def body(self, children: list) -> list[Statement]:
        return children

    def block(self, children: list) -> tuple:
        lbrace, statements, rbrace = children
        return _Block(tuple(statements), self.span(lbrace), rbrace)

    def directive(self, children: list) -> Statement:
        return self.statement(children, children[0], children[1:], children[0].value)

    def pairs(self, children: list) -> Statement:
        return self.statement(children, children[0], children, None)

    # --------------------------------------------------------------------------

    def statement(self, children: list, keyword_token, arg_tokens: list, keyword: str | None) -> Statement:
        last = children[-1]
        if type(last) is _Block:
            block, block_span, end = last
            arg_tokens = arg_tokens[:-1]
        else:
            block = block_span = None
            end = last
        if len(arg_tokens) > MAX_ARGS:
            extra = arg_tokens[MAX_ARGS]
            self.diagnostics.append(SYNTAX.at(self.span(extra), f"a statement takes at most {MAX_ARGS:,} arguments; "
                                              f"this one has {len(arg_tokens):,}", help="split the list, or check the file"))
            arg_tokens = arg_tokens[:MAX_ARGS]
        args: tuple[Argument, ...] = tuple(self.argument(t) for t in arg_tokens)
        start = self.span(keyword_token)
        span = Span(self.file, start.line, start.col, end.end_line, end.end_column)
        return Statement(keyword, start if keyword else args[0].span, args, block, span, block_span)

    def argument(self, token) -> Argument:
        if token.type == "PAIR":
            key, _, raw = token.value.partition("=")
            key_span = Span(self.file, token.line, token.column, token.line, token.column + len(key))
            value_col = token.column + len(key) + 1
            value = self.value(raw, token.line, value_col)
            return Pair(key, key_span, value, self.span(token))
        return self.value(token.value, token.line, token.column)

    def value(self, raw: str, line: int, col: int) -> Value:
        span = Span(self.file, line, col, line, col + len(raw))
        if not raw.startswith('"'):
            return Value(raw, False, span)
        try:
            return Value(decode(raw[1:-1]), True, span)
        except EscapeError as exc:
            at = col + 1 + exc.offset
            self.diagnostics.append(
                BAD_TEXT.at(
                    Span(self.file, line, at, line, at + exc.length),
                    str(exc),
                    help='use `\\\\` for a backslash, `\\"` for a quote, or `\\u{...}` for any character',
                )
            )
            return Value(raw[1:-1], True, span)


_BUILDER = _Builder()

__all__ = ["SYNTAX", "parse_text"]
