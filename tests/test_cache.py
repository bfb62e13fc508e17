"""The start-up cache (hacc.cache): the parse tables of the fast path, the
parser Lark's standalone generator writes (for input with errors), and the
schema's compiled twin are made once and reused; a missing, unwritable or
damaged cache changes nothing but speed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hacc.parse import fast_path, parser

ROOT = Path(__file__).resolve().parent.parent
BROKEN = "cluster c {\n    nodes {\n        n1 10.0.0.1 {\n    }\n"


def lint_in_child(cache: str, *files: Path) -> subprocess.CompletedProcess:
    """`hacc lint` in a fresh interpreter, reporting whether lark was imported."""
    code = (
        "import sys\nfrom hacc.cli import main\n"
        "try:\n    main(['lint', *sys.argv[1:]])\nexcept SystemExit as exit:\n    code = exit.code\n"
        "print('LARK-IMPORTED' if 'lark' in sys.modules else 'LARK-NOT-IMPORTED', file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = {"HACC_CACHE_DIR": cache, "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-c", code, *map(str, files)], capture_output=True, text=True, env=env,
                          cwd=ROOT, check=False)


@pytest.fixture
def fresh_parser():
    parser._lark.cache_clear()
    fast_path.tables.cache_clear()
    yield
    parser._lark.cache_clear()
    fast_path.tables.cache_clear()


def test_the_second_run_parses_without_importing_lark(tmp_path):
    cache = tmp_path / "cache"
    first = lint_in_child(str(cache), ROOT / "examples/article-lb.ha")
    assert "LARK-IMPORTED" in first.stderr, first.stderr  # it generated the tables
    assert len(list(cache.glob("hacc_tables_*.py"))) == 1
    assert not list(cache.glob("hacc_parser_*.py"))  # valid input never needs Lark's parser
    second = lint_in_child(str(cache), ROOT / "examples/article-lb.ha")
    assert "LARK-NOT-IMPORTED" in second.stderr, second.stderr
    assert second.returncode == first.returncode == 0
    assert second.stdout == first.stdout


def test_without_a_usable_cache_lark_builds_the_parser_and_says_the_same(tmp_path):
    bad = tmp_path / "bad.ha"
    bad.write_text(BROKEN)
    cached = tmp_path / "cache"
    lint_in_child(str(cached), bad)  # generates
    from_cache = lint_in_child(str(cached), bad)
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache directory should be\n")
    without = lint_in_child(str(blocked), bad)
    assert "LARK-NOT-IMPORTED" in from_cache.stderr and "LARK-IMPORTED" in without.stderr
    assert from_cache.returncode == without.returncode == 1
    assert "error[HA001]" in from_cache.stdout + from_cache.stderr
    strip = lambda run: (run.stdout, run.stderr.replace("LARK-NOT-IMPORTED", "").replace("LARK-IMPORTED", ""))
    assert strip(from_cache) == strip(without)


@pytest.mark.parametrize(("kind", "text"), [("tables", "a b\n"), ("parser", "a = b\n")])
def test_a_damaged_cache_file_is_replaced(tmp_path, monkeypatch, fresh_parser, kind, text):
    """Valid input uses the tables; input with an error, Lark's parser."""
    monkeypatch.setenv("HACC_CACHE_DIR", str(tmp_path))
    first = parser.parse_text(text, "x.ha")
    (generated,) = tmp_path.glob(f"hacc_{kind}_*.py")
    generated.write_text("this is not python (")
    parser._lark.cache_clear()
    fast_path.tables.cache_clear()
    assert parser.parse_text(text, "x.ha") == first
    parser._lark.cache_clear()
    fast_path.tables.cache_clear()
    assert parser.parse_text(text, "x.ha") == first
    assert "this is not python" not in generated.read_text()


def test_every_syntax_error_kind_reads_the_same_from_the_cached_parser(tmp_path, monkeypatch, fresh_parser):
    cases = ["a = b\n", "a {\n", "a }\n", 'a "x\n', "a { b\n} }\n", "{\n", "a\n}\n"]
    blocked = tmp_path / "blocked"
    blocked.write_text("")
    monkeypatch.setenv("HACC_CACHE_DIR", str(blocked))
    from_lark = [parser.parse_text(text, "x.ha")[1] for text in cases]
    parser._lark.cache_clear()
    monkeypatch.setenv("HACC_CACHE_DIR", str(tmp_path / "cache"))
    parser.parse_text("a\n", "x.ha")  # generate
    parser._lark.cache_clear()
    from_cache = [parser.parse_text(text, "x.ha")[1] for text in cases]
    assert "Lark_StandAlone" in type(parser._lark()[0]).__name__ or type(parser._lark()[0]).__module__.startswith(
        "hacc_parser_")
    for text, lark_problems, cached_problems in zip(cases, from_lark, from_cache):
        assert [p.code for p in lark_problems] == ["HA001"], text
        assert cached_problems == lark_problems, text


def test_a_directory_others_can_write_to_is_not_used(tmp_path, monkeypatch, fresh_parser):
    """hacc imports what it finds in the cache: one that another user can
    write to (a shared /tmp) would let them plant code, so it is ignored."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    planted = shared / "planted.py"
    monkeypatch.setenv("HACC_CACHE_DIR", str(shared))
    statements, problems = parser.parse_text("a b\n", "x.ha")
    assert [s.keyword for s in statements] == ["a"] and not problems
    assert not list(shared.iterdir())  # nothing written, so nothing read either
    shared.chmod(0o700)
    fast_path.tables.cache_clear()
    parser.parse_text("a b\n", "x.ha")
    assert list(shared.glob("hacc_tables_*.py")) and not planted.exists()
