"""The command line: exit codes, the written tree, --check, --stdout,
atomic replacement, lint formats and fmt. Secrets are proven in
test_secrets.py, byte-identical output in test_determinism.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LB = ROOT / "examples" / "article-lb.ha"
PACEMAKER = ROOT / "examples" / "article-pacemaker.ha"
SECRETS = {"VRRP_PASSWORD": "pw123456", "IPMI_PASSWORD": "ipmi-secret-value"}


def hacc(*args, cwd=None, env=None, check=None):
    environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), **(env if env is not None else SECRETS)}
    result = subprocess.run([sys.executable, "-m", "hacc", *map(str, args)], cwd=cwd or ROOT,
                            capture_output=True, text=True, env=environment)
    if check is not None:
        assert result.returncode == check, result.stdout + result.stderr
    return result


def snapshot(root: Path) -> dict[str, tuple[bytes, int, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mode & 0o777, p.stat().st_ino)
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_build_writes_every_file_with_its_mode(tmp_path):
    out = tmp_path / "out"
    hacc("build", LB, "-o", out, check=0)
    files = snapshot(out)
    assert sorted(files) == ["lb1/etc/haproxy/haproxy.cfg", "lb1/etc/keepalived/keepalived.conf", "lb1/etc/sysctl.d/90-hacc.conf",
                             "lb2/etc/haproxy/haproxy.cfg", "lb2/etc/keepalived/keepalived.conf", "lb2/etc/sysctl.d/90-hacc.conf",
                             "manifest.json"]
    assert files["lb1/etc/keepalived/keepalived.conf"][1] == 0o600  # holds the VRRP password
    assert files["lb1/etc/haproxy/haproxy.cfg"][1] == 0o644
    manifest = json.loads(files["manifest.json"][0])
    assert manifest["sources"] == [{"path": "article-lb.ha", "sha256": manifest["sources"][0]["sha256"]}]
    assert {f["path"]: f["mode"] for f in manifest["files"]}["lb1/etc/keepalived/keepalived.conf"] == "0600"


def test_exit_codes(tmp_path):
    bad = tmp_path / "bad.ha"
    bad.write_text("cluster c { node a { id 0 } }\n")
    assert hacc("build", bad, "-o", tmp_path / "out").returncode == 1
    assert hacc("build", tmp_path / "missing.ha").returncode == 2
    assert hacc("build", tmp_path).returncode == 2  # a directory
    assert hacc("build", LB, "--stdout", "lb9:haproxy").returncode == 2
    assert hacc("build", LB, "--bogus-option").returncode == 2
    assert hacc("lint", bad).returncode == 1
    assert hacc("lint", LB).returncode == 0 and hacc("lint", PACEMAKER).returncode == 0
    # The article's two setups are alternatives: together they claim one VIP twice.
    assert "error[HA602]" in hacc("lint", LB, PACEMAKER).stdout


def test_errors_write_nothing_and_leave_out_untouched(tmp_path):
    out = tmp_path / "out"
    hacc("build", LB, "-o", out, check=0)
    before = snapshot(out)
    broken = tmp_path / "article-lb.ha"
    broken.write_text(LB.read_text().replace("vrid 51", "vrid 300"))
    result = hacc("build", broken, "-o", out, check=1)
    assert "error[HA013]" in result.stderr
    assert f"nothing written to {out}/" in result.stderr
    assert snapshot(out) == before


def test_check_reports_stale_files_and_never_writes(tmp_path):
    out = tmp_path / "out"
    hacc("build", LB, "-o", out, check=0)
    assert hacc("build", LB, "-o", out, "--check").returncode == 0
    (out / "lb1/etc/haproxy/haproxy.cfg").write_text("edited by hand\n")
    (out / "stray.txt").write_text("x")
    before = snapshot(out)
    result = hacc("build", LB, "-o", out, "--check", check=1)
    assert "differs: lb1/etc/haproxy/haproxy.cfg" in result.stderr
    assert "not generated: stray.txt" in result.stderr
    assert snapshot(out) == before
    assert hacc("build", LB, "-o", tmp_path / "never", "--check").returncode == 1
    assert not (tmp_path / "never").exists()


def test_rebuild_replaces_the_tree(tmp_path):
    out = tmp_path / "out"
    hacc("build", LB, "-o", out, check=0)
    (out / "lb1/stale-file").write_text("from an older build")
    hacc("build", LB, "-o", out, check=0)
    assert not (out / "lb1/stale-file").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.hacc")]


def test_refuses_to_replace_a_directory_it_did_not_write(tmp_path):
    precious = tmp_path / "etc"
    precious.mkdir()
    (precious / "passwd").write_text("root:x:0:0")
    result = hacc("build", LB, "-o", precious, check=2)
    assert "refusing to replace it" in result.stderr
    assert (precious / "passwd").read_text() == "root:x:0:0"


def test_stdout_prints_one_file(tmp_path):
    result = hacc("build", LB, "--stdout", "lb2:keepalived", check=0)
    assert "router_id lb2" in result.stdout and "priority 90" in result.stdout
    cib = hacc("build", PACEMAKER, "--stdout", "cib", check=0)
    assert cib.stdout.startswith("<?xml")
    assert hacc("build", LB, "--stdout", "cib").returncode == 2  # no pacemaker block
    only_haproxy = hacc("build", LB, "--stdout", "lb1:haproxy", env={}, check=0)
    assert only_haproxy.stdout.startswith("# Generated by hacc")  # needs no secret


def test_lint_formats_and_strict(tmp_path):
    two = tmp_path / "two.ha"
    two.write_text("cluster c {\n node a { id 1; addr 10.0.0.1 }\n node b { id 2; addr 10.0.0.2 }\n"
                   " corosync { crypto cipher=aes256 hash=sha256 }\n}\n")
    assert hacc("lint", two).returncode == 0  # a warning only
    assert hacc("lint", "--strict", two).returncode == 1
    data = json.loads(hacc("lint", "--format", "json", two).stdout)
    assert [d["code"] for d in data["diagnostics"]] == ["HA109"]
    assert data["diagnostics"][0]["span"]["line"] == 4
    concise = hacc("lint", "--format", "concise", two).stdout
    assert concise == f"{two}:4:2: warning[HA109] " + data["diagnostics"][0]["message"] + "\n"


def test_colour_only_when_asked_and_never_with_no_color(tmp_path):
    bad = tmp_path / "bad.ha"
    bad.write_text("cluster c { node a { id 0 } }\n")
    assert "\x1b[" not in hacc("lint", bad).stdout
    assert "\x1b[" in hacc("lint", "--color", "always", bad).stdout
    assert "\x1b[" not in hacc("lint", "--color", "auto", bad, env={"NO_COLOR": "1"}).stdout


def test_installed_command_works_from_any_directory(tmp_path):
    """The installed package finds its grammar, schema and templates."""
    hacc_bin = shutil.which("hacc", path=str(Path(sys.executable).parent))
    if hacc_bin is None:
        pytest.skip("hacc is not installed in this environment (pip install .)")
    result = subprocess.run([hacc_bin, "build", str(LB), "--stdout", "lb1:haproxy"], cwd=tmp_path,
                            capture_output=True, text=True, env={"PATH": os.environ["PATH"]})
    assert result.returncode == 0, result.stderr
    assert "default_backend servers" in result.stdout


def test_lint_does_not_import_the_emitters_libraries():
    """`hacc lint` runs in pre-commit: it must not pay for Jinja2, lxml,
    jsonschema or Lark's runtime."""
    # The first run on a machine fills the cache of generated modules
    # (hacc.cache), which needs lark; every later run is what is measured.
    subprocess.run([sys.executable, "-m", "hacc", "lint", str(LB)], capture_output=True, cwd=ROOT, check=False)
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "hacc", "lint", str(LB)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "jinja2" not in imported and "lxml" not in imported
    # Valid input is parsed by the cached tables and validated by the schema's
    # compiled twin: neither Lark's runtime nor jsonschema is loaded.
    assert "jsonschema" not in imported and "lark" not in imported
    # The cached twin stands alone, and cache keys need no OpenSSL.
    assert "fastjsonschema" not in imported and "_hashlib" not in imported
    assert "hacc.checks" in imported  # the test can fail: it does see what lint imports


