"""SARIF 2.1.0, for code-scanning services (GitHub, GitLab, Azure DevOps).

One run, with every hacc code as a rule descriptor (id, name, summary,
documentation, default level) and every diagnostic as a result with its
region and its labels as related locations.
"""

from __future__ import annotations

import json

from hacc import __version__
from hacc.diagnostics.codes import all_codes
from hacc.diagnostics.model import Diagnostic, Severity, Span

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def _location(span: Span) -> dict:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": span.file.replace("\\", "/")},
            "region": {
                "startLine": span.line,
                "startColumn": span.col,
                "endLine": span.end_line,
                "endColumn": max(span.end_col, span.col + 1) if span.end_line == span.line else span.end_col,
            },
        }
    }


def render_sarif(diagnostics: list[Diagnostic]) -> str:
    codes = all_codes()
    order = {code: index for index, code in enumerate(codes)}
    rules = [
        {
            "id": entry.code,
            "name": entry.name,
            "shortDescription": {"text": entry.summary},
            "fullDescription": {"text": entry.doc},
            "help": {"text": entry.doc, "markdown": entry.doc},
            "defaultConfiguration": {"level": LEVELS[entry.severity]},
        }
        for entry in codes.values()
    ]
    results = []
    for diagnostic in diagnostics:
        text = diagnostic.message + (f"\nhelp: {diagnostic.help}" if diagnostic.help else "")
        result = {
            "ruleId": diagnostic.code,
            "ruleIndex": order[diagnostic.code],
            "level": LEVELS[diagnostic.severity],
            "message": {"text": text},
            "locations": [_location(diagnostic.span)],
        }
        if diagnostic.labels:
            result["relatedLocations"] = [
                dict(_location(label.span), id=index, message={"text": label.message})
                for index, label in enumerate(diagnostic.labels)
            ]
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "hacc", "version": __version__, "rules": rules}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
