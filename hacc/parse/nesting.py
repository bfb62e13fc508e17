"""Where a source nests too deeply, found before any parser recurses into it,
and offsets turned into positions as spans count them.

Both source forms are checked this way: `.ha` blocks (hacc.parse.parser)
and the arrays and objects of the JSON form (hacc.parse.json_source). Each
passes a pattern that matches its strings and comments whole, so brackets
inside them do not count.
"""

from __future__ import annotations

import re


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset`; lines end at `\\n` only, as
    Lark and every span count them."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def too_deep(text: str, pattern: re.Pattern, openers: str, closers: str, limit: int, give_up: int) -> int | None:
    """The offset of the first opening bracket (a character of `openers`)
    that nests deeper than `limit`, or None. Other matches of `pattern`
    (strings, comments) are skipped. After `give_up` openers the scan stops:
    the parser's own budget refuses such a file anyway."""
    depth = opened = 0
    for match in pattern.finditer(text):
        token = match.group()
        if token in openers:
            depth += 1
            opened += 1
            if opened > give_up:
                return None
            if depth > limit:
                return match.start()
        elif token in closers:
            depth = max(depth - 1, 0)
    return None
