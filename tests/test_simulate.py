"""`hacc simulate` end to end: the JSON shape issue 7 specifies, the
findings on purpose-built bad clusters, usage errors and the text output.
The examples' tables are in test_simulate_examples.py; running without (or
with a failing) crm_simulate in test_simulate_pacemaker.py. Pacemaker
placements come from the real scheduler: those tests need crm_simulate
(HACC_REQUIRE_TOOLS=1 fails them instead of skipping)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hacc.cli import main
from hacc.pipeline import compile_file
from hacc.simulate import all_single, run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def simulate(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, ["simulate", *map(str, args)], env=env)


# -- frontends -------------------------------------------------------------------------

def test_frontend_binds_follow_the_vips():
    unit = compile_file(EXAMPLES / "active-active.ha")
    report = run(unit.cluster, all_single(unit.cluster))
    by_label = {", ".join(r.scenario.given) or "steady": r.frontends for r in report.scenarios}
    assert by_label["steady"] == {"www": {"10.1.0.100:80": ["lb1"], "10.1.0.101:80": ["lb2"]},
                                  "stats": {"*:8404": ["lb1", "lb2"]}}
    assert by_label["lb1"]["www"] == {"10.1.0.100:80": ["lb2"], "10.1.0.101:80": ["lb2"]}
    assert by_label["lb1"]["stats"] == {"*:8404": ["lb2"]}


# -- JSON --------------------------------------------------------------------------------

def test_json_shape_is_the_one_issue_7_specifies(require_tool):
    require_tool("crm_simulate")
    result = simulate(EXAMPLES / "two-node-fencing.ha", "--fail", "nas1", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"cluster", "scenarios", "diagnostics"}
    (scenario,) = data["scenarios"]
    assert set(scenario) == {"fail", "vrrp", "resources", "quorum", "findings", "details"}
    assert scenario["fail"] == ["nas1"] and scenario["quorum"] is True and scenario["vrrp"] == {}
    assert scenario["resources"] == {"fence-nas1": "nas2", "fence-nas2": None, "pdu": "nas2", "nfs": "nas2",
                                     "nfs-server": "nas2", "nfs-vip": "nas2"}
    keepalived = json.loads(simulate(EXAMPLES / "active-active.ha", "--fail", "lb1:link0", "--format", "json").stdout)
    (split,) = keepalived["scenarios"]
    assert split["fail"] == ["lb1:link0"]
    assert split["vrrp"]["web-a"] == {"master": "lb1", "priorities": {"lb1": 150, "lb2": 100}}
    assert split["details"]["vrrp"]["web-a"]["masters"] == ["lb1", "lb2"]
    assert split["findings"][0]["code"] == "HA702" and split["findings"][0]["span"]["line"] == 11


def _shape(value):
    """The JSON shape of a value: keys and value types, recursively."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return "list"
    return type(value).__name__


def test_findings_are_shaped_as_hacc_lint_prints_them(bad):
    """weight.ha draws HA313 from `hacc lint` and HA705 from the simulation:
    each finding object has exactly the keys and value types of lint's."""
    lint = json.loads(CliRunner().invoke(main, ["lint", str(bad / "weight.ha"), "--format", "json"]).stdout)
    ours = json.loads(simulate(bad / "weight.ha", "--fail", "lb1:chk", "--format", "json").stdout)
    (linted,) = [d for d in lint["diagnostics"] if d["code"] == "HA313"]
    (found,) = ours["scenarios"][0]["findings"]
    assert found["code"] == "HA705" and _shape(found) == _shape(linted)
    assert found["span"]["file"] == linted["span"]["file"]


def test_quorum_is_a_boolean_without_corosync_too():
    """keepalived alone has no quorum to lose: `quorum` is true while a node
    is up, false when every node is down; `details.partitions` is null. A
    node that is down has no effective priority: it is left out."""
    data = json.loads(simulate(EXAMPLES / "article-lb.ha", "--fail", "lb1", "--format", "json").stdout)
    (one,) = data["scenarios"]
    assert one["quorum"] is True and one["details"]["partitions"] is None
    assert one["vrrp"]["VI_1"] == {"master": "lb2", "priorities": {"lb2": 90}}
    assert one["details"]["vrrp"]["VI_1"]["states"] == {"lb1": "DOWN", "lb2": "MASTER"}
    data = json.loads(simulate(EXAMPLES / "article-lb.ha", "--fail", "lb1", "--fail", "lb2", "--format", "json").stdout)
    (both,) = data["scenarios"]
    assert both["quorum"] is False and both["vrrp"]["VI_1"] == {"master": None, "priorities": {}}
    assert [f["code"] for f in both["findings"]] == ["HA701"]


