"""`hacc simulate` end to end: the examples' scenarios with the placements
crm_simulate gives, the JSON shape issue 7 specifies, the findings on
purpose-built bad clusters, usage errors, and running without
crm_simulate. Pacemaker placements come from the real scheduler: those
tests need crm_simulate (HACC_REQUIRE_TOOLS=1 fails them instead of
skipping)."""

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


def table(name: str) -> dict[str, dict[str, str]]:
    """Scenario label -> column -> value, for every all-single scenario."""
    unit = compile_file(EXAMPLES / name)
    report = run(unit.cluster, all_single(unit.cluster))
    out = {}
    for result in report.scenarios:
        row = {i: "+".join(o.masters) or "-" for i, o in result.vrrp.items()}
        row.update({r: n or "-" for r, n in result.resources.items()})
        for clone, roles in result.clones.items():
            row[clone] = ",".join(roles["started"]) + ("/" + ",".join(roles["promoted"]) if roles["promoted"] else "")
        row["quorum"] = str(result.quorate)
        row["findings"] = " ".join(sorted({d.code for d in result.findings})) or "-"
        out[", ".join(result.scenario.given) or "steady"] = row
    return out


def column(rows: dict, name: str) -> dict[str, str]:
    return {label: row[name] for label, row in rows.items()}


# -- keepalived examples: no Pacemaker involved ------------------------------------

def test_active_active_every_single_failure():
    """Each public VIP prefers its own node and moves on a node failure or a
    failing chk_haproxy (weight -60 > gap 50); the gateway pair moves only
    as a sync group (weight-0 tracker -> FAULT, nopreempt keeps it after).
    A cut link 0 leaves both nodes MASTER of the web VIPs (HA702); the
    gateway's eth1 adverts still cross, and the group holds lb2 BACKUP."""
    rows = table("active-active.ha")
    assert column(rows, "web-a") == {
        "steady": "lb1", "lb1": "lb2", "lb2": "lb1", "lb1:link0": "lb1+lb2", "lb1:chk_haproxy": "lb2",
        "lb1:eth0": "lb2", "lb1:eth1": "lb1", "lb2:link0": "lb1+lb2", "lb2:chk_haproxy": "lb1",
        "lb2:eth0": "lb1", "lb2:eth1": "lb1"}
    assert column(rows, "web-b") == {
        "steady": "lb2", "lb1": "lb2", "lb2": "lb1", "lb1:link0": "lb1+lb2", "lb1:chk_haproxy": "lb2",
        "lb1:eth0": "lb2", "lb1:eth1": "lb2", "lb2:link0": "lb1+lb2", "lb2:chk_haproxy": "lb1",
        "lb2:eth0": "lb1", "lb2:eth1": "lb2"}
    for instance in ("gw-ext", "gw-int"):
        assert column(rows, instance) == {
            "steady": "lb1", "lb1": "lb2", "lb2": "lb1", "lb1:link0": "lb1", "lb1:chk_haproxy": "lb2",
            "lb1:eth0": "lb2", "lb1:eth1": "lb2", "lb2:link0": "lb1", "lb2:chk_haproxy": "lb1",
            "lb2:eth0": "lb1", "lb2:eth1": "lb1"}
    assert column(rows, "findings")["lb1:link0"] == "HA702"
    assert column(rows, "quorum") == dict.fromkeys(rows, "True")


@pytest.mark.parametrize("name, instance, a, b", [("article-lb.ha", "VI_1", "lb1", "lb2"),
                                                   ("lvs-dr.ha", "VI_LVS", "dir1", "dir2")])
def test_two_director_examples(name, instance, a, b):
    rows = table(name)
    masters = column(rows, instance)
    assert masters["steady"] == a and masters[a] == b and masters[b] == a
    assert masters[f"{a}:link0"] == masters[f"{b}:link0"] == f"{a}+{b}"
    assert masters[f"{a}:eth0"] == b and masters[f"{b}:eth0"] == a
    if name == "article-lb.ha":
        assert masters["lb1:chk_haproxy"] == "lb2" and masters["lb2:chk_haproxy"] == "lb1"


