"""Resolve `secret:NAME` references at build time.

Values come from `--secrets FILE` (lines of NAME=value) or, failing that,
from the environment. A value is never printed: diagnostics name the secret,
not its value. `hacc lint` never resolves secrets.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path

from hacc.diagnostics.codes import define
from hacc.diagnostics.model import Diagnostic, Severity, Span

MISSING = define(
    "HA007",
    "missing-secret",
    Severity.ERROR,
    """
    A `secret:NAME` reference has no value at build time.

    ## What it checks
    `hacc build` finds every secret the cluster references in the file given
    with `--secrets FILE` (lines of `NAME=value`) or in the environment.

    ## Why it matters
    Without the value the file cannot be written; writing a placeholder
    would deploy a fence device or VRRP instance that cannot authenticate.

    ## Example
    ```
    auth pass=secret:VRRP_PASSWORD      # and VRRP_PASSWORD is not set
    ```

    ## Fix
    Export the variable (`VRRP_PASSWORD=... hacc build ...`) or add it to the
    secrets file. `hacc lint` does not need secret values.
    """,
    fixed=True,
)

SECRETS_FILE = define(
    "HA006",
    "secrets-file",
    Severity.ERROR,
    """
    The secrets file cannot be used as it is.

    ## What it checks
    The file given with `--secrets` is readable, holds `NAME=value` lines
    (blank lines and `#` comments are allowed), and is not readable by group
    or others (a warning).

    ## Why it matters
    A malformed line would silently drop a secret; a world-readable file
    leaks every password of the cluster.

    ## Example
    ```
    VRRP_PASSWORD secret1      # missing `=`
    ```

    ## Fix
    Write one `NAME=value` per line and `chmod 600` the file.
    """,
    fixed=True,
)

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_BYTE_DETAIL = re.compile(r" \(byte 0x[0-9a-f]{2} at offset \d+\)")


class SecretStore:
    """Secret values by name: the secrets file first, then the environment."""

    def __init__(self, values: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None) -> None:
        self._values = dict(values or {})
        self._environ = os.environ if environ is None else environ

    def get(self, name: str) -> str | None:
        if name in self._values:
            return self._values[name]
        return self._environ.get(name)

    def values(self) -> list[str]:
        """Every value that may be used, so tests can prove none leaks."""
        return list(self._values.values())


def load_secrets_file(path: Path, display: str) -> tuple[dict[str, str], list[Diagnostic]]:
    from hacc.source.files import read_source

    text, problem = read_source(path, display)
    if problem:
        # The reader names the offending byte of a file that is not UTF-8:
        # here that byte is part of a password. Keep the line, drop the byte.
        span = Span(display, problem.span.line, 1, problem.span.line, 2)
        message = _BYTE_DETAIL.sub(f" (line {problem.span.line})", problem.message)
        return {}, [SECRETS_FILE.at(span, message, help=problem.help)]
    diagnostics: list[Diagnostic] = []
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            diagnostics.append(
                SECRETS_FILE.at(
                    Span.point(display),
                    f"the secrets file is accessible to group or others (mode {stat.S_IMODE(mode):04o})",
                    help=f"run `chmod 600 {display}`",
                    severity=Severity.WARNING,
                )
            )
    except OSError:
        pass
    values: dict[str, str] = {}
    # Lines end at "\n" only: str.splitlines() also splits at \f, \v, U+0085,
    # U+2028 and more, which would cut a value in two and read its second
    # half as another `NAME=value` line. A value keeping such a character is
    # refused when used (HA008), never silently split.
    for lineno, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not _NAME.match(name):
            # Show the line number, never the line: it may hold a secret.
            diagnostics.append(
                SECRETS_FILE.at(Span(display, lineno, 1, lineno, 2), f"line {lineno} is not `NAME=value`",
                                help="write one `NAME=value` per line")
            )
            continue
        values[name] = value
    return values, diagnostics
