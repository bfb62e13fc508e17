"""Syntax errors are explained in the words of the language, at the place
they happen, with a hint; Lark's terminal names never reach the user."""

from __future__ import annotations

import re

import pytest
from helpers import codes

from hacc.diagnostics.render import render_text

TERMINALS = re.compile(r"\b(RBRACE|LBRACE|_SEP|WORD|STRING|PAIR|\$END|Token)\b")


def rendered(unit) -> str:
    return render_text(unit.sorted_diagnostics(), unit.sources)


@pytest.mark.parametrize(
    "text, line, col, message",
    [
        ('cluster c {\n  node a { addr "10.0.0.1 }\n}\n', 2, 17, "unterminated string"),
        ("cluster c {\n  node a {\n    addr 10.0.0.1\n", 3, 18, "this block is never closed"),
        ("cluster c {\n}\n}\n", 3, 1, "unexpected `}` with no open block"),
        ("cluster c {\n  node a\n  {\n  }\n}\n", 3, 3, "a block must start on the line of its statement"),
        ("cluster c {\n  corosync { crypto cipher = aes256 }\n}\n", 2, 28, "`=` must join a key and its value"),
        ("cluster c { node a { } node b { } }\n", 1, 24, "expected end of line or `;` after a block, found `node`"),
    ],
)
def test_syntax_errors_in_words(compile_text, text, line, col, message):
    unit = compile_text(text)
    (diagnostic,) = unit.diagnostics
    assert diagnostic.code == "HA001"
    assert (diagnostic.span.line, diagnostic.span.col) == (line, col)
    assert diagnostic.message == message
    assert diagnostic.help
    assert not TERMINALS.search(rendered(unit))


def test_unclosed_block_points_at_its_opening_brace(compile_text):
    unit = compile_text("cluster c {\n  node a {\n    addr 10.0.0.1\n")
    (diagnostic,) = unit.diagnostics
    assert [(label.span.line, label.span.col, label.message) for label in diagnostic.labels] == [(2, 10, "block opened here")]


def test_bad_escape(compile_text):
    unit = compile_text('cluster c {\n  node a { interface "et\\qh0" }\n}\n')
    assert codes(unit) == ["HA002"]
    assert unit.diagnostics[0].span.col == 25


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\u202e", "\u2066"])
def test_control_and_bidi_characters_are_rejected_even_in_comments(compile_text, char):
    unit = compile_text(f"cluster c {{ # comment {char}\n}}\n")
    assert codes(unit) == ["HA002"]
    assert unit.cluster is None


def test_rendering_shows_the_line_and_a_caret(compile_text):
    unit = compile_text('cluster c {\n  node a { addr "10.0.0.1 }\n}\n')
    text = rendered(unit)
    assert "error[HA001]: unterminated string" in text
    assert " --> cluster.ha:2:17" in text
    assert '2 |   node a { addr "10.0.0.1 }' in text
    assert "  |                 ^^^^^^^^^^" in text
    assert "= help: close the string" in text


def test_rendering_neutralises_control_characters_in_source_lines():
    from hacc.diagnostics.model import Diagnostic, Severity, Span
    from hacc.source.files import SourceMap

    sources = SourceMap()
    sources.add("x.ha", "bad \x1b[31m line\n")
    diag = Diagnostic("HA002", "invalid-character", Severity.ERROR, "m", Span("x.ha", 1, 5, 1, 6))
    assert "\x1b" not in render_text([diag], sources)


def test_no_traceback_and_nothing_compiled_after_a_syntax_error(compile_text):
    unit = compile_text("cluster {{{{\n")
    assert codes(unit) == ["HA001"]
    assert unit.data is None and unit.cluster is None


def test_a_comment_after_a_string_holding_a_unicode_line_separator_is_on_its_own_line():
    """Lark counts only \\n as a line end; so must the own-line test, or a
    suppression comment would stop covering the next line."""
    from hacc.parse.parser import parse_text

    comments = []
    parse_text('a "\u2028x"\n  # c\nb\n', "t.ha", comments)
    assert [(c.text, c.own_line) for c in comments] == [("# c", True)]
