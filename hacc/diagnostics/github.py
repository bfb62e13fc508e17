"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice`
line per diagnostic, shown as annotations on the pull request."""

from __future__ import annotations

from hacc.diagnostics.model import Diagnostic, Severity

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: list[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        span = d.span
        properties = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (("file", span.file), ("line", span.line), ("col", span.col), ("endLine", span.end_line),
                               ("endColumn", span.end_col), ("title", f"{d.code} {d.name}"))
        )
        message = d.message + (f" (help: {d.help})" if d.help else "")
        lines.append(f"::{_COMMANDS[d.severity]} {properties}::{_escape_data(message)}\n")
    return "".join(lines)
