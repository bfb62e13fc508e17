"""Every golden file passes the checker of the daemon that will read it.

- haproxy.cfg: `haproxy -dW -c` exits 0 with no alert and no warning;
- keepalived.conf: `keepalived -t` exits 0 with the node's interfaces present;
- cib.xml: `crm_verify` exits 0 on a copy with every node online and quorum,
  and `crm_simulate -R` schedules it;
- corosync.conf: `corosync -t` exits 0 as each node.
"""

from __future__ import annotations

from pathlib import Path

import judges
import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "golden"


def files(name: str) -> list[Path]:
    return sorted(GOLDEN.rglob(name))


def ident(path: Path) -> str:
    return path.relative_to(GOLDEN).as_posix()


@pytest.mark.parametrize("config", files("haproxy.cfg"), ids=ident)
def test_haproxy_accepts(config, require_tool):
    require_tool("haproxy")
    verdict = judges.haproxy(config)
    assert verdict, verdict.output


@pytest.mark.parametrize("config", files("keepalived.conf"), ids=ident)
def test_keepalived_accepts(config, require_tool):
    require_tool("keepalived")
    verdict = judges.keepalived(config)
    assert verdict, verdict.output


@pytest.mark.parametrize("cib", files("cib.xml"), ids=ident)
def test_crm_verify_accepts(cib, require_tool):
    require_tool("crm_verify")
    verdict = judges.crm_verify(cib)
    assert verdict, verdict.output


@pytest.mark.parametrize("cib", files("cib.xml"), ids=ident)
def test_crm_simulate_places_every_resource(cib, require_tool):
    require_tool("crm_simulate")
    verdict = judges.crm_simulate(cib)
    assert verdict, verdict.output
    assert "Transition Summary" in verdict.output


@pytest.mark.parametrize("config", files("corosync.conf"), ids=ident)
def test_corosync_accepts(config, require_tool):
    require_tool("corosync")
    node = config.relative_to(GOLDEN).parts[1]
    verdict = judges.corosync(config, node)
    assert verdict, verdict.output


def test_judges_reject_a_broken_file(tmp_path, require_tool):
    """The judges can fail: a keepalived.conf with a too-long password and a
    haproxy.cfg without timeouts are rejected."""
    require_tool("keepalived", "haproxy")
    good = next(iter(files("keepalived.conf")))
    bad = tmp_path / "keepalived.conf"
    bad.write_text(good.read_text().replace("auth_pass gold3n42", "auth_pass gold3n42-and-too-long"))
    assert not judges.keepalived(bad)
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text("frontend f\n    bind *:80\n    default_backend b\nbackend b\n    server s 10.0.0.1:80\n")
    assert not judges.haproxy(cfg)
