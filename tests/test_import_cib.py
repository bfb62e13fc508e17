"""Importing the Pacemaker CIB: golden CIBs rebuild byte for byte, CIBs
as pcs, crmsh and `cibadmin -Q` write them import into the compact form,
what hacc cannot express is reported at its line, and hostile XML is
refused without a traceback."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import judges
import pytest
from importing_helpers import (
    CORPUS,
    EXAMPLES,
    ROOT,
    build_data,
    example_data,
    golden_secrets,
    golden_tree,
    new_log,
)
from lxml import etree

from hacc.diagnostics.model import Severity
from hacc.importing.files import NodeTable, Source
from hacc.importing.layers.cib import import_cib
from hacc.importing.readers.cib import MAX_CIB_CHARS

CIB_EXAMPLES = [e for e in EXAMPLES if (ROOT / "golden" / e / "cib.xml").is_file()]
CIB_CASES = sorted(p.name for p in CORPUS.glob("cib-*") if p.is_dir()) if CORPUS.is_dir() else []


def run_import(text: str, nodes=(), cluster_name: str | None = None, display: str = "cib.xml"):
    log, _ = new_log()
    table = NodeTable()
    for node in nodes:
        table.add(node["name"]).update({k: v for k, v in node.items() if k != "attributes"})
    result = import_cib(Source(display, Path(display), text), table, log, cluster_name=cluster_name)
    return result, log, table


def golden_nodes(example: str) -> list[dict]:
    return [{k: node[k] for k in ("name", "id", "addrs")} for node in example_data(example)["nodes"]]


def case_nodes(case: str) -> tuple[str, list[dict]]:
    """The cluster name and nodes of a corpus case, read from its first
    node's corosync.conf (written in one known layout)."""
    conf = next(sorted((CORPUS / case).glob("*/etc/corosync/corosync.conf")).__iter__()).read_text()
    name = re.search(r"cluster_name: (\S+)", conf).group(1)
    nodes = []
    for block in re.findall(r"node \{(.*?)\}", conf, re.DOTALL):
        fields = dict(re.findall(r"(\w+): (\S+)", block))
        addrs = [fields[k] for k in sorted(fields) if re.fullmatch(r"ring\d_addr", k)]
        nodes.append({"name": fields["name"], "id": int(fields["nodeid"]), "addrs": addrs})
    return name, nodes


def import_case(case: str):
    name, nodes = case_nodes(case)
    text = (CORPUS / case / "cib.xml").read_text()
    pacemaker, log, table = run_import(text, nodes, name, display=f"{case}/cib.xml")
    return pacemaker, log, table, name, text


def codes(log) -> set[str]:
    return {d.code for d in log.diagnostics}


def serious(log) -> list[str]:
    return [f"{d.code} {d.span}: {d.message}" for d in log.diagnostics if d.severity >= Severity.WARNING]


def line_of(text: str, needle: str) -> int:
    assert needle in text, needle
    return text[: text.index(needle)].count("\n") + 1


def by_name(items: list[dict], name: str) -> dict:
    (found,) = [item for item in items if item.get("name") == name]
    return found


def rebuilt_cib(pacemaker: dict, table: NodeTable, name: str, secrets: dict) -> bytes:
    data = {"cluster": name, "nodes": [dict(node) for node in table], "pacemaker": pacemaker}
    for node in data["nodes"]:
        node.setdefault("addrs", [])
    return build_data(data, secrets)["cib.xml"]


# -- golden round trip --------------------------------------------------------------


@pytest.mark.parametrize("example", CIB_EXAMPLES)
def test_golden_cib_imports_and_rebuilds_byte_identical(example):
    data = example_data(example)
    golden = golden_tree(example)["cib.xml"]
    pacemaker, log, table = run_import(golden.decode(), golden_nodes(example), data["cluster"])
    assert not serious(log)
    data["pacemaker"] = pacemaker
    for node in data["nodes"]:
        node.pop("attributes", None)
        imported = table.get(node["name"])
        if "attributes" in imported:
            node["attributes"] = imported["attributes"]
    built = build_data(data, {**golden_secrets(), **log.secrets}, f"{example}.ha")
    assert built["cib.xml"] == golden


def test_every_example_with_pacemaker_has_a_golden_cib():
    assert set(CIB_EXAMPLES) >= {"article-pacemaker", "two-node-fencing", "three-node-db"}


