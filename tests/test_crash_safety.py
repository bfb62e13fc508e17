"""Crash safety: a build, an import or a format killed with SIGKILL at any
moment leaves every file it replaces whole (the old one or the new one),
a build whose input has errors touches nothing, and `--check` never writes.

How the kills are made: a driver process imports hacc once and forks one
child per run, which runs the real command line (`hacc.cli.main` with the
run's arguments and environment); forking skips the interpreter's start-up,
so a kill costs a tenth of a second and 24 of them (40 with
HACC_CRASH=long) fit in a CI run. The test sends the child SIGKILL at
deterministic points, measured from the moment its write begins (the
staging directory or temporary file appears): `hacc build` runs with the
HACC_TEST_WRITE_DELAY hook of hacc/output/tree.py, which sleeps after each
write; the single-file writers of `hacc import` and `hacc fmt` have no hook,
so the child's os.write writes 64 bytes at a time and sleeps between them.

After every kill of `hacc build` over an out/ built from another version of
the input (other files, other node names, other contents):
- out/ is byte for byte, mode for mode, exactly the old reference tree or
  exactly the new one (both built beforehand);
- its manifest.json is valid JSON whose files and sha256 are the tree's;
- beside out/ there is nothing but the killed build's own staging tree
  (`.out.hacc-new-PID`), and the next build removes it;
and over the kill points both outcomes occur, so the test did kill in the
middle of the write and after the swap. A first build (no out/ yet) killed
leaves no out/ or the complete new one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LB = ROOT / "examples" / "article-lb.ha"
PACEMAKER = ROOT / "examples" / "article-pacemaker.ha"
SECRETS = {"VRRP_PASSWORD": "pw123456", "IPMI_PASSWORD": "ipmi-secret-value"}
KILLS = 40 if os.environ.get("HACC_CRASH") == "long" else 20
DELAY = 0.02  # seconds HACC_TEST_WRITE_DELAY sleeps after each write
LEFTOVER = re.compile(r"\.out\.hacc-(new|old)-\d+\Z")

DRIVER = r"""
import contextlib, io, json, os, sys, time
import hacc.cli
# One build that writes nothing loads the grammar, the schema and the
# templates here, once, for every child.
with contextlib.redirect_stderr(io.StringIO()), contextlib.suppress(SystemExit):
    hacc.cli.main(["build", os.environ["HACC_WARM"], "--check", "-o", "/nonexistent/hacc-warm-up"], prog_name="hacc")
real_write = os.write

def slow_write(fd, data):
    written = real_write(fd, bytes(data[:64]))
    time.sleep(0.004)
    return written

for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.chdir(job["cwd"])
        os.environ.clear()
        os.environ.update(job["env"])
        if job.get("slow"):
            os.write = slow_write
        code = 0
        try:
            hacc.cli.main(job["argv"], prog_name="hacc")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            code = 99
        os._exit(code)
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                      "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None}), flush=True)
"""


class Driver:
    """Forks hacc runs from one process that has imported hacc already."""

    def __init__(self) -> None:
        env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "HACC_WARM": str(LB)}
        self.process = subprocess.Popen([sys.executable, "-c", DRIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, cwd=ROOT, env=env)
        self.pending: int | None = None  # a child whose status is not read yet

    def start(self, argv, cwd: Path, env: dict | None = None, slow: bool = False) -> int:
        if self.pending is not None:  # a failed test left its child: end it
            try:
                os.kill(self.pending, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.wait()
        environment = {"PATH": os.environ["PATH"], **(SECRETS if env is None else env)}
        job = {"argv": [str(a) for a in argv], "cwd": str(cwd), "env": environment, "slow": slow}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the driver died"
        self.pending = int(line)
        return self.pending

    def wait(self) -> dict:
        line = self.process.stdout.readline()
        assert line, "the driver died"
        self.pending = None
        return json.loads(line)

    def run(self, argv, cwd: Path, env: dict | None = None) -> int:
        self.start(argv, cwd, env)
        status = self.wait()
        assert status["signal"] is None, status
        return status["exit"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def driver():
    d = Driver()
    yield d
    d.close()


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `root`: content and permission bits."""
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mode & 0o7777)
            for p in sorted(root.rglob("*")) if p.is_file()}


