"""Limits of a source: hostile nesting, sizes and counts get a diagnostic,
quickly, in bounded memory; never a traceback, a MemoryError or a hang.

How: see tests/limits_harness.py (a subprocess under RLIMIT_AS and a
timeout; exit code, location, help and time asserted).

What is proven, and the limit in hacc that each case meets:
- nesting: blocks, JSON arrays and objects nested 100,000 deep are refused
  at the bracket that goes past 100 (hacc.parse MAX_NESTING) before Lark
  parses the file; 100 levels are still parsed.
- size: a 50 MB file and a 10 GiB sparse file are refused from stat()
  alone (MAX_SOURCE_BYTES, 16 MiB); in-process, read_source is shown not
  to open such a file at all. A file that reads other than its size
  (/proc/self/environ) is refused, so the environment (where secrets live)
  never reaches a snippet.
- counts: 1,000,000 words per compilation (MAX_TOKENS), 1,000 arguments on
  a statement (MAX_ARGS), 200,000 values in the JSON form (MAX_VALUES),
  32 levels and 1,000 reads of `include` (a 10,000-file chain, a cycle,
  and "billion laughs" includes).

Run the long profile with `HACC_LIMITS=long pytest tests/test_limits_source.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from limits_harness import CHAIN, LONG, diagnosed, hacc, lb_with, no_crash, where

# -- nesting -------------------------------------------------------------------


def test_100000_nested_blocks_are_refused_at_the_brace_that_goes_too_deep(tmp_path):
    deep = tmp_path / "deep.ha"
    deep.write_text("cluster c {\n" + "x {" * 100_000 + "}" * 100_000 + "\n}\n")
    for args in (("build", deep, "-o", tmp_path / "out"), ("lint", deep), ("fmt", "--check", deep)):
        run = hacc(*args)
        diagnosed(run, "HA001", bound=10, message="blocks nest more than 100 levels deep")
        # `cluster c {` is level 1, so level 101 is the 100th `x {` on line 2.
        assert where(run, "HA001")[1:] == (2, 3 * 99 + 3), str(run)
    assert not (tmp_path / "out").exists()


def test_100_nested_blocks_are_parsed(tmp_path):
    """The limit is where it says: 100 levels reach the model (which has no
    such block), 101 do not."""
    for depth, nesting_error in ((99, False), (100, True)):
        path = tmp_path / f"d{depth}.ha"
        path.write_text("cluster c {\n" + "x {" * depth + "}" * depth + "\n}\n")
        run = hacc("lint", path)
        no_crash(run)
        assert run.returncode == 1, str(run)
        assert ("nest more than" in run.output) is nesting_error, str(run)


def test_100000_nested_json_arrays_and_objects(tmp_path):
    arrays = tmp_path / "arrays.json"
    arrays.write_text('{"cluster": "c", "nodes": ' + "[" * 100_000 + "]" * 100_000 + "}")
    objects = tmp_path / "objects.json"
    objects.write_text('{"cluster": "c", "pacemaker": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}")
    for path, column in ((arrays, 27 + 99), (objects, 31 + 99 * 6)):
        run = hacc("build", path, "-o", tmp_path / "out")
        diagnosed(run, "HA009", bound=10, message="arrays and objects nest more than 100 levels deep")
        assert where(run, "HA009")[1:] == (1, column), str(run)


# -- size ------------------------------------------------------------------------


def test_a_50_mb_file_and_a_10_gib_sparse_file_are_refused_from_their_size(tmp_path):
    big = tmp_path / "big.ha"
    with open(big, "wb") as handle:
        block = b"# " + b"x" * (1 << 20) + b"\n"
        handle.writelines(block for _ in range(50))
    sparse = tmp_path / "sparse.ha"
    with open(sparse, "wb") as handle:
        handle.truncate(10 << 30)  # 10 GiB of nothing: reading it would exceed RLIMIT_AS
    for path in (big, sparse):
        run = hacc("build", path, "-o", tmp_path / "out")
        diagnosed(run, "HA003", bound=5, message=f"is {path.stat().st_size} bytes, more than the 16777216 hacc reads")
    including = tmp_path / "main.ha"
    including.write_text('cluster c {\n    include "sparse.ha"\n}\n')
    run = hacc("lint", including)
    diagnosed(run, "HA003", bound=5)
    assert where(run, "HA003") == (str(including), 2, 13), str(run)


def test_an_oversized_file_is_never_opened(tmp_path, monkeypatch):
    """The refusal comes from stat(): the file is not read at all, and a
    file that is read is read with a bounded request."""
    from hacc.source import files

    sparse = tmp_path / "sparse.ha"
    with open(sparse, "wb") as handle:
        handle.truncate(50 * 1000 * 1000)
    small = tmp_path / "small.ha"
    small.write_text("cluster c { }\n")
    opened, requested = [], []
    real_open = open

    def spy_open(path, *args, **kwargs):
        opened.append(Path(path))
        handle = real_open(path, *args, **kwargs)
        real_read = handle.read

        class Spy:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                handle.close()

            def read(self, size=-1):
                requested.append(size)
                return real_read(size)

        return Spy()

    monkeypatch.setattr(files, "open", spy_open, raising=False)
    text, problem = files.read_source(sparse, "sparse.ha")
    assert text is None and problem.code == "HA003" and opened == []
    text, problem = files.read_source(small, "small.ha")
    assert problem is None and text == "cluster c { }\n"
    assert opened == [small] and requested == [files.MAX_SOURCE_BYTES + 1]


def test_a_pseudo_file_is_refused_and_the_environment_never_shown(tmp_path):
    """/proc/self/environ says it is empty and reads as the environment,
    where secrets live: it must not reach a diagnostic's snippet."""
    main = tmp_path / "main.ha"
    main.write_text('cluster c {\n    include "/proc/self/environ"\n}\n')
    for args in (("lint", main), ("build", "/proc/self/environ", "-o", tmp_path / "out")):
        run = hacc(*args, env={"VRRP_PASSWORD": "environ-secret-4711"})
        diagnosed(run, "HA003", message="is not an ordinary file")
        assert "environ-secret-4711" not in run.output and "PYTHONPATH" not in run.output, str(run)


