"""Semantic checks: lint rules over the typed model, one module per topic.

Importing this package registers every rule; `run_checks` runs them.
"""

from __future__ import annotations

from hacc.checks import (  # noqa: F401  (importing a module registers its rules)
    constraints,
    cross,
    fencing,
    fleet,
    haproxy,
    haproxy_binds,
    haproxy_proxies,
    haproxy_servers,
    keepalived,
    membership,
    nodes,
    operations,
    options,
    pacemaker,
    quorum,
    totem,
    vrrp_addresses,
    vrrp_protocol,
    vrrp_tracking,
)
from hacc.checks.registry import RULES, Finding, rule, run_fleet
from hacc.checks.registry import run as run_checks

__all__ = ["RULES", "Finding", "rule", "run_checks", "run_fleet"]
