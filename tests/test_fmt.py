"""`hacc fmt`: the canonical layout of `.ha` files.

Golden tests of each layout rule on small inputs; properties over every
`.ha` text in the repository (idempotent, keeps every comment, builds the
same outputs, lints to the same codes); fuzzed statement trees; and the
file handling of `--check`, `--diff` and in-place rewrites.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from importing_helpers import EXAMPLES, build_data, golden_secrets, golden_tree

from hacc.config import Config
from hacc.format.files import format_paths
from hacc.format.layout import FormatError, format_text
from hacc.parse.parser import parse_text
from hacc.pipeline import compile_file

ROOT = Path(__file__).resolve().parent.parent


def fmt(text: str) -> str:
    out = format_text(text, "t.ha")
    assert format_text(out, "t.ha") == out, "not idempotent"
    return out


def dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).lstrip("\n")


# -- Layout rules -------------------------------------------------------------


def test_statements_are_split_and_one_line_blocks_expanded():
    assert fmt("cluster c { node a { id 1; addr 10.0.0.1 }; node b {addr 10.0.0.2} }") == dedent("""
        cluster c {
            node a {
                id 1
                addr 10.0.0.1
            }
            node b {
                addr 10.0.0.2
            }
        }
        """)


def test_spacing_indentation_and_line_ends():
    text = "a   b\t\"c  d\"   k=v  {\r\n\t\t  x=1   y=\"2 3\"   \r\n  inner{deep 1}\r\n}   \r\n\r\n\r\n"
    assert fmt(text) == dedent("""
        a b "c  d" k=v {
            x=1 y="2 3"
            inner {
                deep 1
            }
        }
        """)


def test_values_are_copied_as_written():
    text = 'k "a \\"q\\" \\u{41}\\t" secret:X "secret:Y" p="x\\\\y" -20 /p?a=b\n'
    assert fmt(text) == text


def test_blank_lines_kept_collapsed_and_trimmed():
    text = "\n\n\na {\n\n\n    b\n\n\n\n    c\n    d\n\n}\n\n\n\ne\n\n\n"
    assert fmt(text) == "a {\n    b\n\n    c\n    d\n}\n\ne\n"


@pytest.mark.parametrize("text", ["a {}\n", "a {   }\n", "a {\n\n}\n", "a{\n}"])
def test_empty_block(text):
    assert fmt(text) == "a { }\n"


@pytest.mark.parametrize("text", ["", "\n\n", "  \n\t\n", ";\n;;"])
def test_empty_file_stays_empty(text):
    assert fmt(text) == ""


def test_comment_lines_are_reindented_to_the_statement_below():
    text = "a {\n# one\n        # two\n  b\n          # end of a\n}\n   # end of file   \n"
    assert fmt(text) == "a {\n    # one\n    # two\n    b\n    # end of a\n}\n# end of file\n"


def test_blank_lines_around_comments():
    text = "a {\n\n    # first\n\n    b\n\n    # tail\n\n}\n"
    assert fmt(text) == "a {\n    # first\n\n    b\n\n    # tail\n}\n"


def test_trailing_comments_get_two_spaces():
    assert fmt("a 1      # one\nb 2# two\n") == "a 1  # one\nb 2  # two\n"


def test_trailing_comment_of_an_expanded_one_line_block_stays_with_its_statement():
    text = "cluster c {\n    node a { id 1; addr 10.0.0.1 }  # rack 4\n    x { }  # nothing yet\n}\n"
    assert fmt(text) == dedent("""
        cluster c {
            node a {  # rack 4
                id 1
                addr 10.0.0.1
            }
            x { }  # nothing yet
        }
        """)


def test_comment_after_opening_brace_stays_on_the_statement_line():
    text = "a {   # about a\n  b 1; c 2   # about c\n}\n"
    assert fmt(text) == "a {  # about a\n    b 1\n    c 2  # about c\n}\n"


def test_comment_after_closing_braces():
    text = "a {\n    b 1 }  # after b\nc {\n    d 1\n}  # after c\ne { f { g } }  # about e\n"
    assert fmt(text) == dedent("""
        a {
            b 1  # after b
        }
        c {
            d 1
        }  # after c
        e {  # about e
            f {
                g
            }
        }
        """)


def test_comment_after_a_bare_separator_becomes_a_comment_line():
    assert fmt("a 1\n; # stray\nb 2\n") == "a 1\n# stray\nb 2\n"


def test_comment_text_is_kept_byte_for_byte():
    text = "#no space\t#  tabs\tand  runs  \na  #\u00e9t\u00e9 \u2014 \"quoted\" {not a block}\n"
    assert fmt(text) == "#no space\t#  tabs\tand  runs\na  #\u00e9t\u00e9 \u2014 \"quoted\" {not a block}\n"


def test_unparseable_text_raises_with_diagnostics():
    with pytest.raises(FormatError) as raised:
        format_text("a {\n", "bad.ha")
    assert raised.value.diagnostics[0].code == "HA001"
    with pytest.raises(FormatError) as raised:
        format_text('a "bad \\q"\n', "bad.ha")
    assert raised.value.diagnostics[0].code == "HA002"


def test_deep_nesting_is_a_diagnostic_not_a_traceback():
    text = "a { " * 3000 + "}" * 3000 + "\n"
    try:
        out = format_text(text, "deep.ha")
    except FormatError as exc:
        assert exc.diagnostics[0].code == "HA001"
    else:
        assert out.count("{") == 3000


# -- Canonical order ----------------------------------------------------------

UNORDERED = """\
# the cluster
cluster c {
    haproxy { global { maxconn 10 } }
    # corosync settings
    corosync { token 3s }
    node b {
        attribute site=x
        interface eth1   # uplink
        addr 10.0.0.2
        id 2
        addr 10.1.0.2
    }
    keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; priority b=100 a=90 } }
    node a { addr 10.0.0.1; id 1; addr 10.1.0.1 }
    pacemaker { property stonith-enabled=false }
    # end of cluster
}
"""


def test_cluster_and_node_blocks_are_sorted_with_their_comments():
    assert fmt(UNORDERED) == dedent("""
        # the cluster
        cluster c {
            node b {
                id 2
                addr 10.0.0.2
                addr 10.1.0.2
                interface eth1  # uplink
                attribute site=x
            }
            node a {
                id 1
                addr 10.0.0.1
                addr 10.1.0.1
            }
            # corosync settings
            corosync {
                token 3s
            }
            pacemaker {
                property stonith-enabled=false
            }
            keepalived {
                vrrp V {
                    vrid 1
                    vip 10.0.0.100/24
                    priority b=100 a=90
                }
            }
            haproxy {
                global {
                    maxconn 10
                }
            }
            # end of cluster
        }
        """)


def test_sorting_changes_nothing_the_build_produces(tmp_path):
    before = compile_in(tmp_path / "before", UNORDERED)
    after = compile_in(tmp_path / "after", fmt(UNORDERED))
    assert before.data == after.data and before.data["nodes"][0]["name"] == "b"
    assert codes(before) == codes(after)
    secrets = golden_secrets()
    assert build_data(before.data, secrets) == build_data(after.data, secrets)


@pytest.mark.parametrize("text", [
    'cluster c {\n    haproxy { }\n    include "nodes.ha"\n}\n',  # an include may bring nodes in
    "cluster c {\n    haproxy { }\n    nod a { }\n}\n",  # a misspelt keyword
    "cluster c {\n    node a {\n        addr 10.0.0.1\n        vrid 1\n        id 1\n    }\n}\n",
    "node a {\n    addr 10.0.0.1\n    id 1\n}\n",  # not inside a cluster (an included file)
    "cluster c {\n    haproxy {\n        backend b {\n            server s 10.0.0.9:80\n            balance roundrobin\n        }\n    }\n}\n",
])
def test_blocks_with_meaningful_or_unknown_order_keep_it(text):
    assert fmt(text) == text


# -- Suppression comments keep covering the same statements ------------------

SUPPRESSED_CLUSTER = """cluster c {
    node a { addr 10.0.0.1; interface eth0 }
    node b { addr 10.0.0.2; interface eth0 }
    keepalived {
%s
    }
}
"""
WHY = "# hacc: ignore[HA303] failback is manual"
SUPPRESSED = [
    # a suppression after a one-line block covers every statement in it
    f"        vrrp V {{ vrid 1; vip 10.0.0.100/24; priority a=100 b=100 }}   {WHY}",
    # as does one on the line above
    f"        {WHY}\n        vrrp V {{ vrid 1; vip 10.0.0.100/24; priority a=100 b=100 }}",
    # statements joined by `;`
    f"        vrrp V {{\n            vip 10.0.0.100/24\n            vrid 1; priority a=100 b=100   {WHY}\n        }}",
    # one statement and a `}`: the statement keeps the comment
    f"        vrrp V {{ vrid 1; vip 10.0.0.100/24\n            priority a=100 b=100 }}   {WHY}",
    f"        vrrp V {{ vrid 1; vip 10.0.0.100/24\n            {WHY}\n            priority a=100 b=100 }}",
]
# a suppression two lines above covers nothing, before and after
UNUSED = f"        vrrp V {{\n            {WHY}\n            vrid 1; vip 10.0.0.100/24\n            priority a=100 b=100\n        }}"


@pytest.mark.parametrize("body,expected", [(body, []) for body in SUPPRESSED] + [(UNUSED, ["HA021", "HA303"])])
def test_suppressions_silence_the_same_findings_after_formatting(tmp_path, body, expected):
    text = SUPPRESSED_CLUSTER % body
    before, after = compile_in(tmp_path / "before", text), compile_in(tmp_path / "after", fmt(text))
    assert codes(before) == codes(after) == expected


def test_a_line_a_suppression_covers_stays_whole():
    out = fmt(SUPPRESSED_CLUSTER % SUPPRESSED[0])
    assert f"        vrrp V {{ vrid 1; vip 10.0.0.100/24; priority a=100 b=100 }}  {WHY}\n" in out
    out = fmt(SUPPRESSED_CLUSTER % SUPPRESSED[3])
    assert f"            priority a=100 b=100  {WHY}\n        }}\n" in out


def test_suppression_lines_exact_layout():
    text = "a {\n    b 1; c 2   # hacc: ignore[HA013] x\n    d { e 1 }  # hacc: ignore[HA013] y\n}\nf {\n}  # hacc: ignore[HA013] z\n"
    assert fmt(text) == "a {\n    b 1; c 2  # hacc: ignore[HA013] x\n    d { e 1 }  # hacc: ignore[HA013] y\n}\nf {\n}  # hacc: ignore[HA013] z\n"


def test_a_stray_suppression_that_covered_nothing_still_covers_nothing():
    assert fmt("a 1\n; # hacc: ignore[HA013] stray\nb 2\n") == "a 1\n# hacc: ignore[HA013] stray\n\nb 2\n"


def test_a_suppression_that_covers_one_statement_allows_normal_layout():
    text = "cluster c {\n    node a {   # hacc: ignore[HA013] please\n        id 0; addr 10.0.0.1 }\n}\n"
    assert fmt(text) == "cluster c {\n    node a {  # hacc: ignore[HA013] please\n        id 0\n        addr 10.0.0.1\n    }\n}\n"


# -- Every .ha text in the repository -----------------------------------------


def _corpus() -> list[tuple[str, str, str]]:
    """(test id, file name, text)."""
    found = [(f"examples/{p.name}", p.name, p.read_text()) for p in sorted((ROOT / "examples").glob("*.ha"))]
    for pattern in ("tests/rules/*/*.ha", "tests/lint/*.ha"):
        found += [(str(p.relative_to(ROOT)), p.name, p.read_text()) for p in sorted(ROOT.glob(pattern))]
    language = (ROOT / "docs" / "language.md").read_text()
    blocks = re.findall(r"```ha\n(.*?)```", language, re.DOTALL)
    found += [(f"docs/language.md#{i}", "cluster.ha", block) for i, block in enumerate(blocks)]
    return found


CORPUS = _corpus()


def compile_in(directory: Path, text: str, name: str = "cluster.ha"):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text)
    old = os.getcwd()
    os.chdir(directory)
    try:
        return compile_file(Path(name), name, config=Config())
    finally:
        os.chdir(old)


def codes(unit) -> list[str]:
    return sorted(d.code for d in unit.diagnostics)


def test_the_corpus_is_large():
    assert len(CORPUS) > 100 and sum(name == "cluster.ha" for _, name, _ in CORPUS) >= 10


@pytest.mark.parametrize("name,text", [(n, t) for _, n, t in CORPUS], ids=[i for i, _, _ in CORPUS])
def test_corpus_is_idempotent_and_keeps_comments_and_meaning(tmp_path, name, text):
    out = fmt(text)
    assert comment_texts(out) == comment_texts(text)
    assert out.endswith("\n") and "\n\n\n" not in out and not re.search(r"[ \t]$", out, re.MULTILINE)
    before = compile_in(tmp_path / "before", text, name)
    after = compile_in(tmp_path / "after", out, name)
    assert after.data == before.data
    assert codes(after) == codes(before)


@pytest.mark.parametrize("example", EXAMPLES)
def test_examples_build_the_same_files(tmp_path, example):
    text = (ROOT / "examples" / f"{example}.ha").read_text()
    before = compile_in(tmp_path / "before", text, f"{example}.ha")
    after = compile_in(tmp_path / "after", fmt(text), f"{example}.ha")
    secrets = golden_secrets()
    built = build_data(after.data, secrets, f"{example}.ha")
    assert built == build_data(before.data, secrets, f"{example}.ha")
    golden = golden_tree(example)
    assert built and all(golden[path] == content for path, content in built.items())


def _scrambled(text: str) -> str:
    """A formatted example with its cluster block's statements reversed
    (nodes moved after the layers, in their own order) and every node
    block's statements grouped by keyword, groups reversed: the disorder the
    canonical order undoes. Comment lines move with the statement below."""
    statements, _ = parse_text(text, "t.ha")
    lines = text.split("\n")
    (cluster,) = statements

    def chunks(block, first: int, end: int):
        """The lines of each statement of `block` (from line `first`), with
        the comment lines above it; and the lines after the last one."""
        out, start = [], first
        for stmt in block:
            out.append((stmt, lines[start - 1 : stmt.span.end_line]))
            start = stmt.span.end_line + 1
        return out, lines[start - 1 : end - 1]

    def node(stmt, chunk: list[str]) -> list[str]:
        if stmt.span.end_line == stmt.span.line:
            return chunk
        head = chunk[: len(chunk) - (stmt.span.end_line - stmt.span.line)]
        inner, tail = chunks(stmt.block, stmt.span.line + 1, stmt.span.end_line)
        groups: dict = {}
        for s, c in inner:
            groups.setdefault(s.keyword, []).extend(c)
        return head + [line for key in reversed(list(groups)) for line in groups[key]] + tail + [lines[stmt.span.end_line - 1]]

    parts, tail = chunks(cluster.block, cluster.span.line + 1, cluster.span.end_line)
    nodes = [node(s, c) for s, c in parts if s.keyword == "node"]
    layers = [c for s, c in parts if s.keyword != "node"][::-1]
    body = [line for chunk in layers + nodes for line in chunk]
    return "\n".join(lines[: cluster.span.line] + body + tail + lines[cluster.span.end_line - 1 :])


@pytest.mark.parametrize("example", EXAMPLES)
def test_any_order_of_the_sorted_blocks_formats_to_one_order(tmp_path, example):
    text = fmt((ROOT / "examples" / f"{example}.ha").read_text())
    scrambled = _scrambled(text)
    assert scrambled != text
    assert structure(fmt(scrambled)) == structure(text)
    assert comment_texts(scrambled) == comment_texts(text)
    secrets = golden_secrets()
    built = build_data(compile_in(tmp_path / "scrambled", scrambled, f"{example}.ha").data, secrets, f"{example}.ha")
    assert built == build_data(compile_in(tmp_path / "text", text, f"{example}.ha").data, secrets, f"{example}.ha")


def test_formatting_every_example_is_fast():
    texts = [(ROOT / "examples" / f"{e}.ha").read_text() for e in EXAMPLES]
    format_text(texts[0], "warm-up.ha")
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            format_text(text, "x.ha")
        best = min(best, time.perf_counter() - start)
    assert best < 0.5, f"formatting {len(texts)} examples took {best:.3f}s"


# -- Fuzzed statement trees ---------------------------------------------------


class Parsed:
    """What formatting must keep, read from one parse of a text."""

    def __init__(self, text: str) -> None:
        self.comment_list: list = []
        self.statements, problems = parse_text(text, "t.ha", self.comment_list)
        assert not problems, [d.message for d in problems]
        self.lines = text.split("\n")

    def raw(self, span) -> str:
        return self.lines[span.line - 1][span.col - 1 : span.end_col - 1]

    def tree(self, block=None) -> list:
        """Keywords and raw arguments, nested: the statements without layout."""
        block = self.statements if block is None else block
        return [(s.keyword, tuple(self.raw(a.span) for a in s.args), None if s.block is None else self.tree(s.block))
                for s in block]

    def comments(self) -> Counter:
        return Counter(c.text.rstrip(" \t") for c in self.comment_list)

    def coverage(self, key=None) -> dict[str, set]:
        """Each suppression comment (by text) -> the statements whose head is
        on a line it covers, by pre-order index (or by `key(statement)`)."""
        heads: dict[int, list] = {}
        index, stack = {}, list(reversed(self.statements))
        while stack:
            stmt = stack.pop()
            heads.setdefault(stmt.keyword_span.line, []).append(stmt)
            index[id(stmt)] = len(index)
            stack.extend(reversed(stmt.block or ()))
        out = {}
        for c in self.comment_list:
            if "hacc:" in c.text:
                lines = (c.span.line, c.span.line + 1) if c.own_line else (c.span.line,)
                out[c.text.rstrip()] = {key(s) if key else index[id(s)] for line in lines for s in heads.get(line, ())}
        return out

    def family(self) -> dict[str, tuple]:
        """Each statement (by its unique last argument) -> (its parent's, the
        statements of its keyword before it in its block)."""
        out = {}

        def walk(block, parent):
            for i, stmt in enumerate(block):
                same = tuple(_unique(s) for s in block[:i] if s.keyword == stmt.keyword)
                out[_unique(stmt)] = (parent, same)
                walk(stmt.block or (), _unique(stmt))

        walk(self.statements, None)
        return out


def _unique(stmt) -> str:
    last = stmt.args[-1]
    return last.text if stmt.keyword is not None else last.value.text


def structure(text: str) -> list:
    return Parsed(text).tree()


def comment_texts(text: str) -> Counter:
    return Parsed(text).comments()


WORDS = st.sampled_from(["a", "10.0.0.1", "x-y_z", "/p?a", "secret:K", "eth0", "5s", "-20", "[::1]:80", "a.b", "\u00e9t\u00e9"])
KEYWORDS = st.sampled_from(["node", "id", "addr", "vrrp", "a", "b", "x-y", "op", "secret:K"])
STRINGS = st.lists(st.sampled_from(["a", " ", "\\\"", "\\\\", "\\n", "\\u{e9}", "#", "{", ";", "\u00e9"]),
                   max_size=5).map(lambda parts: '"' + "".join(parts) + '"')
VALUES = st.one_of(WORDS, STRINGS)
PAIRS = st.builds(lambda k, v: f"{k}={v}", st.sampled_from(["k", "ip", "on-fail", "a.b_c"]), VALUES)
ARGS = st.lists(st.one_of(VALUES, PAIRS), max_size=3)


def statements(depth: int):
    """(keyword or None, arguments, block or None), nested `depth` deep."""
    keyword_line = st.tuples(KEYWORDS, ARGS)
    pairs_line = st.tuples(st.none(), st.lists(PAIRS, min_size=1, max_size=3))
    children = st.none() if depth == 0 else st.one_of(st.none(), st.lists(st.deferred(lambda: statements(depth - 1)), max_size=3))
    return st.builds(lambda head, block: (head[0], head[1], block), st.one_of(keyword_line, pairs_line), children)


def cluster_statements():
    """A top-level cluster whose blocks the canonical order sorts, now and
    then with a statement that stops the sort."""
    node_line = st.tuples(st.sampled_from(NODE_KEYWORDS), st.just(()), st.none())
    node = st.tuples(st.just("node"), st.just(()), st.lists(node_line, max_size=5))
    layer = st.tuples(st.sampled_from(["corosync", "pacemaker", "keepalived", "haproxy", "include", "nod"]),
                      st.just(()), st.one_of(st.none(), st.lists(statements(1), max_size=2)))
    children = st.lists(st.one_of(node, node, layer), max_size=6)
    return st.lists(st.tuples(st.just("cluster"), st.just(()), children), min_size=1, max_size=1)


NODE_KEYWORDS = ["id", "addr", "interface", "votes", "router_id", "unicast_src", "attribute"]


TREES = st.lists(statements(3), max_size=4)


@st.composite
def sources(draw, trees=TREES):
    """Random text for a random statement tree: random spacing, `;` or line
    ends between statements, blank lines, comment lines and end-of-line
    comments (some of them suppressions), one-line and multi-line blocks,
    `\\n` or `\\r\\n`. Every statement gets a unique last argument (`uN`,
    or `u=N` on a line of pairs) so tests can follow it."""
    tree = draw(trees)
    counter = iter(range(10_000))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))

    def space(allow_empty=True):
        return draw(st.sampled_from(([""] if allow_empty else []) + [" ", "  ", "\t", " \t "]))

    def comment():
        n = next(counter)
        if draw(st.integers(0, 2)) == 0:
            return f"# hacc: ignore[HA303] why {n}"
        return f"#c{n} " + draw(st.sampled_from(["", "x  ", "\u00e9 {;}"]))

    def line_end():
        parts = [space() + comment() if draw(st.booleans()) else space(), newline]
        for _ in range(draw(st.integers(0, 2))):
            parts.append(space() + (comment() if draw(st.booleans()) else "") + newline)
        parts.append(space())
        return "".join(parts)

    def gap():  # between statements: `;` or a line end (or both)
        choice = draw(st.sampled_from(["semi", "line", "both"]))
        if choice == "semi":
            return space() + ";" + space()
        return line_end() if choice == "line" else space() + ";" + line_end()

    def inside():  # after `{` or before `}`: a space or a line end
        return line_end() if draw(st.booleans()) else space()

    def write(stmts) -> str:
        out = []
        for i, (keyword, args, block) in enumerate(stmts):
            unique = f"u={next(counter)}" if keyword is None else f"u{next(counter)}"
            words = ([keyword] if keyword is not None else []) + list(args) + [unique]
            text = "".join(w + (space(False) if j < len(words) - 1 else "") for j, w in enumerate(words))
            if block is not None:
                text += space() + "{" + inside() + write(block) + inside() + "}"
            out.append(text)
            out.append(gap() if i < len(stmts) - 1 else draw(st.sampled_from(["", ";", newline])))
        return "".join(out)

    start = draw(st.sampled_from(["", newline, "# top" + newline]))
    return start + write(tree) + draw(st.sampled_from(["", newline, newline + "# tail  " + newline * 2]))


def assert_canonical_text(out: str) -> None:
    if out:
        assert out.endswith("\n") and not out.endswith("\n\n") and not out.startswith("\n")
    assert "\r" not in out and "\n\n\n" not in out
    assert not re.search(r"[ \t]$", out, re.MULTILINE)
    assert "{\n\n" not in out
    # no blank line before `}`, but for one pinned to statements that a
    # suppression comment above it must not cover
    for match in re.finditer(r"(?m)^(.*)\n\n *\}", out):
        assert "hacc:" in match.group(1)


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(sources())
def test_fuzzed_layout_is_idempotent_and_changes_only_layout(text):
    before = Parsed(text)
    out = format_text(text, "t.ha")
    assert format_text(out, "t.ha") == out
    after = Parsed(out)
    assert after.tree() == before.tree()
    assert after.comments() == before.comments()
    assert after.coverage() == before.coverage()
    assert_canonical_text(out)


@FUZZ
@given(sources(cluster_statements()))
def test_fuzzed_sorting_keeps_nesting_relative_order_comments_and_suppressions(text):
    before = Parsed(text)
    out = format_text(text, "t.ha")
    assert format_text(out, "t.ha") == out
    after = Parsed(out)
    assert after.family() == before.family()
    assert after.comments() == before.comments()
    assert after.coverage(_unique) == before.coverage(_unique)
    assert_canonical_text(out)


# -- Files on disk ------------------------------------------------------------

MESSY = "cluster c { node a { id 1; addr 10.0.0.1 } }\n"
CLEAN = fmt(MESSY)


def run(paths, **options):
    stdout, stderr = io.StringIO(), io.StringIO()
    code = format_paths([Path(p) for p in paths], stdout=stdout, stderr=stderr, **options)
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_lists_what_would_change_and_writes_nothing(workdir):
    (workdir / "messy.ha").write_text(MESSY)
    (workdir / "clean.ha").write_text(CLEAN)
    code, out, _ = run(["messy.ha", "clean.ha"], check=True)
    assert (code, out) == (1, "messy.ha\n")
    assert (workdir / "messy.ha").read_text() == MESSY
    assert run(["clean.ha"], check=True)[0] == 0


def test_diff_prints_a_unified_diff_and_writes_nothing(workdir):
    (workdir / "messy.ha").write_text(MESSY.rstrip("\n"))
    code, out, _ = run(["messy.ha"], diff=True)
    assert code == 0 and (workdir / "messy.ha").read_text() == MESSY.rstrip("\n")
    assert out.startswith("--- a/messy.ha\n+++ b/messy.ha\n@@ ")
    assert "-cluster c { node a { id 1; addr 10.0.0.1 } }\n\\ No newline at end of file\n" in out
    assert "+        addr 10.0.0.1\n" in out
    assert run(["messy.ha"], diff=True, check=True)[0] == 1


def test_rewrites_in_place_keeping_the_mode(workdir):
    path = workdir / "messy.ha"
    path.write_text(MESSY)
    path.chmod(0o640)
    code, out, err = run(["messy.ha"])
    assert (code, out) == (0, "") and "reformatted messy.ha" in err
    assert path.read_text() == CLEAN
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in workdir.iterdir()] == ["messy.ha"]  # no temporary file left


def test_the_file_is_replaced_not_rewritten_in_place(workdir, monkeypatch):
    path = workdir / "messy.ha"
    path.write_text(MESSY)
    inode = path.stat().st_ino
    assert run(["messy.ha"])[0] == 0
    assert path.stat().st_ino != inode  # a new file renamed over the old one
    path.write_text(MESSY)

    def failing_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    code, _, err = run(["messy.ha"])
    assert code == 1 and "cannot write `messy.ha`: No space left on device" in err
    assert path.read_text() == MESSY
    assert [p.name for p in workdir.iterdir()] == ["messy.ha"]


def test_a_formatted_file_is_not_written(workdir):
    path = workdir / "clean.ha"
    path.write_text(CLEAN)
    os.utime(path, (1_000_000, 1_000_000))
    assert run(["clean.ha"]) == (0, "", "")
    assert path.stat().st_mtime == 1_000_000


def test_a_symlink_stays_a_link(workdir):
    (workdir / "real.ha").write_text(MESSY)
    (workdir / "link.ha").symlink_to("real.ha")
    assert run(["link.ha"])[0] == 0
    assert (workdir / "link.ha").is_symlink() and (workdir / "real.ha").read_text() == CLEAN


def test_unparseable_or_unreadable_files_are_left_alone(workdir):
    broken = workdir / "broken.ha"
    broken.write_bytes(b"cluster c {\n  node a { id 1 \n")
    (workdir / "messy.ha").write_text(MESSY)
    code, _, err = run(["broken.ha", "missing.ha", "messy.ha"])
    assert code == 1
    assert broken.read_bytes() == b"cluster c {\n  node a { id 1 \n"
    assert "error[HA001]" in err and "broken.ha:" in err and "error[HA003]" in err and "missing.ha" in err
    assert (workdir / "messy.ha").read_text() == CLEAN  # the good file is still formatted
    assert "Traceback" not in err


def test_a_byte_order_mark_counts_as_a_change(workdir):
    (workdir / "bom.ha").write_bytes(b"\xef\xbb\xbf" + CLEAN.encode())
    assert run(["bom.ha"], check=True) == (1, "bom.ha\n", "")
    run(["bom.ha"])
    assert (workdir / "bom.ha").read_bytes() == CLEAN.encode()