def test_golden_import_gives_the_compact_form():
    pacemaker, log, table = run_import(golden_tree("three-node-db")["cib.xml"].decode(), golden_nodes("three-node-db"), "db3")
    fence = by_name(pacemaker["resources"], "ipmi-db1")
    assert fence["type"] == "fence" and fence["for"] == ["db1"] and "pcmk_host_list" not in fence["params"]
    assert fence["params"]["password"] == {"secret": "IPMI_PASSWORD"} and log.secrets == {"IPMI_PASSWORD": "golden-ipmi-pw"}
    assert [c["name"] for c in pacemaker["constraints"]] == [
        "vip-with-primary", "promote-then-vip", "db-before-web", "primary-prefers-dc1", "web-avoids-db3"]
    assert by_name(pacemaker["constraints"], "web-avoids-db3")["avoids"] == {"db3": "50"}
    clone = by_name(pacemaker["resources"], "pgsql-clone")
    assert clone["promotable"] is True and "promotable" not in clone["meta"]
    start = by_name(pacemaker["resources"], "pgsql")["ops"][0]
    assert start == {"name": "start", "timeout": "2m"}  # interval 0s is hacc's default
    # Members and wrapped resources come before the group or clone.
    names = [r["name"] for r in pacemaker["resources"]]
    assert names.index("pgsql") < names.index("pgsql-clone") and names.index("web") < names.index("web-clone")
    assert table.get("db3")["attributes"] == {"site": "dc2"}


def _value_at(root, path):
    for part in path:
        root = root[part]
    return root


def test_golden_spans_point_at_the_values_they_describe():
    text = golden_tree("three-node-db")["cib.xml"].decode()
    pacemaker, log, table = run_import(text, golden_nodes("three-node-db"), "db3")
    root = {"pacemaker": pacemaker, "nodes": table.as_list()}
    lines = text.splitlines()
    checked = 0
    for path, span in log.spans.items():
        if path and path[-1] == "<key>":
            shown = lines[span.line - 1][span.col - 1 : span.end_col - 1]
            assert shown == path[-2], (path, shown)
            checked += 1
            continue
        value = _value_at(root, path)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and path[-2:-1] != ("rule",):
            shown = lines[span.line - 1][span.col - 1 : span.end_col - 1]
            # An agent's span is its type; an `avoids` score is written negated.
            assert shown in (str(value), "-" + str(value)) or (path[-1] == "agent" and value.endswith(":" + shown)), (
                path, shown, value)
            checked += 1
    assert checked > 80
    # A `for` points at the node of the ban it replaces.
    assert log.spans[("pacemaker", "resources", 0, "for", 0)].line == line_of(text, 'rsc="ipmi-db1" node="db1"')


# -- CIBs as the tools write them ----------------------------------------------------


def test_a_pcs_cib_with_status_imports_into_the_compact_form():
    pacemaker, log, _, _, text = import_case("cib-two-node-ipmi-group")
    assert codes(log) == {"HA081"} and log.secrets == {"IPMI_PASSWORD": "Ipmi-Fence-2024"}
    fence = by_name(pacemaker["resources"], "fence_pg1")
    assert fence["for"] == ["pg1"]
    # pcs put pcmk_host_list before other parameters: it stays, so the order does.
    assert list(fence["params"]) == ["ip", "lanplus", "password", "pcmk_delay_base", "pcmk_host_list", "username"]
    assert pacemaker["constraints"] == [
        {"type": "location", "name": "location-pg-group-pg1-100", "resource": "pg-group", "prefers": {"pg1": "100"}}]
    assert pacemaker["properties"] == {"stonith-enabled": "true", "stonith-timeout": "90s", "priority-fencing-delay": "30s"}
    assert pacemaker["rsc_defaults"] == {"resource-stickiness": "1"}
    assert by_name(pacemaker["resources"], "pg-group")["members"] == ["pg-vip", "pg-fs", "pg-db"]
    monitor = by_name(pacemaker["resources"], "pg-fs")["ops"][0]
    assert monitor == {"name": "monitor", "interval": "20s", "timeout": "40s", "OCF_CHECK_LEVEL": "10"}
    # The status section is runtime state: nothing in it is reported.
    status_line = line_of(text, "<status>")
    assert all(d.span.line < status_line for d in log.diagnostics)


