"""The adversarial corpus of the injection tests, and what each kind of
position accepts.

`CORPUS`: line ends, `{ } ; # !`, quotes and backslashes, NUL, C0, DEL and
C1 controls, values past keepalived's 1024-byte and corosync's 512-byte line
buffers (in bytes: CJK counts three), non-ASCII, bidi, separator and
zero-width characters, leading dashes, `$VAR`, `%`, `@`, `secret:` ...
Which values a position accepts is stated independently of hacc (`text`,
`command`, `name`... from docs/language.md), so a value wrongly refused
fails as surely as one that breaks out.
"""

from __future__ import annotations

import re

CORPUS = {
    "newline": "a\nb",
    "carriage-return": "a\rb",
    "crlf-end": "ab\r\n",
    "trailing-newline": "ab\n",
    "open-brace": "a{b",
    "close-brace": "}b",
    "braces": "{a}",
    "semicolon": "a;b",
    "hash": "a#b",
    "hash-first": "#a",
    "bang": "a!b",
    "single-quote": "it's",
    "double-quote": 'a"b',
    "backslash": "a\\b",
    "trailing-backslash": "ab\\",
    "quote-soup": "it's \"x\" \\ #1 !2",
    "nul": "a\x00b",
    "soh": "a\x01b",
    "tab": "a\tb",
    "vertical-tab": "a\x0bb",
    "form-feed": "a\x0cb",
    "escape-sequence": "a\x1b[2Jb",
    "del": "a\x7fb",
    "c1-nel": "a\x85b",
    "c1-csi": "a\x9b2Jb",
    "long-corosync": "c" * 600,
    "long-keepalived": "k" * 1100,
    "long-text": "t" * 5000,
    "long-cjk": "\u5b57" * 400,  # 400 characters, 1200 bytes
    "e-acute": "caf\u00e9",
    "cjk": "\u4e2d\u6587",
    "emoji": "\U0001f600",
    "rlm": "a\u200fb",
    "rlo": "a\u202eb",
    "lri": "a\u2066b",
    "arabic-mark": "a\u061cb",
    "zero-width-space": "a\u200bb",
    "zero-width-joiner": "a\u200db",
    "bom": "\ufeffab",
    "line-separator": "a\u2028b",
    "paragraph-separator": "a\u2029b",
    "nbsp": "a\u00a0b",
    "noncharacter": "a\ufffeb",
    "dash": "-x",
    "double-dash": "--x",
    "xml-comment": "a--b",
    "space": "a b",
    "edge-spaces": " a ",
    "dollar-var": "$HOME",
    "dollar-braces": "${HOME}",
    "percent": "%[src]",
    "at-host": "@n1 x",
    "secret-prefix": "secret:FOO",
    "colon": "a: b",
    "xml": "<a>&amp;'",
    "dotted": "a.b-c_1",
}
# Only the JSON form can hold a lone surrogate (`\ud800`); `.ha` escapes refuse one.
JSON_ONLY = {"surrogate": "a\ud800b"}
# A secret from the environment may hold bytes that are not UTF-8 (Python
# reads them as U+DC80..U+DCFF).
SECRET_ONLY = dict(JSON_ONLY, undecodable="a\udcffb")

# -- what each kind of position accepts (docs/language.md, independently of hacc) --

_INVISIBLE = set("\u200e\u200f\u061c\u2028\u2029\ufffe\uffff") | {chr(c) for c in range(0x202A, 0x202F)} \
    | {chr(c) for c in range(0x2066, 0x206A)}


def _clean(value: str) -> bool:
    """No control character, bidi control, line or paragraph separator,
    surrogate or non-character."""
    return not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in _INVISIBLE or 0xD800 <= ord(c) <= 0xDFFF
                   for c in value)


def text(value: str) -> bool:
    return _clean(value) and 1 <= len(value) <= 4096


def command(value: str) -> bool:
    return text(value) and not set(value) & set("\"'\\$#!{}") and len(value.encode()) <= 900


def secret_value(value: str) -> bool:
    """What a secret may hold anywhere: no control characters, separators,
    surrogates or non-characters (bidi controls are not shown, so allowed)."""
    return bool(value) and not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029\ufffe\uffff"
                                   or 0xD800 <= ord(c) <= 0xDFFF for c in value)


def vrrp_password(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9%&()*+,./:;<=>?@\[\]^_`|~-]{1,8}", value) is not None


def name(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}", value) is not None


def pacemaker_id(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]{0,127}", value) is not None


def interface(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_.-]{1,15}", value) is not None and value not in (".", "..")


def path(value: str) -> bool:
    return re.fullmatch(r"/[A-Za-z0-9_./@+:,-]*", value) is not None and "/../" not in value + "/" and len(value) <= 255


def url_path(value: str) -> bool:
    return re.fullmatch(r"/[!-~]{0,511}", value) is not None and not set(value) & set("\"#!$\\{};")


def host(value: str) -> bool:
    label = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    return re.fullmatch(rf"{label}(\.{label})*\.?", value) is not None and len(value) <= 253 \
        and not re.fullmatch(r"[0-9.]+", value)


def vip_label(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_.-]{1,15}:[A-Za-z0-9_.-]{1,14}", value) is not None
