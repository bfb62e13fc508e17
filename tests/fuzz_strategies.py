"""Strategies and harness for tests/test_fuzz.py.

Two families of inputs:

- **Mutations** (`mutated`): a seed file from a corpus (examples, rule
  fixtures, lint fixtures, doc snippets, golden outputs, the import corpus)
  damaged by a short list of operations: bit and byte flips, token deletion
  and duplication, token swaps, line duplication, truncation, insertion of
  syntax characters, of hostile Unicode (NUL, C0/C1 controls, bidi controls,
  line and paragraph separators, zero-width characters, astral characters,
  lone surrogates) and of invalid UTF-8 bytes, splices of other corpus
  files, and replacement of a word by an edge value (VALUES) or by another
  word of the corpus, which keeps the syntax and so reaches the model, the
  checks and the emitters. Every operation takes its position as a fraction
  of the input, so Hypothesis shrinks a failure to the fewest, smallest
  operations.
- **Valid clusters** (`clusters`): coherent `.ha` files covering the whole
  language, generated from a plan in which every reference resolves, ids,
  addresses, VRIDs, VIPs and priorities are unique, and the values respect
  what each daemon checks (see `Plan`). Each comes with the secret values it
  needs. `schema_paths` and `reached` measure which settings of the
  language (the schema of the JSON form) the clusters used.

`budget` bounds the time one input may take.
"""

from __future__ import annotations

import functools
import random
import re
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent

# -- the per-input time budget -------------------------------------------------------------------

SOFT_SECONDS = 2.0  # asserted: no single input may use more CPU time
HARD_SECONDS = 30.0  # SIGALRM, wall clock: a real hang is interrupted instead of stalling the run
# The soft budget counts CPU time, not wall time: on a shared machine, under
# `nice`, a 0.2 s input once took 6 s of wall time in the long run, and
# Hypothesis could not reproduce the failure. A slow or looping input burns
# CPU time wherever it runs; one that blocks is stopped by the alarm.


class Hang(Exception):
    """Raised by the alarm when one input runs past HARD_SECONDS."""


