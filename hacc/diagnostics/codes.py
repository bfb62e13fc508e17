"""The registry of diagnostic codes.

Every diagnostic hacc can report has a code here: `HA` and three digits,
grouped by layer (HA0xx language and structure, with HA08x for reading
existing configuration files; HA1xx corosync and quorum, HA2xx Pacemaker,
HA3xx keepalived, HA4xx haproxy, HA5xx across layers, HA6xx across
clusters, HA7xx failure simulation).
The parser and the model builder declare their codes with `define`; lint rules
are declared with `hacc.checks.registry.rule`, which calls `define` too. A
code is never reused: retired codes move to `RETIRED`.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from hacc.diagnostics.model import Diagnostic, Label, Severity, Span


@dataclass(frozen=True)
class Code:
    """A diagnostic code with its documentation.

    `fixed` codes describe input that cannot be compiled at all (a syntax
    error, a dangling reference); they cannot be suppressed or downgraded.
    """

    code: str
    name: str
    severity: Severity
    raw_doc: str
    fixed: bool

    # The documentation is read by `hacc rule` and docs/rules, not by a lint
    # run: it is tidied when asked for, not at import of 150 codes.
    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.raw_doc)

    @property
    def summary(self) -> str:
        return " ".join(self.doc.split("\n\n", 1)[0].split())

    def at(
        self,
        span: Span,
        message: str,
        *,
        help: str | None = None,
        labels: tuple[Label, ...] | list[Label] = (),
        notes: tuple[str, ...] | list[str] = (),
        path: str | None = None,
        severity: Severity | None = None,
    ) -> Diagnostic:
        return Diagnostic(
            code=self.code,
            name=self.name,
            severity=self.severity if severity is None else severity,
            message=message,
            span=span,
            labels=tuple(labels),
            help=help,
            notes=tuple(notes),
            path=path,
            suppressible=not self.fixed,
        )


CODES: dict[str, Code] = {}
_NAMES: set[str] = set()

# Codes that were renamed or retired: old code -> new code (or None).
RETIRED: dict[str, str | None] = {}


def define(code: str, name: str, severity: Severity, doc: str, *, fixed: bool = False) -> Code:
    """Register a code. `doc` follows the rule page template; its first line
    is the one-line summary."""
    if code in CODES or code in RETIRED:
        raise ValueError(f"diagnostic code {code} is already taken")
    if name in _NAMES:
        raise ValueError(f"diagnostic name {name} is already taken")
    entry = Code(code, name, severity, doc, fixed)
    CODES[code] = entry
    _NAMES.add(name)
    return entry


# Every module that defines codes; importing them fills CODES.
_DEFINING_MODULES = (
    "hacc.source.files",
    "hacc.parse.syntax_errors",
    "hacc.parse.parser",
    "hacc.parse.includes",
    "hacc.parse.json_source",
    "hacc.model.lower.codes",
    "hacc.model.lower.cluster",
    "hacc.model.validate",
    "hacc.emit.secrets",
    "hacc.emit.context",
    "hacc.config",
    "hacc.checks",
    "hacc.checks.suppress",
    "hacc.importing.log",
    "hacc.simulate.codes",
)


def all_codes() -> dict[str, Code]:
    """Every code hacc can report, in code order."""
    import importlib

    for module in _DEFINING_MODULES:
        importlib.import_module(module)
    return dict(sorted(CODES.items()))
