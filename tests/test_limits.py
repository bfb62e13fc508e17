"""Limits: hostile sizes and kinds of input get a diagnostic, quickly, in
bounded memory; never a traceback, a MemoryError or a hang.

How: every case runs `python -m hacc` as a subprocess under a 1 GiB
address-space limit (RLIMIT_AS, so a runaway allocation is a MemoryError
we would see) and a wall-clock timeout, and asserts the exit code (1 for
input hacc diagnosed, 2 for a usage error click reports), that neither
stream holds "Traceback", "MemoryError" or "RecursionError", that the
diagnostic has its code, a location (`--> file:line:col`) and a help line,
and that the run took less than the case's bound (seconds, generous: the
point is "not a hang", on a shared 2-core machine).

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
  and "billion laughs" includes); the importers read at most 200,000 lines
  per import and keepalived follows at most 1,000 includes.
- kinds: a directory, a FIFO (never opened, so never blocks), /dev/zero,
  a file that is not UTF-8 and an unreadable file, as the main source, an
  include, `--config`, `--secrets` and every importer input. The unreadable
  file is tested for real: as root, hacc runs as nobody through
  `setpriv --reuid=65534` when that user can run it from here (the test
  says which in its skip reason otherwise); the PermissionError path is
  also exercised in-process, always.
- long lines and numbers: a 10 MB word, string or importer line; numbers of
  5,000 digits (Python's int() refuses 4,300) in `.ha`, JSON and the
  importers.
- lists: 100,000 `vip` lines, servers, JSON nodes and importer entries.
  These compile, linearly: the CI profile builds 3,000 (a few seconds in
  all) and HACC_LIMITS=long builds 100,000 of each, bounded at 150 s.

Run the long profile with `HACC_LIMITS=long pytest tests/test_limits.py`.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LB = ROOT / "examples" / "article-lb.ha"
LONG = os.environ.get("HACC_LIMITS") == "long"
LIST_SIZE = 100_000 if LONG else 1_000
CHAIN = 10_000 if LONG else 1_000  # include files: creating 10,000 takes 2 s here
LINE = 10_000_000 if LONG else 2_000_000  # bytes in a long line
MEMORY = 1 << 30  # RLIMIT_AS of every run
SECRETS = {"VRRP_PASSWORD": "pw123456"}
NOBODY = 65534


@dataclass
class Run:
    args: tuple
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:
        return f"hacc {' '.join(map(str, self.args))[:300]} -> {self.returncode} in {self.seconds:.1f}s\n{self.output[-3000:]}"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def hacc(*args, cwd: Path | None = None, env: dict | None = None, timeout: float = 60, prefix=()) -> Run:
    environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8", **(env or {})}
    command = [*prefix, sys.executable, "-m", "hacc", *map(str, args)]
    start = time.monotonic()
    try:
        result = subprocess.run(command, cwd=cwd or ROOT, capture_output=True, text=True, env=environment,
                                timeout=timeout, preexec_fn=_limit_memory, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hacc {' '.join(map(str, args))[:300]} did not finish in {timeout} s (a hang)")
    return Run(args, result.returncode, result.stdout, result.stderr, time.monotonic() - start)


def no_crash(run: Run) -> None:
    for word in ("Traceback", "MemoryError", "RecursionError"):
        assert word not in run.output, str(run)


def diagnosed(run: Run, code: str, *, bound: float = 15, message: str | None = None, count: int | None = None) -> None:
    """Exit 1 with an error `code`, a location, a help line, in `bound` s."""
    no_crash(run)
    assert run.returncode == 1, str(run)
    assert f"error[{code}]" in run.output, str(run)
    assert re.search(r"--> \S+:\d+:\d+", run.output), str(run)
    assert "= help: " in run.output, str(run)
    if message is not None:
        assert message in run.output, str(run)
    if count is not None:
        assert run.output.count(f"error[{code}]") == count, str(run)
    assert run.seconds < bound, str(run)


def usage_error(run: Run, message: str, bound: float = 15) -> None:
    no_crash(run)
    assert run.returncode == 2 and message in run.stderr, str(run)
    assert run.seconds < bound, str(run)


def where(run: Run, code: str) -> tuple[str, int, int]:
    """(file, line, column) of the first `code` diagnostic."""
    match = re.search(rf"error\[{code}\].*\n\s*--> (\S+):(\d+):(\d+)", run.output)
    assert match, str(run)
    return match.group(1), int(match.group(2)), int(match.group(3))


def lb_with(old: str, new: str) -> str:
    text = LB.read_text()
    assert old in text
    return text.replace(old, new, 1)


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
        for _ in range(50):
            handle.write(block)
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
    import hacc.source.files as files

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
    import hacc.parse.json_source as json_source

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


# -- kinds of file -------------------------------------------------------------


@pytest.fixture
def odd_files(tmp_path):
    """A FIFO, a directory, a non-UTF-8 file, and /dev/zero."""
    fifo = tmp_path / "fifo.ha"
    os.mkfifo(fifo)
    directory = tmp_path / "dir.ha"
    directory.mkdir()
    latin = tmp_path / "latin.ha"
    latin.write_bytes(b"cluster c {\n    # caf\xe9\n}\n")
    return {"fifo": fifo, "dir": directory, "latin": latin, "zero": Path("/dev/zero")}


def test_fifo_device_and_non_utf8_sources(tmp_path, odd_files):
    """None of them is opened (a FIFO would block, /dev/zero never ends)
    except the regular file, whose first bad byte is located."""
    fifo, latin, zero = odd_files["fifo"], odd_files["latin"], odd_files["zero"]
    for source in (fifo, zero):
        diagnosed(hacc("build", source, "-o", tmp_path / "out"), "HA003", message="is not a regular file")
    run = hacc("build", latin, "-o", tmp_path / "out")
    diagnosed(run, "HA003", message="is not valid UTF-8 (byte 0xe9 at offset 21)")
    assert where(run, "HA003")[1:] == (2, 10)
    json_latin = tmp_path / "latin.json"
    json_latin.write_bytes(b'{"cluster": "caf\xe9"}')
    diagnosed(hacc("build", json_latin, "-o", tmp_path / "out"), "HA003", message="is not valid UTF-8")
    # lint takes several files: each gets its own diagnostic.
    run = hacc("lint", fifo, latin, json_latin, zero)
    diagnosed(run, "HA003", count=4)
    diagnosed(hacc("fmt", fifo, latin), "HA003", count=2)
    assert not (tmp_path / "out").exists()


def test_odd_files_as_includes_config_and_secrets(tmp_path, odd_files):
    mains = []
    for name in ("fifo", "dir", "latin", "zero"):
        mains.append(tmp_path / f"include-{name}.ha")
        mains[-1].write_text(f'cluster c {{\n    include "{odd_files[name]}"\n}}\n')
    run = hacc("lint", *mains)
    diagnosed(run, "HA003", count=4)
    for main in mains[:1] + mains[3:]:  # blamed on the include; a bad byte is located in the file itself
        assert f"--> {main}:2:13" in run.output, str(run)
    assert f"--> {odd_files['latin']}:2:10" in run.output
    for name in ("fifo", "latin", "zero"):
        diagnosed(hacc("build", LB, "--stdout", "lb1:haproxy", "--config", odd_files[name]), "HA022", count=1)
        diagnosed(hacc("build", LB, "--stdout", "lb1:keepalived", "--secrets", odd_files[name]), "HA006", count=1)
    usage_error(hacc("build", odd_files["dir"]), "is a directory")
    usage_error(hacc("build", LB, "--secrets", odd_files["dir"]), "is a directory")
    usage_error(hacc("lint", odd_files["dir"]), "no .ha files found")
    usage_error(hacc("fmt", odd_files["dir"]), "no .ha files found")


def test_odd_files_given_to_the_importers(tmp_path, odd_files):
    fifo, directory, latin, zero = (odd_files[k] for k in ("fifo", "dir", "latin", "zero"))
    run = hacc("import", "--corosync", fifo, "--cib", zero, "--keepalived", f"a={latin}", "--haproxy", f"a={directory}",
               "-o", tmp_path / "x.ha")
    diagnosed(run, "HA003", count=4)
    for text in ("is not a regular file", "is a directory, not a file", "is not valid UTF-8"):
        assert text in run.stderr, str(run)
    assert not (tmp_path / "x.ha").exists()
    # A node directory whose files are a FIFO and a directory.
    node = tmp_path / "node" / "etc"
    (node / "corosync").mkdir(parents=True)
    os.mkfifo(node / "corosync" / "corosync.conf")
    (node / "haproxy" / "haproxy.cfg").mkdir(parents=True)
    run = hacc("audit", "--node", f"n1={tmp_path / 'node'}")
    no_crash(run)
    assert run.returncode in (1, 2) and run.seconds < 15, str(run)
    usage_error(hacc("import", "--cib", directory, "-o", tmp_path / "x.ha"), "is a directory")


def _unprivileged_prefix(probe_dir: Path) -> list[str] | None:
    """How to run hacc as a user that a mode-000 file stops: nothing when
    not root; as root, setpriv to nobody when nobody can run hacc from here
    and is refused the file; None when it cannot."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    locked = probe_dir / "probe"
    locked.write_text("x")
    locked.chmod(0)
    script = "import hacc.cli, sys\ntry:\n    open(sys.argv[1]).read()\nexcept PermissionError:\n    print('denied')\n"
    try:
        result = subprocess.run([*prefix, sys.executable, "-c", script, str(locked)], capture_output=True, text=True,
                                cwd=ROOT, env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}, timeout=60)
    except OSError:
        return None
    return prefix if result.stdout.strip() == "denied" else None


