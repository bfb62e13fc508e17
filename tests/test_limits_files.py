"""Limits: odd kinds of file get a diagnostic (or a usage error), quickly;
never a traceback or a hang.

How: see tests/limits_harness.py (a subprocess under RLIMIT_AS and a
timeout; exit code, location, help and time asserted).

What is proven: a directory, a FIFO (never opened, so never blocks),
/dev/zero, a file that is not UTF-8 and an unreadable file, as the main
source, an include, `--config`, `--secrets` and every importer input. The
unreadable file is tested for real: as root, hacc runs as nobody through
`setpriv --reuid=65534` when that user can run it from here (the test says
which in its skip reason otherwise); the PermissionError path is also
exercised in-process, always.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from limits_harness import (
    LB,
    NOBODY,
    ROOT,
    diagnosed,
    hacc,
    no_crash,
    usage_error,
    where,
)

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
        result = subprocess.run([*prefix, sys.executable, "-c", script, str(locked)], check=False, capture_output=True,
                                text=True, cwd=ROOT, env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}, timeout=60)
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
    from hacc.importing.files import Files
    from hacc.importing.log import ImportLog
    from hacc.pipeline import compile_file
    from hacc.source import files

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
