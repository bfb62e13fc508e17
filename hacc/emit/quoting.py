"""Write one value as exactly one word of a target's syntax.

haproxy (configuration.txt section 2.2): outside quotes a backslash escapes
the next character; inside single quotes nothing is interpreted and a single
quote cannot appear; `#` starts a comment and whitespace separates words.
A word is written bare when it is plain, in single quotes when it holds no
single quote, and backslash-escaped otherwise. Empty words are never
written: haproxy 2.6 silently ends the argument list at an empty word.
"""

from __future__ import annotations

import re

_HAPROXY_PLAIN = re.compile(r"[A-Za-z0-9_.:/@%+,=\[\]()!|&*?^~<>{}-]+\Z")
_HAPROXY_ESCAPE = re.compile(r"""([ \t#\\'"])""")


def haproxy_word(text: str) -> str:
    if not text:
        raise ValueError("haproxy cannot hold an empty word")
    if _HAPROXY_PLAIN.match(text):
        return text
    if "'" not in text:
        return f"'{text}'"
    return _HAPROXY_ESCAPE.sub(r"\\\1", text)


def haproxy_unquote(line: str) -> list[str]:
    """Split a haproxy line into words the way haproxy does (for tests and
    for reading configs back); the inverse of `haproxy_word`."""
    words: list[str] = []
    current: list[str] = []
    in_word = False
    quote = None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == quote:
                quote = None
            elif quote == '"' and ch == "\\" and i + 1 < len(line):
                i += 1
                current.append(line[i])
            else:
                current.append(ch)
        elif ch in "'\"":
            quote = ch
            in_word = True
        elif ch == "\\" and i + 1 < len(line):
            i += 1
            current.append(line[i])
            in_word = True
        elif ch == "#":
            break
        elif ch in " \t":
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        else:
            current.append(ch)
            in_word = True
        i += 1
    if in_word:
        words.append("".join(current))
    return words
