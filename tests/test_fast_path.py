"""The parser's fast path (hacc.parse.fast_path) builds exactly what Lark
builds: the same statements with the same spans, the same comments and the
same diagnostics, for every `.ha` text the repository holds, for generated
clusters covering the whole language, and for damaged copies of all of
them; and it does answer for valid input (else it would only be slow)."""

from __future__ import annotations

import pytest
from fuzz_strategies import clusters, ha_corpus, mutated, text_of
from hypothesis import HealthCheck, given, settings

from hacc.parse import fast_path, parser

CORPUS = ha_corpus()


def parse_both(text: str) -> tuple[tuple, tuple, bool]:
    """(fast result, Lark's result, whether the fast path answered)."""
    answered = []
    original = fast_path.parse

    def spying(*args):
        result = original(*args)
        answered.append(result is not None)
        return result

    results = []
    for use_fast in (True, False):
        comments: list = []
        fast_path.parse = spying if use_fast else (lambda *args: None)
        try:
            statements, diagnostics = parser.parse_text(text, "x.ha", comments)
        finally:
            fast_path.parse = original
        results.append((statements, diagnostics, comments))
    return results[0], results[1], bool(answered and answered[0])  # not asked when the text is refused first


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_repository_text_parses_the_same(name):
    fast, lark, answered = parse_both(CORPUS[name].decode())
    assert fast == lark
    if not lark[1]:  # valid: the fast path must have done the work
        assert answered, "the fast path gave up on valid input"


@given(cluster=clusters())
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_clusters_parse_the_same(cluster):
    for text in (cluster.text, *cluster.files.values()):
        fast, lark, answered = parse_both(text)
        assert fast == lark
        assert answered and not lark[1]


@given(case=mutated(CORPUS))
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
def test_damaged_texts_parse_the_same(case):
    _, data = case
    fast, lark, _ = parse_both(text_of(data))
    assert fast == lark


@pytest.mark.parametrize("text", [
    "a\r\nb c\r\n",  # CRLF line ends
    "a;b;;c\n",  # `;` separators, empty statements
    "a b=\"x y\" c=d { e; f { g } }\n# end",
    'a "\\"q\\"" x=\'y\'\n',
    "x " + "y " * 3000 + "\n",  # a long list grows in place
    "a\n\n\n   # indented comment\n\tb\n",
    "",
    "# only a comment",
])
def test_edge_cases_parse_the_same(text):
    fast, lark, answered = parse_both(text)
    assert fast == lark
    assert answered or lark[1]


def test_the_token_budget_stops_both_paths_at_the_same_token(monkeypatch):
    text = "a b c\nd e f\ng h i\n"
    monkeypatch.setattr(parser, "MAX_TOKENS", 5)
    budget = parser.TokenBudget(5)
    fast = parser.parse_text(text, "x.ha", budget=budget)
    monkeypatch.setattr(fast_path, "parse", lambda *args: None)
    lark = parser.parse_text(text, "x.ha", budget=parser.TokenBudget(5))
    assert fast == lark
    assert "more than 5 words" in fast[1][0].message


def test_a_syntax_error_before_the_budget_runs_out_is_what_is_reported():
    budget = parser.TokenBudget(8)
    _, problems = parser.parse_text("a = b\nc d e f g h i j k\n", "x.ha", budget=budget)
    assert [p.code for p in problems] == ["HA001"] and "`=`" in problems[0].message