def test_an_unreadable_file_for_real():
    """A mode-000 source, include, secrets file and importer input, read by a
    user who may not read them (as root: nobody, through setpriv)."""
    base = Path(tempfile.mkdtemp(prefix="hacc-unreadable-"))
    try:
        base.chmod(0o755)  # nobody must reach the files to be refused them
        prefix = _unprivileged_prefix(base)
        if prefix is None:
            pytest.skip("running as root, and user nobody cannot run hacc here: "
                        "test_an_unreadable_file_in_process covers the code path")
        locked = base / "locked.ha"
        locked.write_text("node a { addr 10.0.0.1 }\n")
        locked.chmod(0)
        main = base / "main.ha"
        main.write_text('cluster c {\n    include "locked.ha"\n}\n')
        main.chmod(0o644)
        run = hacc("lint", main, prefix=prefix)
        diagnosed(run, "HA003", message="permission denied reading", count=1)
        assert where(run, "HA003") == (str(main), 2, 13)
        # A node directory's file is found, not named: it gets a diagnostic.
        corosync = base / "node" / "etc" / "corosync" / "corosync.conf"
        corosync.parent.mkdir(parents=True)
        for directory in (corosync.parent, corosync.parent.parent, corosync.parent.parent.parent):
            directory.chmod(0o755)
        corosync.write_text("totem {\n}\n")
        corosync.chmod(0)
        run = hacc("import", "--node", f"n1={base / 'node'}", "-o", base / "x.ha", prefix=prefix)
        diagnosed(run, "HA003", message="permission denied reading", count=1)
        # What is named on the command line, click checks first: a usage error.
        for args in (("build", locked), ("fmt", "--check", locked), ("import", "--corosync", locked, "-o", "-"),
                     ("build", LB, "--stdout", "lb1:haproxy", "--secrets", locked)):
            usage_error(hacc(*args, prefix=prefix), "is not readable")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_an_unreadable_file_in_process(tmp_path, monkeypatch):
    """The PermissionError path of read_source (which root cannot reach
    with chmod 000), through an include and through the importers."""
    import hacc.source.files as files
    from hacc.importing.files import Files
    from hacc.importing.log import ImportLog
    from hacc.pipeline import compile_file

    locked = tmp_path / "locked.ha"
    locked.write_text("node a { addr 10.0.0.1 }\n")
    (tmp_path / "main.ha").write_text('cluster c {\n    include "locked.ha"\n}\n')
    real_open = open

    def guarded_open(path, *args, **kwargs):
        if Path(path).name == "locked.ha":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(files, "open", guarded_open, raising=False)
    unit = compile_file(tmp_path / "main.ha", "main.ha")
    (problem,) = unit.diagnostics
    assert problem.code == "HA003" and "permission denied reading `locked.ha`" in problem.message
    assert (problem.span.file, problem.span.line, problem.span.col) == ("main.ha", 2, 13)
    log = ImportLog()
    assert Files(log).read(locked, "locked.ha") is None
    assert [d.code for d in log.diagnostics] == ["HA003"]


