"""Reading keepalived values the way keepalived does, into the model's
JSON values, reporting on the way what does not carry over.

keepalived reads most settings from their first word and ignores the rest
(reported here as a rewrite, since the rebuilt file leaves them out); a
value it rejects makes it keep its default, so the setting is reported lost.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from hacc.diagnostics.model import Span
from hacc.importing.log import ImportLog
from hacc.importing.readers.keepalived import quoted_escaped_words
from hacc.importing.readers.tree import Item, Word
from hacc.model import formats
from hacc.model.values import Duration

_SECONDS = re.compile(r"[0-9]+(\.[0-9]+)?\Z|\.[0-9]+\Z")
_INT = re.compile(r"[+-]?[0-9]+\Z")
TRUE_WORDS = {"yes": True, "on": True, "true": True, "no": False, "off": False, "false": False}


@dataclass
class Found:
    """A value read from one node's file: where, and how it was written
    (for messages); `parts` holds the spans of its elements (list index,
    dict key or relative JSON path)."""

    value: Any
    span: Span
    text: str = ""
    parts: dict = field(default_factory=dict)


def written(item: Item) -> str:
    """The item's head as written, for messages."""
    words = [item.keyword] + [f'"{w.text}"' if w.quoted else w.text for w in item.args]
    text = " ".join(words)
    return text if len(text) <= 80 else text[:77] + "..."


