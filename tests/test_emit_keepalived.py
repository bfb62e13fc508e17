"""keepalived.conf per node: derived state, priorities and unicast peers."""

from __future__ import annotations

import re

from helpers import emit, text_of

NODES3 = """
    node a { addr 10.0.0.1; interface eth0 }
    node b { addr 10.0.0.2; interface eth0 }
    node c { addr 10.0.0.3; interface eth1 }
"""


def build(compile_text, vrrp: str, extra: str = "", nodes: str = NODES3, secrets=None):
    unit = compile_text(f"cluster k {{{nodes}\n keepalived {{\n{vrrp}\n{extra}\n}}\n}}\n")
    outputs, diagnostics = emit(unit, secrets)
    return outputs, diagnostics


def conf(outputs, node: str) -> str:
    return text_of(outputs, f"{node}/etc/keepalived/keepalived.conf")


def field(text: str, key: str) -> list[str]:
    return re.findall(rf"^\s*{key} (.+)$", text, re.M)


def test_state_follows_priority(compile_text):
    outputs, _ = build(compile_text, "vrrp V { vrid 9; vip 10.0.0.100/24; priority a=90 b=110 c=100 }")
    assert [field(conf(outputs, n), "state") for n in "abc"] == [["BACKUP"], ["MASTER"], ["BACKUP"]]
    assert [field(conf(outputs, n), "priority") for n in "abc"] == [["90"], ["110"], ["100"]]


def test_nopreempt_and_preempt_delay_start_every_node_as_backup(compile_text):
    for option in ("nopreempt", "preempt_delay 10s", "preempt no"):
        outputs, _ = build(compile_text, f"vrrp V {{ vrid 9; vip 10.0.0.100/24; priority a=90 b=110 c=100; {option} }}")
        assert {field(conf(outputs, n), "state")[0] for n in "abc"} == {"BACKUP"}


def test_explicit_state_wins(compile_text):
    outputs, _ = build(compile_text, "vrrp V { vrid 9; vip 10.0.0.100/24; priority a=90 b=110 c=100; state a=MASTER b=BACKUP c=BACKUP }")
    assert field(conf(outputs, "a"), "state") == ["MASTER"]


def test_priorities_are_derived_when_omitted(compile_text):
    outputs, _ = build(compile_text, "vrrp V { vrid 9; vip 10.0.0.100/24 }")
    assert [field(conf(outputs, n), "priority")[0] for n in "abc"] == ["100", "90", "80"]
    assert field(conf(outputs, "a"), "state") == ["MASTER"]


def test_unicast_peers_are_the_other_nodes(compile_text):
    outputs, _ = build(compile_text, "vrrp V { vrid 9; vip 10.0.0.100/24; priority a=100 b=90 c=80 }")
    text = conf(outputs, "b")
    assert field(text, "unicast_src_ip") == ["10.0.0.2"]
    peers = re.search(r"unicast_peer \{\n(.*?)\n    \}", text, re.S).group(1).split()
    assert peers == ["10.0.0.1", "10.0.0.3"]


def test_instance_only_on_nodes_with_a_priority(compile_text):
    outputs, _ = build(compile_text, "vrrp V { vrid 9; vip 10.0.0.100/24; priority a=100 b=90 }\n"
                                     "vrrp W { vrid 10; vip 10.0.0.101/24; priority b=100 c=90 }")
    assert "vrrp_instance V" not in conf(outputs, "c")
    outputs, _ = build(compile_text, "vrrp V { vrid 9; vip 10.0.0.100/24; priority a=100 b=90 }")
    assert "c/etc/keepalived/keepalived.conf" not in outputs  # c runs no VRRP instance
    assert re.findall(r"^\s+10\.0\.0\.\d$", conf(outputs, "a"), re.M) == ["        10.0.0.2"]


def test_multicast_writes_no_unicast_settings(compile_text):
    outputs, _ = build(compile_text, "vrrp V { vrid 9; vip 10.0.0.100/24; multicast }")
    assert "unicast" not in conf(outputs, "a")