def test_crm_configure_show_xml_with_a_legacy_master_imports():
    pacemaker, log, _, _, text = import_case("cib-drbd-nfs-crmsh")
    assert codes(log) == {"HA081"}
    clone = by_name(pacemaker["resources"], "ms_drbd_r0")
    assert clone["type"] == "clone" and clone["promotable"] is True and clone["resource"] == "p_drbd_r0"
    assert clone["meta"]["master-max"] == "1"
    master_note = [d for d in log.diagnostics if "<master>" in d.message]
    assert [d.span.line for d in master_note] == [line_of(text, '<master id="ms_drbd_r0">')]
    ops = by_name(pacemaker["resources"], "p_drbd_r0")["ops"]
    assert ops[0] == {"name": "monitor", "interval": "29s", "timeout": "20s", "role": "Master"}
    assert ops[2] == {"name": "start", "timeout": "4m"}  # timeout="240" (seconds), interval="0"
    assert by_name(pacemaker["resources"], "stonith-sbd")["ops"][0] == {"name": "monitor", "interval": "1h", "timeout": "20s"}
    assert any("timeout=\"240\"` is written `4m`" in d.message for d in log.diagnostics)
    colocation = by_name(pacemaker["constraints"], "col_nfs_on_drbd")
    assert (colocation["resource"], colocation["with"], colocation["with-rsc-role"]) == ("g_nfs", "ms_drbd_r0", "Master")
    order = by_name(pacemaker["constraints"], "o_drbd_before_nfs")
    assert (order["first-action"], order["then-action"], order["kind"]) == ("promote", "start", "Mandatory")
    assert pacemaker["op_defaults"] == {"timeout": "600", "record-pending": "true"}


def test_a_bare_configuration_imports_like_the_whole_cib():
    text = golden_tree("three-node-db")["cib.xml"].decode()
    configuration = etree.tostring(etree.fromstring(text.encode()).find("configuration")).decode()
    whole, _, _ = run_import(text, golden_nodes("three-node-db"))
    bare, log, _ = run_import(configuration, golden_nodes("three-node-db"))
    assert bare == whole and not serious(log)


def test_resource_sets_and_roles_import():
    pacemaker, log, _, _, _ = import_case("cib-promotable-sets")
    assert codes(log) == set()
    order = by_name(pacemaker["constraints"], "pcs_rsc_order_set_d1_d2_set_d3")
    assert order["sets"] == [{"resources": ["d1", "d2"], "sequential": False, "require-all": False}, {"resources": ["d3"]}]
    colocation = by_name(pacemaker["constraints"], "pcs_rsc_colocation_set_d1_d2_set_stateful-clone")
    assert colocation["sets"][1] == {"resources": ["stateful-clone"], "role": "Promoted"}
    assert colocation["score"] == "INFINITY"
    pair = by_name(pacemaker["constraints"], "colocation-d3-stateful-clone-500")
    assert (pair["score"], pair["rsc-role"], pair["with-rsc-role"], pair["influence"]) == ("500", "Started", "Promoted", False)
    assert by_name(pacemaker["resources"], "stateful-clone")["meta"] == {"promoted-max": "1", "promoted-node-max": "1"}


def test_location_rules_on_node_attributes_import():
    pacemaker, log, table, _, _ = import_case("cib-location-rules")
    assert codes(log) == set()
    ban = by_name(pacemaker["constraints"], "web-needs-connectivity")["rule"]
    assert ban == {"score": "-INFINITY", "boolean_op": "or", "expressions": [
        {"attribute": "pingd", "operation": "not_defined"},
        {"attribute": "pingd", "operation": "lte", "value": "0"}]}
    # Two expressions without boolean-op mean `and`, written explicitly.
    assert by_name(pacemaker["constraints"], "web-avoids-dc1-rack-b")["rule"]["boolean_op"] == "and"
    uname = by_name(pacemaker["constraints"], "ping-not-on-web3")["rule"]["expressions"][0]
    assert uname == {"attribute": "#uname", "operation": "eq", "value": "web3"}
    assert [table.get(n)["attributes"] for n in ("web1", "web2", "web3")] == [
        {"site": "dc1", "rack": "a"}, {"site": "dc1", "rack": "b"}, {"site": "dc2", "rack": "a"}]


