"""`hacc audit` on the seed article's configurations, as written: the
findings an expert would make, at the original files and lines."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from importing_helpers import ROOT

from hacc.cli import main

ARTICLE = ROOT / "tests" / "import" / "article"


def audit(*args) -> tuple[int, set[tuple[str, str, int]]]:
    result = CliRunner().invoke(main, ["audit", "--format", "json", *args], catch_exceptions=False)
    report = json.loads(result.stdout)
    found = {(d["code"], d["span"]["file"], d["span"]["line"]) for d in report["diagnostics"]}
    return result.exit_code, found


@pytest.fixture(autouse=True)
def in_article(monkeypatch):
    monkeypatch.chdir(ARTICLE)


def test_pacemaker_article():
    code, found = audit("--node", "node1=pacemaker/node1", "--node", "node2=pacemaker/node2", "--cib", "pacemaker/cib.xml")
    corosync = "pacemaker/node1/etc/corosync/corosync.conf"
    assert code == 1
    assert {
        ("HA083", "pacemaker/cib.xml", 1),    # <crm_config><cluster>...: not a CIB Pacemaker would load
        ("HA205", "pacemaker/cib.xml", 1),    # and no fencing in it (stonith-enabled defaults to true)
        ("HA212", "pacemaker/cib.xml", 4),    # apache without a monitor operation
        ("HA214", "pacemaker/cib.xml", 4),    # start/stop timeouts below the agent's advice
        ("HA081", corosync, 4),               # secauth: a corosync 2 key
        ("HA115", corosync, 5),               # crypto_hash: sha1
        ("HA080", corosync, 24),              # ring0_addr: node1 is a host name, not an address
        ("HA080", corosync, 28),
    } <= found


def test_load_balancer_article():
    code, found = audit("--node", "lb1=lb/lb1", "--node", "lb2=lb/lb2", "--name", "lb")
    keepalived, haproxy = "lb/{}/etc/keepalived/keepalived.conf", "lb/lb1/etc/haproxy/haproxy.cfg"
    assert code == 1
    assert {
        ("HA305", keepalived.format("lb1"), 2),   # both nodes `state MASTER`
        ("HA303", keepalived.format("lb2"), 5),   # both priority 100
        ("HA505", keepalived.format("lb1"), 1),   # the VIP does not follow haproxy's health
        ("HA407", haproxy, 9),                    # HTTP frontend, TCP (default mode) backend
        ("HA408", haproxy, 4),                    # no timeouts anywhere
        ("HA408", haproxy, 11),
    } <= found
    assert not {c for c, _, _ in found} & {"HA080", "HA082", "HA083"}, found


def test_audit_writes_nothing(tmp_path):
    before = sorted(p for p in ARTICLE.rglob("*"))
    audit("--node", "lb1=lb/lb1", "--node", "lb2=lb/lb2")
    assert sorted(p for p in ARTICLE.rglob("*")) == before
