"""Damaged inputs for the fuzzers: the seeds and the operations that damage them.

The seeds (corpora) are every `.ha` text the repository holds (examples,
rule fixtures, lint fixtures, doc snippets) and the import cases (golden
trees, the import corpus, the article). `mutated` damages one seed by a
short list of operations: bit and byte flips, token deletion and
duplication, token swaps, line duplication, truncation, insertion of syntax
characters, of hostile Unicode (NUL, C0/C1 controls, bidi controls, line and
paragraph separators, zero-width characters, astral characters, lone
surrogates) and of invalid UTF-8 bytes, splices of other corpus files, and
replacement of a word by an edge value (VALUES) or by another word of the
corpus, which keeps the syntax and so reaches the model, the checks and the
emitters. Every operation takes its position as a fraction of the input, so
Hypothesis shrinks a failure to the fewest, smallest operations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent

# -- corpora ---------------------------------------------------------------------------------------


def _doc_snippets() -> list[str]:
    snippets = re.findall(r"```ha\n(.*?)```", (ROOT / "docs" / "language.md").read_text(), re.DOTALL)
    for page in sorted((ROOT / "docs" / "rules").glob("*.md")):
        snippets += re.findall(r"```\n(.*?)```", page.read_text(), re.DOTALL)
    return [s for s in snippets if s.strip()]


def ha_corpus() -> dict[str, bytes]:
    """Every `.ha` text the repository holds: name -> bytes."""
    corpus: dict[str, bytes] = {}
    for pattern in ("examples/*.ha", "tests/rules/*/*.ha", "tests/lint/*.ha"):
        for path in sorted(ROOT.glob(pattern)):
            corpus[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    for index, snippet in enumerate(_doc_snippets()):
        corpus[f"docs#{index}"] = snippet.encode()
    return corpus


IMPORT_FILES = ("corosync.conf", "keepalived.conf", "haproxy.cfg", "cib.xml", ".conf")


def import_cases() -> dict[str, Path]:
    """Directories laid out as `hacc import --node` expects (NODE/etc/...,
    and cib.xml at the top): the golden trees, the import corpus, the article."""
    cases: dict[str, Path] = {}
    for root in sorted((ROOT / "golden").iterdir()):
        if root.is_dir():
            cases[f"golden/{root.name}"] = root
    for root in sorted((ROOT / "tests" / "import" / "corpus").iterdir()):
        if root.is_dir():
            cases[f"corpus/{root.name}"] = root
    for root in ("lb", "pacemaker"):
        cases[f"article/{root}"] = ROOT / "tests" / "import" / "article" / root
    return cases


def case_files(root: Path) -> list[str]:
    """The files of an import case that an import reads, relative to it."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and p.name.endswith(IMPORT_FILES) and p.name != "case.toml")


# -- mutations -------------------------------------------------------------------------------------

