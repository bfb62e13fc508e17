"""The lint rule registry.

A rule is a function that takes the typed cluster and yields `Finding`s. It
is registered with its code, slug name and default severity; its docstring,
in the rule-page template (What it checks / Why it matters / Example / Fix /
References), is the rule's documentation:

    @rule("HA303", "vrrp-priority-equal", Severity.ERROR)
    def equal_priorities(cluster):
        '''Two nodes have the same priority in one VRRP instance. ...'''
        ...
        yield Finding(span, "...", help="...")

The registry turns findings into diagnostics carrying the rule's code, so a
rule never repeats it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from hacc.diagnostics.codes import Code, define
from hacc.diagnostics.model import Diagnostic, Label, Severity, Span


@dataclass(frozen=True)
class Finding:
    """What a rule yields: where, what, and how to fix it; the engine adds code and severity."""

    span: Span
    message: str
    help: str | None = None
    labels: tuple[Label, ...] = ()
    notes: tuple[str, ...] = ()
    path: str | None = None
    severity: Severity | None = None  # when one finding is worse than the rule's default


@dataclass(frozen=True)
class Rule:
    """A registered lint rule: its code, name, severity, layer and function."""

    code: Code
    check: Callable[..., Iterable[Finding]]
    layer: str | None  # the layer that must be present for the rule to run
    fleet: bool = False  # checks several clusters at once (HA6xx)


RULES: list[Rule] = []


def rule(code: str, name: str, severity: Severity, *, layer: str | None = None, fixed: bool = False,
         fleet: bool = False):
    """Register a lint rule. `fixed` rules report input that cannot be
    compiled; they cannot be suppressed or downgraded. `fleet` rules take
    the list of every cluster linted together instead of one cluster."""

    def register(check):
        if not check.__doc__:
            raise ValueError(f"rule {code} needs a docstring: it is the rule's documentation")
        entry = define(code, name, severity, check.__doc__, fixed=fixed)
        RULES.append(Rule(entry, check, layer, fleet))
        check.rule_code = entry
        return check

    return register


def run(cluster) -> list[Diagnostic]:
    return _diagnostics((entry, entry.check(cluster)) for entry in RULES
                        if not entry.fleet and (entry.layer is None or getattr(cluster, entry.layer) is not None))


def run_fleet(clusters: list) -> list[Diagnostic]:
    """The rules across clusters (HA6xx), over every cluster that compiled."""
    return _diagnostics((entry, entry.check(clusters)) for entry in RULES if entry.fleet)


def _diagnostics(findings_by_rule) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    for entry, findings in findings_by_rule:
        for finding in findings:
            diagnostics.append(
                entry.code.at(
                    finding.span,
                    finding.message,
                    help=finding.help,
                    labels=finding.labels,
                    notes=finding.notes,
                    path=finding.path,
                    severity=finding.severity,
                )
            )
    return diagnostics
