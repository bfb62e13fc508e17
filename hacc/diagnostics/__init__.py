"""Diagnostics are data; rendering them is a separate concern (see render)."""

from hacc.diagnostics.model import Diagnostic, Label, Severity, Span

__all__ = ["Diagnostic", "Label", "Severity", "Span"]