def snapshot(root: Path) -> dict[str, tuple]:
    """Every file and directory under `root` (and root itself) with content,
    mode, inode and modification time: what "untouched" means."""
    out = {}
    for path in [root, *sorted(root.rglob("*"))]:
        st = path.lstat()
        content = path.read_bytes() if path.is_file() else None
        out[path.relative_to(root.parent).as_posix()] = (content, st.st_mode, st.st_ino, st.st_mtime_ns)
    return out


def check_manifest(out: Path) -> None:
    manifest = json.loads((out / "manifest.json").read_text())
    files = {entry["path"]: entry for entry in manifest["files"]}
    assert set(files) | {"manifest.json"} == set(tree(out)), (sorted(files), sorted(tree(out)))
    for path, entry in files.items():
        data = (out / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], path
        assert f"{(out / path).stat().st_mode & 0o777:04o}" == entry["mode"], path


def kill(pid: int) -> None:
    """SIGKILL, unless the run has already finished (and been reaped)."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def wait_for(predicate, pid: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"hacc (pid {pid}) did not start writing within {timeout} s")
        time.sleep(0.0005)


@pytest.fixture(scope="module")
def references(tmp_path_factory, driver):
    """Two versions of the article's load balancers (the old one has other
    node names, so other paths, and other contents) and their trees."""
    base = tmp_path_factory.mktemp("crash")
    old_source = base / "old" / "article-lb.ha"
    old_source.parent.mkdir()
    old_source.write_text(LB.read_text().replace("lb2", "lbx").replace("priority lb1=100 lbx=90", "priority lb1=90 lbx=100")
                          .replace("maxconn 2000", "maxconn 3000"))
    new_source = base / "new" / "article-lb.ha"
    new_source.parent.mkdir()
    shutil.copy(LB, new_source)
    refs = {}
    for name, source in (("old", old_source), ("new", new_source)):
        assert driver.run(["build", source, "-o", base / f"ref-{name}"], base) == 0
        refs[name] = tree(base / f"ref-{name}")
    assert refs["old"] != refs["new"] and set(refs["old"]) != set(refs["new"])
    return {"base": base, "old": refs["old"], "new": refs["new"], "old_tree": base / "ref-old",
            "new_source": new_source}


def _kill_points(count: int, write_phase: float) -> list[float]:
    """Seconds after the write began: spread over the write and past it."""
    return [round(index * write_phase * 1.4 / (count - 1), 4) for index in range(count)]


def test_sigkill_during_build_leaves_old_or_new_tree(references, driver, tmp_path):
    files = len(references["new"])
    outcomes = []
    cleaned = 0
    for index, delay in enumerate(_kill_points(KILLS, files * DELAY)):
        work = tmp_path / f"k{index}"
        work.mkdir()
        out = work / "out"
        shutil.copytree(references["old_tree"], out)
        assert tree(out) == references["old"]
        env = dict(SECRETS, HACC_TEST_WRITE_DELAY=str(DELAY))
        pid = driver.start(["build", references["new_source"], "-o", out], work, env)
        staging = work / f".out.hacc-new-{pid}"
        wait_for(staging.exists, pid)
        time.sleep(delay)
        kill(pid)
        status = driver.wait()
        found = tree(out)
        if found == references["old"]:
            outcome = "old"
        else:
            assert found == references["new"], f"kill {index} at +{delay}s: out/ is neither tree: {sorted(found)}"
            outcome = "new"
        check_manifest(out)
        strays = [p.name for p in work.iterdir() if p.name != "out"]
        assert all(LEFTOVER.match(name) for name in strays), strays
        outcomes.append((outcome, status["signal"] == signal.SIGKILL, bool(strays)))
        if strays and cleaned < 4:
            # The next build completes and removes what the killed one left.
            assert driver.run(["build", references["new_source"], "-o", out], work) == 0
            assert tree(out) == references["new"]
            assert [p.name for p in work.iterdir()] == ["out"]
            cleaned += 1
        shutil.rmtree(work)
    assert ("old", True, True) in outcomes, f"no kill landed in the middle of the write: {outcomes}"
    assert any(outcome == "new" for outcome, _, _ in outcomes), outcomes
    assert sum(killed for _, killed, _ in outcomes) >= KILLS // 2, f"most kills found the build finished: {outcomes}"
    assert cleaned >= 2, outcomes


def test_sigkill_during_a_first_build_leaves_no_tree_or_the_new_one(references, driver, tmp_path):
    files = len(references["new"])
    seen = set()
    for index, delay in enumerate(_kill_points(6, files * DELAY)):
        work = tmp_path / f"k{index}"
        work.mkdir()
        out = work / "out"
        env = dict(SECRETS, HACC_TEST_WRITE_DELAY=str(DELAY))
        pid = driver.start(["build", references["new_source"], "-o", out], work, env)
        staging = work / f".out.hacc-new-{pid}"
        wait_for(lambda: staging.exists() or out.exists(), pid)
        time.sleep(delay)
        kill(pid)
        driver.wait()
        if out.exists():
            assert tree(out) == references["new"]
            check_manifest(out)
            seen.add("new")
        else:
            seen.add("none")
        assert all(LEFTOVER.match(p.name) for p in work.iterdir() if p.name != "out")
        assert driver.run(["build", references["new_source"], "-o", out], work) == 0
        assert [p.name for p in work.iterdir()] == ["out"] and tree(out) == references["new"]
    assert "none" in seen, seen


def test_leftovers_of_a_live_build_are_kept(references, driver, tmp_path):
    """The next build removes staging trees of dead builds only: one whose
    process still runs (here: this test's own pid) is someone's build."""
    out = tmp_path / "out"
    live = tmp_path / f".out.hacc-new-{os.getpid()}"
    dead = tmp_path / ".out.hacc-new-999999999"
    for directory in (live, dead):
        directory.mkdir()
        (directory / "half-written").write_text("x")
    assert driver.run(["build", references["new_source"], "-o", out], tmp_path) == 0
    assert live.exists() and not dead.exists()


# -- builds that fail, and --check, write nothing --------------------------------


BROKEN = {
    "syntax": lambda text: text.replace("vrrp VI_1 {", "vrrp VI_1 {{"),
    "value": lambda text: text.replace("vrid 51", "vrid 300"),
    "structure": lambda text: text.replace("node lb2", "nod lb2"),
    "secret-too-long": None,  # the input is fine, the secret is not
    "secret-missing": None,
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_build_with_errors_leaves_out_untouched(references, driver, tmp_path, kind):
    """Inode, mtime, mode and bytes of out/ and of every file in it, and the
    directory around it: nothing changes, and nothing is left beside it."""
    work = tmp_path / "work"
    work.mkdir()
    out = work / "out"
    shutil.copytree(references["old_tree"], out)
    source = work / "article-lb.ha"
    edit = BROKEN[kind]
    source.write_text(edit(LB.read_text()) if edit else LB.read_text())
    env = {"secret-too-long": {"VRRP_PASSWORD": "much-too-long-password"}, "secret-missing": {}}.get(kind, SECRETS)
    time.sleep(0.01)  # so a rewrite would show in the mtimes
    before = snapshot(work)
    assert driver.run(["build", source, "-o", out], work, env) == 1
    assert snapshot(work) == before


@pytest.mark.parametrize("state", ["up-to-date", "stale", "missing", "errors"])
def test_check_never_writes(references, driver, tmp_path, state):
    work = tmp_path / "work"
    work.mkdir()
    out = work / "out"
    source = work / "article-lb.ha"
    source.write_text(LB.read_text() if state != "errors" else LB.read_text().replace("vrid 51", "vrid 300"))
    if state == "up-to-date":
        assert driver.run(["build", LB, "-o", out], work) == 0
    elif state in ("stale", "errors"):
        shutil.copytree(references["old_tree"], out)
        (out / "lb1/etc/haproxy/haproxy.cfg").write_text("edited by hand\n")
        (out / "stray.txt").write_text("x")
        (out / "lb1/etc/sysctl.d/90-hacc.conf").unlink()
    time.sleep(0.01)
    before = snapshot(work)
    for env in (SECRETS, {}):  # --check needs no secrets
        code = driver.run(["build", source, "-o", out, "--check"], work, env)
        assert code == (0 if state == "up-to-date" else 1), (state, env)
        assert snapshot(work) == before, state
    nested = work / "a" / "b" / "out"
    assert driver.run(["build", source, "-o", nested, "--check"], work) == 1
    assert not (work / "a").exists()


# -- hacc import and hacc fmt replace one file atomically ------------------------


def _kill_single_file_writer(driver, argv, cwd: Path, targets: dict[Path, tuple[bytes, bytes]], temp: re.Pattern,
                             count: int) -> set[tuple[str, ...]]:
    """Kill `argv` (with os.write slowed) `count` times, from the moment a
    temporary file appears; every target must then hold its old or its new
    bytes, with its mode. Returns the combinations seen."""
    seen = set()
    phase = 0.004 * sum(len(new) for _, new in targets.values()) / 64
    for index, delay in enumerate(_kill_points(count, phase)):
        for path, (old, _) in targets.items():
            path.write_bytes(old)
        pid = driver.start(argv, cwd, slow=True)
        wait_for(lambda: any(temp.match(p.name) for p in cwd.iterdir()), pid)
        time.sleep(delay)
        kill(pid)
        driver.wait()
        state = []
        for path, (old, new) in targets.items():
            data = path.read_bytes()
            assert data in (old, new), f"kill {index} at +{delay}s: {path.name} is half written ({len(data)} bytes)"
            state.append("old" if data == old else "new")
        seen.add(tuple(state))
        for leftover in cwd.iterdir():  # a killed writer may leave its hidden temporary file
            if leftover not in targets and temp.match(leftover.name):
                leftover.unlink()
    return seen


def test_sigkill_during_fmt_leaves_old_or_new_file(driver, tmp_path):
    messy = "cluster c {   node a { addr 10.0.0.1 }\n" + "".join(
        f"  node n{i} {{ addr 10.0.1.{i}; interface eth0 }}\n" for i in range(1, 30)) + "}\n"
    path = tmp_path / "c.ha"
    path.write_text(messy)
    path.chmod(0o640)
    assert driver.run(["fmt", path], tmp_path) == 0
    formatted = path.read_bytes()
    assert formatted != messy.encode() and path.stat().st_mode & 0o777 == 0o640
    seen = _kill_single_file_writer(driver, ["fmt", path], tmp_path, {path: (messy.encode(), formatted)},
                                    re.compile(r"\.c\.ha\..*\.hacc-fmt\Z"), 12)
    assert seen == {("old",), ("new",)}, seen
    assert path.stat().st_mode & 0o777 == 0o640


def test_sigkill_during_import_leaves_old_or_new_files(driver, tmp_path):
    nodes = ROOT / "tests" / "import" / "article" / "lb"
    argv = ["import", "--node", f"lb1={nodes / 'lb1'}", "--node", f"lb2={nodes / 'lb2'}", "-o", tmp_path / "lb.ha",
            "--allow-loss"]
    assert driver.run(argv, tmp_path) == 0
    ha, secrets = tmp_path / "lb.ha", tmp_path / "lb.secrets"
    new_ha, new_secrets = ha.read_bytes(), secrets.read_bytes()
    assert secrets.stat().st_mode & 0o777 == 0o600
    targets = {ha: (b"# the old file\n" * 50, new_ha), secrets: (b"OLD=value\n", new_secrets)}
    seen = _kill_single_file_writer(driver, argv, tmp_path, targets, re.compile(r"\.lb\.(ha|secrets)\..*\.tmp\Z"), 16)
    # The secrets file is written first, then the .ha file.
    assert ("old", "old") in seen and ("new", "new") in seen, seen
    assert ("new", "old") not in seen, seen
    assert secrets.stat().st_mode & 0o777 == 0o600


def test_single_file_writers_replace_by_rename(tmp_path, monkeypatch):
    """In-process: at the moment of the rename the target still holds its
    old bytes and the complete new bytes sit in a temporary file beside it,
    with the target's mode."""
    import hacc.format.files as fmt_files
    import hacc.output.atomic as atomic

    renames = []
    real_replace = os.replace

    def spy(src, dst):
        src, dst = Path(src), Path(dst)
        renames.append((src.parent == dst.parent, dst.read_bytes(), src.read_bytes(), src.stat().st_mode & 0o777))
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", spy)
    target = tmp_path / "x.secrets"
    target.write_bytes(b"old")
    atomic.write_atomically(target, b"new content", mode=0o600)
    assert renames == [(True, b"old", b"new content", 0o600)]
    assert target.read_bytes() == b"new content" and target.stat().st_mode & 0o777 == 0o600
    renames.clear()
    path = tmp_path / "c.ha"
    path.write_text("cluster c {   node a { addr 10.0.0.1 }\n}\n")
    path.chmod(0o604)
    assert fmt_files.format_paths([path]) == 0
    ((same_dir, old, new, mode),) = renames
    assert same_dir and old.startswith(b"cluster c {   node") and new == path.read_bytes() and mode == 0o604
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.ha", "x.secrets"]  # no temporary file left
