"""Statements a block does not know, settings given twice, wrong argument
shapes: reported where they are written, with a suggestion."""

from __future__ import annotations

import pytest
from helpers import cluster, codes, where


def test_unknown_statement_suggests_the_closest_keyword(compile_text):
    unit = compile_text(cluster("keepalived {\n    vrrp V { vrid 1; vip 10.0.0.100/24; prority a=100 b=90 }\n}"))
    (unknown,) = [d for d in unit.diagnostics if d.code == "HA010"]
    assert unknown.help == "did you mean `priority`?"
    assert (unknown.span.line, unknown.span.col) == (6, 41)


def test_unknown_statement_does_not_also_report_what_it_failed_to_set(compile_text):
    unit = compile_text(cluster("keepalived {\n    vrrp V { vrd 1; vip 10.0.0.100/24 }\n}"))
    assert codes(unit) == ["HA010"]


def test_unknown_section_in_cluster(compile_text):
    unit = compile_text(cluster("corosnc { }"))
    assert codes(unit) == ["HA010"]
    assert unit.diagnostics[0].help == "did you mean `corosync`?"


def test_only_cluster_at_the_top(compile_text):
    unit = compile_text("node a { }\ncluster c { node b { addr 10.0.0.1 } }\n")
    assert codes(unit) == ["HA010"]


def test_no_cluster_and_two_clusters(compile_text):
    assert codes(compile_text("# nothing\n")) == ["HA005"]
    unit = compile_text("cluster a { node x { addr 10.0.0.1 } }\ncluster b { node y { addr 10.0.0.2 } }\n")
    assert codes(unit) == ["HA005"]
    assert unit.diagnostics[0].labels[0].message == "the first cluster"


def test_setting_given_twice_points_at_both(compile_text):
    unit = compile_text(cluster("", nodes="node a {\n    id 1\n    id 2\n    addr 10.0.0.1\n}"))
    (duplicate,) = unit.diagnostics
    assert duplicate.code == "HA011"
    assert (duplicate.span.line, duplicate.labels[0].span.line) == (3, 2)


def test_pair_given_twice(compile_text):
    unit = compile_text(cluster("corosync { crypto cipher=aes256 hash=sha256 cipher=aes128 }"))
    assert codes(unit) == ["HA011"]


@pytest.mark.parametrize(
    "body",
    [
        "keepalived { vrrp V { vrid 1 2; vip 10.0.0.100/24 } }",
        "keepalived { vrrp V { vrid; vip 10.0.0.100/24 } }",
        "keepalived { vrrp V { vrid a=1; vip 10.0.0.100/24 } }",
        "keepalived { vrrp { vrid 1 } }",
        "pacemaker { group g }",
        "pacemaker { order o a b }",
        "pacemaker { location l r near a }",
        "haproxy { frontend f { timeout client } }",
        "corosync { link { knet_link_priority 1 } }",
    ],
)
def test_wrong_argument_shapes(compile_text, body):
    unit = compile_text(cluster(body))
    assert "HA012" in codes(unit), codes(unit)


def test_unknown_totem_option_is_checked_against_corosync_3(compile_text):
    unit = compile_text(cluster("corosync {\n    tokn 5s\n    window_size 50\n}"))
    (unknown,) = unit.diagnostics
    assert unknown.code == "HA014"
    assert unknown.message == "`tokn` is not a totem option that corosync 3 knows"
    assert unknown.help == "did you mean `token`?"
    assert (unknown.span.line, unknown.span.col) == (6, 5)
    assert unit.data["corosync"]["totem"] == {"tokn": "5s", "window_size": 50}


@pytest.mark.parametrize("key", ["secauth", "crypto_cipher", "cluster_name", "version", "key", "rrp_mode"])
def test_totem_keys_hacc_manages_are_refused_with_a_reason(compile_text, key):
    unit = compile_text(cluster(f"corosync {{ {key} on }}"))
    assert codes(unit) == ["HA010"]
    assert unit.diagnostics[0].help


def test_haproxy_passes_unknown_directives_through_in_order(compile_text):
    unit = compile_text(cluster("haproxy { backend b { option httpchk GET /h; http-check expect status 200; server s 10.0.0.9:80 check } }"))
    assert not [c for c in codes(unit) if c < "HA100"]
    directives = unit.data["haproxy"]["sections"][0]["directives"]
    assert [d["keyword"] for d in directives] == ["option", "http-check"]


def test_haproxy_section_keyword_cannot_pass_through(compile_text):
    unit = compile_text(cluster("haproxy { backend b { frontend evil; server s 10.0.0.9:80 } }"))
    assert codes(unit) == ["HA013"]
    assert where(unit, "HA013") == [(5, 23)]


def test_empty_values_are_refused_where_a_daemon_would_misread_them(compile_text):
    """haproxy 2.6 silently ends a directive's arguments at an empty word."""
    unit = compile_text(cluster('haproxy { backend b { option ""; server s 10.0.0.9:80 } }'))
    assert codes(unit) == ["HA013"]
    assert unit.diagnostics[0].message == "an empty value is not allowed here"