# -- long lines and long numbers -----------------------------------------------


def test_10_mb_words_strings_and_comments(tmp_path):
    cases = {
        "word": (lb_with("vrid 51", "vrid 51\n            vip " + "x" * LINE), "HA013"),
        "name": (lb_with("VI_1", "V" + "x" * LINE), "HA013"),
        "string": (lb_with('"pidof haproxy"', '"/usr/bin/pidof ' + "x" * LINE + '"'), "HA013"),
        "escapes": (lb_with("interval=2s", 'interval="' + 'x\\"' * (LINE // 3) + '"'), "HA013"),
        "comment": ("# " + "x" * (LINE * 3 // 2) + "\n" + lb_with("vrid 51", "vrid 300"), "HA013"),
    }
    paths = []
    for name, (text, _) in cases.items():
        paths.append(tmp_path / f"{name}.ha")
        paths[-1].write_text(text)
    run = hacc("lint", *paths)  # one process, a diagnostic for each file
    diagnosed(run, "HA013", bound=30, count=len(cases))
    for path in paths:
        assert f"--> {path}:" in run.output, str(run)
    assert len(run.output) < 5000 * len(cases), str(run)  # the values and their lines are cut short


def test_numbers_with_5000_digits(tmp_path):
    """Python's int() refuses more than 4300 digits: such a number is a
    diagnostic at its span, in `.ha`, in JSON and in every position kind."""
    digits = "7" * 5000
    cases = {
        "vrid.ha": lb_with("vrid 51", f"vrid {digits}"),
        "maxconn.ha": lb_with("maxconn 2000", f"maxconn {digits}"),
        "priority.ha": lb_with("priority lb1=100", f"priority lb1={digits}"),
        "advert.ha": lb_with("advert 1s", f"advert {digits}s"),
        "port.ha": lb_with("bind 192.168.1.100:80", f"bind 192.168.1.100:{digits}"),
        "id.json": json.dumps({"cluster": "c", "nodes": [{"name": "a", "addr": "10.0.0.1", "id": "@"}]}).replace('"@"', digits),
        "negative.json": json.dumps({"cluster": "c", "nodes": [{"name": "a", "addr": "10.0.0.1", "id": "@"}]}).replace('"@"', "-" + digits),
    }
    paths = []
    for name, text in cases.items():
        paths.append(tmp_path / name)
        paths[-1].write_text(text)
    run = hacc("lint", *paths)
    diagnosed(run, "HA013", count=len(cases))
    assert len(run.output) < 20_000, str(run)


# -- lists (size set by the profile) ---------------------------------------------


def _ip(index: int) -> str:
    return f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"


def test_long_lists_build(tmp_path):
    """LIST_SIZE VIP lines and servers build; the same number of JSON nodes
    is checked. Time is linear: the bound is 160 s for 100,000."""
    size = LIST_SIZE
    bound = 10 + size * 1.5e-3
    # Nodes and VIPs on one /8, haproxy bound to every address: no warning per VIP.
    text = LB.read_text().replace("192.168.1.11;", "10.255.255.11;").replace("192.168.1.12;", "10.255.255.12;")
    text = text.replace("bind 192.168.1.100:80", "bind *:80").replace(
        "            vip 192.168.1.100/24", "\n".join(f"            vip {_ip(i)}/8" for i in range(1, size + 1)))
    text = text.replace("            server web1 192.168.1.101:80 check",
                        "\n".join(f"            server w{i} {_ip(i)}:80 check" for i in range(1, size + 1)))
    path = tmp_path / "lists.ha"
    path.write_text(text)
    run = hacc("build", path, "-o", tmp_path / "out", env=SECRETS, timeout=bound + 60)
    no_crash(run)
    assert run.returncode == 0 and run.seconds < bound, str(run)
    assert len(run.stderr) < 5000, str(run)  # a warning or two, not one per element
    config = (tmp_path / "out/lb1/etc/haproxy/haproxy.cfg").read_text()
    assert len(re.findall(r"\n    server w\d+ ", config)) == size
    keepalived = (tmp_path / "out/lb1/etc/keepalived/keepalived.conf").read_text()
    assert len(re.findall(r"\n +10\.\d+\.\d+\.\d+/8", keepalived)) == size
    nodes = [{"name": f"n{i}", "addr": _ip(i)} for i in range(1, size + 1)]
    path = tmp_path / "nodes.json"
    path.write_text(json.dumps({"cluster": "c", "nodes": nodes}))
    run = hacc("lint", path, timeout=bound + 60)
    no_crash(run)
    assert run.returncode in (0, 1) and run.seconds < bound, str(run)


def test_long_lists_import(tmp_path):
    """LIST_SIZE corosync nodes, keepalived VIPs, haproxy servers and CIB
    primitives are imported (or reported), linearly."""
    size = LIST_SIZE
    bound = 10 + size * 1.5e-3
    corosync = tmp_path / "corosync.conf"
    corosync.write_text("totem {\n    version: 2\n    cluster_name: big\n}\nnodelist {\n" + "".join(
        f"    node {{\n        ring0_addr: {_ip(i)}\n        nodeid: {i}\n        name: n{i}\n    }}\n" for i in range(1, size + 1)) + "}\n")
    keepalived = tmp_path / "keepalived.conf"
    keepalived.write_text("vrrp_instance V {\n    interface eth0\n    virtual_router_id 1\n    priority 100\n"
                          "    virtual_ipaddress {\n" + "".join(f"        {_ip(i)}/8\n" for i in range(1, size + 1)) + "    }\n}\n")
    haproxy = tmp_path / "haproxy.cfg"
    haproxy.write_text("backend b\n" + "".join(f"    server s{i} {_ip(i)}:80\n" for i in range(1, size + 1)))
    cib = tmp_path / "cib.xml"
    cib.write_text('<cib validate-with="pacemaker-3.0"><configuration><crm_config/><nodes/><resources>' + "".join(
        f'<primitive id="p{i}" class="ocf" provider="heartbeat" type="Dummy"/>' for i in range(size))
        + "</resources><constraints/></configuration><status/></cib>")
    run = _import_all(tmp_path, tmp_path / "big.ha", timeout=bound + 60)
    no_crash(run)
    assert run.returncode == 0 and run.seconds < bound, str(run)
    imported = (tmp_path / "big.ha").read_text()
    for pattern in (r"\n +node n\d+ ", r"\n +vip 10\.", r"\n +server s\d+ ", r"\n +resource p\d+ "):
        assert len(re.findall(pattern, imported)) == size, pattern


# -- the importers' inputs -------------------------------------------------------


IMPORT_FILES = ("corosync.conf", "keepalived.conf", "haproxy.cfg", "cib.xml")


def _import_all(directory: Path, out: Path, command: str = "import", **kwargs) -> Run:
    """`hacc import` (or audit) of the four files in `directory`."""
    args = ["--corosync", directory / "corosync.conf", "--keepalived", f"n1={directory / 'keepalived.conf'}",
            "--haproxy", f"n1={directory / 'haproxy.cfg'}", "--cib", directory / "cib.xml"]
    return hacc(command, *args, *(["-o", out, "--allow-loss"] if command == "import" else []), **kwargs)


def test_importers_refuse_huge_and_non_utf8_files(tmp_path):
    for kind, write in (("huge", lambda p: p.open("wb").truncate(50 << 20)),
                        ("latin", lambda p: p.write_bytes(b"# caf\xe9\n"))):
        directory = tmp_path / kind
        directory.mkdir()
        for name in IMPORT_FILES:
            write(directory / name)
        run = _import_all(directory, tmp_path / "x.ha", command="import" if kind == "huge" else "audit")
        diagnosed(run, "HA003", bound=10, count=4)
    assert not (tmp_path / "x.ha").exists()


def test_importers_refuse_files_of_millions_of_tiny_lines(tmp_path):
    """16 MiB files of one-character lines (or empty XML elements) would
    each cost gigabytes as parsed lines and diagnostics: one import reads at
    most 200,000 lines."""
    (tmp_path / "corosync.conf").write_text("totem {\n" + "a:b\n" * 4_000_000 + "}\n")
    (tmp_path / "keepalived.conf").write_text("global_defs {\n" + "{}\n" * 5_000_000 + "}\n")
    (tmp_path / "haproxy.cfg").write_text("global\n" + "a\n" * 8_000_000)
    (tmp_path / "cib.xml").write_text("<cib><configuration><resources>" + "<a/>" * 4_000_000 + "</resources></configuration></cib>")
    run = _import_all(tmp_path, tmp_path / "x.ha")
    diagnosed(run, "HA003", bound=10, count=4, message="one import reads at most 200,000")


def test_importers_on_deeply_nested_input(tmp_path):
    """Nested sections, braces, parentheses and elements: each reader stops
    at its own limit (corosync's 255-byte key paths, libxml2's 256 levels),
    and keepalived reports the first few of 100,000 stray braces."""
    (tmp_path / "corosync.conf").write_text("totem {\n" + "a {\n" * 40_000 + "}\n" * 40_000 + "}\n")
    (tmp_path / "keepalived.conf").write_text("global_defs {\n" + "{\n" * 50_000 + "}\n" * 50_000 + "}\n")
    (tmp_path / "haproxy.cfg").write_text("frontend f\n    acl a " + "(" * 100_000 + "\n")
    (tmp_path / "cib.xml").write_text("<cib><configuration>" + "<a>" * 10_000 + "</a>" * 10_000 + "</configuration></cib>")
    run = _import_all(tmp_path, tmp_path / "x.ha")
    diagnosed(run, "HA083", bound=20)
    assert "path is longer than 254 bytes" in run.stderr and "Excessive depth in document" in run.stderr, str(run)
    assert run.stderr.count("this `{` follows no keyword") == 5, str(run)


def test_importers_on_10_mb_lines_and_5000_digit_numbers(tmp_path):
    """Long lines and values are refused or reported with the value cut
    short; numbers past int()'s 4,300 digits, and digits int() refuses
    (`²`, which str.isdigit() accepts), are losses, not tracebacks."""
    size = LINE
    (tmp_path / "corosync.conf").write_text("totem {\n    cluster_name: " + "x" * size + "\n}\n")
    (tmp_path / "keepalived.conf").write_text("global_defs {\n    router_id " + "x" * size + "\n}\n")
    (tmp_path / "haproxy.cfg").write_text("global\n    maxconn " + "7" * size + "\n")
    (tmp_path / "cib.xml").write_text('<cib><configuration><nodes><node id="' + "7" * 5000 + '" uname="a"/></nodes>'
                                      '<resources><primitive id="' + "x" * size + '"/></resources></configuration></cib>')
    run = _import_all(tmp_path, tmp_path / "x.ha", timeout=120)
    diagnosed(run, "HA083", bound=60 if LONG else 20)
    assert "corosync refuses lines over 510 bytes" in run.stderr, str(run)
    assert "set_int_max_str_digits" not in run.output and "invalid literal" not in run.output, str(run)
    assert len(run.output) < 20_000, str(run)
    digits = "7" * 5000
    (tmp_path / "corosync.conf").write_text(f"totem {{\n    version: 2\n}}\nquorum {{\n    auto_tie_breaker_node: ²\n}}\n")
    (tmp_path / "keepalived.conf").write_text("virtual_server 10.0.0.1 ² {\n    real_server 10.0.0.2 80 {\n    }\n}\n")
    (tmp_path / "haproxy.cfg").write_text(f"global\n    maxconn {digits}\nbackend b\n    stick-table type ip size {digits}\n")
    (tmp_path / "cib.xml").write_text(
        '<cib><configuration><crm_config/><nodes><node id="' + digits + '" uname="a"/><node id="²" uname="b"/></nodes>'
        '<resources><primitive id="p" class="ocf" provider="heartbeat" type="Dummy"><operations>'
        f'<op id="p-monitor" name="monitor" interval="{digits}s"/></operations></primitive></resources>'
        "<constraints/></configuration></cib>")
    for command in ("import", "audit") if LONG else ("import",):
        run = _import_all(tmp_path, tmp_path / "x.ha", command=command)
        no_crash(run)
        assert run.returncode in (0, 1) and run.seconds < 20, str(run)
        assert "set_int_max_str_digits" not in run.output and "invalid literal" not in run.output, str(run)
        assert len(run.output) < 20_000, str(run)
        for where_ in ("corosync.conf:5:28", "keepalived.conf:1:1", "haproxy.cfg:2:5", "cib.xml:1:"):
            assert where_ in run.output, (where_, str(run))


def test_keepalived_include_chains_cycles_and_laughs(tmp_path):
    etc = tmp_path / "node" / "etc" / "keepalived"
    etc.mkdir(parents=True)
    (etc / "keepalived.conf").write_text("include c0.conf\n")
    for index in range(CHAIN):
        (etc / f"c{index}.conf").write_text(f"include c{index + 1}.conf\n" if index < CHAIN - 1 else "")
    run = hacc("import", "--node", f"n1={tmp_path / 'node'}", "-o", tmp_path / "x.ha")
    diagnosed(run, "HA083", bound=15, message="includes nest deeper than 16 files", count=1)
    (etc / "keepalived.conf").write_text("include loop.conf\n")
    (etc / "loop.conf").write_text("include keepalived.conf\n")
    run = hacc("import", "--node", f"n1={tmp_path / 'node'}", "-o", tmp_path / "x.ha")
    diagnosed(run, "HA083", message="an include cycle", count=1)
    (etc / "keepalived.conf").write_text("include a.conf\n" * 100)
    for name, child in (("a", "b"), ("b", "c"), ("c", "d")):
        (etc / f"{name}.conf").write_text(f"include {child}.conf\n" * 100)
    (etc / "d.conf").write_text("")
    run = hacc("import", "--node", f"n1={tmp_path / 'node'}", "-o", tmp_path / "x.ha")
    diagnosed(run, "HA083", bound=15, message="follows more than 1000 includes", count=1)
    assert not (tmp_path / "x.ha").exists()


def test_cib_entity_expansion_and_external_entities(tmp_path):
    """A billion-laughs CIB is not expanded and an external entity is not
    read: lxml is used with resolve_entities=False, no network, no DTD."""
    secret = tmp_path / "secret.txt"
    secret.write_text("top-secret-file-content")
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    (tmp_path / "laughs.xml").write_text(f'<?xml version="1.0"?><!DOCTYPE cib [<!ENTITY l0 "lol">{laughs}]>'
                                         '<cib><configuration><crm_config/><nodes/><resources>'
                                         '<primitive id="&l9;"/></resources></configuration></cib>')
    (tmp_path / "xxe.xml").write_text(f'<?xml version="1.0"?><!DOCTYPE cib [<!ENTITY x SYSTEM "file://{secret}">]>'
                                      '<cib><configuration><crm_config/><nodes/><resources>'
                                      '<primitive id="&x;"/></resources></configuration></cib>')
    for name in ("laughs.xml", "xxe.xml"):
        for command in ("import", "audit") if LONG else ("import",):
            args = ("--cib", tmp_path / name) + (("-o", tmp_path / "x.ha") if command == "import" else ())
            run = hacc(command, *args)
            no_crash(run)
            assert run.returncode == 1 and run.seconds < 15, str(run)
            assert "top-secret-file-content" not in run.output and "lollollol" not in run.output, str(run)