def test_every_value_has_the_type_the_issue_names(require_tool):
    require_tool("crm_simulate")
    data = json.loads(simulate(EXAMPLES / "three-node-db.ha", "--scenarios", "all-single", "--format", "json").stdout)
    assert len(data["scenarios"]) == 10
    for scenario in data["scenarios"]:
        assert isinstance(scenario["fail"], list) and all(isinstance(f, str) for f in scenario["fail"])
        assert all(node is None or isinstance(node, str) for node in scenario["resources"].values())
        assert isinstance(scenario["quorum"], bool) and isinstance(scenario["findings"], list)
        assert all(p["no_quorum_policy"] is None for p in scenario["details"]["partitions"])
    lost = json.loads(simulate(EXAMPLES / "three-node-db.ha", "--fail", "db1", "--fail", "db2", "--format", "json").stdout)
    (scenario,) = lost["scenarios"]
    assert scenario["quorum"] is False and scenario["resources"]["db-vip"] is None
    assert scenario["details"]["partitions"] == [{"nodes": ["db3"], "votes": 1, "expected_votes": 3, "needed": 2,
                                                  "quorate": False, "no_quorum_policy": "stop"}]


def test_fail_is_reported_as_given():
    data = json.loads(simulate(EXAMPLES / "active-active.ha", "--fail", " lb2", "--fail", "lb1:eth1", "--format", "json").stdout)
    assert data["scenarios"][0]["fail"] == [" lb2", "lb1:eth1"]
    assert data["scenarios"][0]["vrrp"]["gw-ext"]["master"] is None


# -- findings on purpose-built clusters ----------------------------------------------------

BAD = {
    "weight.ha": """cluster w {
    node lb1 { addr 10.0.0.1; interface eth0 }
    node lb2 { addr 10.0.0.2; interface eth0 }
    keepalived {
        script chk "/usr/bin/true" interval=2s
        vrrp v { vrid 10; vip 10.0.0.100/24; priority lb1=100 lb2=90; track chk weight=-5 }
    }
}
""",
    "twonode.ha": """cluster t {
    node a { id 1; addr 10.0.0.1 }
    node b { id 2; addr 10.0.0.2 }
    corosync { crypto cipher=aes256 hash=sha256 }
    pacemaker {
        property stonith-enabled=false
        resource vip ocf:heartbeat:IPaddr2 { ip=10.0.0.100 cidr_netmask=24; op monitor interval=10s }
    }
}
""",
    "nowhere.ha": """cluster n {
    node a { id 1; addr 10.0.0.1 }
    node b { id 2; addr 10.0.0.2 }
    node c { id 3; addr 10.0.0.3 }
    corosync { crypto cipher=aes256 hash=sha256 }
    pacemaker {
        property stonith-enabled=false
        resource db ocf:heartbeat:Dummy { op monitor interval=10s }
        location db-on-a db prefers a=INFINITY
        location db-not-b db avoids b=INFINITY
        location db-not-c db avoids c=INFINITY
    }
}
""",
    "splitbrain.ha": """cluster s {
    node a { id 1; addr 10.0.0.1 }
    node b { id 2; addr 10.0.0.2 }
    corosync { crypto cipher=aes256 hash=sha256; quorum { two_node yes } }
    pacemaker {
        property stonith-enabled=false
        resource vip ocf:heartbeat:IPaddr2 { ip=10.0.0.100 cidr_netmask=24; op monitor interval=10s }
    }
}
""",
}


@pytest.fixture
def bad(tmp_path):
    for name, text in BAD.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def findings(data) -> dict[str, list[str]]:
    return {", ".join(s["fail"]) or "steady": [f["code"] for f in s["findings"]] for s in data["scenarios"]}