def test_fencing_levels_and_bans_under_any_id_fold_back():
    pacemaker, log, _, _, _ = import_case("cib-fencing-levels")
    assert codes(log) == {"HA081"}
    assert set(log.secrets) == {"IPMI_PASSWORD", "APC_SNMP_PASSWORD"}
    assert [by_name(pacemaker["resources"], f"ipmi-app{i}")["for"] for i in (1, 2, 3)] == [["app1"], ["app2"], ["app3"]]
    assert pacemaker["constraints"] == []  # every ban, pcs's and the hand-named one, became `for`
    assert pacemaker["fencing_levels"][:2] == [
        {"target": "app1", "index": 1, "devices": ["ipmi-app1"]},
        {"target": "app1", "index": 2, "devices": ["pdu-a", "pdu-b"]}]


def test_unexpressible_things_are_reported_at_their_lines():
    pacemaker, log, _, _, text = import_case("cib-unexpressible")
    assert codes(log) == {"HA080"}
    lost_lines = {d.span.line for d in log.losses}
    for needle in ('<acl_target id="monitoring">', '<acl_role id="read-only">', '<tag id="mail-services">',
                   '<alert id="snmp-alert"', '<template class="ocf" id="tpl-postfix"', 'template="tpl-postfix"',
                   '<cluster_property_set id="night-options">', '<utilization id="nodes-1-utilization">',
                   '<utilization id="dovecot-utilization">', 'description="the address', '<rsc_ticket',
                   '<meta_attributes id="systemd-defaults">', 'rsc="postfix"', 'rsc="mail-services"'):
        assert line_of(text, needle) in lost_lines, needle
    assert [r["name"] for r in pacemaker["resources"]] == ["fence-kvm", "mail-vip", "dovecot"]
    assert [c["name"] for c in pacemaker["constraints"]] == ["dovecot-with-vip"]
    assert pacemaker["rsc_defaults"] == {"resource-stickiness": "100"}
    assert pacemaker["properties"]["placement-strategy"] == "balanced"


def test_the_articles_crm_config_is_not_a_cib():
    text = (ROOT / "tests/import/article/pacemaker/cib.xml").read_text()
    pacemaker, log, _ = run_import(text)
    (problem,) = log.diagnostics
    assert problem.code == "HA083" and problem.span.line == 1
    assert "<crm_config>" in problem.message and "<cib" in problem.help and "cibadmin -Q" in problem.help
    # The file stays refused (HA083 is an error: nothing is written), but its
    # <resources> are read so `hacc audit` can still check them.
    assert [r["name"] for r in pacemaker["resources"]] == ["my-service"]


def test_a_fragment_without_cib_sections_gives_nothing():
    pacemaker, log, _ = run_import("<cluster><primitive id='x' class='ocf' provider='heartbeat' type='Dummy'/></cluster>\n")
    assert pacemaker is None
    assert [d.code for d in log.diagnostics] == ["HA083"]


# -- small CIBs for one behaviour each ----------------------------------------------


def cib(resources: str = "", constraints: str = "", nodes: str = "", crm_config: str = "", extra: str = "") -> str:
    return (f'<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">\n<configuration>\n'
            f"<crm_config>{crm_config}</crm_config>\n<nodes>{nodes}</nodes>\n<resources>\n{resources}\n</resources>\n"
            f"<constraints>\n{constraints}\n</constraints>\n{extra}</configuration>\n</cib>\n")


DUMMY = '<primitive id="{0}" class="ocf" provider="heartbeat" type="Dummy"/>'
FENCE = ('<primitive id="{0}" class="stonith" type="fence_ipmilan"><instance_attributes id="{0}-ia">'
         '<nvpair id="{0}-h" name="pcmk_host_list" value="{1}"/></instance_attributes></primitive>')


def test_a_ban_that_does_not_cover_the_host_list_is_kept_as_a_location():
    text = cib(FENCE.format("pdu", "a b"), '<rsc_location id="ban" rsc="pdu" node="a" score="-INFINITY"/>')
    pacemaker, log, _ = run_import(text)
    assert not log.diagnostics
    (device,) = pacemaker["resources"]
    assert "for" not in device and device["params"] == {"pcmk_host_list": "a b"}
    assert pacemaker["constraints"] == [{"type": "location", "name": "ban", "resource": "pdu", "avoids": {"a": "INFINITY"}}]


