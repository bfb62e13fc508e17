"""Fleet mode: `hacc lint a.ha b.ha` (or a directory) checks the clusters
against each other (HA6xx), with findings in the file where they occur."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def cluster(name: str, nodes: list[tuple[str, str]], body: str = "") -> str:
    lines = [f"cluster {name} {{"]
    lines += [f"    node {n} {{ id {i}; addr {a}; interface eth0 }}" for i, (n, a) in enumerate(nodes, start=1)]
    lines += [body, "}", ""]
    return "\n".join(lines)


COROSYNC = "    corosync { crypto cipher=aes256 hash=sha256; quorum { two_node yes } }"


def vrrp(vrid: int, vip: str, multicast: bool = True) -> str:
    return f"    keepalived {{ vrrp V {{ vrid {vrid}; vip {vip}; priority a=100 b=90{'; multicast' if multicast else ''} }} }}"


def lint(tmp_path: Path, files: dict[str, str]) -> list[dict]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = subprocess.run([sys.executable, "-m", "hacc", "lint", "--format", "json", str(tmp_path)],
                            capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(result.stdout)["diagnostics"]


A = [("a", "10.0.0.1"), ("b", "10.0.0.2")]
C = [("a", "10.0.1.1"), ("b", "10.0.1.2")]
D = [("c", "10.0.0.3"), ("d", "10.0.0.4")]

CASES = {
    "HA601": ({"one.ha": cluster("one", A, vrrp(51, "10.0.0.100/24")), "two.ha": cluster("two", [("a", "10.0.0.11"), ("b", "10.0.0.12")], vrrp(51, "10.0.0.200/24"))},
              {"one.ha": cluster("one", A, vrrp(51, "10.0.0.100/24")), "two.ha": cluster("two", [("a", "10.0.0.11"), ("b", "10.0.0.12")], vrrp(52, "10.0.0.200/24"))}),
    "HA602": ({"one.ha": cluster("one", A, vrrp(51, "10.0.0.100/24", False)), "two.ha": cluster("two", [("a", "10.0.0.11"), ("b", "10.0.0.12")], vrrp(52, "10.0.0.100/24", False))},
              {"one.ha": cluster("one", A, vrrp(51, "10.0.0.100/24", False)), "two.ha": cluster("two", [("a", "10.0.0.11"), ("b", "10.0.0.12")], vrrp(52, "10.0.0.101/24", False))}),
    "HA603": ({"one.ha": cluster("one", A), "two.ha": cluster("two", [("c", "10.0.0.1"), ("d", "10.0.0.4")])},
              {"one.ha": cluster("one", A), "two.ha": cluster("two", D)}),
    "HA604": ({"one.ha": cluster("one", A, COROSYNC), "two.ha": cluster("two", C, COROSYNC)},
              {"one.ha": cluster("one", A, COROSYNC), "two.ha": cluster("two", [("c", "10.0.1.1"), ("d", "10.0.1.2")], COROSYNC)}),
    "HA605": ({"one.ha": cluster("web", A), "two.ha": cluster("web", D)},
              {"one.ha": cluster("web", A), "two.ha": cluster("api", D)}),
    "HA606": ({"one.ha": cluster("one", A, "    haproxy { frontend f { bind *:80 } }"), "two.ha": cluster("two", C, "    haproxy { frontend g { bind *:80 } }")},
              {"one.ha": cluster("one", A, "    haproxy { frontend f { bind *:80 } }"), "two.ha": cluster("two", C, "    haproxy { frontend g { bind *:8080 } }")}),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_fleet_rule_fires_and_stays_silent(code, tmp_path):
    fires, passes = CASES[code]
    (tmp_path / "fires").mkdir()
    found = [d for d in lint(tmp_path / "fires", fires) if d["code"] == code]
    assert found, code
    assert found[0]["span"]["file"].endswith("two.ha")
    assert found[0]["labels"] and found[0]["labels"][0]["span"]["file"].endswith("one.ha")
    (tmp_path / "passes").mkdir()
    assert code not in [d["code"] for d in lint(tmp_path / "passes", passes)]


def test_every_fleet_rule_has_a_case():
    from hacc.checks import RULES

    assert sorted(r.code.code for r in RULES if r.fleet) == sorted(CASES)


def test_one_file_runs_no_fleet_rule(tmp_path):
    found = lint(tmp_path, {"one.ha": cluster("web", A, vrrp(51, "10.0.0.100/24"))})
    assert not [d for d in found if d["code"].startswith("HA6")]
