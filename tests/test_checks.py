"""Each semantic check fires on a mistake and stays silent on the fix.

The cases are data: a failing and a passing cluster per code, plus the
line of the first finding, so a check that fires in the wrong place fails.
"""

from __future__ import annotations

import pytest
from helpers import codes

NODES2 = "node a { id 1; addr 10.0.0.1; interface eth0 }\n    node b { id 2; addr 10.0.0.2; interface eth0 }"
NODES3 = NODES2 + "\n    node c { id 3; addr 10.0.0.3; interface eth0 }"


def ha(body: str, nodes: str = NODES2) -> str:
    return f"cluster t {{\n    {nodes}\n{body}\n}}\n"


QUORUM2 = "corosync { quorum { two_node yes } }"
FENCES = "fence fa stonith:fence_dummy for a\n fence fb stonith:fence_dummy for b\n"

CASES = {
    "HA015": (ha("", "node a { id 1; addr 10.0.0.1 }\n    node a { id 2; addr 10.0.0.2 }"), ha(""), 3),
    "HA016": (ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; priority a=100 c=90 } }"),
              ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; priority a=100 b=90 } }"), 4),
    "HA101": (ha(QUORUM2, "node a { addr 10.0.0.1 }\n    node b { id 2; addr 10.0.0.2 }"), ha(QUORUM2), 2),
    "HA102": (ha(QUORUM2, "node a { id 1; addr 10.0.0.1 }\n    node b { id 1; addr 10.0.0.2 }"), ha(QUORUM2), 3),
    "HA103": (ha(QUORUM2, "node a { id 1; addr 10.0.0.1 }\n    node b { id 70000; addr 10.0.0.2 }"), ha(QUORUM2), 3),
    "HA104": (ha("", "node a { id 1; addr 10.0.0.1 }\n    node b { id 2; addr 10.0.0.1 }"), ha(""), 3),
    "HA105": (ha(QUORUM2, "node a { id 1; addr 10.0.0.1; addr 10.1.0.1 }\n    node b { id 2; addr 10.0.0.2 }"),
              ha(QUORUM2, "node a { id 1; addr 10.0.0.1; addr 10.1.0.1 }\n    node b { id 2; addr 10.0.0.2; addr 10.1.0.2 }"), 3),
    "HA106": (ha("corosync { transport udpu; quorum { two_node yes } }",
                 "node a { id 1; addr 10.0.0.1; addr 10.1.0.1 }\n    node b { id 2; addr 10.0.0.2; addr 10.1.0.2 }"),
              ha("corosync { transport udpu; quorum { two_node yes } }"), 2),
    "HA107": (ha(QUORUM2, "node a { id 1; addr 10.0.0.1 }\n    node b { id 2; addr fd00::2 }"),
              ha(QUORUM2, "node a { id 1; addr fd00::1 }\n    node b { id 2; addr fd00::2 }"), 3),
    "HA108": (ha(QUORUM2, NODES3), ha("corosync { quorum { wait_for_all yes } }", NODES3), 5),
    "HA109": (ha("corosync { transport knet }"), ha(QUORUM2), 4),
    "HA110": (ha("corosync { transport udpu; crypto cipher=aes256 hash=sha256; quorum { two_node yes } }"),
              ha("corosync { crypto cipher=aes256 hash=sha256; quorum { two_node yes } }"), 4),
    "HA111": (ha("corosync { crypto cipher=aes256; quorum { two_node yes } }"),
              ha("corosync { crypto cipher=aes256 hash=sha512; quorum { two_node yes } }"), 4),
    "HA112": (ha("corosync { join 5s; consensus 3s; quorum { two_node yes } }"),
              ha("corosync { join 1s; consensus 3s; quorum { two_node yes } }"), 4),
    "HA201": (ha(f"pacemaker {{ {FENCES} resource web ocf:heartbeat:Dummy\n group web fa }}"),
              ha(f"pacemaker {{ {FENCES} resource web ocf:heartbeat:Dummy }}"), 7),
    "HA202": (ha(f"pacemaker {{ {FENCES} resource web ocf:heartbeat:Dummy\n group g web vip }}"),
              ha(f"pacemaker {{ {FENCES} resource web ocf:heartbeat:Dummy\n resource vip ocf:heartbeat:Dummy\n group g web vip }}"), 7),
    "HA203": (ha(f"pacemaker {{ {FENCES} resource web ocf:heartbeat:Dummy\n group g1 web\n group g2 web }}"),
              ha(f"pacemaker {{ {FENCES} resource web ocf:heartbeat:Dummy\n group g1 web }}"), 8),
    "HA204": (ha(f"pacemaker {{ {FENCES} resource web ocf:heartbeat:Dummy\n clone webs web\n location l web prefers a }}"),
              ha(f"pacemaker {{ {FENCES} resource web ocf:heartbeat:Dummy\n clone webs web\n location l webs prefers a }}"), 8),
    "HA301": (ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24 }\n vrrp V { vrid 2; vip 10.0.0.101/24 } }"),
              ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24 }\n vrrp W { vrid 2; vip 10.0.0.101/24 } }"), 5),
    "HA302": (ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; track chk_haprox }\n script chk_haproxy \"/usr/bin/true\" }"),
              ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; track chk_haproxy }\n script chk_haproxy \"/usr/bin/true\" }"), 4),
    "HA303": (ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; priority a=100 b=100 } }"),
              ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; priority a=100 b=90 } }"), 4),
    "HA304": (ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; priority a=255 b=90 } }"),
              ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; priority a=254 b=90 } }"), 4),
    "HA305": (ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; state MASTER } }"),
              ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; state a=MASTER b=BACKUP } }"), 4),
    "HA306": (ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24 } }", "node a { addr 10.0.0.1 }\n    node b { addr 10.0.0.2 }"),
              ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; interface eth0 } }", "node a { addr 10.0.0.1 }\n    node b { addr 10.0.0.2 }"), 4),
    "HA307": (ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24 } }", "node a { interface eth0 }\n    node b { addr 10.0.0.2; interface eth0 }"),
              ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; multicast } }", "node a { interface eth0 }\n    node b { addr 10.0.0.2; interface eth0 }"), 4),
    "HA401": (ha("haproxy { backend b { server s1 10.0.0.9:80 }\n backend b { server s2 10.0.0.9:81 } }"),
              ha("haproxy { frontend b { bind *:80; default_backend b }\n backend b { server s2 10.0.0.9:81 } }"), 5),
    "HA402": (ha("haproxy { frontend f { bind *:80; default_backend app }\n backend apps { server s 10.0.0.9:80 } }"),
              ha("haproxy { frontend f { bind *:80; default_backend app }\n backend app { server s 10.0.0.9:80 } }"), 4),
    "HA403": (ha("haproxy { frontend f { bind *:80; acl is_api path_beg /api; use_backend app if is_apii }\n backend app { server s 10.0.0.9:80 } }"),
              ha("haproxy { frontend f { bind *:80; acl is_api path_beg /api; use_backend app if !is_api || LOCALHOST }\n backend app { server s 10.0.0.9:80 } }"), 4),
    "HA404": (ha("haproxy { backend app { stick-table type=ip size=1k peers=lbpeer; server s 10.0.0.9:80 }\n peers lbpeers { port 10000 } }"),
              ha("haproxy { backend app { stick-table type=ip size=1k peers=lbpeers; server s 10.0.0.9:80 }\n peers lbpeers { port 10000 } }"), 4),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_check_fires_on_the_mistake(compile_text, code):
    failing, _, line = CASES[code]
    unit = compile_text(failing)
    found = [d for d in unit.diagnostics if d.code == code]
    assert found, f"{code} did not fire; got {codes(unit)}"
    assert found[0].span.line == line
    assert found[0].help, f"{code} gives no help"


