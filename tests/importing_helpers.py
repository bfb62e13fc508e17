"""Helpers for the import tests: rebuild a JSON form, read golden files."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import pytest

from hacc.config import _toml
from hacc.importing.files import Files, Source
from hacc.importing.log import ImportLog

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.ha"))
CORPUS = ROOT / "tests" / "import" / "corpus"

# Where each daemon's file lives under a node's directory.
NODE_FILES = {
    "corosync": "etc/corosync/corosync.conf",
    "keepalived": "etc/keepalived/keepalived.conf",
    "haproxy": "etc/haproxy/haproxy.cfg",
}


def golden_secrets() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / "golden" / "secrets.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value
    return pairs


def example_data(example: str) -> dict:
    """The JSON form of examples/<example>.ha."""
    from hacc.pipeline import compile_file

    unit = compile_file(ROOT / "examples" / f"{example}.ha", f"{example}.ha")
    assert unit.data is not None and not unit.has_errors, [d.message for d in unit.diagnostics]
    return copy.deepcopy(unit.data)


def build_data(data: dict, secrets: dict[str, str], source_name: str = "cluster.ha") -> dict[str, bytes]:
    """Validate, bind and emit a JSON form; relative path -> content.
    Fails the test on a schema error (the import produced an invalid model)."""
    from hacc.emit import emit_all
    from hacc.emit.context import KINDS
    from hacc.emit.secrets import SecretStore
    from hacc.model.bind import Binder
    from hacc.model.cluster import Cluster
    from hacc.model.validate import validate

    problems = validate(data, {}, set())
    assert not problems, [f"{d.path}: {d.message}" for d in problems]
    cluster = Binder({}).bind(Cluster, data)
    outputs, diagnostics = emit_all(cluster, SecretStore(secrets, environ={}), source_name, KINDS)
    assert not [d for d in diagnostics if d.severity.name == "ERROR"], [d.message for d in diagnostics]
    return {o.path: o.content for o in outputs}


def golden_tree(example: str) -> dict[str, bytes]:
    root = ROOT / "golden" / example
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def node_sources(root: Path, kind: str, files: Files) -> dict[str, Source]:
    """node name -> that node's `kind` file, for every node directory under
    `root` (golden/<example> or a corpus case) that has one."""
    found = {}
    for node_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        path = node_dir / NODE_FILES[kind]
        if path.is_file():
            source = files.read(path, f"{node_dir.name}/{NODE_FILES[kind]}")
            if source is not None:
                found[node_dir.name] = source
    return found


def new_log() -> tuple[ImportLog, Files]:
    log = ImportLog()
    return log, Files(log)


def case_toml(case: str) -> dict:
    return _toml().loads((CORPUS / case / "case.toml").read_text())


def checkable(config: Path, case: str, tmp_path: Path) -> Path:
    """The file as haproxy -c can check it here: certificates the case names
    are made in `tmp_path`, and their directory points there."""
    text = config.read_text()
    for wanted in case_toml(case).get("certificates", []):
        if shutil.which("openssl") is None:
            pytest.skip("openssl is needed to make the test certificate")
        pem = tmp_path / Path(wanted).name
        if not pem.exists():
            key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                            str(cert), "-days", "30", "-subj", "/CN=test.example"], check=True, capture_output=True)
            pem.write_text(cert.read_text() + key.read_text())
        text = text.replace(str(Path(wanted).parent), str(tmp_path))
    checked = tmp_path / f"{config.parent.parent.parent.name}-{config.name}"
    checked.write_text(text)
    return checked
