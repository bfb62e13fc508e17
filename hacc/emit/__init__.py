"""Emit the configuration files from the typed model.

One module per daemon renders its files: `corosync` and `keepalived` and
`haproxy` with Jinja2 templates (in `templates/`), `cib` with lxml. Emitters
only render: the model they get has passed the schema and the checks. Each
returns `Output`s; `emit_all` collects them for the whole cluster.
"""

from __future__ import annotations

from hacc.emit.context import EmitContext, Output, emit_all

__all__ = ["EmitContext", "Output", "emit_all"]
