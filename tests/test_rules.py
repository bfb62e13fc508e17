"""Every lint rule has a fixture that fires it and one that does not.

tests/rules/<CODE>/fires.ha lists the findings it must produce as
`# expect: CODE LINE:COL` lines; passes.ha must not produce that code. The
rendered diagnostics of each fires.ha are kept in fires.txt (regenerate with
`HACC_UPDATE_GOLDEN=1 python -m pytest tests/test_rules.py` and read the
diff).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from hacc.checks import RULES
from hacc.config import Config
from hacc.diagnostics.render import render_text
from hacc.pipeline import compile_file

FIXTURES = Path(__file__).resolve().parent / "rules"
CODES = sorted(rule.code.code for rule in RULES if rule.code.code[:3] != "HA6")
EXPECT = re.compile(r"^# expect: (HA\d{3}) (\d+):(\d+)$", re.M)
TEMPLATE = ("## What it checks", "## Why it matters", "## Example", "## Fix", "## References")
UPDATE = os.environ.get("HACC_UPDATE_GOLDEN") == "1"


def run(tmp_path: Path, code: str, name: str):
    """Compile a fixture as `<name>` in a clean directory (no configuration
    above it can change the result)."""
    source = tmp_path / name
    shutil.copyfile(FIXTURES / code / name, source)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return compile_file(Path(name), name, config=Config())
    finally:
        os.chdir(old)


@pytest.mark.parametrize("code", CODES)
def test_fires(code, tmp_path):
    text = (FIXTURES / code / "fires.ha").read_text()
    expected = sorted((c, int(line), int(col)) for c, line, col in EXPECT.findall(text))
    assert expected and all(c == code for c, _, _ in expected)
    unit = run(tmp_path, code, "fires.ha")
    found = sorted((d.code, d.span.line, d.span.col) for d in unit.diagnostics if d.code == code)
    assert found == expected
    rendered = render_text(unit.diagnostics, unit.sources)
    golden = FIXTURES / code / "fires.txt"
    if UPDATE:
        golden.write_text(rendered)
    assert rendered == golden.read_text()


@pytest.mark.parametrize("code", CODES)
def test_passes(code, tmp_path):
    unit = run(tmp_path, code, "passes.ha")
    assert code not in [d.code for d in unit.diagnostics]
    assert not [d for d in unit.diagnostics if str(d.severity) == "error"], "the fix must compile"


def test_every_rule_has_fixtures_and_a_documented_docstring():
    for rule in RULES:
        code = rule.code.code
        for heading in TEMPLATE:
            assert heading in rule.code.doc, f"{code} lacks `{heading}` in its docstring"
        if code.startswith("HA6"):
            continue  # across clusters: tests/test_fleet.py
        assert (FIXTURES / code / "fires.ha").is_file(), f"{code} has no fires.ha"
        assert (FIXTURES / code / "passes.ha").is_file(), f"{code} has no passes.ha"


def test_no_fixture_without_a_rule():
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == CODES


def test_codes_and_names_are_unique_and_well_formed():
    from hacc.diagnostics.codes import all_codes

    codes = all_codes()
    assert len({c.name for c in codes.values()}) == len(codes)
    for code, entry in codes.items():
        assert re.fullmatch(r"HA\d{3}", code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry.name)
        assert entry.summary and not entry.summary.endswith(" ")