def test_frontend_binds_follow_the_vips():
    unit = compile_file(EXAMPLES / "active-active.ha")
    report = run(unit.cluster, all_single(unit.cluster))
    by_label = {", ".join(r.scenario.given) or "steady": r.frontends for r in report.scenarios}
    assert by_label["steady"] == {"www": {"10.1.0.100:80": ["lb1"], "10.1.0.101:80": ["lb2"]},
                                  "stats": {"*:8404": ["lb1", "lb2"]}}
    assert by_label["lb1"]["www"] == {"10.1.0.100:80": ["lb2"], "10.1.0.101:80": ["lb2"]}
    assert by_label["lb1"]["stats"] == {"*:8404": ["lb2"]}


# -- Pacemaker examples, placed by crm_simulate --------------------------------------

def test_two_node_fencing_placements(require_tool):
    """crm_simulate: nfs follows the surviving node; on a split, two_node
    keeps both halves quorate and nas1 wins the fence race (its device waits
    10s, and priority-fencing-delay adds 20s for the node running nfs-vip)."""
    require_tool("crm_simulate")
    rows = table("two-node-fencing.ha")
    assert column(rows, "nfs") == {"steady": "nas1", "nas1": "nas2", "nas2": "nas1",
                                   "nas1:link0": "nas1", "nas2:link0": "nas1"}
    assert column(rows, "nfs-vip") == column(rows, "nfs-server") == column(rows, "nfs")
    assert column(rows, "quorum") == dict.fromkeys(rows, "True")
    assert column(rows, "findings") == dict.fromkeys(rows, "-")


def test_article_pacemaker_placements_and_fence_race(require_tool):
    """Without a fence delay, a split of two two_node halves is a race (HA707);
    the simulation shows the first partition surviving."""
    require_tool("crm_simulate")
    rows = table("article-pacemaker.ha")
    assert column(rows, "webgroup") == {"steady": "node1", "node1": "node2", "node2": "node1",
                                        "node1:link0": "node1", "node2:link0": "node1"}
    assert column(rows, "findings") == {"steady": "-", "node1": "-", "node2": "-",
                                        "node1:link0": "HA707", "node2:link0": "HA707"}


def test_three_node_db_placements(require_tool):
    """Promotion stays in dc1 (location rule), the VIP follows the promoted
    instance (colocation), web-clone avoids db3 (a negative score keeps clone
    instances off a node); single link failures change nothing (two knet
    links)."""
    require_tool("crm_simulate")
    rows = table("three-node-db.ha")
    assert column(rows, "db-vip") == {"steady": "db2", "db1": "db2", "db2": "db1", "db3": "db2",
                                      **{f"db{i}:link{k}": "db2" for i in (1, 2, 3) for k in (0, 1)}}
    clone = column(rows, "pgsql-clone")
    assert clone["steady"] == "db1,db2,db3/db2" and clone["db2"] == "db1,db3/db1" and clone["db1"] == "db2,db3/db2"
    assert column(rows, "web-clone")["steady"] == "db1,db2" and column(rows, "web-clone")["db1"] == "db2"
    assert column(rows, "findings") == dict.fromkeys(rows, "-")


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
    finding = split["findings"][0]
    assert set(finding) == {"code", "name", "severity", "message", "span", "labels", "help", "notes", "path"}
    assert finding["code"] == "HA702" and finding["span"]["line"] == 11


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


def test_without_crm_simulate_keepalived_and_quorum_still_run():
    result = simulate(EXAMPLES / "two-node-fencing.ha", "--fail", "nas1", "--format", "json",
                      env={"HACC_CRM_SIMULATE": ""})
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [d["code"] for d in data["diagnostics"]] == ["HA708"]
    assert data["scenarios"][0]["resources"] == {} and data["scenarios"][0]["quorum"] is True
    text = simulate(EXAMPLES / "two-node-fencing.ha", env={"HACC_CRM_SIMULATE": ""}).stdout
    assert "crm_simulate is not installed" in text and "resources: not simulated" in text


def test_a_failing_crm_simulate_is_reported(tmp_path):
    fake = tmp_path / "crm_simulate"
    fake.write_text("#!/bin/sh\necho 'schema trouble' >&2\nexit 78\n")
    fake.chmod(0o755)
    result = simulate(EXAMPLES / "two-node-fencing.ha", "--format", "json", env={"HACC_CRM_SIMULATE": str(fake)})
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and [d["code"] for d in data["diagnostics"]] == ["HA709"]
    assert "schema trouble" in data["diagnostics"][0]["message"]


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
                            capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "\x1b[1m" in result.stdout and list(tmp_path.iterdir()) == []