def test_fmt_checks_rewrites_and_takes_directories(tmp_path):
    messy = tmp_path / "deep" / "c.ha"
    messy.parent.mkdir()
    messy.write_text("cluster c {   node a { addr 10.0.0.1 }\n}\n")
    result = hacc("fmt", "--check", tmp_path, check=1)
    assert result.stdout.strip() == str(messy)
    assert messy.read_text() == "cluster c {   node a { addr 10.0.0.1 }\n}\n"
    hacc("fmt", messy, check=0)
    assert messy.read_text() == "cluster c {\n    node a {\n        addr 10.0.0.1\n    }\n}\n"
    hacc("fmt", "--check", messy, check=0)
    broken = tmp_path / "broken.ha"
    broken.write_text("cluster c {\n")
    result = hacc("fmt", broken, check=1)
    assert "error[HA001]" in result.stderr and broken.read_text() == "cluster c {\n"
    hacc("fmt", tmp_path / "empty-dir-that-does-not-exist", check=1)


def test_output_cut_short_by_the_reader_is_no_traceback(tmp_path):
    """`hacc lint ... | head -1`: the reader goes away while hacc writes.
    hacc leaves without tearing down (hacc.entry); the failed flush must
    give an exit status, not a traceback or an 'Exception ignored' line."""
    for index in range(150):  # far more output than a pipe holds
        (tmp_path / f"c{index}.ha").write_text(LB.read_text())
    process = subprocess.Popen([sys.executable, "-m", "hacc", "lint", str(tmp_path)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)})
    first = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    code = process.wait(timeout=60)
    assert first  # hacc did write before the reader left
    assert code == 1, (code, stderr)
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr


def test_exit_status_and_streams_survive_the_fast_exit(tmp_path):
    """Everything printed before the fast exit arrives, on the right stream,
    with the status click chose (0, 1 on findings, 2 on usage errors)."""
    result = hacc("lint", LB, "--format", "json", check=0)
    assert json.loads(result.stdout)["diagnostics"]
    assert hacc("lint", tmp_path / "missing.ha", check=2).stderr.startswith("Usage:")
    broken = tmp_path / "broken.ha"
    broken.write_text("cluster x {\n")
    assert "error[" in hacc("lint", broken, check=1).stdout
