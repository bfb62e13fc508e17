"""Explain Lark's parse errors in the words of the `.ha` language.

Lark reports terminal names (`RBRACE`, `_SEP`); users should read "`}`" and
"end of line". Common mistakes get a specific message and hint.
"""

from __future__ import annotations

from hacc.diagnostics.codes import define
from hacc.diagnostics.model import Diagnostic, Label, Severity, Span
from hacc.parse.nesting import position

SYNTAX = define(
    "HA001",
    "syntax-error",
    Severity.ERROR,
    """
    The file does not follow the shape of the `.ha` language.

    ## What it checks
    A statement is a keyword, its arguments and an optional `{ block }`;
    statements end at a newline, at `;` or at the `}` closing their block.
    Strings are double-quoted and end on the same line. `key=value` pairs are
    written without spaces around `=`.

    ## Why it matters
    hacc cannot guess what a malformed file means, and a guess could put a
    setting on the wrong node.

    ## Example
    ```
    node node1 {
        addr 10.0.0.1
    # the block is never closed
    ```

    ## Fix
    Follow the hint: close the block, end the string, or remove the spaces
    around `=`.
    """,
    fixed=True,
)

_WORDS = {
    "WORD": "a name or value",
    "STRING": "a quoted string",
    "PAIR": "a `key=value` pair",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "_SEP": "end of line or `;`",
    "SEMICOLON": "`;`",
    "$END": "end of file",
}


def _expected_words(names) -> str:
    words = sorted({_WORDS.get(n, n.lower()) for n in names if not n.startswith("__")})
    if not words:
        return "something else"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _describe(token) -> str:
    if token.type == "$END":
        return "end of file"
    if token.type == "_SEP":
        return "end of line" if token.value != ";" else "`;`"
    if token.type == "STRING":
        return "a string"
    return f"`{token.value}`"


_SHAPE = "a statement is a keyword, its arguments and an optional `{ block }`, ended by a new line or `;` (docs/language.md)"


def translate(exc, text: str, file: str) -> Diagnostic:
    # By name: the exception classes are those of lark or of the cached
    # standalone parser (hacc.parse.parser._lark), which are not the same.
    kinds = {kind.__name__ for kind in type(exc).__mro__}
    if "UnexpectedCharacters" in kinds:
        return _bad_character(exc, text, file)
    if "UnexpectedToken" in kinds:
        return _bad_token(exc, text, file)
    line, col = getattr(exc, "line", 1) or 1, getattr(exc, "column", 1) or 1
    return SYNTAX.at(Span(file, line, col, line, col + 1), "the file could not be parsed", help=_SHAPE)


def _bad_character(exc, text: str, file: str) -> Diagnostic:
    pos = exc.pos_in_stream
    char = text[pos]
    span = Span(file, exc.line, exc.column, exc.line, exc.column + 1)
    if char == '"':
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        return SYNTAX.at(
            Span(file, exc.line, exc.column, exc.line, exc.column + max(end - pos, 1)),
            "unterminated string",
            help='close the string with `"` on the same line; write `\\"` for a quote inside it',
        )
    if char == "=":
        before = text[pos - 1] if pos else ""
        after = text[pos + 1] if pos + 1 < len(text) else ""
        if before in " \t" or after in " \t\r\n" or not after:
            return SYNTAX.at(
                span,
                "`=` must join a key and its value",
                help="write `key=value` with no spaces around `=`, e.g. `interval=10s`",
            )
        return SYNTAX.at(span, "unexpected `=`", help="quote the value if `=` is part of it, e.g. `key=\"a=b\"`")
    if char.isspace():
        # Every other character can start a word: what is left is Unicode
        # whitespace the grammar does not separate words with (a lone CR, a
        # no-break space), which would be invisible in the message.
        what = "carriage return that does not end a line" if char == "\r" else f"whitespace character U+{ord(char):04X}"
        return SYNTAX.at(span, f"unexpected {what}",
                         help="only spaces and tabs separate words and only `\\n` (or `\\r\\n`) ends a line: replace it with a space or delete it")
    return SYNTAX.at(span, f"unexpected character `{char}`", help="delete it, or quote the value it belongs to")


def _bad_token(exc, text: str, file: str) -> Diagnostic:
    token = exc.token
    expected = set(exc.expected or ())
    if token.type == "$END":
        line, col = _end_position(text)
        span = Span(file, line, col, line, col + 1)
    else:
        span = Span(file, token.line, token.column, token.end_line or token.line, token.end_column or token.column + 1)
    opener = _unclosed_brace(text, token.start_pos if token.type != "$END" else len(text))
    if token.type == "$END" and opener is not None:
        line, col = opener
        return SYNTAX.at(
            span,
            "this block is never closed",
            labels=[Label(Span(file, line, col, line, col + 1), "block opened here")],
            help="add the missing `}`",
        )
    if token.type == "RBRACE" and opener is None:
        return SYNTAX.at(span, "unexpected `}` with no open block", help="remove it, or add the `{` it should close")
    if token.type == "LBRACE":
        return SYNTAX.at(
            span,
            "a block must start on the line of its statement",
            help="move `{` to the end of the previous line, e.g. `node node1 {`",
        )
    if "_SEP" in expected and token.type in ("WORD", "STRING", "PAIR"):
        return SYNTAX.at(
            span,
            f"expected end of line or `;` after a block, found {_describe(token)}",
            help="start the next statement on a new line, or separate it with `;`",
        )
    return SYNTAX.at(span, f"unexpected {_describe(token)}; expected {_expected_words(expected)}", help=_SHAPE)


def _end_position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return len(lines), len(lines[-1]) + 1 if lines else 1


def _unclosed_brace(text: str, stop: int) -> tuple[int, int] | None:
    """Find the innermost `{` still open at offset `stop`, skipping strings
    and comments, so an unclosed block can point at where it was opened."""
    stack: list[int] = []
    i = 0
    n = min(stop, len(text))
    while i < n:
        ch = text[i]
        if ch == "#":
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        if ch == '"':
            i += 1
            while i < n and text[i] not in '"\n':
                i += 2 if text[i] == "\\" else 1
        elif ch == "{":
            stack.append(i)
        elif ch == "}" and stack:
            stack.pop()
        i += 1
    if not stack:
        return None
    return position(text, stack[-1])
