"""Turn raw diagnostics into the ones reported: apply the configuration
(select, ignore, severity, profile) and the suppression comments.

Diagnostics of input that cannot be compiled (fixed codes) pass through
untouched: they cannot be ignored, downgraded or suppressed.
"""

from __future__ import annotations

from dataclasses import replace

from hacc.checks import suppress
from hacc.config import Config
from hacc.diagnostics.model import Diagnostic, Severity


def _configured(diagnostic: Diagnostic, config: Config) -> Diagnostic | None:
    if not diagnostic.suppressible:
        return diagnostic
    if not config.selects(diagnostic.code):
        return None
    severity = config.severity.get(diagnostic.code, diagnostic.severity)
    if diagnostic.code in config.severity and severity is None:
        return None
    if config.profile == "strict" and severity is Severity.WARNING:
        severity = Severity.ERROR
    if config.profile == "relaxed" and severity is not Severity.ERROR:
        return None
    return diagnostic if severity is diagnostic.severity else replace(diagnostic, severity=severity)


def finish(diagnostics: list[Diagnostic], config: Config, comments_by_file: dict[str, list]) -> list[Diagnostic]:
    """The diagnostics to report, sorted by position."""
    suppressions, problems = suppress.collect(comments_by_file)
    kept, unused = suppress.apply(diagnostics, suppressions)
    reported = []
    for diagnostic in kept + problems + unused + config.diagnostics:
        final = _configured(diagnostic, config)
        if final is not None:
            reported.append(final)
    return sorted(reported, key=Diagnostic.sort_key)