def test_node_ids_names_and_cluster_name_that_disagree_with_corosync_are_reported():
    text = cib(nodes='<node id="7" uname="a"/><node id="3" uname="c"/>',
               crm_config='<cluster_property_set id="o"><nvpair id="o-n" name="cluster-name" value="old"/></cluster_property_set>')
    log, _ = new_log()
    table = NodeTable(["a", "b"])
    table.get("a")["id"] = 1
    log.mark(table.path("a", "id"), Source("corosync.conf", Path("c"), "").span(4))
    pacemaker = import_cib(Source("cib.xml", Path("cib.xml"), text), table, log, cluster_name="new")
    disagreements = [d for d in log.diagnostics if d.code == "HA082"]
    assert len(disagreements) == 3
    ids = next(d for d in disagreements if "id 7" in d.message)
    assert ids.labels[0].span.file == "corosync.conf" and table.get("a")["id"] == 1
    assert table.get("c")["id"] == 3 and table.names == ["a", "b", "c"]
    assert any("cluster-name is `old`" in d.message for d in disagreements)
    assert "cluster-name" not in pacemaker.get("properties", {})


def test_shared_conditional_merged_and_repeated_attribute_sets():
    resources = (
        '<primitive id="r1" class="ocf" provider="heartbeat" type="Dummy">'
        '<instance_attributes id="shared"><nvpair id="s-a" name="a" value="1"/></instance_attributes></primitive>\n'
        '<primitive id="r2" class="ocf" provider="heartbeat" type="Dummy">'
        '<instance_attributes id-ref="shared"/>'
        '<meta_attributes id="m1" score="1"><nvpair id="m1-x" name="x" value="low"/></meta_attributes>'
        '<meta_attributes id="m2" score="5"><nvpair id="m2-x" name="x" value="high"/>'
        '<nvpair id="m2-x2" name="x" value="again"/></meta_attributes>'
        '<meta_attributes id="m3"><rule id="m3-r" score="0"><expression id="m3-e" attribute="site" operation="eq" '
        'value="a"/></rule><nvpair id="m3-y" name="y" value="1"/></meta_attributes></primitive>')
    pacemaker, log, _ = run_import(cib(resources))
    r2 = by_name(pacemaker["resources"], "r2")
    assert r2["params"] == {"a": "1"}  # the shared set, copied
    assert r2["meta"] == {"x": "high"}  # the higher score wins; the rule set is left out
    messages = [(d.code, d.message) for d in log.diagnostics]
    assert any(code == "HA080" and "id-ref" in m for code, m in messages)
    assert any(code == "HA080" and "rule matches" in m for code, m in messages)
    assert any(code == "HA080" and "set again" in m for code, m in messages)
    assert any(code == "HA081" and "merged" in m for code, m in messages)


def test_passwords_become_secrets_but_password_scripts_do_not():
    resources = ('<primitive id="f" class="stonith" type="fence_ipmilan"><instance_attributes id="f-ia">'
                 '<nvpair id="f1" name="password" value="p1"/><nvpair id="f2" name="passwd" value="p2"/>'
                 '<nvpair id="f3" name="snmp_priv_passwd" value="p3"/><nvpair id="f4" name="passwd_script" '
                 'value="/usr/local/bin/pw"/><nvpair id="f5" name="password_script" value="/usr/local/bin/pw2"/>'
                 '</instance_attributes></primitive>')
    pacemaker, log, _ = run_import(cib(resources))
    params = pacemaker["resources"][0]["params"]
    assert {k for k, v in params.items() if isinstance(v, dict)} == {"password", "passwd", "snmp_priv_passwd"}
    assert params["passwd_script"] == "/usr/local/bin/pw" and params["password_script"] == "/usr/local/bin/pw2"
    assert sorted(log.secrets.values()) == ["p1", "p2", "p3"]


def test_forms_pacemaker_defaults_are_made_explicit():
    resources = "\n".join(DUMMY.format(n) for n in ("a", "b"))
    constraints = (
        '<rsc_colocation id="c" rsc="a" with-rsc="b"/>\n'
        '<rsc_order id="o" first="a" then="b" score="0"/>\n'
        '<rsc_location id="l" rsc="a"><rule id="l-r1" score="10"><expression id="e1" attribute="x" operation="eq" '
        'value="1"/></rule><rule id="l-r2"><expression id="e2" attribute="y" operation="defined"/></rule></rsc_location>')
    pacemaker, log, _ = run_import(cib(resources, constraints))
    constraints = {c["name"]: c for c in pacemaker["constraints"]}
    assert constraints["c"]["score"] == "0" and constraints["o"]["kind"] == "Optional"
    assert constraints["l"]["rule"]["score"] == "10"
    assert constraints["l-2"]["rule"] == {"score": "0", "expressions": [{"attribute": "y", "operation": "defined"}]}
    assert codes(log) == {"HA081"} and len(log.diagnostics) == 4