# -- counts ----------------------------------------------------------------------


def test_more_than_a_million_tokens_stop_the_parse(tmp_path):
    """A million separators (1 MB) would be cheap to read but, as
    statements, cost a kilobyte each: the parse stops at the token over the
    budget, in bounded time and memory."""
    path = tmp_path / "semicolons.ha"
    path.write_text("cluster c {\n" + ";" * 1_000_001 + "\n}\n")
    run = hacc("lint", path)
    diagnosed(run, "HA001", bound=30, message="more than 1,000,000 words, strings and separators")
    assert where(run, "HA001")[1] == 2, str(run)


def test_100000_arguments_on_one_statement(tmp_path):
    cases = [("option", lb_with("option forwardfor", "option forwardfor " + " ".join(f"x{i}" for i in range(100_000))))]
    if LONG:
        cases.append(("vips", lb_with("vip 192.168.1.100/24",
                                      "vip " + " ".join(f"10.0.{i // 256 % 256}.{i % 256}/24" for i in range(100_000)))))
    for name, text in cases:
        path = tmp_path / f"{name}.ha"
        path.write_text(text)
        run = hacc("lint", path)
        diagnosed(run, "HA001", bound=20, message="a statement takes at most 1,000 arguments; this one has 100,00",
                  count=1)
        assert len(run.output) < 5000, str(run)  # the 1 MB line is not printed


def test_too_many_json_values_stop_the_parse(tmp_path, monkeypatch):
    """The same budget for the JSON form, in-process with a small limit
    (the real one, 200,000, is run by the long profile below)."""
    from hacc.parse import json_source

    monkeypatch.setattr(json_source, "MAX_VALUES", 50)
    data, _, problems = json_source.read_json('{"cluster": "c", "nodes": [' + ",".join(["1"] * 60) + "]}", "c.json")
    assert data is None and [p.code for p in problems] == ["HA009"]
    assert "more than 50 values" in problems[0].message and problems[0].span.line == 1


@pytest.mark.skipif(not LONG, reason="HACC_LIMITS=long: 200,001 JSON values take about 5 s")
def test_more_than_200000_json_values(tmp_path):
    path = tmp_path / "values.json"
    path.write_text('{"cluster": "c", "nodes": [' + ",".join(["1"] * 200_001) + "]}")
    diagnosed(hacc("lint", path), "HA009", bound=60, message="more than 200,000 values")


def test_a_10000_file_include_chain_names_the_chain_briefly(tmp_path):
    for index in range(CHAIN):
        (tmp_path / f"f{index}.ha").write_text(f'include "f{index + 1}.ha"\n' if index < CHAIN - 1 else "")
    (tmp_path / "main.ha").write_text('cluster c {\n    include "f0.ha"\n}\n')
    run = hacc("build", "main.ha", "-o", "out", cwd=tmp_path)
    diagnosed(run, "HA004", bound=10, message="includes nest more than 32 levels deep", count=1)
    assert "include chain: main.ha -> f0.ha -> f1.ha -> ... 27 more ... -> f29.ha -> f30.ha -> f31.ha" in run.stderr
    assert len(run.stderr.splitlines()) < 20, str(run)
    assert not (tmp_path / "out").exists()


def test_include_cycles(tmp_path):
    (tmp_path / "a.ha").write_text('cluster c {\n    include "b.ha"\n}\n')
    (tmp_path / "b.ha").write_text('include "c.ha"\n')
    (tmp_path / "c.ha").write_text('include "b.ha"\n')
    (tmp_path / "self.ha").write_text('cluster c {\n    include "self.ha"\n}\n')
    run = hacc("lint", "a.ha", cwd=tmp_path)
    diagnosed(run, "HA004", message="`b.ha` is already being included: this include is a cycle", count=1)
    assert where(run, "HA004") == ("c.ha", 1, 9) and "included from here" in run.output
    diagnosed(hacc("lint", "self.ha", cwd=tmp_path), "HA004", message="this include is a cycle", count=1)


def test_billion_laughs_includes_are_capped(tmp_path):
    """100 includes of a file that includes another 100 times, four deep:
    10^8 reads, unless the 1,000 include reads allowed are counted."""
    (tmp_path / "main.ha").write_text("cluster c {\n" + 'include "a.ha"\n' * 100 + "}\n")
    for name, child in (("a", "b"), ("b", "c"), ("c", "d")):
        (tmp_path / f"{name}.ha").write_text(f'include "{child}.ha"\n' * 100)
    (tmp_path / "d.ha").write_text("")
    run = hacc("lint", "main.ha", cwd=tmp_path)
    diagnosed(run, "HA004", bound=10, message="more than 1000 includes are read in one compilation", count=1)
