"""Importing keepalived.conf: keepalived's own reading rules, the merge of
the per-node files into one `keepalived` section, the round trip of the
golden examples, and the keepalived corpus cases."""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

import judges
import pytest
from importing_helpers import (
    CORPUS,
    ROOT,
    build_data,
    example_data,
    golden_secrets,
    golden_tree,
    new_log,
    node_sources,
)

from hacc.config import _toml
from hacc.importing.files import NodeTable
from hacc.importing.layers.keepalived import import_keepalived
from hacc.importing.readers.keepalived import quoted_escaped_words, read_keepalived
from hacc.model.validate import validate

KEEPALIVED_EXAMPLES = ["article-lb", "active-active", "lvs-dr"]
CASES = sorted(p.name for p in CORPUS.glob("keepalived-*") if p.is_dir())
NODE_FIELDS = ("interface", "addrs", "router_id", "unicast_src")


def write_nodes(root: Path, files: dict[str, str]) -> None:
    """files: path under `root` -> text; `lb1` is short for lb1's keepalived.conf."""
    for name, text in files.items():
        path = root / (f"{name}/etc/keepalived/keepalived.conf" if "/" not in name else name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def import_dir(root: Path, nodes: NodeTable | None = None):
    log, files = new_log()
    sources = node_sources(root, "keepalived", files)
    nodes = nodes if nodes is not None else NodeTable(list(sources))
    section = import_keepalived(sources, files, nodes, log)
    return section, nodes, log


def import_texts(tmp_path: Path, files: dict[str, str], nodes: NodeTable | None = None):
    write_nodes(tmp_path, files)
    return import_dir(tmp_path, nodes)


def read_text(tmp_path: Path, text: str, node: str = "lb1", extra: dict[str, str] | None = None):
    write_nodes(tmp_path, {node: text, **(extra or {})})
    log, files = new_log()
    path = tmp_path / node / "etc/keepalived/keepalived.conf"
    source = files.read(path, f"{node}/etc/keepalived/keepalived.conf")
    return read_keepalived(source, files, log, config_id=node), log


def codes(log) -> list[str]:
    return [d.code for d in log.diagnostics]


def at(log, code: str) -> list[tuple[str, int]]:
    return [(d.span.file, d.span.line) for d in log.diagnostics if d.code == code]


def keywords(items) -> list:
    return [(i.keyword, [w.text for w in i.args], keywords(i.block) if i.block is not None else None) for i in items]


def instance_text(name="VI_1", state="MASTER", priority=100, vrid=51, src=None, peers=(), vips=("10.0.0.100/24",),
                  interface="eth0", extra="", password="secret1") -> str:
    unicast = ""
    if src:
        unicast = f"    unicast_src_ip {src}\n    unicast_peer {{\n" + "".join(f"        {p}\n" for p in peers) + "    }\n"
    return (f"vrrp_instance {name} {{\n    state {state}\n    interface {interface}\n    virtual_router_id {vrid}\n"
            f"    priority {priority}\n    advert_int 1\n"
            f"    authentication {{\n        auth_type PASS\n        auth_pass {password}\n    }}\n"
            f"{unicast}    virtual_ipaddress {{\n" + "".join(f"        {v}\n" for v in vips) + f"    }}\n{extra}}}\n")


# -- round trip of the golden examples -------------------------------------------------


@pytest.mark.parametrize("example", KEEPALIVED_EXAMPLES)
@pytest.mark.parametrize("corosync_addrs", [False, True], ids=["keepalived-only", "addrs-known"])
def test_golden_keepalived_imports_back_to_the_same_files(example, corosync_addrs):
    data = example_data(example)
    nodes = NodeTable([n["name"] for n in data["nodes"]])
    if corosync_addrs:
        # As after corosync: the node addresses are known before keepalived.
        for node in data["nodes"]:
            nodes.get(node["name"])["addrs"] = list(node["addrs"])
    section, nodes, log = import_dir(ROOT / "golden" / example, nodes)
    assert not [d for d in log.diagnostics if d.severity.name in ("WARNING", "ERROR")], \
        [f"{d.span}: {d.message}" for d in log.diagnostics]
    for node, imported in zip(data["nodes"], nodes.as_list(), strict=True):
        for key in NODE_FIELDS:
            node.pop(key, None)
            if key in imported:
                node[key] = imported[key]
    assert data["keepalived"]["instances"], "the example has VRRP instances"
    data["keepalived"] = section
    built = build_data(data, {**golden_secrets(), **log.secrets}, f"{example}.ha")
    golden = golden_tree(example)
    confs = [path for path in golden if path.endswith("keepalived.conf")]
    assert confs and all(path in built for path in confs)
    for path in confs:
        assert built[path].decode() == golden[path].decode(), path


def test_active_active_keeps_the_per_node_values_hacc_does_not_derive():
    section, nodes, _ = import_dir(ROOT / "golden" / "active-active")
    gw_ext = next(i for i in section["instances"] if i["name"] == "gw-ext")
    assert gw_ext["interface"] == "eth1"
    assert gw_ext["unicast_src"] == {"lb1": "203.0.113.11", "lb2": "203.0.113.12"}
    assert gw_ext["preempt"] is False and "state" not in gw_ext
    web_b = next(i for i in section["instances"] if i["name"] == "web-b")
    assert web_b["priority"] == {"lb1": 100, "lb2": 150} and "state" not in web_b
    assert [n.get("addrs") for n in nodes] == [["10.1.0.11"], ["10.1.0.12"]]
    assert [n.get("interface") for n in nodes] == ["eth0", "eth0"]
    assert section["sync_groups"] == [{
        "name": "gateway", "members": ["gw-ext", "gw-int"], "notify": {
            "master": "/usr/local/sbin/gateway-notify master", "backup": "/usr/local/sbin/gateway-notify backup"},
        "track_scripts": [{"name": "chk_haproxy"}]}]
    assert "global" not in section, "script_user root and enable_script_security are derived"


# -- merging the nodes ------------------------------------------------------------------


def test_per_node_priority_state_interface_and_unicast(tmp_path):
    section, nodes, log = import_texts(tmp_path, {
        "lb1": "global_defs {\n    router_id edge-a\n}\n"
               + instance_text(priority=150, src="10.0.0.11", peers=["10.0.0.12"])
               + instance_text("VI_2", vrid=52, state="BACKUP", priority=100, src="10.0.0.11", peers=["10.9.0.12"]),
        "lb2": instance_text(state="BACKUP", priority=90, src="10.0.0.12", peers=["10.0.0.11"])
               + instance_text("VI_2", vrid=52, state="MASTER", priority=120, src="10.9.0.12", peers=["10.0.0.11"],
                               interface="eth7"),
    })
    vi1, vi2 = section["instances"]
    assert vi1["priority"] == {"lb1": 150, "lb2": 90}
    assert "state" not in vi1 and "interface" not in vi1 and "unicast_src" not in vi1
    assert vi2["priority"] == {"lb1": 100, "lb2": 120}
    assert "state" not in vi2, "MASTER on the highest priority is what hacc derives"
    assert vi2["interface"] == {"lb2": "eth7"}
    assert vi2["unicast_src"] == {"lb2": "10.9.0.12"}
    assert nodes.get("lb1")["router_id"] == "edge-a" and "router_id" not in nodes.get("lb2")
    assert nodes.get("lb1")["addrs"] == ["10.0.0.11"] and nodes.get("lb1")["interface"] == "eth0"
    assert not [d for d in log.diagnostics if d.code in ("HA080", "HA082")]
    assert log.spans[("keepalived", "instances", 1, "interface", "lb2")].file == "lb2/etc/keepalived/keepalived.conf"
    assert log.spans[("keepalived", "instances", 0, "priority", "lb2")].line == 5


def test_a_state_that_is_not_the_derived_one_is_kept_per_node(tmp_path):
    section, _, _ = import_texts(tmp_path, {
        "lb1": instance_text(state="BACKUP", priority=150, extra="    nopreempt\n"),
        "lb2": instance_text(state="MASTER", priority=100, extra="    nopreempt\n"),
    })
    assert section["instances"][0]["state"] == {"lb1": "BACKUP", "lb2": "MASTER"}
    assert section["instances"][0]["preempt"] is False


def test_unicast_source_differing_from_the_corosync_address_becomes_the_nodes_unicast_src(tmp_path):
    nodes = NodeTable(["lb1", "lb2"])
    nodes.get("lb1")["addrs"] = ["192.168.9.1"]
    nodes.get("lb2")["addrs"] = ["10.0.0.12"]
    section, nodes, _ = import_texts(tmp_path, {
        "lb1": instance_text(priority=150, src="10.0.0.11", peers=["10.0.0.12"]),
        "lb2": instance_text(state="BACKUP", priority=90, src="10.0.0.12", peers=["10.0.0.11"]),
    }, nodes)
    assert nodes.get("lb1")["unicast_src"] == "10.0.0.11" and nodes.get("lb1")["addrs"] == ["192.168.9.1"]
    assert "unicast_src" not in nodes.get("lb2")
    assert "unicast_src" not in section["instances"][0]


@pytest.mark.parametrize(("lb2_change", "line", "word"), [
    ({"vrid": 52}, 4, "virtual_router_id"),
    ({"password": "other99"}, 9, "auth_pass"),
    ({"vips": ("10.0.0.100/24", "10.0.0.101/24")}, 11, "VIP set"),
])
def test_values_that_must_agree_are_reported_where_they_differ(tmp_path, lb2_change, line, word):
    section, _, log = import_texts(tmp_path, {
        "lb1": instance_text(priority=150),
        "lb2": instance_text(state="BACKUP", priority=90, **lb2_change),
    })
    found = [d for d in log.diagnostics if d.code == "HA082"]
    assert len(found) == 1, [d.message for d in log.diagnostics]
    assert (found[0].span.file, found[0].span.line) == ("lb2/etc/keepalived/keepalived.conf", line)
    assert word in found[0].message
    assert found[0].labels[0].span.file == "lb1/etc/keepalived/keepalived.conf"
    assert found[0].labels[0].span.line == line
    assert "other99" not in found[0].message and "secret1" not in found[0].message
    kept = section["instances"][0]
    assert kept["vrid"] == 51 and kept["vips"] == [{"address": "10.0.0.100/24"}]


def test_a_value_set_twice_keeps_the_last_as_keepalived_does(tmp_path):
    section, _, log = import_texts(tmp_path, {"lb1": instance_text(extra="    priority 77\n")})
    assert section["instances"][0]["priority"] == {"lb1": 77}
    (note,) = [d for d in log.diagnostics if "set again" in d.message]
    assert note.code == "HA081" and note.span.line == 5


def test_each_distinct_password_gets_its_own_secret_name(tmp_path):
    section, _, log = import_texts(tmp_path, {
        "lb1": instance_text(password="aaaa1111") + instance_text("VI_2", vrid=52, password="bbbb2222")
               + instance_text("VI_3", vrid=53, password="aaaa1111"),
    })
    passes = [i["auth"]["pass"] for i in section["instances"]]
    assert passes == [{"secret": "VRRP_PASSWORD"}, {"secret": "VRRP_PASSWORD_2"}, {"secret": "VRRP_PASSWORD"}]
    assert log.secrets == {"VRRP_PASSWORD": "aaaa1111", "VRRP_PASSWORD_2": "bbbb2222"}


def test_a_longer_password_is_cut_to_the_8_characters_keepalived_uses(tmp_path):
    _, _, log = import_texts(tmp_path, {"lb1": instance_text(password="0123456789ab")})
    assert log.secrets == {"VRRP_PASSWORD": "01234567"}
    assert any("first 8 characters" in d.message for d in log.diagnostics)


def test_unicast_peers_that_are_not_the_other_nodes_are_reported(tmp_path):
    _, _, log = import_texts(tmp_path, {
        "lb1": instance_text(priority=150, src="10.0.0.11", peers=["10.0.0.12", "10.0.0.99"]),
        "lb2": instance_text(state="BACKUP", priority=90, src="10.0.0.12", peers=[]) .replace(
            "    unicast_peer {\n    }\n", "    unicast_peer {\n        10.0.0.98\n    }\n"),
    })
    lost = [d for d in log.diagnostics if d.code == "HA080"]
    assert {d.message.split()[2] for d in lost} == {"10.0.0.99", "10.0.0.98"}
    missing = [d for d in log.diagnostics if d.code == "HA082"]
    assert len(missing) == 1 and "10.0.0.11" in missing[0].message
    assert missing[0].span.file.startswith("lb2/")


def test_the_articles_two_masters_keep_their_state_for_the_lint_rules():
    section, _, log = import_dir(ROOT / "tests" / "import" / "article" / "lb")
    (instance,) = section["instances"]
    assert instance["priority"] == {"lb1": 100, "lb2": 100}
    assert instance["state"] == {"lb1": "MASTER", "lb2": "MASTER"}
    assert instance["multicast"] is True
    assert instance["vips"] == [{"address": "192.168.1.100/32"}]
    assert log.secrets == {"VRRP_PASSWORD": "1234"}
    assert "HA082" not in codes(log) and "HA080" not in codes(log)
    assert log.spans[("keepalived", "instances", 0, "state", "lb2")] .line == 2


def test_script_settings_are_left_to_hacc_only_when_it_derives_them(tmp_path):
    script = 'vrrp_script chk {\n    script "/usr/bin/pidof haproxy"\n}\n'
    tracked = instance_text(extra="    track_script {\n        chk\n    }\n")
    section, _, log = import_texts(tmp_path, {"lb1": script + tracked})
    # hacc would write enable_script_security where scripts run: the file has none.
    assert section["global"] == {"enable_script_security": False}
    assert any("no `script_user`" in d.message for d in log.diagnostics if d.code == "HA081")


def test_untracked_script_and_nodes_without_instances_are_noted(tmp_path):
    _, _, log = import_texts(tmp_path, {
        "lb1": 'vrrp_script unused {\n    script "/bin/true"\n}\n' + instance_text(),
        "lb2": "global_defs {\n    router_id lb2\n}\n",
    })
    notes = [d.message for d in log.diagnostics if d.code == "HA081"]
    assert any("leaves the unused script out" in m for m in notes)
    assert any("lb2 runs no VRRP instance" in m for m in notes)


def test_a_nodes_address_is_taken_from_the_peers_when_no_file_names_it(tmp_path):
    section, nodes, log = import_texts(tmp_path, {
        "lb1": instance_text(priority=150, src="10.0.0.11", peers=["10.0.0.12"]),
        "lb2": instance_text(state="BACKUP", priority=90, src="10.0.0.12", peers=["10.0.0.11"]).replace(
            "    unicast_src_ip 10.0.0.12\n", ""),
    })
    assert nodes.get("lb2")["addrs"] == ["10.0.0.12"]
    assert "unicast_src" not in section["instances"][0]
    assert log.spans[("nodes", 1, "addrs", 0)].file == "lb1/etc/keepalived/keepalived.conf"
    assert not [d for d in log.diagnostics if d.code in ("HA080", "HA082")]


def test_a_node_running_a_member_without_the_sync_group_is_reported(tmp_path):
    group = "vrrp_sync_group G {\n    group {\n        VI_1\n    }\n}\n"
    _, _, log = import_texts(tmp_path, {"lb1": group + instance_text(),
                                        "lb2": instance_text(state="BACKUP", priority=90)})
    (diag,) = [d for d in log.diagnostics if d.code == "HA082"]
    assert diag.span.file.startswith("lb2/") and "sync group `G`" in diag.message


def test_sync_group_members_are_compared_with_what_each_node_runs(tmp_path):
    group = "vrrp_sync_group G {\n    group {\n        VI_1\n        VI_2\n    }\n}\n"
    section, _, log = import_texts(tmp_path, {
        "lb1": group + instance_text() + instance_text("VI_2", vrid=52),
        "lb2": group.replace("        VI_2\n", "") + instance_text(state="BACKUP", priority=90)
               + instance_text("VI_2", vrid=52, state="BACKUP", priority=90),
    })
    assert section["sync_groups"][0]["members"] == ["VI_1", "VI_2"]
    (diag,) = [d for d in log.diagnostics if d.code == "HA082"]
    assert diag.span.file.startswith("lb2/") and "members" in diag.message


# -- keepalived's reading rules ----------------------------------------------------------


def test_comments_quotes_and_escapes_follow_keepalived(tmp_path):
    items, log = read_text(tmp_path, (
        "! a comment\n"
        "# another\n"
        "global_defs {   # trailing comment\n"
        "    router_id r1!also a comment\n"
        "    virtual_router_id 2#56\n"
        "    auth_pass ab\\#cd\n"
        '    script "a # b ! c"\n'
        '    word ab"cd ef"gh\n'
        "}\n"))
    assert keywords(items) == [("global_defs", [], [
        ("router_id", ["r1"], None),
        ("virtual_router_id", ["2"], None),
        ("auth_pass", ["ab#cd"], None),
        ("script", ["a # b ! c"], None),
        ("word", ["ab", "cd ef", "gh"], None),
    ])]
    assert not log.diagnostics
    assert items[0].block[3].args[0].quoted


def test_a_trailing_backslash_continues_only_a_definition(tmp_path):
    items, _ = read_text(tmp_path, "router_id r1 \\\nnext 1\n")
    assert keywords(items) == [("router_id", ["r1\\"], None), ("next", ["1"], None)]


def test_braces_split_lines_anywhere_outside_quotes(tmp_path):
    items, log = read_text(tmp_path, 'vrrp_instance VI_1{\n    virtual_ipaddress { 10.0.0.1/24 }\n'
                                     '    vip "x{y}z"}\n')
    assert keywords(items) == [("vrrp_instance", ["VI_1"], [
        ("virtual_ipaddress", [], [("10.0.0.1/24", [], None)]),
        ("vip", ["x{y}z"], None)])]
    assert not log.diagnostics
    assert (items[0].span.line, items[0].span.end_line) == (1, 3)


def test_a_brace_on_the_next_line_opens_the_block(tmp_path):
    items, log = read_text(tmp_path, "vrrp_instance VI_1\n{\n    priority 100\n}\n")
    assert keywords(items) == [("vrrp_instance", ["VI_1"], [("priority", ["100"], None)])]
    assert not log.diagnostics


@pytest.mark.parametrize(("text", "line", "words"), [
    ("vrrp_instance VI_1 {\n    priority 100\n", 1, "never closed"),
    ("vrrp_instance VI_1 {\n}\n}\n", 3, "closes no open block"),
    ("global_defs {\n}\n{\n}\n", 3, "follows no keyword"),
])
def test_unbalanced_braces_are_unreadable_at_their_line(tmp_path, text, line, words):
    items, log = read_text(tmp_path, text)
    assert items is None
    (diag,) = log.diagnostics
    assert diag.code == "HA083" and diag.span.line == line and words in diag.message


def test_an_unterminated_quote_is_reported(tmp_path):
    _, log = read_text(tmp_path, 'global_defs {\n    router_id "r1\n}\n')
    assert at(log, "HA083") == [("lb1/etc/keepalived/keepalived.conf", 2)]


def test_include_globs_relative_to_the_including_file_in_sorted_order(tmp_path):
    items, log = read_text(tmp_path, "include conf.d/*.conf\ninclude other/{b,a}.conf\n", extra={
        "lb1/etc/keepalived/conf.d/20-b.conf": "b20 x\n",
        "lb1/etc/keepalived/conf.d/10-a.conf": "a10 x\ninclude ../other/nested.conf\n",
        "lb1/etc/keepalived/conf.d/skip.txt": "never\n",
        "lb1/etc/keepalived/other/a.conf": "a y\n",
        "lb1/etc/keepalived/other/b.conf": "b y\n",
        "lb1/etc/keepalived/other/nested.conf": "nested z\n",
    })
    assert [i.keyword for i in items] == ["a10", "nested", "b20", "b", "a"]
    assert items[1].keyword_span.file == "lb1/etc/keepalived/other/nested.conf"
    assert not log.diagnostics


def test_absolute_includes_are_read_under_the_node_directory(tmp_path):
    items, log = read_text(tmp_path, "include /etc/keepalived/extra.conf\n", extra={
        "lb1/etc/keepalived/extra.conf": "from_extra 1\n"})
    assert [i.keyword for i in items] == ["from_extra"] and not log.diagnostics


def test_include_cycles_and_missing_includes_are_reported(tmp_path):
    items, log = read_text(tmp_path, "top 1\ninclude a.conf\ninclude missing/*.conf\n", extra={
        "lb1/etc/keepalived/a.conf": "in_a 1\ninclude keepalived.conf\n"})
    assert [i.keyword for i in items] == ["top", "in_a"]
    assert at(log, "HA083") == [("lb1/etc/keepalived/a.conf", 2)]
    assert at(log, "HA080") == [("lb1/etc/keepalived/keepalived.conf", 3)]


def test_an_include_outside_the_node_directory_is_not_read(tmp_path):
    (tmp_path / "secret.conf").write_text("stolen 1\n")
    items, log = read_text(tmp_path, "include ../../../secret.conf\n")
    assert items == [] and codes(log) == ["HA080"]


def test_a_block_may_not_end_in_another_file(tmp_path):
    items, log = read_text(tmp_path, "vrrp_instance VI_1 {\ninclude a.conf\n", extra={
        "lb1/etc/keepalived/a.conf": "priority 1\n}\n"})
    assert items is None
    assert ("lb1/etc/keepalived/a.conf", 2) in at(log, "HA083")


def test_definitions_and_conditional_lines(tmp_path):
    items, log = read_text(tmp_path, (
        "$IF=eth0\n"
        "$ADDRS=10.0.0.1/24 \\\n"
        "       10.0.0.2/24\n"
        "vrrp_instance VI_1 {\n"
        "    interface $IF\n"
        "    label ${IF}:vip $UNDEFINED\n"
        "@lb1 priority 150\n"
        "@lb2 priority 100\n"
        "@^lb1 nopreempt\n"
        "    virtual_ipaddress {\n"
        "        $ADDRS\n"
        "    }\n"
        "}\n"))
    assert keywords(items) == [("vrrp_instance", ["VI_1"], [
        ("interface", ["eth0"], None),
        ("label", ["eth0:vip", "$UNDEFINED"], None),
        ("priority", ["150"], None),
        ("virtual_ipaddress", [], [("10.0.0.1/24", [], None), ("10.0.0.2/24", [], None)]),
    ])]
    assert codes(log) == ["HA081"], "the @ID lines are noted once"
    interface = items[0].block[0].args[0]
    assert (interface.span.line, interface.span.col, interface.span.end_col) == (5, 15, 18)


@pytest.mark.parametrize("text", [
    "$A=x \\\n$A\n$A\n",            # a multi-line definition that uses itself
    "$A=$B\n$B=$A\nkey $A\n",          # two definitions that name each other
    "$A=x $A\nkey $A\n",                # a definition that grows at each use
    "a {\n" + "b { " * 300 + "\n",     # hundreds of blocks left open
])
def test_runaway_definitions_and_nesting_stop_with_a_report(tmp_path, text):
    items, log = read_text(tmp_path, text)
    assert "key" not in [item.keyword for item in items or ()], "the runaway line is not imported"
    assert "HA083" in codes(log)
    assert len(log.diagnostics) <= 6


def test_random_and_sequences_cannot_be_evaluated(tmp_path):
    items, log = read_text(tmp_path, "a ${_RANDOM 1 5}\n~SEQ(i, 1, 3) b $i\nc ${_INSTANCE}\n")
    assert keywords(items) == [("c", ["lb1"], None)]
    assert codes(log) == ["HA080", "HA080"]


def test_a_line_longer_than_keepalived_reads_is_reported(tmp_path):
    items, log = read_text(tmp_path, "router_id " + "x" * 1100 + "\n")
    assert at(log, "HA083") == [("lb1/etc/keepalived/keepalived.conf", 1)]
    # keepalived reads 1023 bytes, then the rest as a line of its own.
    assert [i.keyword for i in items] == ["router_id", "x" * 87]


def test_quoted_escaped_words_follow_the_command_rules():
    assert quoted_escaped_words('script "/bin/a b" \'c d\' e\\ f \\x41\\101') == ["script", "/bin/a b", "c d", "e f",
                                                                                 "AA"]
    assert quoted_escaped_words('script "open') is None
    assert quoted_escaped_words("script trailing\\") is None


def test_an_unquoted_script_keeps_only_its_first_word_as_keepalived_does(tmp_path):
    section, _, log = import_texts(tmp_path, {
        "lb1": "vrrp_script chk {\n    script /usr/bin/killall -0 haproxy\n}\n"
               + instance_text(extra="    track_script {\n        chk\n    }\n")})
    assert section["scripts"][0]["command"] == "/usr/bin/killall"
    assert any(d.code == "HA081" and d.span.line == 2 and "ignores" in d.message for d in log.diagnostics)


@pytest.mark.parametrize("content", [
    b"\x00\x01\x02binary\x00garbage",
    b"\xff\xfe\xfd not utf-8",
    b"vrrp_instance { { { } } } } } $X ${ @@ ~~ \" '",
])
def test_garbage_is_reported_without_a_traceback(tmp_path, content):
    path = tmp_path / "lb1/etc/keepalived/keepalived.conf"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    section, _, log = import_dir(tmp_path)
    assert section is None
    assert log.has_errors


def test_a_huge_file_is_refused_quickly(tmp_path):
    path = tmp_path / "lb1/etc/keepalived/keepalived.conf"
    path.parent.mkdir(parents=True)
    path.write_text(("w " * 400 + "\n") * 1000)
    section, _, log = import_dir(tmp_path)
    assert section is None
    assert any(d.code == "HA083" and "words" in d.message for d in log.diagnostics)


def test_fuzzed_inputs_never_raise(tmp_path):
    alphabet = list("abc_ {}\"'#!\\$@~=\n\t;:/.0123456789") + ["include ", "vrrp_instance ", "$X=", "@lb1 ", "${X}"]
    rng = random.Random(4)
    for index in range(150):
        root = tmp_path / str(index)
        write_nodes(root, {"lb1": "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))),
                           "lb2": instance_text() + "".join(rng.choice(alphabet) for _ in range(60))})
        import_dir(root)


# -- the corpus --------------------------------------------------------------------------


def corpus_import(case: str):
    section, nodes, log = import_dir(CORPUS / case)
    for node in nodes:
        node.setdefault("addrs", [])
    return {"cluster": "corpus", "nodes": nodes.as_list(), "keepalived": section}, log


@pytest.mark.parametrize("case", CASES)
def test_corpus_case_imports_with_the_expected_reports_and_rebuilds(case, require_tool):
    expected = _toml().loads((CORPUS / case / "case.toml").read_text())
    data, log = corpus_import(case)
    assert {d.code for d in log.diagnostics} == set(expected["expect"]), \
        [f"{d.code} {d.span}: {d.message}" for d in log.diagnostics]
    assert not validate(json.loads(json.dumps(data)), {}, set())
    built = build_data(data, log.secrets)
    confs = {path: content for path, content in built.items() if path.endswith("keepalived.conf")}
    assert confs
    require_tool("keepalived")
    with tempfile.TemporaryDirectory() as tmp:
        for path, content in confs.items():
            file = Path(tmp) / path
            file.parent.mkdir(parents=True)
            file.write_bytes(content)
            verdict = judges.keepalived(file)
            assert verdict, f"{path}:\n{verdict.output}"


def json_paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from json_paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_paths(item, path + (index,))


@pytest.mark.parametrize("case", CASES)
def test_every_imported_value_has_a_span_in_the_original_files(case):
    data, log = corpus_import(case)
    for path in json_paths(data["keepalived"], ("keepalived",)):
        assert path in log.spans, path
    for index, node in enumerate(data["nodes"]):
        for key in set(node) - {"name"}:
            if node[key]:
                assert ("nodes", index, key) in log.spans, (node["name"], key)


def test_corpus_cases_cover_what_the_brief_asks():
    assert len(CASES) >= 7
    multicast, _ = corpus_import("keepalived-three-node-multicast")
    assert [i["multicast"] for i in multicast["keepalived"]["instances"]] == [True, True]
    assert multicast["keepalived"]["instances"][1]["priority"] == {"web1": 100, "web2": 150, "web3": 50}
    ipv6, _ = corpus_import("keepalived-vrrpv3-ipv6")
    assert ipv6["keepalived"]["global"] == {"vrrp_version": 3}
    assert ipv6["keepalived"]["instances"][0]["advert"] == "500ms"
    assert ipv6["nodes"][0]["addrs"] == ["2001:db8:10::11"]
    lvs, _ = corpus_import("keepalived-lvs-health-checks")
    checks = [c["type"] for vs in lvs["keepalived"]["virtual_servers"] for rs in vs["real_servers"]
              for c in rs["checks"]]
    assert checks == ["http", "tcp", "misc"]
    assert lvs["keepalived"]["virtual_servers"][0]["persistence_timeout"] == "5m"
    assert lvs["keepalived"]["virtual_servers"][0]["sorry_server"] == "10.30.1.99:80"
    included, log = corpus_import("keepalived-include")
    (instance,) = included["keepalived"]["instances"]
    assert instance["priority"] == {"lb1": 120, "lb2": 100}
    assert instance["vips"] == [{"address": "10.50.0.100/24"}]
    assert log.spans[("keepalived", "instances", 0, "vrid")].file == "lb1/etc/keepalived/conf.d/20-vi-www.conf"
    groups, log = corpus_import("keepalived-sync-group-notify")
    assert groups["keepalived"]["sync_groups"][0]["notify"]["fault"] == "/usr/local/sbin/gw-notify fault"
    assert set(log.secrets) == {"VRRP_PASSWORD", "VRRP_PASSWORD_2"}
    tracked, _ = corpus_import("keepalived-unicast-track")
    assert [n["router_id"] for n in tracked["nodes"]] == ["LB_A", "LB_B"]
    assert tracked["keepalived"]["instances"][0]["track_interfaces"] == [{"name": "eth1", "weight": -60}]
