"""Spell one JSON value as `.ha` text that lowering reads back unchanged.

Lowering decides what a word means by its position (hacc.model.lower.context):
a bare `secret:X` is a secret reference, a bare `42` in an integer position is
a number, a bare `yes` in a boolean position is True. A quoted string is
always literal text. So a text value is written bare only when the grammar's
WORD (or a PAIR's value) takes it whole and the position would not read it as
something else; otherwise it is quoted with the escapes hacc.parse.strings
decodes.
"""

from __future__ import annotations

import re
from typing import Any

from hacc.model.lower.context import BOOL_WORDS

JsonPath = tuple

# The grammar's tokens (grammar/hacc.lark). Python's `\s` is what Lark uses too,
# so Unicode spaces end a bare word exactly as they do when parsing.
_WORD = re.compile(r'[^\s{};#"=][^\s{};#"]*\Z')
_PAIR_VALUE = re.compile(r'[^\s{};#"=]+\Z')
_PAIR_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
# A bare word that starts like `key=` is lexed as a PAIR, not a WORD.
_PAIR_START = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*=")
_INT = re.compile(r"[+-]?[0-9]+\Z")
_SECRET_NAME = re.compile(r'[^\s{};#"=]+\Z')
# What the parser refuses anywhere in a file, even inside a string (HA002).
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


class Unwritable(ValueError):
    """A value the language cannot express; `path` is its JSON path."""

    def __init__(self, path: JsonPath, message: str) -> None:
        super().__init__(f"{format_path(path)}: {message}")
        self.path = tuple(path)
        self.reason = message


def format_path(path: JsonPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def quote(text: str, path: JsonPath) -> str:
    """A double-quoted string that decodes to `text`."""
    out = []
    for char in text:
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif 0xD800 <= ord(char) <= 0xDFFF:
            raise Unwritable(path, f"the text holds a lone surrogate U+{ord(char):04X}, which no file can carry")
        elif not char.isprintable() or _FORBIDDEN.match(char):
            # Invisible characters are written as escapes so the file reads as it is.
            out.append(f"\\u{{{ord(char):X}}}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def spell_invisible(text: str) -> str:
    """`text` with every character a file may not hold written as `\\u{H}`
    (for comments, where no escape is decoded but the text stays readable)."""
    return "".join(f"\\u{{{ord(c):X}}}" if not c.isprintable() or _FORBIDDEN.match(c) else c for c in text)


def _visible(text: str) -> bool:
    return text.isprintable() and not _FORBIDDEN.search(text)


def bare_word_ok(text: str) -> bool:
    """True when `text` written bare is read back as one plain word."""
    return bool(_WORD.match(text)) and not _PAIR_START.match(text) and _visible(text)


def _misread(text: str, kind: str) -> bool:
    """Would a bare `text` be converted into something else than the text?"""
    if kind == "text":
        return False
    if text.startswith("secret:"):
        return True
    if kind == "int":
        return bool(_INT.match(text))
    if kind == "bool":
        return text.lower() in BOOL_WORDS
    return False


def _secret(value: dict, path: JsonPath, kind: str) -> str:
    name = value.get("secret")
    if kind == "text" or set(value) != {"secret"} or not isinstance(name, str) or not _SECRET_NAME.match(name):
        raise Unwritable(path, f"{value!r} cannot be written here; only `secret:NAME` references are")
    if not _visible(name):
        raise Unwritable(path, f"the secret name {name!r} holds invisible characters")
    return "secret:" + name


def _plain(value: Any, path: JsonPath, kind: str) -> str | None:
    """Numbers, booleans and secrets: their bare spelling, or None for text."""
    if isinstance(value, bool):
        if kind != "bool":
            raise Unwritable(path, f"the boolean {str(value).lower()} cannot be written where text is expected")
        return "yes" if value else "no"
    if isinstance(value, int):
        if kind != "int":
            raise Unwritable(path, f"the number {value} cannot be written where text is expected")
        return str(value)
    if isinstance(value, dict):
        return _secret(value, path, kind)
    if not isinstance(value, str):
        raise Unwritable(path, f"{type(value).__name__} value {value!r} cannot be written")
    return None


def word(value: Any, path: JsonPath, kind: str = "str") -> str:
    """A value argument. `kind` is how the position converts it: "text"
    (taken as written), "str" (text or `secret:NAME`), "int" or "bool"."""
    plain = _plain(value, path, kind)
    if plain is not None:
        return plain
    if bare_word_ok(value) and not _misread(value, kind):
        return value
    return quote(value, path)


def pair_key(key: Any, path: JsonPath) -> str:
    if not isinstance(key, str) or not _PAIR_KEY.match(key):
        raise Unwritable(path, f"`{key}` cannot be written as the key of a `key=value` pair "
                               "(a key starts with a letter or `_`)")
    return key


def pair(key: Any, value: Any, path: JsonPath, kind: str = "str") -> str:
    """`key=value`; `path` is the value's JSON path."""
    written_key = pair_key(key, path)
    plain = _plain(value, path, kind)
    if plain is not None:
        return f"{written_key}={plain}"
    if _PAIR_VALUE.match(value) and _visible(value) and not _misread(value, kind):
        return f"{written_key}={value}"
    return f"{written_key}={quote(value, path)}"


def haproxy_word(value: Any, path: JsonPath) -> str:
    """A haproxy argument: lowering keeps a bare `key=value` pair as that very
    text, so such words may stay unquoted."""
    if isinstance(value, str) and _PAIR_START.match(value):
        rest = value.partition("=")[2]
        if rest and _PAIR_VALUE.match(rest) and _visible(rest):
            return value
        return quote(value, path)
    return word(value, path, "str")


def nvvalue(value: Any) -> Any:
    """Name/value pairs (properties, meta, attributes) are always read as
    text; a number or boolean in the JSON form is written as the text that
    Pacemaker receives for it, which builds the same CIB."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return value
