"""Semantic checks: lint rules over the typed model, one module per layer.

Importing this package registers every rule; `run_checks` runs them.
"""

from __future__ import annotations

from hacc.checks import corosync, haproxy, keepalived, nodes, pacemaker  # noqa: F401  (registers the rules)
from hacc.checks.registry import RULES, Finding, rule
from hacc.checks.registry import run as run_checks

__all__ = ["RULES", "Finding", "rule", "run_checks"]
