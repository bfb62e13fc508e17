"""The diagnostics lowering reports: unknown statements, settings given
twice, and statements of the wrong shape (HA010-HA012)."""

from __future__ import annotations

from hacc.diagnostics.codes import define
from hacc.diagnostics.model import Severity

UNKNOWN = define(
    "HA010",
    "unknown-statement",
    Severity.ERROR,
    """
    A statement that the enclosing block does not know.

    ## What it checks
    Every keyword must be one the block accepts: `node`, `corosync`,
    `pacemaker`, `keepalived` and `haproxy` inside `cluster`, `vrid` or
    `priority` inside `vrrp`, and so on (see docs/language.md). haproxy
    sections are the exception: unknown directives there pass through.

    ## Why it matters
    A misspelt keyword (`prority`) would otherwise be dropped and the
    setting silently left at its default.

    ## Example
    ```
    vrrp VI_1 {
        prority lb1=100 lb2=90
    }
    ```

    ## Fix
    Use the keyword the message suggests, or move the statement into the
    block it belongs to.
    """,
    fixed=True,
)

DUPLICATE = define(
    "HA011",
    "duplicate-statement",
    Severity.ERROR,
    """
    A setting that may appear once is given twice.

    ## What it checks
    Single-valued settings (`vrid`, `token`, `transport`, a node's `id`, a
    `key=value` pair) may be written once per block.

    ## Why it matters
    With two values, one silently wins; a reader of the file may believe the
    other.

    ## Example
    ```
    node node1 {
        id 1
        id 2
    }
    ```

    ## Fix
    Delete one of the two.
    """,
    fixed=True,
)

ARGUMENTS = define(
    "HA012",
    "bad-arguments",
    Severity.ERROR,
    """
    A statement has the wrong number or kind of arguments.

    ## What it checks
    Each statement takes a fixed shape, e.g. `vrid 51` takes one value,
    `priority lb1=100 lb2=90` takes `node=value` pairs, `node NAME { ... }`
    takes a name and a block.

    ## Why it matters
    Extra or missing words are the source of silent misconfiguration in the
    daemons themselves (keepalived ignores extra words after a value).

    ## Example
    ```
    vrid 51 52
    ```

    ## Fix
    Write the statement in the shape the message gives.
    """,
    fixed=True,
)