@pytest.mark.parametrize(("written", "imported", "rebuilt"), [
    ("10", "10s", "10s"), ("1min", "1m", "1m"), ("PT90S", "90s", "90s"), ("500ms", "500ms", "500ms"),
    ("60s", "60s", "1m"), ("2 h", "2h", "2h")])
def test_pacemaker_durations_become_hacc_durations(written, imported, rebuilt):
    resources = ('<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"><operations>'
                 f'<op id="a-m" name="monitor" interval="{written}"/></operations></primitive>')
    pacemaker, log, table = run_import(cib(resources))
    assert pacemaker["resources"][0]["ops"] == [{"name": "monitor", "interval": imported}]
    # A spelling hacc reads the same is kept; any other is rewritten, with a note.
    assert [d.code for d in log.diagnostics] == ([] if imported == written else ["HA081"])
    table.add("n").update({"id": 1, "addrs": ["10.0.0.1"]})
    op = etree.fromstring(rebuilt_cib(pacemaker, table, "c", {})).find(".//op")
    assert op.get("interval") == rebuilt


@pytest.mark.parametrize("score", ["INFINITY", "+INFINITY", "-INFINITY", "-50", "0", "200"])
def test_location_scores_rebuild_as_written(score):
    text = cib(DUMMY.format("a"), f'<rsc_location id="l" rsc="a" node="n" score="{score}"/>')
    pacemaker, log, table = run_import(text, [{"name": "n", "id": 1, "addrs": ["10.0.0.1"]}])
    assert not log.diagnostics
    (location,) = pacemaker["constraints"]
    assert ("avoids" in location) == score.startswith("-")
    assert etree.fromstring(rebuilt_cib(pacemaker, table, "c", {})).find(".//rsc_location").get("score") == score


def test_constraints_hacc_cannot_express_are_left_out_whole():
    resources = "\n".join(DUMMY.format(n) for n in ("a", "b"))
    constraints = (
        '<rsc_location id="v" rsc="a"><rule id="v-r" score="1"><expression id="v-e" attribute="ver" operation="gt" '
        'value="2.1" type="version"/></rule></rsc_location>\n'
        '<rsc_location id="p" rsc-pattern="^d" node="n" score="5"/>\n'
        '<rsc_location id="t" rsc="a" node="n" score="5"><lifetime><rule id="t-r"><date_expression id="t-d" '
        'operation="lt" end="2030-01-01"/></rule></lifetime></rsc_location>\n'
        '<rsc_colocation id="ok" rsc="a" with-rsc="b" score="INFINITY"/>')
    pacemaker, log, _ = run_import(cib(resources, constraints))
    assert [c["name"] for c in pacemaker["constraints"]] == ["ok"]
    assert len(log.losses) == 3


def test_resource_attributes_and_agents_hacc_cannot_write_are_reported():
    resources = ('<primitive id="old" class="heartbeat" type="IPaddr"/>\n'
                 '<primitive id="op" class="ocf" provider="heartbeat" type="Dummy"><operations>'
                 '<op id="op-m" name="monitor" interval="10x"/><op id="op-s" name="start" interval="0" '
                 'on-fail="restart-container" timeout="PT20S"/></operations></primitive>\n'
                 '<group id="g"><instance_attributes id="g-ia"><nvpair id="g-a" name="a" value="1"/>'
                 '</instance_attributes><primitive id="m" class="ocf" provider="heartbeat" type="Dummy"/></group>')
    pacemaker, log, _ = run_import(cib(resources))
    assert [r["name"] for r in pacemaker["resources"]] == ["op", "m", "g"]
    assert by_name(pacemaker["resources"], "op")["ops"] == [{"name": "start"}]
    assert len(log.losses) == 5  # the agent, the interval, on-fail, the ISO timeout, the group's parameters


# -- hostile and broken input -------------------------------------------------------


