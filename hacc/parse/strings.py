"""Decode the escapes of a quoted string.

Supported: `\\\\`, `\\"`, `\\n`, `\\t`, `\\r`, `\\xHH` and `\\u{H...}`. Anything else
after a backslash is an error, so a typo never turns into a silent character.
"""

from __future__ import annotations

import re

_SIMPLE = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r"}
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u\{[0-9A-Fa-f]{1,6}\}|.)")


class EscapeError(ValueError):
    def __init__(self, offset: int, length: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.length = length


def decode(body: str) -> str:
    """Decode `body`, the text between the quotes. Raises EscapeError with the
    offset of the bad escape inside `body`."""
    if "\\" not in body:
        return body

    def replace(match: re.Match) -> str:
        esc = match.group(1)
        if esc in _SIMPLE:
            return _SIMPLE[esc]
        if esc[0] == "x" and len(esc) == 3:
            return chr(int(esc[1:], 16))
        if esc[0] == "u" and esc.endswith("}"):
            point = int(esc[2:-1], 16)
            if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF:
                raise EscapeError(match.start(), len(match.group(0)), f"`\\{esc}` is not a Unicode character")
            return chr(point)
        raise EscapeError(match.start(), len(match.group(0)), f"unknown escape `\\{esc}` in string")

    return _ESCAPE.sub(replace, body)


# Python refuses to convert more than 4300 digits (a guard against quadratic
# time), and no setting comes anywhere near that.
MAX_DIGITS = 4000


def integer_literal(text: str) -> int | str:
    """The int an integer literal (`[+-]?[0-9]+`) stands for; past
    MAX_DIGITS the text itself, which no integer field accepts and a
    passed-through argument keeps unchanged (int() would raise)."""
    if len(text.lstrip("+-").lstrip("0")) > MAX_DIGITS:
        return text
    return int(text)