@contextmanager
def budget(what: str, seconds: float = SOFT_SECONDS):
    """Run the block under a hard alarm and assert it used under `seconds`
    of CPU time."""

    def ring(signum, frame):
        raise Hang(f"{what} ran for more than {HARD_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, HARD_SECONDS)
    start = time.process_time()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    used = time.process_time() - start
    assert used < seconds, f"{what} used {used:.2f} s of CPU time (budget {seconds} s)"


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


# -- what the language holds ---------------------------------------------------------------------------
#
# The JSON form is the language's meaning, and its schema lists every
# setting: a schema path such as `keepalived/instances/[]/track_scripts/[]/reverse`
# is one thing a `.ha` file can say. `[]` stands for a list item, `*` for a
# name the user chooses (a node in `priority`, a Pacemaker parameter).


def schema_paths() -> tuple[set[tuple], set[tuple]]:
    """(every path the schema allows, the paths of its blocks and
    statement kinds: objects, lists of objects, and `type` values such as
    `haproxy/sections/[]/type=userlist`)."""
    import json

    schema = json.loads((ROOT / "schemas" / "cluster.schema.json").read_text())
    defs = schema["$defs"]
    paths: set[tuple] = set()
    kinds: set[tuple] = set()
    active: list[str] = []  # the definitions being walked: recursion stops at a repeat

    def walk(node, path: tuple) -> None:
        if not isinstance(node, dict):
            return
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in active:
                active.append(name)
                walk(defs[name], path)
                active.pop()
        for key in ("oneOf", "anyOf", "allOf"):
            for sub in node.get(key, []):
                walk(sub, path)
        for key in ("then", "else"):
            walk(node.get(key), path)
        if node.get("properties") and path:
            kinds.add(path)
        for key, sub in node.get("properties", {}).items():
            paths.add(path + (key,))
            if key == "type" and isinstance(sub, dict):
                for value in sub.get("enum", [sub.get("const")] if "const" in sub else []):
                    kinds.add(path + (f"type={value}",))
            walk(sub, path + (key,))
        for sub in [node.get("additionalProperties"), *node.get("patternProperties", {}).values()]:
            if isinstance(sub, dict):
                paths.add(path + ("*",))
                walk(sub, path + ("*",))
        if isinstance(node.get("items"), dict):
            walk(node["items"], path + ("[]",))

    walk(schema, ())
    paths.discard(("$schema",))  # the JSON form's own header, not something a .ha file says
    # `type=` values sit on the object they type: count them as kinds only
    return paths, {k for k in kinds if not k[-1].startswith("type=") or k[:-1] in kinds}


def reached(data, schema: set[tuple], out: set[tuple], prefix: tuple = ()) -> None:
    """Add to `out` the schema paths (as `schema_paths` spells them) that a
    JSON form uses."""
    if isinstance(data, dict):
        if prefix:
            out.add(prefix)
        for key, value in data.items():
            path = prefix + (key,)
            if path not in schema and prefix + ("*",) in schema:
                path = prefix + ("*",)
            out.add(path)
            if key == "type" and isinstance(value, str):
                out.add(prefix + (f"type={value}",))
            reached(value, schema, out, path)
    elif isinstance(data, list):
        for value in data:
            reached(value, schema, out, prefix + ("[]",))


# -- valid clusters ----------------------------------------------------------------------------------
#
# A cluster is drawn as a plan first (nodes and their addresses, then each
# layer choosing among what the earlier choices allow), and written out as
# statements with a random but valid layout. The plan keeps the invariants
# hacc's error-level rules and the daemons demand, so no example is thrown
# away: unique names, ids, addresses, VRIDs, VIPs, ports and priorities;
# references that resolve; one address family per corosync link and per
# VRRP instance; tracker weights that can move a VIP; order constraints that
# follow one topological order; modes that agree along every route.


@dataclass
class S:
    """One statement: keyword, arguments (already written as words or
    quoted strings), and an optional block."""

    keyword: str | None
    args: list[str] = field(default_factory=list)
    block: list[S] | None = None


COMMENTS = ["", "# note", "# é — fine", "# a { b } ; c", "# TODO: check", "#"]


def render(statements: list[S], rnd) -> str:
    """The statements as `.ha` text, in a layout drawn from `rnd`."""
    unit = rnd.choice(["    ", "  ", "\t"])
    out: list[str] = []

    def inline(stmt: S) -> str:
        head = " ".join(([stmt.keyword] if stmt.keyword else []) + stmt.args)
        if stmt.block is None:
            return head
        if not stmt.block:
            return head + " { }"
        return head + " { " + "; ".join(inline(s) for s in stmt.block) + " }"

    def leafy(stmt: S) -> bool:
        return stmt.block is not None and all(s.block is None for s in stmt.block) and len(stmt.block) <= 4

    def emit(stmts: list[S], depth: int) -> None:
        pad = unit * depth
        index = 0
        while index < len(stmts):
            stmt = stmts[index]
            comment = rnd.choice(COMMENTS) if rnd.random() < 0.1 else ""
            if rnd.random() < 0.05:
                out.append("")
            if stmt.block is not None and stmt.block and not (leafy(stmt) and rnd.random() < 0.35):
                head = " ".join(([stmt.keyword] if stmt.keyword else []) + stmt.args)
                out.append(f"{pad}{head} {{" + (f"  {comment}" if comment else ""))
                emit(stmt.block, depth + 1)
                out.append(f"{pad}}}")
            elif stmt.block is None and index + 1 < len(stmts) and stmts[index + 1].block is None and rnd.random() < 0.15:
                out.append(f"{pad}{inline(stmt)}; {inline(stmts[index + 1])}" + (f"  {comment}" if comment else ""))
                index += 1
            else:
                out.append(f"{pad}{inline(stmt)}" + (f"  {comment}" if comment else ""))
            index += 1

    emit(statements, 0)
    newline = "\r\n" if rnd.random() < 0.05 else "\n"  # the grammar ends lines at either
    return newline.join(out) + newline


def q(text: str) -> str:
    """A quoted `.ha` string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dur(ms: int, rnd=None) -> str:
    """A duration in one of the units that divide it exactly."""
    choices = [f"{ms}ms"]
    if ms % 1000 == 0:
        choices.append(f"{ms // 1000}s")
    if ms % 60000 == 0 and ms:
        choices.append(f"{ms // 60000}m")
    if ms == 0:
        choices.append("0")
    return rnd.choice(choices) if rnd is not None else choices[-1]


@dataclass
class Node:
    name: str
    id: int | None
    addrs: list[str]
    interface: str
    attributes: dict[str, str]
    unicast_src: str | None = None
    votes: int | None = None
    router_id: str | None = None


@dataclass
class Generated:
    text: str
    secrets: dict[str, str]
    nodes: list[Node]
    layers: tuple[str, ...]
    files: dict[str, str] = field(default_factory=dict)  # included files, by path

    def __repr__(self) -> str:  # Hypothesis prints this for a failing example
        included = "".join(f"--- {name}\n{text}" for name, text in self.files.items())
        return f"Generated(layers={self.layers}, secrets={self.secrets!r})\n{self.text}{included}"


# Names built from character strategies: st.from_regex draws the same
# shapes at several times the cost, and generation is most of a run's time.
_LOWER, _DIGITS = "abcdefghijklmnopqrstuvwxyz", "0123456789"
_NAME = st.builds(lambda head, body, tail: head + body + (f"-{tail}" if tail else ""),
                  st.sampled_from(_LOWER), st.text(_LOWER + _DIGITS, max_size=5),
                  st.text(_LOWER + _DIGITS, max_size=3))  # [a-z][a-z0-9]{0,5}(-[a-z0-9]{1,3})?
_IDENT = st.builds(str.__add__, st.sampled_from(_LOWER + _LOWER.upper() + "_"),
                   st.text(_LOWER + _LOWER.upper() + _DIGITS + "_", max_size=6))  # [A-Za-z_][A-Za-z0-9_]{0,6}
_CLUSTER_NAME = st.builds(str.__add__, st.sampled_from(_LOWER), st.text(_LOWER + _DIGITS + "_-", max_size=14))
IFACES = ["eth0", "eth1", "ens3", "bond0", "enp1s0", "br-lan", "vlan.10"]
SITES = ["dc1", "dc2", "dc3"]
RACKS = ["r1", "r2", "r4"]
EXECUTABLES = ["/usr/bin/pidof haproxy", "/bin/true", "/usr/bin/test -e /run/haproxy.pid",
               "/usr/bin/killall -0 haproxy", "/bin/true --check=1,2 a:b"]
# A SHA-512 crypt(3) hash (of "fuzzpw"), as haproxy's `password` wants.
PASSWORD_HASH = "$6$fuzzsalt$O3L/zCRRbq9wwVFSC38/QMZ27Sunfq1tv3Cb13IHcaa6pUsV/PZOJq4X3eq6GpsSAFEgSaKvloXN7eNSi0bVj1"


class Names:
    """Unique names, drawn from a strategy, across one namespace."""

    def __init__(self, draw, strategy=_IDENT) -> None:
        self.draw, self.strategy, self.used = draw, strategy, set()

    def __call__(self, prefix: str = "") -> str:
        base = prefix + self.draw(self.strategy)
        name, n = base, 1
        while name.lower() in self.used:
            n += 1
            name = f"{base}{n}"
        self.used.add(name.lower())
        return name


_TWENTIETHS = st.sampled_from(range(20))


@functools.cache
def _index(length: int) -> st.SearchStrategy[int]:
    """A uniform choice among `length` (one strategy per length: building
    and validating a new sampled_from for each pick was a tenth of the time)."""
    return st.sampled_from(range(length))


class Plan:
    """The state a cluster is drawn with: pools of unique values."""

    def __init__(self, draw, rich: bool | None = None) -> None:
        self.draw = draw
        # Layout and shuffles come from a seeded generator (shrinks to seed 0);
        # optional features from `maybe`, which shrinks towards "leave it out".
        self.rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
        self.secrets: dict[str, str] = {}
        self.ids = Names(draw)  # Pacemaker ids, VRRP names, proxy names: one pool is simplest
        self.ports: set[int] = set()
        self.octets: set[int] = set()
        # One cluster in three is "rich": each optional feature gets a
        # second chance, so features nested under several optional ones
        # (a weighted track in a sync group with tracking_weight) turn up
        # within a few hundred clusters rather than thousands.
        self.rich = draw(_index(3)) == 2 if rich is None else rich

    def pick(self, items):
        items = list(items)
        return items[self.draw(_index(len(items)))]

    def maybe(self, p: float = 0.5) -> bool:
        # Probabilities are multiples of 5 %. A choice among 20 is drawn
        # uniformly, where st.integers(0, 999) leans towards small values and
        # made a `maybe(0.3)` come true one time in seven; it still shrinks
        # towards 0, "leave it out".
        threshold = round(20 * (1 - p))
        return self.draw(_TWENTIETHS) >= threshold or (self.rich and self.draw(_TWENTIETHS) >= threshold)

    def some(self, items, max_size: int) -> list:
        """A few of `items`, none twice; in a rich cluster, any number."""
        items = list(items)
        return self.draw(st.lists(st.sampled_from(items), max_size=len(items) if self.rich else max_size, unique=True))

    def port(self) -> int:
        port = self.draw(st.integers(1024, 65000).filter(lambda p: p not in self.ports))
        self.ports.add(port)
        return port

    def octet(self) -> int:
        value = self.draw(st.integers(1, 250).filter(lambda o: o not in self.octets))
        self.octets.add(value)
        return value

    def secret(self, prefix: str, value: str) -> str:
        name = f"{prefix}_{len(self.secrets) + 1}"
        self.secrets[name] = value
        return f"secret:{name}"


def _address(family: int, octet: int, host: int) -> str:
    return f"10.{octet}.0.{host}" if family == 4 else f"fd{octet:02x}::{host:x}"


@st.composite
def clusters(draw, rich: bool | None = None, every_layer: bool = False) -> Generated:
    """A valid cluster; `rich=True` makes every one rich (see Plan), and
    `every_layer=True` gives each a block for every layer."""
    plan = Plan(draw, rich)
    rnd = plan.rnd
    every = {"corosync", "pacemaker", "keepalived", "haproxy"}
    layers = set(every) if every_layer else draw(st.sets(st.sampled_from(sorted(every)), min_size=1))
    if "pacemaker" in layers:
        layers.add("corosync")
    transport = plan.pick(["knet", "knet", "knet", "udpu", "udp"]) if "corosync" in layers else "knet"
    count = draw(st.integers(1 if "pacemaker" not in layers else 2, 5))
    links = 1 if transport != "knet" else draw(st.integers(1, 3))
    families = [plan.pick([4, 4, 4, 6]) for _ in range(links)]
    if transport == "udp":
        families = [4]
    octets = [plan.octet() for _ in range(links)]
    names = draw(st.lists(_NAME, min_size=count, max_size=count, unique=True))
    ids = draw(st.lists(st.integers(1, 65535), min_size=count, max_size=count, unique=True))
    needs_ids = "pacemaker" in layers or transport == "knet" or 6 in families or plan.maybe(0.5)
    nodes = []
    for index, name in enumerate(names):
        attributes = {}
        if plan.maybe(0.6):
            attributes["site"] = SITES[index % 2] if plan.maybe(0.8) else plan.pick(SITES)
        if plan.maybe(0.4):
            attributes["rack"] = plan.pick(RACKS)
        nodes.append(Node(
            name=name,
            id=ids[index] if needs_ids else None,
            addrs=[_address(families[link], octets[link], index + 11) for link in range(links)],
            interface=plan.pick(IFACES[:4]),
            attributes=attributes,
            votes=1 if plan.maybe(0.2) else None,
            router_id=f"rid-{name}" if plan.maybe(0.15) else None,
        ))
    if families[0] == 4 and plan.maybe(0.15):  # the address VRRP adverts are sent from
        octet = plan.octet()
        for index, node in enumerate(nodes):
            node.unicast_src = _address(4, octet, index + 11)
    ctx = Context(plan, nodes, families, octets, transport, layers)
    body: list[S] = [node_statement(ctx, node) for node in nodes]
    if "corosync" in layers:
        body.append(corosync_block(ctx))
    if "pacemaker" in layers:
        body.append(pacemaker_block(ctx))
    if "keepalived" in layers:
        body.append(keepalived_block(ctx))
    if "haproxy" in layers:
        body.append(haproxy_block(ctx))
    if plan.maybe(0.3):  # the order of the layer blocks carries no meaning
        rnd.shuffle(body)
    cluster_name = draw(_CLUSTER_NAME)
    files = {}
    if plan.maybe(0.15):  # the nodes, or a layer, from an included file
        moved = [s for s in body if s.keyword == "node"] if plan.maybe() else [body[-1]]
        name = plan.pick(["nodes.ha", "parts/layer.ha"])
        files[name] = render(moved, rnd)
        at = body.index(moved[0])
        body = [s for s in body if s not in moved]
        body.insert(at, S("include", [q(name)]))
    text = render([S("cluster", [cluster_name], body)], rnd)
    if plan.maybe(0.2):
        text = "# generated by tests/fuzz_strategies.py\n" + text
    return Generated(text, plan.secrets, nodes, tuple(sorted(layers)), files)


@dataclass
class Context:
    plan: Plan
    nodes: list[Node]
    families: list[int]
    octets: list[int]
    transport: str
    layers: set
    vips: list[str] = field(default_factory=list)  # keepalived VIPs (address only)
    pcmk_ips: list[str] = field(default_factory=list)
    vip_host: int = 100
    pcmk_host: int = 200
    vrids: set = field(default_factory=set)
    strict: bool = False
    proxy_modes: list = field(default_factory=list)
    logging: bool = False

    @property
    def names(self) -> list[str]:
        return [n.name for n in self.nodes]

    def new_vip(self, family: int) -> str:
        self.vip_host += 1
        return _address(family, self.octets[0] if family == self.families[0] else self.plan.octet(), self.vip_host)

    def new_pcmk_ip(self) -> str:
        self.pcmk_host += 1
        self.pcmk_ips.append(_address(self.families[0], self.octets[0], self.pcmk_host))
        return self.pcmk_ips[-1]


def node_statement(ctx: Context, node: Node) -> S:
    plan = ctx.plan
    block = []
    if node.id is not None:
        block.append(S("id", [str(node.id)]))
    block += [S("addr", [a]) for a in node.addrs]
    block.append(S("interface", [node.interface]))
    if node.votes is not None:
        block.append(S("votes", [str(node.votes)]))
    if node.router_id is not None:
        block.append(S("router_id", [node.router_id]))
    if node.unicast_src is not None:
        block.append(S("unicast_src", [node.unicast_src]))
    if node.attributes:
        pairs = [f"{k}={v if plan.maybe(0.8) else q(v)}" for k, v in node.attributes.items()]
        block.append(S("attribute", pairs))
    if plan.maybe(0.2):  # the node block's order carries no meaning, but among `addr` lines (link order)
        addrs = iter([s for s in block if s.keyword == "addr"])
        plan.rnd.shuffle(block)
        block = [next(addrs) if s.keyword == "addr" else s for s in block]
    return S("node", [node.name], block)


# -- corosync ----------------------------------------------------------------------------------------


def corosync_block(ctx: Context) -> S:
    plan, rnd, n = ctx.plan, ctx.plan.rnd, len(ctx.nodes)
    block: list[S] = []
    knet = ctx.transport == "knet"
    if ctx.transport != "knet" or plan.maybe(0.3):
        block.append(S("transport", [ctx.transport]))
    if knet and plan.maybe(0.6):
        cipher = plan.pick(["aes256", "aes192", "aes128", "none"])
        hash_ = plan.pick(["sha256", "sha384", "sha512", "sha1"] + (["none", "md5"] if cipher == "none" else []))
        pairs = [f"cipher={cipher}", f"hash={hash_}"]
        if plan.maybe(0.3):
            pairs.append(f"model={plan.pick(['nss', 'openssl'])}")
        rnd.shuffle(pairs)
        block.append(S("crypto", pairs))
        if plan.maybe(0.3):
            block.append(S("keyfile", [plan.pick(["/etc/corosync/authkey", q("/etc/corosync/keys/cluster.key")])]))
    # totem timings, consistent with each other (corosync's own rules)
    token = plan.pick([1000, 3000, 5000, 10000]) if plan.maybe(0.6) else None
    coefficient = plan.pick([0, 650, 1000]) if plan.maybe(0.3) else None
    join = plan.pick([50, 60, 100]) if plan.maybe(0.3) else None
    effective = (token or 3000) + max(0, n - 2) * (650 if coefficient is None else coefficient)
    if token is not None:
        block.append(S("token", [dur(token, rnd)]))
    if coefficient is not None:
        block.append(S("token_coefficient", [dur(coefficient, rnd)]))
    if join is not None:
        block.append(S("join", [dur(join, rnd)]))
    if plan.maybe(0.3):
        block.append(S("consensus", [dur(int(effective * 1.2) // 100 * 100 + 100 * plan.pick([1, 5, 10]), rnd)]))
    simple = {
        "token_retransmits_before_loss_const": lambda: str(plan.pick([4, 10])),
        "merge": lambda: dur(plan.pick([200, 400]), rnd),
        "downcheck": lambda: dur(1000, rnd),
        "fail_recv_const": lambda: str(plan.pick([2500, 5000])),
        "seqno_unchanged_const": lambda: str(30),
        "max_network_delay": lambda: dur(50, rnd),
        "window_size": lambda: str(plan.pick([50, 100])),
        "max_messages": lambda: str(plan.pick([17, 20])),
        "miss_count_const": lambda: str(5),
        "send_join": lambda: dur(plan.pick([0, 10]), rnd),
        "clear_node_high_bit": lambda: plan.pick(["yes", "no"]),
        "block_unlisted_ips": lambda: plan.pick(["yes", "no", "on", "off"]),
        "cancel_token_hold_on_retransmit": lambda: plan.pick(["yes", "no"]),
        "config_version": lambda: str(plan.pick([1, 7, 2000])),
        "token_warning": lambda: str(plan.pick([75, 50])),
        "heartbeat_failures_allowed": lambda: str(plan.pick([0, 3])),
        "hold": lambda: dur(plan.pick([180, 200]), rnd),
        "token_retransmit": lambda: dur(plan.pick([250, 300]), rnd),
    }
    if knet:
        simple.update({
            "link_mode": lambda: plan.pick(["passive", "active", "rr"]),
            "knet_pmtud_interval": lambda: dur(plan.pick([30000, 60000]), rnd),
            "knet_compression_model": lambda: plan.pick(["zlib", "lz4"]),
            "ip_version": lambda: plan.pick(["ipv4-6", "ipv6-4"]),
            "knet_compression_threshold": lambda: str(plan.pick([100, 1000])),
            "knet_compression_level": lambda: str(plan.pick([1, 5])),
            "knet_mtu": lambda: str(plan.pick([1397, 1400])),
        })
    else:
        simple["netmtu"] = lambda: str(plan.pick([1500, 1400]))
        fam = ctx.families[0]
        simple["ip_version"] = lambda: "ipv4" if fam == 4 else "ipv6"
    for key in plan.some(sorted(simple), 5):
        block.append(S(key, [simple[key]()]))
    # links
    for number in range(len(ctx.families)):
        if not plan.maybe(0.35):
            continue
        options: list[S] = []
        if knet:
            if plan.maybe():
                options.append(S("knet_link_priority", [str(plan.pick([0, 1, 2, 10]))]))
            if plan.maybe():
                options.append(S("knet_ping_interval", [dur(500, rnd)]))
                options.append(S("knet_ping_timeout", [dur(2000, rnd)]))
            if plan.maybe(0.3):
                options.append(S("knet_ping_precision", [str(2048)]))
            if plan.maybe(0.3):
                options.append(S("knet_pong_count", [str(2)]))
            if plan.maybe(0.3):
                options.append(S("knet_transport", [plan.pick(["udp", "sctp"])]))
        else:
            if plan.maybe():
                options.append(S("mcastport", [str(plan.pick([5405, 5407]))]))
            if ctx.transport == "udp" and plan.maybe(0.3):
                options.append(S("broadcast", [plan.pick(["yes", "on"])]))  # instead of a multicast group
            elif ctx.transport == "udp" and plan.maybe():
                options.append(S("mcastaddr", [plan.pick(["239.255.1.1", "239.192.10.10"])]))
            if ctx.transport == "udp" and plan.maybe(0.4):
                options.append(S("ttl", [str(plan.pick([1, 4]))]))
            if ctx.transport == "udp" and plan.maybe(0.4):
                options.append(S("bindnetaddr", [f"10.{ctx.octets[0]}.0.0"]))
        block.append(S("link", [str(number)], options))
    # quorum
    quorum: list[S] = []
    two_node = n == 2 and plan.maybe(0.7)
    qdevice = not two_node and n >= 2 and plan.maybe(0.2)
    if two_node:
        quorum.append(S("two_node", [plan.pick(["yes", "true", "on"])]))
        if plan.maybe(0.3):
            quorum.append(S("wait_for_all", ["yes"]))
    elif qdevice:
        algorithm = plan.pick(["ffsplit", "lms"])
        device = [S("algorithm", [algorithm]), S("host", [plan.pick(["qnetd.example.com", "10.99.0.1", "qnetd"])])]
        options = {
            "model": lambda: "net",
            "port": lambda: str(plan.pick([5403, 5404])),
            "tls": lambda: plan.pick(["on", "off", "required"]),
            "tie_breaker": lambda: plan.pick(["lowest", "highest"]),
            "timeout": lambda: dur(plan.pick([10000, 20000]), rnd),
            "sync_timeout": lambda: dur(30000, rnd),
            "connect_timeout": lambda: dur(8000, rnd),
            "force_ip_version": lambda: plan.pick(["0", "4", "6"]),
            "votes": lambda: "1" if algorithm == "ffsplit" else str(n - 1),
        }
        for key in plan.some(sorted(options), 5):
            device.append(S(key, [options[key]()]))
        rnd.shuffle(device)
        quorum.append(S("qdevice", [], device))
        if plan.maybe(0.3):
            quorum.append(S("wait_for_all", ["yes"]))
    else:
        wait = plan.maybe(0.5)
        if wait:
            quorum.append(S("wait_for_all", ["yes"]))
        if plan.maybe(0.3):
            quorum.append(S("last_man_standing", ["yes"]))
            if plan.maybe():
                quorum.append(S("last_man_standing_window", [dur(plan.pick([10000, 20000]), rnd)]))
        if n != 2 and (wait or n % 2 == 0) and plan.maybe(0.3):
            quorum.append(S("auto_tie_breaker", ["yes"]))
            if plan.maybe():
                ids = [str(node.id) for node in ctx.nodes if node.id is not None]
                choice = plan.pick(["lowest", "highest"] + ([" ".join(ids[:2])] if ids else []))
                quorum.append(S("auto_tie_breaker_node", choice.split()))
        if plan.maybe(0.2):
            quorum.append(S("allow_downscale", ["yes"]))
    if plan.maybe(0.2):
        quorum.append(S("expected_votes", [str(sum(node.votes or 1 for node in ctx.nodes))]))
    if quorum or plan.maybe(0.2):
        block.append(S("quorum", [], quorum))
    # logging
    if plan.maybe(0.5):
        logging: list[S] = []
        options = {
            "to_syslog": lambda: plan.pick(["yes", "no"]),
            "to_stderr": lambda: plan.pick(["yes", "no"]),
            "logfile": lambda: plan.pick(["/var/log/corosync/corosync.log", q("/var/log/cluster/corosync.log")]),
            "timestamp": lambda: plan.pick(["on", "off", "hires"]),
            "debug": lambda: plan.pick(["on", "off", "trace"]),
            "fileline": lambda: plan.pick(["on", "off", "yes", "no"]),
            "function_name": lambda: plan.pick(["on", "off"]),
            "blackbox": lambda: plan.pick(["on", "off"]),
            "syslog_facility": lambda: plan.pick(["daemon", "local0", "local7"]),
            "syslog_priority": lambda: plan.pick(["info", "warning", "debug"]),
            "logfile_priority": lambda: plan.pick(["info", "err", "notice"]),
        }
        chosen = plan.some(sorted(options), 6)
        for key in chosen:
            logging.append(S(key, [options[key]()]))
        if plan.maybe(0.3):  # on needs a file to write to; off may stand beside a named one
            logging.append(S("to_logfile", ["no" if "logfile" not in chosen or plan.maybe() else "yes"]))
        block.append(S("logging", [], logging))
    rnd.shuffle(block) if plan.maybe(0.2) else None
    return S("corosync", [], block)


# -- pacemaker ---------------------------------------------------------------------------------------

# agent -> (parameter makers, promotable). Makers take (ctx, index).
AGENTS = {
    "ocf:heartbeat:IPaddr2": (lambda ctx, i: {"ip": ctx.new_pcmk_ip(), "cidr_netmask": "24" if ctx.families[0] == 4 else "64"}, False),
    "ocf:heartbeat:Dummy": (lambda ctx, i: {"state": f"/run/resource-agents/dummy-{i}.state"} if ctx.plan.maybe() else {}, False),
    "ocf:pacemaker:Dummy": (lambda ctx, i: {}, False),
    "ocf:heartbeat:Filesystem": (lambda ctx, i: {"device": f"/dev/vg0/lv{i}", "directory": f"/srv/data{i}",
                                                  "fstype": ctx.plan.pick(["xfs", "ext4"])}, False),
    "ocf:heartbeat:apache": (lambda ctx, i: {"configfile": f"/etc/apache2/site{i}.conf"} if ctx.plan.maybe() else {}, False),
    "ocf:heartbeat:nginx": (lambda ctx, i: {}, False),
    "ocf:pacemaker:ping": (lambda ctx, i: {"host_list": q("10.99.0.1 10.99.0.2"), "multiplier": "1000"}, False),
    "ocf:pacemaker:Stateful": (lambda ctx, i: {}, True),
    "ocf:heartbeat:pgsql": (lambda ctx, i: {}, True),
    "ocf:heartbeat:mysql": (lambda ctx, i: {}, True),
    "systemd:haproxy": (lambda ctx, i: {}, False),
    "systemd:postfix@-": (lambda ctx, i: {}, False),
    "lsb:cron": (lambda ctx, i: {}, False),
    "service:rsyslog": (lambda ctx, i: {}, False),
}
FENCE_AGENTS = {
    "stonith:fence_ipmilan": lambda ctx, node, i: {"ip": f"10.98.0.{i + 1}", "username": "admin",
                                                   "password": ctx.plan.secret("IPMI", _fence_password(ctx)),
                                                   "lanplus": "1"},
    "stonith:fence_xvm": lambda ctx, node, i: {"port": node or "vm"},
    "stonith:fence_sbd": lambda ctx, node, i: {"devices": "/dev/disk/by-id/sbd0"},
    "stonith:fence_apc_snmp": lambda ctx, node, i: {"ip": f"10.98.1.{i + 1}",
                                                    "pcmk_host_map": q(";".join(f"{n}:{k + 1}" for k, n in enumerate(ctx.names)))},
}
META = {
    "target-role": ["Started", "Stopped"],
    "migration-threshold": ["3", "1000000"],
    "resource-stickiness": ["100", "0", "INFINITY"],
    "failure-timeout": ["60s", "5m"],
    "priority": ["10", "0"],
    "is-managed": ["true", "false"],
}


def _fence_password(ctx: Context) -> str:
    return ctx.plan.draw(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), min_size=1, max_size=24)
                         | st.sampled_from(["hunter2", "p@ss w0rd", "<&>\"'", "é€ü"]))


@dataclass
class Resource:
    name: str
    kind: str  # primitive, fence, group, clone
    promotable: bool = False  # a primitive that can be promoted, or a promotable clone
    members: list[str] = field(default_factory=list)


def _ops(ctx: Context, promotable: bool) -> list[S]:
    plan, rnd = ctx.plan, ctx.plan.rnd
    ops = []
    if promotable:
        if plan.maybe(0.8):
            ops.append(S("op", ["monitor", f"interval={dur(15000, rnd)}", "role=Promoted", f"timeout={dur(60000, rnd)}"]))
            ops.append(S("op", ["monitor", f"interval={dur(16000, rnd)}", "role=Unpromoted", f"timeout={dur(60000, rnd)}"]))
    elif plan.maybe(0.8):
        attrs = [f"interval={dur(plan.pick([10000, 30000, 60000]), rnd)}", f"timeout={dur(plan.pick([20000, 60000]), rnd)}"]
        if plan.maybe(0.2):
            attrs.append(f"on-fail={plan.pick(['restart', 'block', 'ignore', 'stop'])}")
        if plan.maybe(0.1):
            attrs.append("OCF_CHECK_LEVEL=10")
        if plan.maybe(0.1):
            attrs.append(f"description={q('check it; {now} # really')}")
        for key, values in (("enabled", ["true", "false"]), ("record-pending", ["true"])):
            if plan.maybe(0.1):
                attrs.append(f"{key}={plan.pick(values)}")
        if plan.maybe(0.2):  # Pacemaker's schema takes one of the two (HA013)
            attrs.append(plan.pick(["start-delay=5s", "start-delay=0", "interval-origin=2024-01-01T03:00:00Z"]))
        ops.append(S("op", ["monitor"] + attrs))
    for action in ("start", "stop"):
        if plan.maybe(0.3):
            ops.append(S("op", [action, f"interval={plan.pick(['0', '0s'])}", f"timeout={dur(120000, rnd)}"]))
    return ops


def _params(ctx: Context, params: dict[str, str], inline: bool) -> tuple[list[str], list[S]]:
    pairs = [f"{k}={v}" for k, v in params.items()]
    if inline or not pairs:
        return pairs, []
    return [], [S(None, pairs)] if ctx.plan.maybe() else [S(None, [p]) for p in pairs]


def _meta(ctx: Context, promotable_clone: bool = False, clone: bool = False) -> dict[str, str]:
    plan = ctx.plan
    chosen = {}
    for key in plan.some(sorted(META), 2):
        chosen[key] = plan.pick(META[key])
    if clone:
        if plan.maybe(0.5):
            chosen["interleave"] = plan.pick(["true", "false"])
        if plan.maybe(0.3):
            chosen["clone-max"] = str(plan.pick(range(1, len(ctx.nodes) + 1)))
        if plan.maybe(0.3):
            chosen["notify"] = "true"
        if promotable_clone and plan.maybe(0.5):
            chosen["promoted-max"] = "1"
    return chosen


def pacemaker_block(ctx: Context) -> S:
    plan, rnd = ctx.plan, ctx.plan.rnd
    block: list[S] = []
    resources: list[Resource] = []
    fencing = plan.maybe(0.6)
    properties = {"stonith-enabled": "true" if fencing else "false"}
    extra = {
        "no-quorum-policy": ["stop", "freeze", "demote"] + (["ignore"] if len(ctx.nodes) != 2 else []),
        "symmetric-cluster": ["true", "false"],
        "cluster-recheck-interval": ["15min", "5m"],
        "start-failure-is-fatal": ["true", "false"],
        "maintenance-mode": ["false"],
        "placement-strategy": ["default", "utilization", "balanced"],
        "batch-limit": ["0", "30"],
    }
    if fencing:
        extra["stonith-timeout"] = ["60s", "120s"]
    for key in plan.some(sorted(extra), 3):
        properties[key] = plan.pick(extra[key])
    pairs = [f"{k}={v}" for k, v in properties.items()]
    if plan.maybe(0.3) and len(pairs) > 1:
        block += [S("property", [p]) for p in pairs]
    else:
        block.append(S("property", pairs))
    if plan.maybe(0.4):
        block.append(S("rsc_defaults", [f"resource-stickiness={plan.pick(['100', '0'])}"]
                       + ([f"migration-threshold={plan.pick(['3', '5'])}"] if plan.maybe() else [])))
    if plan.maybe(0.3):
        block.append(S("op_defaults", [f"timeout={plan.pick(['60s', '2m'])}"] + (["record-pending=true"] if plan.maybe() else [])))
    # fence devices
    devices: list[str] = []
    if fencing:
        per_node = plan.maybe(0.7)
        targets = [[node.name] for node in ctx.nodes] if per_node else [ctx.names]
        for index, target in enumerate(targets):
            agent = plan.pick(sorted(FENCE_AGENTS))
            name = ctx.plan.ids("fence-")
            devices.append(name)
            params = FENCE_AGENTS[agent](ctx, target[0] if per_node else None, index)
            if len(ctx.nodes) == 2 and index == 0 and plan.maybe(0.7):
                params["pcmk_delay_base"] = plan.pick(["5s", "10s"])
            args, inner = _params(ctx, params, plan.maybe(0.3))
            head = [name, agent] + (["for"] + target if plan.maybe(0.9) else []) + args
            if plan.maybe(0.2):
                inner.append(S("op", ["monitor", f"interval={dur(60000, rnd)}"]))
            block.append(S("fence", head, inner if inner or plan.maybe(0.3) else None))
            resources.append(Resource(name, "fence"))
    # primitives
    primitives: list[Resource] = []
    for index in range(plan.draw(st.integers(0 if fencing else 1, 6))):
        # promotable agents a quarter of the time: role options need them
        agent = plan.pick(sorted(a for a, (_, p) in AGENTS.items() if p) if plan.maybe(0.25) else sorted(AGENTS))
        maker, promotable = AGENTS[agent]
        name = ctx.plan.ids()
        params = maker(ctx, index)
        args, inner = _params(ctx, params, plan.maybe(0.4))
        meta = _meta(ctx)
        if meta:
            inner.append(S("meta", [f"{k}={v}" for k, v in meta.items()]))
        inner += _ops(ctx, promotable)
        if plan.maybe(0.2):
            rnd.shuffle(inner)
        block.append(S("resource", [name, agent] + args, inner if inner or plan.maybe(0.2) else None))
        resource = Resource(name, "primitive", promotable)
        primitives.append(resource)
        resources.append(resource)
    # groups, clones, promotable clones: each primitive in at most one container
    free = [r for r in primitives]
    rnd.shuffle(free)
    tops: list[Resource] = []
    while free:
        # a promotable agent is mostly run as a promotable clone, which role options need
        choice = "clone" if free[0].promotable and plan.maybe(0.7) else plan.pick(["top", "top", "group", "clone"])
        if choice == "group":
            members = free[: plan.draw(st.integers(1, min(3, len(free))))]
            free = free[len(members):]
            name = ctx.plan.ids("g-")
            meta = {"target-role": "Started"} if plan.maybe(0.2) else {}
            pairs = [f"{k}={v}" for k, v in meta.items()]
            inline = plan.maybe()
            group = S("group", [name] + [m.name for m in members] + (pairs if inline else []),
                      [S("meta", pairs)] if pairs and not inline else None)
            block.append(group)
            item = Resource(name, "group", members=[m.name for m in members])
            if plan.maybe(0.3):  # a cloned group
                item = _clone(ctx, block, item, promotable=False)
            tops.append(item)
        elif choice == "clone":
            inner = free.pop(0)
            tops.append(_clone(ctx, block, inner, promotable=inner.promotable and plan.maybe(0.8)))
        else:
            tops.append(free.pop(0))
    _constraints(ctx, block, tops, devices)
    return S("pacemaker", [], block)


def _clone(ctx: Context, block: list[S], inner: Resource, promotable: bool) -> Resource:
    plan = ctx.plan
    name = ctx.plan.ids("c-")
    meta = _meta(ctx, promotable_clone=promotable, clone=True)
    pairs = [f"{k}={v}" for k, v in meta.items()]
    inline = plan.maybe()
    block.append(S("promotable" if promotable else "clone", [name, inner.name] + (pairs if inline else []),
                   [S("meta", pairs)] if pairs and not inline else None))
    return Resource(name, "clone", promotable)


def _score(ctx: Context, positive: bool = True) -> str:
    value = ctx.plan.pick(["INFINITY", "100", "50", "+10", "1000"])
    return value if positive else "-" + value.lstrip("+")


def _constraints(ctx: Context, block: list[S], tops: list[Resource], devices: list[str]) -> None:
    plan, rnd = ctx.plan, ctx.plan.rnd
    constraints: list[S] = []
    order = list(tops)
    rnd.shuffle(order)  # every order constraint follows this order: no cycle
    rank = {r.name: i for i, r in enumerate(order)}
    names = [r.name for r in tops]
    attributes = sorted({k for node in ctx.nodes for k in node.attributes})
    colocated: set[frozenset] = set()
    for _ in range(plan.draw(st.integers(0, 6)) if tops else 0):
        kind = plan.pick(["prefers", "avoids", "rule", "colocation", "order", "colocation-set", "order-set"])
        name = ctx.plan.ids("con-")
        resource = plan.pick(tops)
        if kind in ("prefers", "avoids"):
            targets = plan.draw(st.lists(st.sampled_from(ctx.names), min_size=1, max_size=2, unique=True))
            words = [t if plan.maybe() else f"{t}={_score(ctx).lstrip('+')}" for t in targets]
            options = [f"resource-discovery={plan.pick(['always', 'never', 'exclusive'])}"] if plan.maybe(0.2) else []
            if resource.promotable and plan.maybe(0.4):
                options.append(f"role={plan.pick(['Promoted', 'Unpromoted'])}")
            constraints.append(S("location", [name, resource.name, kind] + words + options))
        elif kind == "rule":
            expressions = []
            for _ in range(plan.draw(st.integers(1, 3))):
                form = plan.pick(["uname", "unary"] + (["attr"] * 2 if attributes else []))
                if form == "uname":
                    expressions.append([q("#uname"), plan.pick(["eq", "ne"]), plan.pick(ctx.names)])
                elif form == "unary":
                    expressions.append([plan.pick(["defined", "not_defined"]), plan.pick(attributes or ["pingd"])])
                else:
                    attr = plan.pick(attributes)
                    values = sorted({n.attributes.get(attr, "x") for n in ctx.nodes})
                    expressions.append([attr, plan.pick(["eq", "ne", "lt", "gt", "lte", "gte"]), plan.pick(values)])
            joiner = plan.pick(["and", "or"])
            words = expressions[0]
            for expression in expressions[1:]:
                words = words + [joiner] + expression
            options = [f"score={_score(ctx, plan.maybe())}"] if plan.maybe(0.8) else []
            if resource.promotable and plan.maybe(0.3):
                options.append("role=Promoted")
            constraints.append(S("location", [name, resource.name, "rule"] + options + words))
        elif kind == "colocation" and len(tops) > 1:
            other = plan.pick([r for r in tops if r is not resource])
            pair = frozenset((resource.name, other.name))
            if pair in colocated:
                continue
            colocated.add(pair)
            options = [f"score={_score(ctx, plan.maybe(0.8))}"] if plan.maybe() else []
            if other.promotable and plan.maybe(0.5):
                options.append("with-rsc-role=Promoted")
            if resource.promotable and plan.maybe(0.5):
                options.append("rsc-role=Promoted")
            if plan.maybe(0.2):
                options.append(f"influence={plan.pick(['true', 'false'])}")
            if attributes and plan.maybe(0.1):
                options.append(f"node-attribute={plan.pick(attributes)}")
            constraints.append(S("colocation", [name, resource.name, "with", other.name] + options))
        elif kind == "order" and len(tops) > 1:
            first, then = sorted(plan.draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True)),
                                 key=rank.get)
            options = []
            order_kind = plan.pick(["Mandatory", "Optional", "Serialize", None])
            if order_kind:
                options.append(f"kind={order_kind}")
            if order_kind != "Serialize" and plan.maybe(0.2):
                options.append(f"symmetrical={plan.pick(['true', 'false'])}")
            by_name = {r.name: r for r in tops}
            if by_name[first].promotable and plan.maybe(0.6):
                options += ["first-action=promote", "then-action=start"]
            constraints.append(S("order", [name, first, "then", then] + options))
        elif kind in ("colocation-set", "order-set") and len(tops) > 1:
            chosen = sorted(plan.draw(st.lists(st.sampled_from(names), min_size=2, max_size=min(4, len(names)),
                                               unique=True)), key=rank.get)
            if kind == "colocation-set":
                if any(frozenset(p) in colocated for p in _pairs(chosen)):
                    continue
                colocated.update(frozenset(p) for p in _pairs(chosen))
            cut = plan.draw(st.integers(1, len(chosen) - 1)) if plan.maybe() else len(chosen)
            sets = [chosen[:cut], chosen[cut:]] if cut < len(chosen) else [chosen]
            lines = []
            by_name = {r.name: r for r in tops}
            for members in sets:
                options = []
                if plan.maybe(0.3):
                    options.append(f"sequential={plan.pick(['true', 'false'])}")
                if kind == "order-set" and plan.maybe(0.2):
                    options.append(f"require-all={plan.pick(['true', 'false'])}")
                promotable = all(by_name[m].promotable for m in members)
                if kind == "order-set" and plan.maybe(0.2):
                    options.append(f"action={plan.pick(['start', 'stop'] + (['promote', 'demote'] if promotable else []))}")
                if promotable and kind == "colocation-set" and plan.maybe(0.6):
                    options.append(f"role={plan.pick(['Promoted', 'Unpromoted'])}")
                if plan.maybe(0.1):
                    options.append(f"ordering={plan.pick(['group', 'listed'])}")
                lines.append(S("set", members + options))
            head = [name] + ([f"score={_score(ctx)}"] if kind == "colocation-set" and plan.maybe() else [])
            if kind == "order-set" and plan.maybe(0.3):
                head.append(f"kind={plan.pick(['Mandatory', 'Optional'])}")
            constraints.append(S(kind.split("-")[0], head, lines))
    # fencing topology
    if devices and plan.maybe(0.4):
        for node in ctx.nodes:
            for index in plan.draw(st.lists(st.integers(1, 9), min_size=1, max_size=2, unique=True)):
                chosen = plan.draw(st.lists(st.sampled_from(devices), min_size=1, max_size=2, unique=True))
                constraints.append(S("fencing_level", [node.name, str(index)] + chosen))
    block += constraints


def _pairs(items: list[str]):
    return [(a, b) for i, a in enumerate(items) for b in items[i + 1:]]


# -- keepalived --------------------------------------------------------------------------------------


@dataclass
class Script:
    name: str
    weight: int | None


def _vrrp_secret(ctx: Context) -> str:
    value = ctx.plan.draw(st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+@%",
                                  min_size=1, max_size=8))
    return ctx.plan.secret("VRRP", value)


def keepalived_block(ctx: Context) -> S:
    plan, rnd = ctx.plan, ctx.plan.rnd
    block: list[S] = []
    global_version = plan.pick([None, None, 2, 3])
    strict = plan.maybe(0.1)
    ctx.strict = strict
    global_opts = []
    if global_version:
        global_opts.append(S("vrrp_version", [str(global_version)]))
    if strict:
        global_opts.append(S("vrrp_strict", ["yes"]))
    if plan.maybe(0.2):
        # Only root: keepalived 2.2.7 -t kills itself after checking a script
        # as another user (it resets PR_SET_PDEATHSIG and then sees a parent
        # pid it never recorded), so other users cannot be judged here.
        global_opts.append(S("script_user", ["root"]))
    if plan.maybe(0.2):
        # `no` is HA316 (a warning), and keepalived -t then fails with a SECURITY VIOLATION
        global_opts.append(S("enable_script_security", ["yes"]))
    if global_opts or plan.maybe(0.1):
        block.append(S("global", [], global_opts))
    scripts: list[Script] = []
    for _ in range(plan.pick(range(4))):
        script = Script(ctx.plan.ids("chk_"), plan.pick([None, None, -100, -253]))
        options = []
        for key, values in (("interval", ["2s", "1s", "5s"]), ("timeout", ["1s", "3s"]), ("rise", ["2", "3"]),
                            ("fall", ["2", "3"]), ("user", ["root"])):
            if plan.maybe(0.4):
                options.append(f"{key}={plan.pick(values)}")
        if script.weight is not None:
            options.append(f"weight={script.weight}")
        rnd.shuffle(options)
        block.append(S("script", [script.name, q(plan.pick(EXECUTABLES))] + options))
        scripts.append(script)
    instances = []
    # uniform counts (st.integers leans to the small end): sync groups need two instances
    for _ in range(plan.pick(range(0 if plan.maybe(0.2) else 1, 5))):
        instances.append(ctx.plan.ids("VI_"))
    # sync groups first: members must not carry weighted trackers unless tracking_weight
    groups: list[tuple[str, list[str], bool]] = []
    pool = list(instances)
    rnd.shuffle(pool)
    while len(pool) >= 2 and plan.maybe(0.4):
        members = pool[: plan.draw(st.integers(2, len(pool)))]
        pool = pool[len(members):]
        groups.append((ctx.plan.ids("SG_"), members, plan.maybe(0.3)))
    unweighted = {m for _, members, weighted in groups if not weighted for m in members}
    # the instances of a sync group run on the same nodes (else a node would
    # get a group of one, which keepalived -t reports)
    runs_on = {}
    for _, members, _ in groups:
        nodes = _members(ctx)
        runs_on.update({m: nodes for m in members})
    for name in instances:
        block.append(_instance(ctx, name, scripts, global_version, strict, name in unweighted,
                               runs_on.get(name) or _members(ctx)))
    for name, members, weighted in groups:
        inner = []
        if weighted:
            inner.append(S("tracking_weight", ["yes"]))
        for event in plan.some(["master", "backup", "fault", "stop", "any"], 3):
            inner.append(S("notify", [event, q(f"{plan.pick(EXECUTABLES)} {event}")]))
        if scripts and plan.maybe(0.6):
            words = [plan.pick(scripts).name]
            if weighted and plan.maybe():  # a weight moves the whole group only with tracking_weight
                words.append(f"weight=-{plan.draw(st.integers(1, 253))}")
            if plan.maybe(0.2):
                words.append("reverse")
            inner.append(S("track", words))
        block.append(S("sync_group", [name] + members, inner or None))
    for _ in range(plan.pick(range(1, 3)) if plan.maybe(0.4) else 0):
        block.append(_virtual_server(ctx))
    if plan.maybe(0.2):
        rnd.shuffle(block)
    return S("keepalived", [], block)


def _members(ctx: Context) -> list[str]:
    plan = ctx.plan
    if plan.maybe(0.7):
        return ctx.names
    return plan.draw(st.lists(st.sampled_from(ctx.names), min_size=1, max_size=len(ctx.names), unique=True))


def _instance(ctx: Context, name: str, scripts: list[Script], global_version, strict: bool, in_group: bool,
              members: list[str]) -> S:
    plan, rnd = ctx.plan, ctx.plan.rnd
    family = ctx.families[0]
    version = global_version
    block: list[S] = [S("vrid", [str(plan.draw(st.integers(1, 255).filter(lambda v: v not in ctx.vrids)))])]
    ctx.vrids.add(int(block[0].args[0]))
    if family == 6 and version != 3:
        version = 3
        block.append(S("version", ["3"]))
    elif version is None and plan.maybe(0.2):
        version = plan.pick([2, 3])
        block.append(S("version", [str(version)]))
    version = version or 2
    if strict and family == 6:  # strict mode: an IPv6 instance's first VIP is link-local (HA324)
        block.append(S("vip", [f"fe80::1:{len(ctx.vrids):x}/64"]))
    for _ in range(plan.draw(st.integers(1, 3))):
        vip = ctx.new_vip(family)
        ctx.vips.append(vip)
        prefix = plan.pick(["", "/24", "/32"] if family == 4 else ["", "/64", "/128"])
        options = []
        if plan.maybe(0.15):
            dev = plan.pick(IFACES[:4])
            options.append(f"dev={dev}")
            if family == 4 and plan.maybe():
                options.append(f"label={dev}:{plan.pick(['vip', 'web', '1'])}")
        block.append(S("vip", [vip + prefix] + options))
    # who runs it, and with which priority
    priorities: dict[str, int]
    if members == ctx.names and len(members) <= 10 and plan.maybe(0.2):
        priorities = {n: 100 - 10 * i for i, n in enumerate(members)}  # the derived default
    else:
        values = plan.draw(st.lists(st.integers(1, 254), min_size=len(members), max_size=len(members), unique=True))
        priorities = dict(zip(members, values))
        block.append(S("priority", [f"{n}={p}" for n, p in priorities.items()]))
    ranked = sorted(priorities, key=lambda n: -priorities[n])
    gap = priorities[ranked[0]] - priorities[ranked[1]] if len(ranked) > 1 else 0
    auth = plan.pick(["pass", "ah"]) if version == 2 and not strict and plan.maybe(0.4) else None
    delayed = plan.maybe(0.2)
    if delayed:
        block.append(plan.pick([S("nopreempt"), S("preempt", ["no"])]
                               + ([] if strict else [S("preempt_delay", [plan.pick(["30s", "5s"])])])))
    if plan.maybe(0.2):
        if delayed or strict or auth == "ah":  # no MASTER there (HA309, HA324)
            block.append(S("state", ["BACKUP"]))
        elif len(members) == 1:
            block.append(S("state", [plan.pick(["MASTER", "BACKUP"])]))
        else:
            block.append(S("state", [f"{n}={'MASTER' if n == ranked[0] and plan.maybe() else 'BACKUP'}" for n in members]))
    if plan.maybe(0.2):
        block.append(S("interface", [plan.pick(IFACES[:4])]))
    elif plan.maybe(0.1):
        block.append(S("interface", [f"{n}={plan.pick(IFACES[:4])}" for n in members]))
    multicast = strict or plan.maybe(0.15)
    if multicast:
        block.append(S("multicast"))
    elif plan.maybe(0.15):
        octet = plan.octet()
        block.append(S("unicast_src", [f"{n}={_address(family, octet, 11 + ctx.names.index(n))}" for n in members]))
    advert = plan.pick(["1s", "2s", "3s"] + (["500ms", "1500ms", "250ms"] if version == 3 else []))
    if plan.maybe(0.6):
        block.append(S("advert", [advert]))
    if auth:
        block.append(S("auth", [f"{auth}={_vrrp_secret(ctx)}"]))
    # trackers: a negative weight must be able to move the VIP (HA313)
    for script in plan.draw(st.lists(st.sampled_from(scripts), max_size=2, unique_by=lambda s: s.name)) if scripts else []:
        words = [script.name]
        weight = None
        if in_group:
            if script.weight is not None:
                continue
        else:
            form = plan.pick(["inherit", "negative", "negative", "positive"])
            if form == "negative" and gap < 253:
                weight = -plan.draw(st.integers(gap + 1, 253))
            elif form == "positive":
                weight = plan.draw(st.integers(1, 253))
            if weight is not None:
                words.append(f"weight={weight}")
        effective = script.weight if weight is None else weight
        if (effective is not None and effective < 0 and -effective <= gap) or plan.maybe(0.05):
            words.append("reverse")
        block.append(S("track", words))
    if plan.maybe(0.2):
        # not an interface the instance runs on: keepalived ignores (and -t fails on) its own
        words = [plan.pick(IFACES[4:])]
        if not in_group and gap < 253 and plan.maybe():
            words.append(f"weight=-{plan.draw(st.integers(gap + 1, 253))}")
        if len(words) == 1 and plan.maybe(0.3):  # down means FAULT either way; reversed, up does
            words.append("reverse")
        block.append(S("track_interface", words))
    for event in plan.some(["master", "backup", "fault", "stop", "any"], 2):
        block.append(S("notify", [event, q(f"{plan.pick(EXECUTABLES)} {name} {event}")]))
    extras = {
        # `accept no` drops traffic to the VIPs, which haproxy may serve (HA507)
        # and strict mode resets `accept` (keepalived -t warns; hacc does not check it)
        "accept": lambda: S("accept", [plan.pick(["yes", "no"] if "haproxy" not in ctx.layers else ["yes"])]),
        "dont_track_primary": lambda: S("dont_track_primary"),
        "garp_master_delay": lambda: S("garp_master_delay", [plan.pick(["5s", "1s"])]),
        "garp_master_refresh": lambda: S("garp_master_refresh", [plan.pick(["60s", "0"])]),
    }
    if strict:
        del extras["accept"]
    for key in plan.some(sorted(extras), 2):
        block.append(extras[key]())
    head, rest = block[0], block[1:]
    vips = iter([s for s in rest if s.keyword == "vip"])
    rnd.shuffle(rest)  # order carries no meaning, but among the VIPs (the first is the primary)
    return S("vrrp", [name], [head] + [next(vips) if s.keyword == "vip" else s for s in rest])


def _virtual_server(ctx: Context) -> S:
    plan = ctx.plan
    address = plan.pick(ctx.vips) if ctx.vips and ctx.families[0] == 4 and plan.maybe() else f"172.31.{plan.octet()}.1"
    port = ctx.plan.port()
    protocol = plan.pick(["TCP", "TCP", "UDP"])
    block = [S("protocol", [protocol])] if plan.maybe(0.7) else []
    options = {
        "lvs_sched": lambda: plan.pick(["rr", "wrr", "lc", "wlc", "sh"]),
        "lvs_method": lambda: plan.pick(["DR", "NAT", "TUN"]),
        "delay_loop": lambda: plan.pick(["5s", "10s"]),
        "persistence_timeout": lambda: plan.pick(["5m", "300s"]),
        "connect_timeout": lambda: plan.pick(["3s", "5s"]),
        "retry": lambda: str(plan.pick([1, 3])),
        "delay_before_retry": lambda: plan.pick(["2s", "3s"]),
        "quorum": lambda: "1",
        "sorry_server": lambda: f"172.30.{plan.octet()}.9:{port}",
    }
    for key in plan.some(sorted(options), 7):
        block.append(S(key, [options[key]()]))
    octet = plan.octet()
    for index in range(plan.draw(st.integers(1, 3))):
        inline = []
        if plan.maybe(0.5):
            inline.append(f"weight={plan.pick([1, 100])}")
        if plan.maybe(0.2):
            inline.append("inhibit_on_failure=yes")
        checks = []
        for key, values in (("connect_timeout", ["3s", "5s"]), ("retry", ["2"]), ("delay_before_retry", ["1s"])):
            if plan.maybe(0.15):  # inline or a statement of its block
                value = plan.pick(values)
                if plan.maybe():
                    inline.append(f"{key}={value}")
                else:
                    checks.append(S(key, [value]))
        for _ in range(plan.pick(range(3))):
            kind = plan.pick(["tcp", "http", "https", "misc"] if protocol == "TCP" else ["misc"])
            words = [kind]
            if kind in ("http", "https"):
                words.append(f"path={plan.pick(['/', '/healthz', q('/a/b?c=d')])}")
                if plan.maybe():
                    words.append(f"status={plan.pick(['200', '200-299'])}")
                if plan.maybe(0.2):
                    words.append("digest=0123456789abcdef0123456789abcdef")
                if plan.maybe(0.3):
                    words.append("virtualhost=www.example.com")
            if kind == "misc":
                words.append(q(f"{plan.pick(EXECUTABLES)} 172.31.{octet}.{index + 10}"))
                if plan.maybe(0.3):
                    words.append(f"timeout={plan.pick(['5s', '10s'])}")
                if plan.maybe(0.3):
                    words.append("dynamic")
            else:
                for key, values in (("connect_timeout", ["3s"]), ("connect_port", [str(port), "8080"]),
                                    ("retry", ["2"]), ("delay_before_retry", ["2s"]), ("delay_loop", ["10s"]),
                                    ("connect_ip", [f"172.31.{octet}.{index + 10}"])):
                    if plan.maybe(0.3):
                        words.append(f"{key}={plan.pick(values)}")
            checks.append(S("check", words))
        block.append(S("real_server", [f"172.31.{octet}.{index + 10}:{port}"] + inline, checks or None))
    return S("virtual_server", [f"{address}:{port}"], block)


# -- haproxy -----------------------------------------------------------------------------------------

ACLS = {
    "http": [["path_beg", "/api", "/v2"], ["path_end", ".jpg", ".png"], ["hdr(host)", "-i", "example.com"],
             ["method", "GET", "POST"], ["src", "10.0.0.0/8"], ["always_true"], ["ssl_fc"],
             ["hdr_sub(user-agent)", "-i", "bot"], ["path", "-m", "beg", q("/a b")]],
    "tcp": [["src", "10.0.0.0/8", "192.168.0.0/16"], ["dst_port", "80"], ["always_true"], ["src_port", "1024:65535"]],
}
TIMEOUTS = ["client", "connect", "server"]
# A self-signed certificate that the fuzz tests create before judging (`ssl crt=`).
CERTIFICATE = "/tmp/hacc-fuzz/site.pem"


def _endpoint(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _timeouts(plan: Plan, names=TIMEOUTS) -> list[S]:
    return [S("timeout", [name, plan.pick(["5s", "30s", "1m", "50000ms"])]) for name in names]


def _condition(plan: Plan, acls: list[str]) -> list[str]:
    first = plan.pick(acls)
    words = [plan.pick(["if", "if", "unless"]), ("!" if plan.maybe(0.2) else "") + first]
    if len(acls) > 1 and plan.maybe(0.4):
        words += [plan.pick(["", "||", "or"]), ("!" if plan.maybe(0.2) else "") + plan.pick(acls)]
    return [w for w in words if w]


def haproxy_block(ctx: Context) -> S:
    plan, rnd = ctx.plan, ctx.plan.rnd
    block: list[S] = []
    # Every proxy runs the defaults' mode unless the cluster mixes modes; an
    # HTTP-only option in the defaults would then reach a TCP proxy, and a log
    # format needs a `log` line (haproxy warns about both).
    default_mode = plan.pick(["http", "http", "tcp"])
    mixed = plan.maybe(0.3)
    logging = plan.maybe(0.5)
    ctx.proxy_modes = ["http", "tcp"] if mixed else [default_mode]
    ctx.logging = logging
    glob = [S("log", ["/dev/log", plan.pick(["local0", "local1"])] + (["notice"] if plan.maybe() else []))] if logging else []
    options = {
        "maxconn": lambda: S("maxconn", [str(plan.pick([2000, 20000, 50000]))]),
        "user": lambda: S("user", ["haproxy"]),
        "group": lambda: S("group", ["haproxy"]),
        "stats": lambda: S("stats", ["socket", "/run/haproxy-admin.sock", "mode", "660", "level", "admin"]),
        "nbthread": lambda: S("nbthread", [str(plan.pick([1, 2]))]),
        # a secret as a pass-through argument, or text with the characters haproxy would split on
        "description": lambda: S("description", [plan.secret("DESC", "edge proxies; #1") if plan.maybe() else
                                                 plan.pick([q("edge; proxies"), q("a # b"), q("x=y {z}"), q("é"),
                                                            '"caf\\u{e9} \\x41B"', '"say \\"hi\\""'])]),
        "tune.bufsize": lambda: S("tune.bufsize", ["16384"]),
        "ssl-default-bind-ciphers": lambda: S("ssl-default-bind-ciphers", [q("ECDHE+AESGCM:!aNULL")]),
    }
    for key in plan.some(sorted(options), 5):
        glob.append(options[key]())
    if glob or plan.maybe(0.3):
        plan.rnd.shuffle(glob)
        block.append(S("global", [], glob))
    # defaults
    current = {"mode": "tcp", "timeouts": False, "log": False}
    if plan.maybe(0.85) or not mixed:
        inner = [S("mode", [default_mode])] + _timeouts(plan)
        extras = ["option dontlognull", "retries 3", "option redispatch", "timeout queue 30s", "timeout check 5s",
                  "timeout tunnel 1h", "timeout client-fin 5s", "timeout server-fin 5s"]
        if logging:
            inner.append(S("log", ["global"]))
            if not mixed:
                extras.append("option httplog" if default_mode == "http" else "option tcplog")
        if default_mode == "http" and not mixed:
            extras += ["option forwardfor", "timeout http-request 10s", "option http-server-close",
                       "timeout http-keep-alive 2s", "timeout tarpit 15s"]
        inner += [S(w.split()[0], w.split()[1:]) for w in plan.some(extras, 3)]
        rnd.shuffle(inner)
        block.append(S("defaults", [plan.ids("dflt_")] if plan.maybe(0.3) else [], inner))
        current = {"mode": default_mode, "timeouts": True, "log": logging}
    # peers, userlists, resolvers
    peers = []
    if plan.maybe(0.3):
        name = plan.ids("peers_")
        port = plan.port()
        if plan.pick([True, False]):  # hacc lists the nodes, or the file does
            block.append(S("peers", [name], [S("port", [str(port)])]))
        else:
            block.append(S("peers", [name], [S("peer", [n.name, _endpoint(n.addrs[0], port)]) for n in ctx.nodes]))
        peers.append(name)
    userlists = []
    if plan.maybe(0.3):
        name = plan.ids("ul_")
        inner = []
        group = plan.ids("grp_") if plan.maybe(0.4) else None
        listed = group is not None and plan.maybe()  # `group G users=...` rather than `user U groups=G`
        users = []
        for _ in range(plan.draw(st.integers(1, 2))):
            user = plan.ids("u_")
            if plan.pick([True, False]):  # a hash or a plain password, even in a rich cluster
                words = [user, f"password={plan.secret('HASH', PASSWORD_HASH)}"]
            else:
                pw = plan.draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12))
                words = [user, f"insecure-password={plan.secret('PW', pw) if plan.maybe() else pw}"]
            if group and not listed:
                words.append(f"groups={group}")
            inner.append(S("user", words))
            users.append(user)
        if group:
            inner.insert(0, S("group", [group] + ([f"users={','.join(users)}"] if listed else [])))
        block.append(S("userlist", [name], inner))
        userlists.append(name)
    resolvers = None
    if plan.maybe(0.2):
        resolvers = plan.ids("dns_")
        inner = [S("nameserver", ["ns1", "10.0.0.53:53"])]
        for words in plan.draw(st.lists(st.sampled_from(["resolve_retries 3", "timeout resolve 1s", "timeout retry 1s",
                                                          "hold valid 10s", "accepted_payload_size 8192"]),
                                        max_size=3, unique=True)):
            inner.append(S(words.split()[0], words.split()[1:]))
        block.append(S("resolvers", [resolvers], inner))
    # backends, each with its mode; frontends route only to backends of theirs
    proxies: list[S] = []
    backends: dict[str, list[str]] = {"http": [], "tcp": []}
    for _ in range(plan.pick(range(5))):
        mode = plan.pick(ctx.proxy_modes)
        name = plan.ids("be_")
        proxies.append(_backend(ctx, name, mode, current, peers, resolvers))
        backends[mode].append(name)
    for _ in range(plan.draw(st.integers(1, 3))):  # haproxy will not start without a listener
        mode = plan.pick(ctx.proxy_modes)
        proxies.append(_frontend(ctx, plan.ids("fe_"), mode, current, backends[mode]))
    for _ in range(plan.draw(st.integers(0, 2))):
        proxies.append(_listen(ctx, plan.ids("ls_"), current, userlists, resolvers))
    rnd.shuffle(proxies)
    block += proxies
    return S("haproxy", [], block)


def _mode_and_timeouts(plan: Plan, mode: str, current: dict, names=TIMEOUTS) -> list[S]:
    inner = []
    if mode != current["mode"] or plan.maybe(0.2):
        inner.append(S("mode", [mode]))
    if not current["timeouts"]:
        inner += _timeouts(plan, names)
    return inner


def _servers(ctx: Context, mode: str, resolvers: str | None, count: int) -> list[S]:
    plan = ctx.plan
    octet = plan.octet()
    port = plan.pick([80, 8080, 9000, 5432])
    ids = plan.draw(st.lists(st.integers(1, 1000), min_size=count, max_size=count, unique=True))
    servers = []
    for index in range(count):
        if resolvers and plan.maybe(0.3):
            address = f"app{index}.internal:{port}"
            # `init-addr none`: haproxy -c warns when a libc lookup at start fails
            tail = [f"resolvers={resolvers}", "init-addr=none"]
        else:
            address = _endpoint(f"10.{octet}.1.{index + 10}" if plan.maybe(0.8) else f"fd{octet:02x}:1::{index + 10:x}", port)
            tail = []
        words = [plan.ids("srv"), address]
        words += plan.draw(st.lists(st.sampled_from(["check", "backup", "send-proxy", "disabled"]), max_size=2, unique=True))
        for key, values in (("inter", ["2s", "500ms"]), ("rise", ["2"]), ("fall", ["3"]), ("weight", ["10", "100", "0"]),
                            ("maxconn", ["100"]), ("id", [str(ids[index])]), ("port", [str(port + 1)])):
            if plan.maybe(0.15):
                words.append(f"{key}={plan.pick(values)}")
        servers.append(S("server", words + tail))
    return servers


def _backend(ctx: Context, name: str, mode: str, current: dict, peers: list[str], resolvers) -> S:
    plan, rnd = ctx.plan, ctx.plan.rnd
    inner = _mode_and_timeouts(plan, mode, current, ["connect", "server"])
    algorithms = ["roundrobin", "leastconn", "source", "first", "static-rr"] + (["uri", "hdr(host)"] if mode == "http" else [])
    if plan.maybe(0.6):
        inner.append(S("balance", [plan.pick(algorithms)]))
    if mode == "http" and plan.maybe(0.4):
        inner.append(S("option", ["httpchk", "GET", "/health"]))
        if plan.maybe():
            inner.append(S("http-check", ["expect", "status", "200"]))
    if mode == "http" and plan.maybe(0.3):
        inner.append(S("http-request", ["set-header", "X-Backend", name]))
    if plan.maybe(0.5):
        keyed = plan.pick(["type=ip", "type=ipv6", "type=string len=32", "type=binary len=16", "type=integer"]).split()
        options = keyed + [f"size={plan.pick(['100k', '1m', '200'])}"]
        if plan.maybe():
            options.append(f"expire={plan.pick(['30m', '10s'])}")
        if peers and plan.maybe():
            options.append(f"peers={plan.pick(peers)}")
        if plan.maybe(0.3):
            options.append(f"store={plan.pick(['conn_cur', 'http_req_rate(10s)' if mode == 'http' else 'conn_rate(10s)'])}")
        if plan.maybe(0.1):
            options.append("nopurge")
        inner.append(S("stick-table", options))
        inner.append(S("stick", ["on", "src_port" if options[0] == "type=integer" else "src"]))
    for words in plan.draw(st.lists(st.sampled_from(["option redispatch", "retries 3", "default-server inter 3s fall 3 rise 2"]),
                                    max_size=2, unique=True)):
        inner.append(S(words.split()[0], words.split()[1:]))
    servers = _servers(ctx, mode, resolvers, plan.draw(st.integers(0, 3)))
    if mode == "http" and servers and plan.maybe(0.2):  # sticky sessions, the cookie value from a secret
        inner.append(S("cookie", ["SERVERID", "insert", "indirect", "nocache"]))
        for server in servers:
            server.args.append(f"cookie={plan.secret('COOKIE', server.args[0] + '-c')}")
    inner += servers
    rnd.shuffle(inner)
    return S("backend", [name], inner)


def _binds(ctx: Context, mode: str) -> list[S]:
    plan = ctx.plan
    binds = []
    for _ in range(plan.draw(st.integers(1, 2))):
        port = plan.port()
        # with vrrp_strict keepalived drops traffic to its VIPs (HA507): a wildcard would serve them
        candidates = ([] if ctx.strict else ["*", ""] + ctx.vips) + ctx.pcmk_ips + [n.addrs[0] for n in ctx.nodes]
        address = plan.pick(candidates)
        words = [f"*:{port}" if address == "*" else f":{port}" if not address else _endpoint(address, port)]
        words += plan.draw(st.lists(st.sampled_from(["accept-proxy", "defer-accept", "transparent"]), max_size=1))
        for key, values in (("maxconn", ["100", "5000"]), ("backlog", ["1024"]), ("name", ["b1", "public", None])):
            if plan.maybe(0.15):
                value = plan.pick(values)
                words.append(f"{key}={plan.secret('BIND', 'public') if value is None else value}")
        if mode == "http" and plan.maybe(0.15):  # the judges' host holds this certificate (tests/test_fuzz.py)
            words += ["ssl", f"crt={CERTIFICATE}"] + (["alpn=h2,http/1.1"] if plan.maybe() else [])
        binds.append(S("bind", words))
    return binds


def _acls(plan: Plan, mode: str) -> tuple[list[S], list[str]]:
    statements, names = [], []
    for _ in range(plan.draw(st.integers(0, 3))):
        name = plan.ids("is_")
        if mode == "http" and plan.maybe(0.1):
            statements.append(S("acl", [name, "req.hdr(x-api-key)", "-m", "str", plan.secret("APIKEY", "k3y-" + name)]))
        else:
            statements.append(S("acl", [name] + plan.pick(ACLS[mode])))
        names.append(name)
    return statements, names


def _frontend(ctx: Context, name: str, mode: str, current: dict, backends: list[str]) -> S:
    plan, rnd = ctx.plan, ctx.plan.rnd
    inner = _mode_and_timeouts(plan, mode, current, ["client"]) + _binds(ctx, mode)
    acls, names = _acls(plan, mode)
    inner += acls
    if names and backends:
        for _ in range(plan.draw(st.integers(0, 2))):
            inner.append(S("use_backend", [plan.pick(backends)] + _condition(plan, names)))
    if backends and plan.maybe(0.8):
        inner.append(S("default_backend", [plan.pick(backends)]))
    passthrough = {
        "http": [["option", "forwardfor"], ["http-request", "set-header", "X-Forwarded-Proto", "https"],
                 ["http-response", "set-header", "Strict-Transport-Security", q("max-age=31536000; includeSubDomains")],
                 ["capture", "request", "header", "Host", "len", "32"], ["http-request", "deny"],
                 ["http-request", "add-header", "X-Note", q("a # b")], ["redirect", "prefix", "/new"]],
        "tcp": [["tcp-request", "inspect-delay", "5s"]] + ([["option", "tcplog"]] if ctx.logging else []),
    }[mode]
    for words in plan.draw(st.lists(st.sampled_from(passthrough), max_size=3, unique_by=lambda w: " ".join(w[:2]))):
        if words[-1] in ("deny", "/new"):
            if not names:
                continue
            words = words + _condition(plan, names)
        inner.append(S(words[0], words[1:]))
    if any(s.args == ["tcplog"] for s in inner) and not current["log"]:
        inner.append(S("log", ["global"]))  # a log format needs a log target
    if names and mode == "tcp" and plan.maybe(0.3):
        inner.append(S("tcp-request", ["connection", "reject"] + _condition(plan, names)))
    if plan.maybe(0.2):
        inner.append(S("maxconn", [str(plan.pick([1000, 10000]))]))
    rnd.shuffle(inner)
    return S("frontend", [name], inner)


def _listen(ctx: Context, name: str, current: dict, userlists: list[str], resolvers) -> S:
    plan, rnd = ctx.plan, ctx.plan.rnd
    if "http" in ctx.proxy_modes and plan.maybe(0.5):  # a statistics page
        inner = _mode_and_timeouts(plan, "http", current, TIMEOUTS) + _binds(ctx, "http")
        inner += [S("stats", ["enable"]), S("stats", ["uri", plan.pick(["/stats", "/haproxy?stats"])])]
        if plan.maybe(0.3):
            inner.append(S("stats", ["refresh", "10s"]))
        if plan.maybe(0.3):
            inner.append(S("stats", ["auth", plan.secret("STATS", "admin:" + plan.draw(st.text("abcdefgh0123456789", min_size=1, max_size=10)))]))
        if userlists and plan.maybe(0.7):
            acl = plan.ids("auth_")
            inner.append(S("acl", [acl, f"http_auth({plan.pick(userlists)})"]))
            inner.append(S("http-request", ["auth", "realm", "stats", "unless", acl]))
        return S("listen", [name], inner)
    mode = plan.pick(ctx.proxy_modes)
    inner = _mode_and_timeouts(plan, mode, current, TIMEOUTS) + _binds(ctx, mode)
    if plan.maybe(0.5):
        inner.append(S("balance", [plan.pick(["roundrobin", "leastconn"])]))
    inner += _servers(ctx, mode, resolvers, plan.draw(st.integers(1, 3)))
    rnd.shuffle(inner)
    return S("listen", [name], inner)
