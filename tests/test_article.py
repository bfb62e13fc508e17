"""The sample configurations of the article hacc grew from
(../shared/seed/ha-article-zh.txt), written as `.ha` cases in tests/lint/,
produce exactly the findings an expert would make (listed in each file's
`# expect:` line, with the reasons in its comments)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hacc.config import Config
from hacc.pipeline import compile_file

CASES = sorted((Path(__file__).resolve().parent / "lint").glob("*.ha"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_article_case(case):
    expected = set(re.search(r"^# expect: (.*)$", case.read_text(), re.M).group(1).split())
    unit = compile_file(case, case.name, config=Config())
    assert {d.code for d in unit.diagnostics} == expected


def test_examples_carry_warnings_only_where_their_comments_say_why():
    """An example may produce a warning only where a comment names the code
    (`# hacc lint: HA208 ...`) on its line or the line above; errors never."""
    for example in sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.ha")):
        unit = compile_file(example, example.name, config=Config())
        lines = example.read_text().splitlines()
        for diagnostic in unit.diagnostics:
            assert str(diagnostic.severity) != "error", diagnostic
            if str(diagnostic.severity) == "note":
                continue
            here = lines[diagnostic.span.line - 1].partition("#")[2]
            above = lines[diagnostic.span.line - 2] if diagnostic.span.line > 1 else ""
            explained = diagnostic.code in here or (above.lstrip().startswith("#") and diagnostic.code in above)
            assert explained, f"{example.name}:{diagnostic.span.line}: {diagnostic.code} is not explained"