def test_per_node_interface_and_source(compile_text):
    outputs, _ = build(compile_text, "vrrp V { vrid 9; vip 10.9.0.100/24; interface a=eth2 b=eth3 c=eth4; "
                       "unicast_src a=10.9.0.1 b=10.9.0.2 c=10.9.0.3 }")
    assert field(conf(outputs, "b"), "interface") == ["eth3"]
    assert field(conf(outputs, "b"), "unicast_src_ip") == ["10.9.0.2"]
    assert "10.9.0.1" in conf(outputs, "b") and "10.0.0.1" not in conf(outputs, "b")


def test_node_interface_is_the_default(compile_text):
    outputs, _ = build(compile_text, "vrrp V { vrid 9; vip 10.0.0.100/24 }")
    assert field(conf(outputs, "c"), "interface") == ["eth1"]


def test_durations_in_seconds(compile_text):
    outputs, _ = build(compile_text, "vrrp V { vrid 9; vip 10.0.0.100/24; advert 500ms; version 3; track chk }",
                       'script chk "/usr/bin/true" interval=2s timeout=1500ms')
    text = conf(outputs, "a")
    assert field(text, "advert_int") == ["0.5"]
    assert field(text, "interval") == ["2"]
    assert field(text, "timeout") == ["1.5"]


def test_scripts_written_only_when_tracked_and_secured(compile_text):
    outputs, _ = build(compile_text, "vrrp V { vrid 9; vip 10.0.0.100/24; track used weight=-30 }",
                       'script used "/usr/bin/true"\nscript unused "/usr/bin/false"')
    text = conf(outputs, "a")
    assert "vrrp_script used" in text and "vrrp_script unused" not in text
    assert "enable_script_security" in text
    assert field(text, "used weight") == ["-30"]


def test_notify_commands_are_quoted(compile_text):
    outputs, _ = build(compile_text, 'vrrp V { vrid 9; vip 10.0.0.100/24; notify master "/usr/local/bin/notify master" }')
    assert field(conf(outputs, "a"), "notify_master") == ['"/usr/local/bin/notify master"']


def test_auth_password_longer_than_eight_is_refused_without_showing_it(compile_text):
    outputs, diagnostics = build(compile_text, "vrrp V { vrid 9; vip 10.0.0.100/24; auth pass=secret:PW }",
                                 secrets={"PW": "much-too-long-secret"})
    (problem,) = diagnostics
    assert problem.code == "HA008"
    assert "much-too-long-secret" not in problem.message + (problem.help or "")
    assert not outputs


def test_auth_password_with_a_comment_character_is_refused(compile_text):
    _, diagnostics = build(compile_text, "vrrp V { vrid 9; vip 10.0.0.100/24; auth pass=secret:PW }", secrets={"PW": "ab#cd"})
    assert [d.code for d in diagnostics] == ["HA008"]


def test_files_holding_the_password_are_private(compile_text):
    outputs, _ = build(compile_text, "vrrp V { vrid 9; vip 10.0.0.100/24; auth pass=secret:PW }", secrets={"PW": "abc123"})
    assert outputs["a/etc/keepalived/keepalived.conf"].mode == 0o600
    outputs, _ = build(compile_text, "vrrp V { vrid 9; vip 10.0.0.100/24 }")
    assert outputs["a/etc/keepalived/keepalived.conf"].mode == 0o644


def test_sync_group_and_lvs(compile_text):
    outputs, _ = build(
        compile_text,
        "vrrp V1 { vrid 9; vip 10.0.0.100/24 }\nvrrp V2 { vrid 10; vip 10.0.0.101/24 }",
        "sync_group G V1 V2 { tracking_weight yes }\n"
        "virtual_server 10.0.0.100:80 { protocol tcp; lvs_sched wrr; lvs_method dr; delay_loop 6s\n"
        "  real_server 10.0.1.1:80 weight=3 { check http path=/ping status=200 connect_timeout=2s }\n"
        "  real_server 10.0.1.2:80 { check misc \"/usr/local/bin/probe\" timeout=5s dynamic }\n}",
    )
    text = conf(outputs, "a")
    assert "vrrp_sync_group G {" in text and "sync_group_tracking_weight" in text
    assert "virtual_server 10.0.0.100 80 {" in text
    assert field(text, "lvs_method") == ["DR"] and field(text, "protocol") == ["TCP"]
    assert "HTTP_GET {" in text and "path /ping" in text and "status_code 200" in text
    assert 'misc_path "/usr/local/bin/probe"' in text and "misc_dynamic" in text
