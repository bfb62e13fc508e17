"""`hacc import`: every golden tree imports back into a .ha file that
builds the same files; every corpus case imports, rebuilds, and passes the
daemons' own checkers; the command never writes a partial result."""

from __future__ import annotations

import json
import os
from pathlib import Path

import judges
import pytest
from click.testing import CliRunner
from importing_helpers import CORPUS, EXAMPLES, ROOT, case_toml, checkable, golden_tree

from hacc.cli import main

CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []


def run(*args) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def import_args(root: Path) -> list[str]:
    args = ["import"]
    for node in sorted(p for p in root.iterdir() if p.is_dir()):
        args.append(f"--node={node.name}={node}")
    if (root / "cib.xml").is_file():
        args += ["--cib", str(root / "cib.xml")]
    if not list(root.glob("*/etc/corosync/corosync.conf")):
        # Only corosync.conf names the cluster; without it, name it here
        # rather than expect the note that says it was named `imported`.
        args.append(f"--name={root.name}")
    return args


def build(source: Path, out: Path, secrets: Path | None) -> dict[str, bytes]:
    args = ["build", source, "-o", out] + (["--secrets", secrets] if secrets else [])
    code, _, stderr = run(*args)
    assert code == 0, stderr
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("example", EXAMPLES)
def test_build_import_build_gives_the_same_files(example, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    source = tmp_path / f"{example}.ha"
    code, _, stderr = run(*import_args(ROOT / "golden" / example), "-o", source)
    assert code == 0, stderr
    assert "warning[" not in stderr and "error[" not in stderr, stderr
    secrets = source.with_suffix(".secrets")
    built = build(source, tmp_path / "out", secrets if secrets.exists() else None)
    expected = golden_tree(example)
    built.pop("manifest.json")
    expected.pop("manifest.json")
    assert sorted(built) == sorted(expected)
    for path, content in built.items():
        assert content.decode() == expected[path].decode(), path


@pytest.mark.parametrize("case", CASES)
def test_corpus_case_imports_rebuilds_and_passes_the_daemons(case, tmp_path, monkeypatch, require_tool):
    monkeypatch.chdir(CORPUS / case)
    expected = case_toml(case)
    source = tmp_path / "cluster.ha"
    code, _, stderr = run(*import_args(CORPUS / case), "-o", source, "--allow-loss", "--format", "json")
    assert code == 0, stderr
    report, _ = json.JSONDecoder().raw_decode(stderr)
    found = {d["code"] for d in report["diagnostics"] if d["code"].startswith("HA08")}
    assert found == set(expected.get("expect", [])), stderr
    secrets = source.with_suffix(".secrets")
    out = tmp_path / "out"
    built = build(source, out, secrets if secrets.exists() else None)
    judged = 0
    for path in built:
        file = out / path
        if path.endswith("haproxy.cfg"):
            require_tool("haproxy")
            verdict = judges.haproxy(checkable(file, case, tmp_path))
        elif path.endswith("keepalived.conf"):
            require_tool("keepalived")
            verdict = judges.keepalived(file)
        elif path == "cib.xml":
            require_tool("crm_verify")
            verdict = judges.crm_verify(file)
        elif path.endswith("corosync.conf"):
            require_tool("corosync")
            verdict = judges.corosync(file, path.split("/")[0])
        else:
            continue
        judged += 1
        assert verdict, f"{path}:\n{verdict.output}"
    assert judged, "the case rebuilt no daemon configuration"


def test_a_loss_writes_nothing_without_allow_loss(tmp_path):
    lossy = next((case for case in CASES if "HA080" in case_toml(case).get("expect", [])), None)
    if lossy is None:
        pytest.fail("the corpus has no case with a loss")
    source = tmp_path / "cluster.ha"
    os.chdir(CORPUS / lossy)
    try:
        code, _, stderr = run(*import_args(CORPUS / lossy), "-o", source)
    finally:
        os.chdir(ROOT)
    assert code == 1
    assert "could not be carried over" in stderr and "--allow-loss" in stderr
    assert not source.exists() and not source.with_suffix(".secrets").exists()


def test_secrets_go_to_a_private_file_not_into_the_ha_file(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    source = tmp_path / "lb.ha"
    code, _, stderr = run(*import_args(ROOT / "golden" / "article-lb"), "-o", source)
    assert code == 0, stderr
    secrets = source.with_suffix(".secrets")
    assert secrets.stat().st_mode & 0o777 == 0o600
    values = dict(line.split("=", 1) for line in secrets.read_text().splitlines() if line and not line.startswith("#"))
    assert values, "the VRRP password was not taken out"
    text = source.read_text()
    for name, value in values.items():
        assert f"secret:{name}" in text
        assert value not in text


def test_nothing_to_read_is_a_usage_error(tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, stderr = run("import", f"--node=a={tmp_path / 'empty'}", "-o", tmp_path / "x.ha")
    assert code == 2 and "found no corosync.conf" in stderr
    code, _, stderr = run("import", "--node=bad name=.", "-o", tmp_path / "x.ha")
    assert code == 2
    assert not (tmp_path / "x.ha").exists()


def test_single_files_instead_of_node_directories(tmp_path, monkeypatch):
    """--corosync FILE, --keepalived NODE=FILE and --haproxy NODE=FILE read
    the same as the node directories do."""
    monkeypatch.chdir(ROOT)
    golden = ROOT / "golden"
    by_dirs, by_files = tmp_path / "dirs.ha", tmp_path / "files.ha"
    code, _, stderr = run(*import_args(golden / "active-active"), "-o", by_dirs)
    assert code == 0, stderr
    args = ["import", "-o", by_files, "--name=active-active"]
    for node in ("lb1", "lb2"):
        args += ["--keepalived", f"{node}={golden / 'active-active' / node / 'etc/keepalived/keepalived.conf'}",
                 "--haproxy", f"{node}={golden / 'active-active' / node / 'etc/haproxy/haproxy.cfg'}"]
    code, _, stderr = run(*args)
    assert code == 0, stderr
    body = lambda path: path.read_text().split("cluster ", 1)[1]  # noqa: E731 - the header names the files read
    assert body(by_files) == body(by_dirs)

    corosync = golden / "three-node-db" / "db1" / "etc/corosync/corosync.conf"
    code, _, stderr = run("import", "--corosync", corosync, "-o", tmp_path / "db.ha")
    assert code == 0, stderr
    assert [line.split()[1] for line in (tmp_path / "db.ha").read_text().splitlines() if line.strip().startswith("node ")] \
        == ["db1", "db2", "db3"]