class Reading:
    """One node's file being read: the log, and the value readers."""

    def __init__(self, log: ImportLog, node: str) -> None:
        self.log = log
        self.node = node

    # -- reports ------------------------------------------------------------

    def unknown(self, item: Item, where: str) -> None:
        self.log.lost(item.head_span, f"`{item.keyword}` {where} has no equivalent in hacc: "
                      "it is not imported")

    def extra(self, item: Item, words: list[Word]) -> None:
        """Words keepalived reads past and ignores (K36)."""
        if words:
            first, last = words[0].span, words[-1].span
            span = Span(first.file, first.line, first.col, last.end_line, last.end_col) \
                if (first.file, first.line) == (last.file, last.line) else first
            self.log.rewrote(span, f"keepalived ignores these words after `{item.keyword}`: they are left out",
                             help="remove them")

    def no_block(self, item: Item) -> bool:
        if item.block is not None:
            self.log.lost(item.span, f"`{item.keyword}` takes no block: the block is not imported")
            return False
        return True

    def block(self, item: Item) -> list[Item]:
        """The entries of a block keyword (`virtual_ipaddress { ... }`)."""
        self.extra(item, item.args)
        if item.block is None:
            self.log.lost(item.head_span, f"`{item.keyword}` has no block: keepalived reads no entries, "
                          "and nothing is imported", help=f"write `{item.keyword} {{ ... }}`")
            return []
        return item.block

    def rejected(self, word: Word | Item, text: str, reason: str) -> None:
        span = word.span if isinstance(word, Word) else word.head_span
        self.log.lost(span, f"{text}: {reason}, so it is not imported",
                      help="correct the value (keepalived falls back to its default)")

    def named(self, item: Item, what: str, known: dict) -> str | None:
        """The name of `vrrp_instance NAME {`, or None after reporting."""
        if not item.args or item.block is None:
            self.log.lost(item.head_span, f"`{item.keyword}` needs a name and a block: it is not imported")
            return None
        self.extra(item, item.args[1:])
        name = item.args[0].text
        if self.checked(item, item.args[0], formats.check_name, f"{what} name") is None:
            return None
        if name in known:
            self.log.lost(item.head_span, f"a second {what} `{name}` in one file: keepalived refuses it, and it "
                             "is not imported", help="rename or remove one of them")
            return None
        return name

    # -- values -------------------------------------------------------------

    def word(self, item: Item) -> Word | None:
        """The first argument; later ones are reported as ignored."""
        if not item.args:
            self.log.lost(item.head_span, f"`{item.keyword}` has no value: keepalived refuses it, and it is "
                          "not imported", help="give it a value")
            return None
        self.extra(item, item.args[1:])
        self.no_block(item)
        return item.args[0]

    def flag(self, item: Item) -> bool:
        """A keyword without value (`nopreempt`)."""
        self.extra(item, item.args)
        self.no_block(item)
        return True

    def integer(self, item: Item, low: int, high: int) -> Found | None:
        word = self.word(item)
        if word is None:
            return None
        if not _INT.match(word.text) or not low <= int(word.text) <= high:
            self.rejected(word, f"`{item.keyword} {word.text}`", f"keepalived takes a number from {low} to {high}")
            return None
        return Found(int(word.text), word.span, written(item))

    def choice(self, item: Item, allowed: dict[str, Any]) -> Found | None:
        word = self.word(item)
        if word is None:
            return None
        if word.text not in allowed:
            names = ", ".join(f"`{a}`" for a in allowed)
            self.rejected(word, f"`{item.keyword} {word.text}`", f"hacc takes {names}")
            return None
        return Found(allowed[word.text], word.span, written(item))

    def duration(self, item: Item) -> Found | None:
        """keepalived's timers are seconds, with decimals."""
        word = self.word(item)
        if word is None:
            return None
        value = seconds(word.text)
        if value is None:
            self.rejected(word, f"`{item.keyword} {word.text}`", "it is not a number of seconds hacc can write")
            return None
        return Found(value, word.span, written(item))

    def checked(self, item: Item, word: Word, check, what: str) -> Found | None:
        """A word that must pass one of the schema's format checks."""
        try:
            check(word.text)
        except ValueError as error:
            self.rejected(word, f"the {what} `{word.text}`", str(error).split(": ", 1)[-1])
            return None
        return Found(word.text, word.span, written(item))

    def command(self, item: Item) -> Found | None:
        """`script`, `notify_*`, `misc_path`: keepalived re-reads the line
        with quotes and escapes, takes its second word, and splits that into
        the program's arguments (lib/notify.c set_script_params_array)."""
        words = quoted_escaped_words(getattr(item, "line", "")) or []
        if len(words) < 2:
            self.log.lost(item.head_span, f"`{item.keyword}` has no command keepalived can read: it is not imported",
                          help="write the command in double quotes")
            return None
        argv = quoted_escaped_words(words[1])
        if not argv:
            self.log.lost(item.head_span, f"`{item.keyword}` has an empty command: it is not imported")
            return None
        command = " ".join(argv)
        span = item.args[0].span if item.args else item.head_span
        if any(not arg or any(c in arg for c in " \t\n") for arg in argv):
            self.log.lost(span, f"an argument of the `{item.keyword}` command holds a space: hacc writes commands "
                          "split at spaces, so it is not imported")
            return None
        try:
            formats.check_command(command)
        except ValueError as error:
            self.log.lost(span, f"the `{item.keyword}` command cannot be written by hacc ({error}): "
                          "it is not imported", help="wrap the command in a script without those characters")
            return None
        return Found(command, span, written(item), {"extra": words[2:]})


def seconds(text: str) -> str | None:
    """`1.5` (seconds) -> `1500ms`, in hacc's canonical duration spelling."""
    if not _SECONDS.match(text):
        return None
    try:
        ms = Decimal(text) * 1000
    except InvalidOperation:
        return None
    if ms != ms.to_integral_value() or ms > 10**12:
        return None
    return Duration(int(ms)).text()


def address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text)) if "%" not in text else None
    except ValueError:
        return None


def endpoint(host: str, port: str) -> str | None:
    """keepalived's `IP PORT` as the model's `IP:PORT` (`[IPv6]:PORT`)."""
    ip = address(host)
    if ip is None or not (port.isascii() and port.isdigit()) or len(port) > 5 or not 1 <= int(port) <= 65535:
        return None
    return f"[{ip}]:{int(port)}" if ":" in ip else f"{ip}:{int(port)}"
