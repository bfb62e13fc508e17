"""The model's JSON form: the schema is valid JSON Schema 2020-12, `.ha`
and `.json` inputs are validated by it alike, errors in JSON input point at
their line and column, and `--emit json` reads back to the same outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from helpers import codes

from hacc.model import corosync as corosync_vocabulary
from hacc.model.validate import schema

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.ha"))


def test_schema_is_valid_draft_2020_12():
    document = json.loads((ROOT / "schemas" / "cluster.schema.json").read_text())
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)


@pytest.mark.parametrize(
    "table, path",
    [
        (corosync_vocabulary.TOTEM_OPTIONS, ("totem",)),
        (corosync_vocabulary.LINK_OPTIONS, ("link",)),
        (corosync_vocabulary.QUORUM_OPTIONS, ("quorum",)),
        (corosync_vocabulary.QDEVICE_OPTIONS, ("qdevice",)),
        (corosync_vocabulary.LOGGING_OPTIONS, ("logging",)),
    ],
)
def test_corosync_vocabulary_matches_the_schema(table, path):
    """The option tables that drive lowering and emission know exactly the
    options the schema allows, with compatible types."""
    definition = schema()["$defs"][path[0]]["properties"]
    allowed = set(definition) - {"number", "auto_tie_breaker_node", "qdevice"}
    assert set(table) == allowed
    for key, kind in table.items():
        rule = definition[key]
        if rule.get("$ref") == "#/$defs/port":
            rule = schema()["$defs"]["port"]
        if kind in ("ms", "s"):
            assert rule == {"$ref": "#/$defs/duration"}, key
        elif kind == "int":
            assert rule.get("type") == "integer" or all(isinstance(v, int) for v in rule.get("enum", [None])), key
        elif kind == "bool":
            assert rule.get("type") == "boolean", key


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def test_json_input_errors_point_at_line_and_column(tmp_path, monkeypatch):
    from hacc.pipeline import compile_file

    monkeypatch.chdir(tmp_path)
    text = '{\n  "cluster": "c",\n  "nodes": [\n    {"name": "a", "addrs": ["10.0.0.300"]}\n  ]\n}\n'
    (tmp_path / "cluster.json").write_text(text)
    unit = compile_file(tmp_path / "cluster.json", "cluster.json")
    (error,) = unit.diagnostics
    assert (error.code, error.span.file, error.span.line, error.span.col) == ("HA013", "cluster.json", 4, 29)
    assert error.path == "nodes[0].addrs[0]"


def test_json_unknown_property_and_duplicate_key(tmp_path):
    from hacc.pipeline import compile_file

    (tmp_path / "c.json").write_text('{"cluster": "c", "nodes": [{"name": "a", "addrs": []}], "nodez": 1}')
    assert codes(compile_file(tmp_path / "c.json", "c.json")) == ["HA014"]
    (tmp_path / "d.json").write_text('{"cluster": "c", "cluster": "d", "nodes": []}')
    assert "HA009" in codes(compile_file(tmp_path / "d.json", "d.json"))
    (tmp_path / "e.json").write_text('{"cluster": "c",}')
    assert codes(compile_file(tmp_path / "e.json", "e.json")) == ["HA009"]


def run_hacc(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "hacc", *args], cwd=cwd, capture_output=True, env=env)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_emit_json_reads_back_to_the_same_outputs(example, tmp_path):
    secrets = tmp_path / "secrets.env"
    secrets.write_text((ROOT / "golden" / "secrets.env").read_text())
    secrets.chmod(0o600)
    emitted = run_hacc("build", str(example), "--emit", "json")
    assert emitted.returncode == 0, emitted.stderr
    data = json.loads(emitted.stdout)
    jsonschema.Draft202012Validator(schema()).validate(data)
    as_json = tmp_path / f"{example.stem}.json"
    as_json.write_bytes(emitted.stdout)
    from_ha, from_json = tmp_path / "ha", tmp_path / "json"
    assert run_hacc("build", str(example), "-o", str(from_ha), "--secrets", str(secrets)).returncode == 0
    result = run_hacc("build", str(as_json), "-o", str(from_json), "--secrets", str(secrets))
    assert result.returncode == 0, result.stderr
    for path in sorted(from_ha.rglob("*")):
        if path.is_file() and path.name != "manifest.json":
            twin = from_json / path.relative_to(from_ha)
            expected = path.read_bytes().replace(example.name.encode(), as_json.name.encode())
            assert twin.read_bytes() == expected, path


def test_emit_json_never_contains_secret_values(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "VRRP_PASSWORD": "leak-me-not"}
    emitted = run_hacc("build", "examples/article-lb.ha", "--emit", "json", env=env)
    assert emitted.returncode == 0
    assert b"leak-me-not" not in emitted.stdout + emitted.stderr
    assert json.loads(emitted.stdout)["keepalived"]["instances"][0]["auth"]["pass"] == {"secret": "VRRP_PASSWORD"}


def test_optional_addresses_bind_as_addresses(compile_text):
    """`X | None` fields convert their value as X (an address, not text)."""
    import ipaddress

    unit = compile_text("cluster c {\n node n1 { addr 10.0.0.1; unicast_src 10.0.0.5 }\n}\n")
    assert unit.cluster.nodes[0].unicast_src == ipaddress.ip_address("10.0.0.5")
