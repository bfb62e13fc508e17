"""`hacc simulate` and crm_simulate: running without it (keepalived and
quorum still simulated, HA708), a failing run reported and not trusted
(HA709), and the offline gotchas of pacemaker-corosync.md section 3.4 that
the CIB handed to crm_simulate avoids."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from hacc.cli import main
from hacc.simulate import pacemaker

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

MIXED = """cluster m {
    node a { id 1; addr 10.0.0.1; interface eth0 }
    node b { id 2; addr 10.0.0.2; interface eth0 }
    corosync { crypto cipher=aes256 hash=sha256; quorum { two_node yes } }
    keepalived {
        vrrp v { vrid 10; vip 10.0.0.100/24; priority a=100 b=90 }
    }
    pacemaker {
        property stonith-enabled=false
        resource db ocf:heartbeat:Dummy { op monitor interval=10s }
    }
}
"""

LOOP = """cluster l {
    node a { id 1; addr 10.0.0.1 }
    node b { id 2; addr 10.0.0.2 }
    corosync { crypto cipher=aes256 hash=sha256; quorum { two_node yes } }
    pacemaker {
        property stonith-enabled=false
        resource x ocf:heartbeat:Dummy { op monitor interval=10s }
        resource y ocf:heartbeat:Dummy { op monitor interval=10s }
        order x-then-y x then y
        order y-then-x y then x
    }
}
"""


def simulate(*args, env: dict | None = None):
    return CliRunner().invoke(main, ["simulate", *map(str, args)], env=env)


def fake_tool(tmp_path: Path, body: str) -> Path:
    tool = tmp_path / "crm_simulate"
    tool.write_text("#!/bin/sh\n" + body)
    tool.chmod(0o755)
    return tool


def test_missing_crm_simulate_is_said_and_keepalived_still_simulated(tmp_path, monkeypatch):
    """The binary made unavailable the way a host without pacemaker-cli-utils
    is: no HACC_CRM_SIMULATE and `shutil.which` finding nothing, on PATH or
    in /usr/sbin and /sbin."""
    monkeypatch.delenv("HACC_CRM_SIMULATE", raising=False)
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    assert pacemaker.find_tool() is None
    (tmp_path / "mixed.ha").write_text(MIXED)
    result = simulate(tmp_path / "mixed.ha", "--fail", "a", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["code"] for d in data["diagnostics"]] == ["HA708"]
    assert "crm_simulate is not installed" in data["diagnostics"][0]["message"]
    (scenario,) = data["scenarios"]
    assert scenario["vrrp"] == {"v": {"master": "b", "priorities": {"b": 90}}}
    assert scenario["resources"] == {} and scenario["quorum"] is True
    assert scenario["details"]["pacemaker_simulated"] is False
    text = simulate(tmp_path / "mixed.ha").stdout
    assert "crm_simulate is not installed" in text and "resources: not simulated" in text
    assert re.search(r"^ +v +a +a=100 b=90$", text, re.MULTILINE), text


def test_crm_simulate_is_found_off_the_path(tmp_path, monkeypatch):
    """Debian installs it in /usr/sbin, which a user's PATH often lacks."""
    monkeypatch.delenv("HACC_CRM_SIMULATE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    found = pacemaker.find_tool()
    expected = shutil.which("crm_simulate", path=pacemaker.SBIN)
    assert found == expected
    monkeypatch.setenv("HACC_CRM_SIMULATE", "")
    assert pacemaker.find_tool() is None


def test_a_failing_crm_simulate_is_reported(tmp_path):
    tool = fake_tool(tmp_path, "echo 'schema trouble' >&2\nexit 78\n")
    result = simulate(EXAMPLES / "two-node-fencing.ha", "--format", "json", env={"HACC_CRM_SIMULATE": str(tool)})
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and [d["code"] for d in data["diagnostics"]] == ["HA709"]
    assert "schema trouble" in data["diagnostics"][0]["message"]
    assert data["scenarios"][0]["resources"] == {}


def test_the_error_is_read_from_crm_simulates_xml(tmp_path):
    xml = ('<pacemaker-result api-version="2.25"><status code="1" message="Error occurred"><errors>'
           '<error>Transition failed: terminated</error><error>An invalid transition was produced</error>'
           '</errors></status></pacemaker-result>')
    tool = fake_tool(tmp_path, f"echo '{xml}'\nexit 1\n")
    data = json.loads(simulate(EXAMPLES / "two-node-fencing.ha", "--format", "json",
                               env={"HACC_CRM_SIMULATE": str(tool)}).stdout)
    assert data["diagnostics"][0]["message"] == (
        "crm_simulate exited with 1: Transition failed: terminated / An invalid transition was produced")


def test_the_cib_avoids_the_offline_gotchas(tmp_path):
    """pacemaker-corosync.md 3.3/3.4: no crm_feature_set (a newer one than
    the tool's aborts `-S`), and a status section with every node a member
    and `have-quorum` set (an empty status leaves nodes UNCLEAN and the
    cluster without quorum)."""
    seen = tmp_path / "seen.xml"
    tool = fake_tool(tmp_path, f'cp "$2" "{seen}"\nexit 1\n')
    simulate(EXAMPLES / "three-node-db.ha", env={"HACC_CRM_SIMULATE": str(tool)})
    root = etree.parse(str(seen)).getroot()
    assert root.get("crm_feature_set") is None and root.get("have-quorum") == "1"
    states = {s.get("uname"): s for s in root.iterfind("status/node_state")}
    assert sorted(states) == ["db1", "db2", "db3"]
    for state in states.values():
        assert (state.get("in_ccm"), state.get("crmd"), state.get("join"), state.get("expected")) == (
            "true", "online", "member", "member")
    assert {s.get("id") for s in states.values()} == {"1", "2", "3"}


def test_an_ordering_loop_is_reported_not_trusted(tmp_path, require_tool):
    """pacemaker-corosync.md 3.4: with an order loop `-R` looks normal and
    `-S` fails; hacc runs `-S`, so the loop is reported (HA709) and no
    placement is made up."""
    require_tool("crm_simulate")
    (tmp_path / "loop.ha").write_text(LOOP)
    data = json.loads(simulate(tmp_path / "loop.ha", "--format", "json").stdout)
    assert [d["code"] for d in data["diagnostics"]] == ["HA709"]
    assert "An invalid transition was produced" in data["diagnostics"][0]["message"]
    assert data["scenarios"][0]["resources"] == {}


def test_a_pacemaker_3_target_on_an_older_tool(require_tool):
    """The CIB for a Pacemaker 3 target names schema pacemaker-4.0, which
    crm_simulate 2.1 cannot validate: HA709 with its reason."""
    require_tool("crm_simulate")
    version = subprocess.run(["crm_simulate", "--version"], check=False, capture_output=True, text=True).stdout
    data = json.loads(simulate(EXAMPLES / "two-node-fencing.ha", "--target", "pacemaker=3.0", "--format", "json").stdout)
    if version.startswith("Pacemaker 2."):
        assert [d["code"] for d in data["diagnostics"]] == ["HA709"]
        assert "pacemaker-4.0" in data["diagnostics"][0]["message"]
    else:
        assert data["diagnostics"] == [] and data["scenarios"][0]["resources"]["nfs"] == "nas1"
