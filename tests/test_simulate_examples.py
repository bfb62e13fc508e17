"""`hacc simulate` on every example in examples/: the steady state and the
all-single table, with the placements expected.

keepalived placements follow from the election model (tested rule by rule
in test_simulate_vrrp.py). Pacemaker placements come from crm_simulate
through hacc's status section; each node failure is also checked against
crm_simulate's own failure injection (`-S -u ... -O` to start the cluster,
then `-f NODE`), which builds the scenario without hacc's code. Those tests
need crm_simulate (HACC_REQUIRE_TOOLS=1 fails them instead of skipping).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hacc.pipeline import compile_file
from hacc.simulate import all_single, run

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def table(name: str) -> dict[str, dict[str, str]]:
    """Scenario label -> column -> value, for every all-single scenario:
    VRRP masters, resources, clones (`started/promoted`), frontend binds,
    quorum and the finding codes."""
    unit = compile_file(EXAMPLES / name)
    report = run(unit.cluster, all_single(unit.cluster))
    out = {}
    for result in report.scenarios:
        row = {i: "+".join(o.masters) or "-" for i, o in result.vrrp.items()}
        row.update({r: n or "-" for r, n in result.resources.items()})
        for clone, roles in result.clones.items():
            row[clone] = ",".join(roles["started"]) + ("/" + ",".join(roles["promoted"]) if roles["promoted"] else "")
        for frontend, binds in result.frontends.items():
            row.update({f"{frontend} {bind}": ",".join(nodes or []) or "-" for bind, nodes in binds.items()})
        row["quorum"] = str(result.quorate)
        row["findings"] = " ".join(sorted({d.code for d in result.findings})) or "-"
        out[", ".join(result.scenario.given) or "steady"] = row
    return out


def column(rows: dict, name: str) -> dict[str, str]:
    return {label: row[name] for label, row in rows.items()}


# -- keepalived examples ------------------------------------------------------------

def test_article_lb():
    """lb1 (100) holds VI_1; chk_haproxy weight -20 drops it to 80, below
    lb2's 90, so a dead HAProxy moves the VIP; eth0 down is FAULT; a cut
    link 0 (the adverts' network) leaves both MASTER (HA702). The frontend
    follows the VIP."""
    rows = table("article-lb.ha")
    expected = {"steady": "lb1", "lb1": "lb2", "lb2": "lb1", "lb1:link0": "lb1+lb2", "lb1:chk_haproxy": "lb2",
                "lb1:eth0": "lb2", "lb2:link0": "lb1+lb2", "lb2:chk_haproxy": "lb1", "lb2:eth0": "lb1"}
    assert column(rows, "VI_1") == expected
    assert column(rows, "http-in 192.168.1.100:80") == {k: v.replace("+", ",") for k, v in expected.items()}
    assert column(rows, "findings") == {k: "HA702" if k.endswith("link0") else "-" for k in expected}
    assert column(rows, "quorum") == dict.fromkeys(expected, "True"), "keepalived alone has no quorum to lose"


def test_lvs_dr():
    """dir1 (110) over dir2 (100), no trackers; preempt_delay changes no
    outcome, only its timing (keepalived.conf(5))."""
    rows = table("lvs-dr.ha")
    assert column(rows, "VI_LVS") == {"steady": "dir1", "dir1": "dir2", "dir2": "dir1", "dir1:link0": "dir1+dir2",
                                      "dir1:eth0": "dir2", "dir2:link0": "dir1+dir2", "dir2:eth0": "dir1"}
    assert column(rows, "findings") == {"steady": "-", "dir1": "-", "dir2": "-", "dir1:link0": "HA702",
                                        "dir1:eth0": "-", "dir2:link0": "HA702", "dir2:eth0": "-"}


def test_active_active():
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
    assert column(rows, "www 10.1.0.100:80")["steady"] == "lb1" and column(rows, "www 10.1.0.101:80")["steady"] == "lb2"
    assert column(rows, "www 10.1.0.100:80")["lb1"] == column(rows, "www 10.1.0.101:80")["lb1"] == "lb2"
    assert column(rows, "stats *:8404")["steady"] == "lb1,lb2" and column(rows, "stats *:8404")["lb1"] == "lb2"
    assert {k for k, v in column(rows, "findings").items() if v != "-"} == {"lb1:link0", "lb2:link0"}
    assert column(rows, "findings")["lb1:link0"] == "HA702"
    assert column(rows, "quorum") == dict.fromkeys(rows, "True")


# -- Pacemaker examples, placed by crm_simulate ------------------------------------------

def test_two_node_fencing(require_tool):
    """nfs follows the surviving node; on a split, two_node keeps both halves
    quorate and nas1 wins the fence race (its device waits 10s, and
    priority-fencing-delay adds 20s for the node running nfs-vip)."""
    require_tool("crm_simulate")
    rows = table("two-node-fencing.ha")
    assert column(rows, "nfs") == {"steady": "nas1", "nas1": "nas2", "nas2": "nas1",
                                   "nas1:link0": "nas1", "nas2:link0": "nas1"}
    assert column(rows, "nfs-vip") == column(rows, "nfs-server") == column(rows, "nfs")
    assert column(rows, "pdu") == {"steady": "nas1", "nas1": "nas2", "nas2": "nas1", "nas1:link0": "nas1", "nas2:link0": "nas1"}
    assert column(rows, "quorum") == dict.fromkeys(rows, "True")
    assert column(rows, "findings") == dict.fromkeys(rows, "-")


def test_article_pacemaker(require_tool):
    """Without a fence delay, a split of two two_node halves is a race (HA707);
    the simulation shows the first partition surviving."""
    require_tool("crm_simulate")
    rows = table("article-pacemaker.ha")
    expected = {"steady": "node1", "node1": "node2", "node2": "node1", "node1:link0": "node1", "node2:link0": "node1"}
    assert column(rows, "webgroup") == column(rows, "vip") == column(rows, "web") == expected
    assert column(rows, "findings") == {"steady": "-", "node1": "-", "node2": "-",
                                        "node1:link0": "HA707", "node2:link0": "HA707"}


def test_three_node_db(require_tool):
    """Promotion stays in dc1 (location rule), the VIP follows the promoted
    instance (colocation), web-clone avoids db3 (a negative score makes a
    node ineligible); single link failures change nothing (two knet links)."""
    require_tool("crm_simulate")
    rows = table("three-node-db.ha")
    links = [f"db{i}:link{k}" for i in (1, 2, 3) for k in (0, 1)]
    assert column(rows, "db-vip") == {"steady": "db2", "db1": "db2", "db2": "db1", "db3": "db2", **dict.fromkeys(links, "db2")}
    assert column(rows, "pgsql-clone") == {"steady": "db1,db2,db3/db2", "db1": "db2,db3/db2", "db2": "db1,db3/db1",
                                           "db3": "db1,db2/db2", **dict.fromkeys(links, "db1,db2,db3/db2")}
    assert column(rows, "web-clone") == {"steady": "db1,db2", "db1": "db2", "db2": "db1", "db3": "db1,db2",
                                         **dict.fromkeys(links, "db1,db2")}
    assert column(rows, "quorum") == dict.fromkeys(rows, "True")
    assert column(rows, "findings") == dict.fromkeys(rows, "-")


# -- the same node failures, injected by crm_simulate itself -------------------------------

def _cib(cluster) -> bytes:
    from hacc.emit.context import emit_all
    from hacc.emit.secrets import SecretStore

    outputs, problems = emit_all(cluster, SecretStore({}, environ={}), "cluster.ha", ("cib",), lenient=True)
    assert not problems and outputs
    return outputs[0].content


def _placements(xml: str) -> dict:
    """id -> running nodes (primitives), or (started, promoted) for clones,
    read from crm_simulate's revised status."""
    from lxml import etree

    def nodes(resource) -> list[str]:
        return [n.get("name") for n in resource.findall("node")] if resource.get("active") == "true" else []

    out: dict = {}
    for element in etree.fromstring(xml.encode()).find("revised_cluster_status/resources"):
        if element.tag == "clone":
            members = list(element.iter("resource"))
            out[element.get("id")] = (sorted({n for r in members for n in nodes(r)}),
                                      sorted({n for r in members if r.get("role") == "Promoted" for n in nodes(r)}))
        else:
            for resource in element.iter("resource"):
                out[resource.get("id")] = nodes(resource)
    return out


def _crm_simulate(*args: str) -> str:
    result = subprocess.run(["crm_simulate", *args], check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("name", ["two-node-fencing.ha", "article-pacemaker.ha", "three-node-db.ha"])
def test_node_failures_match_crm_simulate_injection(name, tmp_path, require_tool):
    require_tool("crm_simulate")
    cluster = compile_file(EXAMPLES / name).cluster
    report = run(cluster, all_single(cluster))
    (tmp_path / "cib.xml").write_bytes(_cib(cluster))
    up = [arg for node in cluster.node_names for arg in ("-u", node)]
    _crm_simulate("-x", str(tmp_path / "cib.xml"), "-S", "-q", "1", *up, "-O", str(tmp_path / "started.xml"))
    checked = 0
    for result in report.scenarios:
        if len(result.scenario.failures) != 1 or result.scenario.failures[0].kind != "node":
            continue
        failed = result.scenario.failures[0].node
        theirs = _placements(_crm_simulate("-x", str(tmp_path / "started.xml"), "-S", "-q", "1", "-f", failed,
                                           "--output-as=xml"))
        for rid, placed in theirs.items():
            if isinstance(placed, tuple):
                assert (result.clones[rid]["started"], result.clones[rid]["promoted"]) == placed, (failed, rid)
            else:
                assert result.resources[rid] == (placed[0] if placed else None), (failed, rid)
        assert theirs
        checked += 1
    assert checked == len(cluster.node_names)
