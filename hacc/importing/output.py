"""Turn an imported cluster into the `.ha` text and secrets file to write.

The text is checked before anyone sees it: it must compile back into
exactly the model that was imported, or nothing is written (HA084).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hacc.diagnostics.model import Diagnostic, Severity, Span
from hacc.importing.assemble import Imported
from hacc.importing.log import NOT_WRITABLE


@dataclass
class ImportResult:
    text: str | None
    secrets: str
    diagnostics: list[Diagnostic] = field(default_factory=list)


def render_import(imported: Imported, filename: str) -> ImportResult:
    from hacc.model.validate import validate

    diagnostics = list(imported.log.diagnostics)
    if imported.data is None or imported.log.has_errors:
        return ImportResult(None, "", diagnostics)
    problems = validate(imported.data, imported.spans, set())
    diagnostics.extend(problems)
    if any(d.severity is Severity.ERROR for d in problems):
        return ImportResult(None, "", diagnostics)
    text, problem = _write(imported, filename)
    if problem is not None:
        return ImportResult(None, "", diagnostics + [problem])
    return ImportResult(text, _secrets_text(imported.log.secrets), diagnostics)


def _header(imported: Imported) -> list[str]:
    lines = ["Imported by `hacc import` from:"]
    lines += [f"  {source.display}" for source in imported.files]
    lines.append("Check it with `hacc lint`, then build with `hacc build`.")
    return lines


def _write(imported: Imported, filename: str) -> tuple[str | None, Diagnostic | None]:
    from hacc.format.layout import format_text
    from hacc.format.write import write_ha

    where = Span.point(imported.files[0].display)
    try:
        text = format_text(write_ha(imported.data, _header(imported)), filename)
    except ValueError as exc:
        return None, NOT_WRITABLE.at(where, f"the model cannot be written as .ha: {exc}",
                                     help="this is a bug in hacc; `hacc audit` still checks the files")
    reread = _compile(text, filename)
    if reread != imported.data:
        return None, NOT_WRITABLE.at(where, "the .ha text hacc wrote does not read back as the imported model",
                                     help="this is a bug in hacc; `hacc audit` still checks the files")
    return text, None


def _compile(text: str, filename: str) -> dict | None:
    from hacc.model.lower import lower
    from hacc.parse.parser import parse_text

    statements, diagnostics = parse_text(text, filename)
    if diagnostics:
        return None
    lowered = lower(statements, filename)
    if lowered.diagnostics:
        return None
    return lowered.data


def _secrets_text(secrets: dict[str, str]) -> str:
    if not secrets:
        return ""
    lines = ["# Secret values found by `hacc import`; keep this file out of version control.",
             "# Use it with `hacc build --secrets FILE`."]
    lines += [f"{name}={value}" for name, value in sorted(secrets.items())]
    return "\n".join(lines) + "\n"