HOSTILE = [
    "\x00", "\r", "\r\n", "\t", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\xa0", "\u2028", "\u2029",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e",
    "\u200f", "\u061c", "\u200b", "\u200d", "\ufeff", "\ufffd", "\u0301", "\uff5b", "\uff5d", "\uff1b",
    "\U0001f600", "\U0010ffff", "é", "ß", "İ", "中", "\ud800", "\udfff", "\udcff",
]
SYNTAX = [
    "{", "}", ";", "=", '"', "'", "#", "\\", ":", "/", "[", "]", "!", "$", "@", "\n", " ", "{ }", '""',
    "secret:", "secret:X", '"secret:X"', "include ", 'include "x.ha"', "-", "-1", "0", "99999999999999999999",
    "1e9", "0x10", "INFINITY", "-INFINITY", "1.5s", "0ms", "::", "[::1]:80", "*:80", "255.255.255.255", "/32",
    "\\x00", "\\u{202e}", "\\u{110000}", "\\", "<", ">", "&", "]]>", "<!--", "<!DOCTYPE x>", "&amp;", "&#0;",
]
RAW_BYTES = [b"\xff", b"\xfe", b"\xc3", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x80", b"\x80"]
TOKEN = re.compile(rb"\s+|[{};=\"'#<>/]|[^\s{};=\"'#<>/]+")

OPERATIONS = ("flip", "byte", "delete", "duplicate", "swap", "line", "truncate", "syntax", "unicode", "raw",
              "splice", "cut", "word")
# Values a word may be replaced with ("word"): the edges of what positions
# take. Replacing a word keeps the syntax, so the input reaches the model,
# the checks and the emitters instead of stopping at the parser.
VALUES = [
    "-1", "0", "1", "255", "256", "65535", "65536", "-2147483649", "99999999999999999999", "1e9", "0x10", "1.5",
    "INFINITY", "-INFINITY", "+INFINITY", "0s", "0ms", "1ms", "1.5s", "999999999d", "-5s", "yes", "no", "on", "true",
    "none", "::", "::1", "0.0.0.0", "255.255.255.255", "10.0.0.1/33", "10.0.0.1/0", "fe80::1%eth0", "*:0", ":65536",
    "[::1]:80", "[::1]", "10.0.0.1:", "secret:X", "secret:", "secret:a-b", "a" * 70, "é", "-", "--x", "MASTER",
    "BACKUP", "Promoted", "Stopped", "http", "tcp", "misc", "knet", "udp", "ocf:heartbeat:IPaddr2", "stonith:x",
    "ocf::", "/", "/dev/null", "../../etc/passwd", "x=y", "a,b", "if", "unless", "!", "||",
]
WORD = re.compile(rb"[^\s{};=\"'#<>/][^\s{};\"'#<>]*")
_WORDS: dict[tuple, list[bytes]] = {}


def _corpus_words(corpus: list[bytes]) -> list[bytes]:
    key = (id(corpus[0]), len(corpus)) if corpus else (0, 0)
    if key not in _WORDS:
        _WORDS[key] = sorted({w for data in corpus for w in WORD.findall(data) if len(w) < 80})[:5000] or [b"x"]
    return _WORDS[key]


@dataclass(frozen=True)
class Mutation:
    op: str
    where: float  # a fraction of the input's length: shrinks towards its start
    other: float  # a second fraction (the source of a copy, a swap partner, a bit)
    payload: str | bytes = ""

    def apply(self, data: bytes) -> bytes:
        def at(fraction: float, length: int) -> int:
            return min(int(fraction * (length + 1)), length)

        pos = at(self.where, len(data))
        if self.op == "flip" and data:
            pos = min(pos, len(data) - 1)
            return data[:pos] + bytes([data[pos] ^ (1 << int(self.other * 8) % 8)]) + data[pos + 1:]
        if self.op == "byte" and data:
            pos = min(pos, len(data) - 1)
            return data[:pos] + bytes([int(self.other * 256) % 256]) + data[pos + 1:]
        if self.op == "truncate":
            return data[:pos]
        if self.op == "cut":  # a range removed
            end = at(self.other, len(data))
            return data[:min(pos, end)] + data[max(pos, end):]
        if self.op in ("syntax", "unicode"):
            return data[:pos] + str(self.payload).encode("utf-8", "surrogatepass") + data[pos:]
        if self.op in ("raw", "splice"):
            return data[:pos] + bytes(self.payload) + data[pos:]
        if self.op == "word":  # one word replaced by another: the syntax survives
            words = [m for m in WORD.finditer(data)]
            if not words:
                return data
            m = words[min(at(self.where, len(words)), len(words) - 1)]
            replacement = self.payload if isinstance(self.payload, bytes) else self.payload.encode()
            return data[:m.start()] + replacement + data[m.end():]
        if self.op == "line":
            lines = data.split(b"\n")
            lines.insert(at(self.where, len(lines)), lines[min(at(self.other, len(lines)), len(lines) - 1)])
            return b"\n".join(lines)
        tokens = TOKEN.findall(data)
        if not tokens:
            return data
        index = min(at(self.where, len(tokens)), len(tokens) - 1)
        other = min(at(self.other, len(tokens)), len(tokens) - 1)
        if self.op == "delete":
            del tokens[index]
        elif self.op == "duplicate":
            tokens.insert(other, tokens[index])
        elif self.op == "swap":
            tokens[index], tokens[other] = tokens[other], tokens[index]
        return b"".join(tokens)


_fraction = st.floats(min_value=0.0, max_value=1.0, exclude_max=True, allow_nan=False)


def mutations(corpus: list[bytes], operations=OPERATIONS) -> st.SearchStrategy[Mutation]:
    def payload(op: str):
        if op == "word":
            return st.one_of(st.sampled_from(VALUES), st.sampled_from(_corpus_words(corpus)))
        if op == "syntax":
            return st.sampled_from(SYNTAX)
        if op == "unicode":
            return st.one_of(st.sampled_from(HOSTILE), st.characters(codec=None), st.text(min_size=1, max_size=4))
        if op == "raw":
            return st.one_of(st.sampled_from(RAW_BYTES), st.binary(min_size=1, max_size=3))
        if op == "splice":
            return st.tuples(st.sampled_from(corpus), _fraction, st.integers(1, 120)).map(
                lambda t: t[0][int(t[1] * len(t[0])):][: t[2]])
        return st.just("")

    return st.sampled_from(operations).flatmap(
        lambda op: st.builds(Mutation, st.just(op), _fraction, _fraction, payload(op)))


@st.composite
def mutated(draw, corpus: dict[str, bytes], max_operations: int = 5, operations=OPERATIONS) -> tuple[str, bytes]:
    """(seed name, damaged bytes) from one corpus entry."""
    names = sorted(corpus)
    name = draw(st.sampled_from(names))
    data = corpus[name]
    seeds = [corpus[n] for n in names]
    for mutation in draw(st.lists(mutations(seeds, operations), min_size=1, max_size=max_operations)):
        data = mutation.apply(data)
    return name, data


def text_of(data: bytes) -> str:
    """Bytes as the str an API caller could pass: invalid UTF-8 survives as
    lone surrogates (surrogateescape), as os.fsdecode would produce."""
    return data.decode("utf-8", "surrogateescape")
