"""Helpers for asserting on diagnostics by code and position, not wording."""

from __future__ import annotations

from hacc.diagnostics.model import Severity

TWO_NODES = """
    node a { id 1; addr 10.0.0.1; interface eth0 }
    node b { id 2; addr 10.0.0.2; interface eth0 }
"""


def codes(unit) -> list[str]:
    return [d.code for d in unit.sorted_diagnostics()]


def where(unit, code: str) -> list[tuple[int, int]]:
    """(line, column) of every diagnostic with `code`."""
    return [(d.span.line, d.span.col) for d in unit.sorted_diagnostics() if d.code == code]


def errors(unit) -> list[str]:
    return [d.code for d in unit.sorted_diagnostics() if d.severity is Severity.ERROR]


def cluster(body: str, nodes: str = TWO_NODES) -> str:
    return f"cluster test {{{nodes}\n{body}\n}}\n"


def emit(unit, secrets: dict[str, str] | None = None, kinds=None):
    """(outputs by path, diagnostics) for a compiled unit."""
    from hacc.emit import emit_all
    from hacc.emit.context import KINDS
    from hacc.emit.secrets import SecretStore

    assert unit.cluster is not None, [d.message for d in unit.diagnostics]
    outputs, diagnostics = emit_all(unit.cluster, SecretStore(secrets or {}, environ={}), "cluster.ha", kinds or KINDS)
    return {o.path: o for o in outputs}, diagnostics


def text_of(outputs, path: str) -> str:
    return outputs[path].content.decode()