def test_weight_too_small_is_a_missed_failover(bad):
    """The lint rule HA313 says the weight is too small; the simulation shows
    the VIP staying on the node whose check failed (HA705), and simulates
    although lint reports an error."""
    result = simulate(bad / "weight.ha", "--fail", "lb1:chk", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert findings(data) == {"lb1:chk": ["HA705"]}
    message = data["scenarios"][0]["findings"][0]["message"]
    assert "drops to 95" in message and "lb2`'s 90" in message
    assert data["scenarios"][0]["vrrp"]["v"] == {"master": "lb1", "priorities": {"lb1": 95, "lb2": 90}}


def test_two_nodes_without_two_node_lose_quorum_on_one_failure(bad, require_tool):
    """HA704 on each single failure; no-quorum-policy=stop leaves the VIP
    resource nowhere (not reported again as HA703)."""
    require_tool("crm_simulate")
    result = simulate(bad / "twonode.ha", "--scenarios", "all-single", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert findings(data) == {"steady": [], "a": ["HA704"], "b": ["HA704"], "a:link0": ["HA704"], "b:link0": ["HA704"]}
    by_label = {", ".join(s["fail"]) or "steady": s for s in data["scenarios"]}
    assert by_label["steady"]["resources"] == {"vip": "a"} and by_label["b"]["resources"] == {"vip": None}
    assert by_label["a"]["quorum"] is False


def test_resource_with_nowhere_to_run(bad, require_tool):
    require_tool("crm_simulate")
    data = json.loads(simulate(bad / "nowhere.ha", "--scenarios", "all-single", "--format", "json").stdout)
    got = findings(data)
    assert got["a"] == ["HA703"] and got["steady"] == [] and got["b"] == [] and got["c"] == []


def test_split_brain_without_fencing(bad, require_tool):
    """two_node keeps both halves quorate; with fencing off nobody is shot
    and each half runs the VIP (HA706)."""
    require_tool("crm_simulate")
    data = json.loads(simulate(bad / "splitbrain.ha", "--fail", "b:link0", "--format", "json").stdout)
    assert findings(data) == {"b:link0": ["HA706"]}
    assert data["scenarios"][0]["details"]["fenced"] == []


# -- usage, input errors, missing tools ----------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (["--fail", "lb3"], ["no node `lb3`", "lb1, lb2"]),
    (["--fail", "lb1:link7"], ["link0, chk_haproxy, eth0, eth1"]),
    (["--fail", "lb1:chk_nope"], ["`chk_nope`", "chk_haproxy"]),
    (["--fail", "lb1", "--scenarios", "all-single"], ["not both"]),
    (["--scenarios", "some"], ["all-single"]),
])
def test_usage_errors(args, words):
    result = simulate(EXAMPLES / "active-active.ha", *args)
    assert result.exit_code == 2
    assert all(word in result.output for word in words), result.output


def test_input_errors_simulate_nothing(tmp_path):
    broken = tmp_path / "broken.ha"
    broken.write_text("cluster c {\n node a { addr 10.0.0.1 }\n keepalived { vrrp v { vrid 999 } }\n}\n")
    result = simulate(broken)
    assert result.exit_code == 1
    assert "nothing simulated" in result.stderr and "HA0" in result.stderr and result.stdout == ""


def test_text_says_what_no_quorum_policy_does(require_tool):
    require_tool("crm_simulate")
    text = simulate(EXAMPLES / "three-node-db.ha", "--fail", "db1", "--fail", "db2").stdout
    assert "{db3} NO quorum: 1 of 3 votes, 2 needed; no-quorum-policy=stop stops every resource of the partition" in text


def test_text_table_scores_and_determinism(require_tool):
    require_tool("crm_simulate")
    first = simulate(EXAMPLES / "three-node-db.ha", "--scenarios", "all-single", "--scores")
    second = simulate(EXAMPLES / "three-node-db.ha", "--scenarios", "all-single", "--scores")
    assert first.exit_code == 0 and first.stdout == second.stdout
    header = first.stdout.splitlines()[2].split()
    assert header == ["scenario", "db-vip", "pgsql-clone", "web-clone", "quorum", "findings"]
    assert "score db-vip: db1=" in first.stdout


def test_real_command_leaves_no_files(tmp_path, require_tool):
    """Only temporary files in a private directory, removed afterwards."""
    require_tool("crm_simulate")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "hacc", "simulate", str(EXAMPLES / "two-node-fencing.ha"),
                             "--scenarios", "all-single", "--color", "always"],
                            check=False, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "\x1b[1m" in result.stdout and list(tmp_path.iterdir()) == []