@pytest.mark.parametrize("code", sorted(CASES))
def test_check_is_silent_on_the_fix(compile_text, code):
    _, passing, _ = CASES[code]
    unit = compile_text(passing)
    assert code not in codes(unit), [d.message for d in unit.diagnostics]


def test_every_rule_has_a_case():
    from hacc.checks import RULES

    assert sorted(rule.code.code for rule in RULES) == sorted(CASES)


def test_rule_docstrings_follow_the_template():
    from hacc.checks import RULES

    for rule in RULES:
        doc = rule.code.doc
        for heading in ("## What it checks", "## Why it matters", "## Example", "## Fix"):
            assert heading in doc, f"{rule.code.code} lacks {heading}"


def test_equal_priorities_point_at_both_nodes(compile_text):
    unit = compile_text(ha("keepalived {\n vrrp V {\n vrid 1; vip 10.0.0.100/24\n priority a=100 b=100\n }\n}"))
    (equal,) = [d for d in unit.diagnostics if d.code == "HA303"]
    assert (equal.span.line, equal.span.col) == (7, 19)  # b's 100
    assert (equal.labels[0].span.line, equal.labels[0].span.col) == (7, 13)  # a's 100


def test_fixed_errors_block_the_model_but_not_other_checks(compile_text):
    unit = compile_text(ha("keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; priority a=100 b=100; track nope } }"))
    assert sorted(codes(unit)) == ["HA302", "HA303"]