def _laughs() -> str:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">\n' for i in range(10))
    return f'<?xml version="1.0"?>\n<!DOCTYPE cib [\n{entities}]>\n<cib><configuration><x a="&l9;"/></configuration></cib>'


HOSTILE = {
    "billion-laughs": (_laughs(), 2),
    "external-entity": ('<?xml version="1.0"?>\n<!DOCTYPE cib [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                        + "<cib><configuration>&x;</configuration></cib>", 2),
    "network-dtd": ('<!-- first -->\n<!DOCTYPE cib SYSTEM "http://192.0.2.1/cib.dtd">\n<cib/>', 2),
    "malformed": ("<cib>\n<configuration>\n<resources>\n</configuration>\n</cib>", 4),
    "deep": ("<cib><configuration>" + "<x>" * 5000 + "</x>" * 5000 + "</configuration></cib>", 1),
    "empty": ("", 1),
    "not-xml": ("property stonith-enabled=true\n", 1),
    "namespaced": ('<cib xmlns="urn:example"><configuration/></cib>', 1),
    "no-configuration": ('<cib epoch="1"><status/></cib>', 1),
    "undefined-entity": ('<cib><configuration><x a="&nope;"/></configuration></cib>', 1),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_or_broken_xml_is_refused_with_its_line(name):
    text, line = HOSTILE[name]
    pacemaker, log, _ = run_import(text)
    assert pacemaker is None
    (problem,) = log.diagnostics
    assert problem.code == "HA083" and problem.span.line == line and problem.help
    assert "root:" not in problem.message


def test_a_huge_cib_is_refused_before_parsing():
    pacemaker, log, _ = run_import("<cib>" + " " * MAX_CIB_CHARS + "</cib>")
    assert pacemaker is None and [d.code for d in log.diagnostics] == ["HA083"]


def test_non_utf8_is_refused_and_a_latin1_declaration_is_harmless(tmp_path):
    log, files = new_log()
    latin = tmp_path / "latin.xml"
    latin.write_bytes('<cib><configuration/></cib><!-- caf\xe9 -->'.encode("latin-1"))
    assert files.read(latin) is None and [d.code for d in log.diagnostics] == ["HA003"]
    declared = ('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + cib(crm_config=(
        '<cluster_property_set id="o"><nvpair id="o-n" name="note" value="café"/></cluster_property_set>')))
    pacemaker, log, _ = run_import(declared)
    assert pacemaker["properties"] == {"note": "café"} and not log.diagnostics


# -- the corpus ----------------------------------------------------------------------


def test_the_corpus_has_the_cib_cases():
    assert len(CIB_CASES) >= 5
    for case in CIB_CASES:
        assert (CORPUS / case / "cib.xml").is_file() and (CORPUS / case / "case.toml").is_file()
        assert len(list((CORPUS / case).glob("*/etc/corosync/corosync.conf"))) >= 2, case


def _verifiable(cib_xml: bytes) -> bytes:
    """The original as crm_verify needs it: a status with every node online."""
    root = etree.fromstring(cib_xml)
    status = root.find("status")
    if status is None or not len(status):
        if status is not None:
            root.remove(status)
        etree.SubElement(root, "status")
        return judges.online_cib(etree.tostring(root))
    return cib_xml


@pytest.mark.parametrize("case", CIB_CASES)
def test_corpus_cib_is_valid_for_pacemaker(case, require_tool, tmp_path):
    require_tool("crm_verify")
    copy = tmp_path / "cib.xml"
    copy.write_bytes(_verifiable((CORPUS / case / "cib.xml").read_bytes()))
    result = judges._run(["crm_verify", "-V", "--xml-file", str(copy)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("case", CIB_CASES)
def test_corpus_cib_imports_with_the_expected_codes_and_rebuilds_valid(case, require_tool):
    from hacc.config import _toml

    expected = set(_toml().loads((CORPUS / case / "case.toml").read_text()).get("expect", []))
    pacemaker, log, table, name, _ = import_case(case)
    assert codes(log) == expected, [f"{d.code} {d.span}: {d.message}" for d in log.diagnostics]
    assert all(d.span.file == f"{case}/cib.xml" and d.span.line >= 1 for d in log.diagnostics)
    rebuilt = rebuilt_cib(pacemaker, table, name, log.secrets)
    require_tool("crm_verify")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cib.xml"
        path.write_bytes(rebuilt)
        verdict = judges.crm_verify(path)
    assert verdict, verdict.output
