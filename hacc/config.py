"""Lint configuration: `.hacc.toml`, or `[tool.hacc]` in `pyproject.toml`.

    [tool.hacc]
    select = ["HA1", "HA3"]     # code prefixes to report (default: all)
    ignore = ["HA109"]          # code prefixes to leave out
    profile = "default"         # default | strict | relaxed
    [tool.hacc.severity]
    HA109 = "error"             # error | warning | note | off
    [tool.hacc.target]
    pacemaker = "3.0"           # corosync, pacemaker, keepalived, haproxy

The nearest file found walking up from the linted file wins; `.hacc.toml`
wins over `pyproject.toml` in the same directory. Problems in the
configuration are diagnostics (HA022) pointing into it.
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from hacc.diagnostics.codes import CODES, define
from hacc.diagnostics.model import Diagnostic, Severity, Span
from hacc.targets import DEFAULT_TARGETS, Targets

BAD_CONFIG = define(
    "HA022",
    "bad-config",
    Severity.WARNING,
    """
    The lint configuration holds a setting hacc cannot use.

    ## What it checks
    `.hacc.toml` and `[tool.hacc]` in `pyproject.toml` are valid TOML and use
    only `select`, `ignore`, `profile`, `severity` and `target`, with codes
    that exist, severities `error`, `warning`, `note` or `off`, and target
    versions hacc supports. Codes for input that cannot be compiled cannot be
    ignored or downgraded.

    ## Why it matters
    A misspelt code in `ignore` silences nothing while looking as if it did;
    a bad target version would give advice for the wrong daemon.

    ## Example
    ```
    [tool.hacc]
    ignore = ["HA1O9"]
    ```

    ## Fix
    Correct the setting the message names.

    ## References
    docs/rules/index.md (configuration).
    """,
)

PROFILES = ("default", "strict", "relaxed")
SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "note": Severity.NOTE, "off": None}
_CODE_PREFIX = re.compile(r"HA[0-9]{0,3}\Z")


@dataclass
class Config:
    """The settings of .hacc.toml or [tool.hacc]."""

    source: str | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    profile: str = "default"
    severity: dict[str, Severity | None] = field(default_factory=dict)
    targets: Targets = DEFAULT_TARGETS
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def selects(self, code: str) -> bool:
        if any(code.startswith(prefix) for prefix in self.ignore):
            return False
        return self.select is None or any(code.startswith(prefix) for prefix in self.select)


def _toml():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    return tomllib


def find_config(start: Path) -> Path | None:
    for directory in [start, *start.parents]:
        dedicated = directory / ".hacc.toml"
        if dedicated.is_file():
            return dedicated
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "[tool.hacc" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return pyproject
    return None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    stat = path.stat()
    return _load(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _load(path: Path, mtime: int, size: int) -> Config:
    """Cached per (path, modification time, size): one configuration is read
    once for all the files it governs, and an edited one is read again."""
    from hacc.source.files import read_source

    display = str(path)
    # Read as sources are read: a FIFO, a device, a huge or unreadable file
    # is an error, never a hang or a traceback.
    text, unreadable = read_source(path, display)
    if unreadable is not None:
        config = Config(display)
        config.diagnostics.append(BAD_CONFIG.at(unreadable.span, unreadable.message, help=unreadable.help,
                                                severity=Severity.ERROR))
        return config
    try:
        document = _toml().loads(text)
    except ValueError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 1
        config = Config(display)
        config.diagnostics.append(BAD_CONFIG.at(Span(display, line, 1, line, 2), f"`{display}` is not valid TOML: {exc}",
                                                help="fix the TOML syntax", severity=Severity.ERROR))
        return config
    table = document.get("tool", {}).get("hacc", {}) if path.name == "pyproject.toml" else document
    return _read(table, display, text)


def _where(text: str, display: str, needle: str) -> Span:
    """The line that mentions `needle` (tomllib keeps no positions)."""
    for number, line in enumerate(text.splitlines(), start=1):
        column = line.find(needle)
        if column >= 0 and not line.lstrip().startswith("#"):
            return Span(display, number, column + 1, number, column + 1 + len(needle))
    return Span.point(display)


def _read(table: dict, display: str, text: str) -> Config:
    config = Config(display)

    def problem(needle: str, message: str, help: str) -> None:
        config.diagnostics.append(BAD_CONFIG.at(_where(text, display, needle), message, help=help))

    for key in sorted(set(table) - {"select", "ignore", "profile", "severity", "target"}):
        problem(key, f"unknown setting `{key}`", "settings are `select`, `ignore`, `profile`, `severity` and `target`")
    for key in ("select", "ignore"):
        if key in table:
            prefixes = tuple(_codes(table[key], key, problem))
            setattr(config, key, prefixes)
    profile = table.get("profile", "default")
    if profile in PROFILES:
        config.profile = profile
    else:
        problem(str(profile), f"unknown profile `{profile}`", f"profiles are {', '.join(PROFILES)}")
    for code, level in (table.get("severity") or {}).items():
        if code not in CODES:
            problem(code, f"`{code}` is not a hacc code", "`hacc rules` lists the codes")
        elif str(level) not in SEVERITIES:
            problem(code, f"unknown severity `{level}` for {code}", "use `error`, `warning`, `note` or `off`")
        elif CODES[code].fixed and str(level) != "error":
            problem(code, f"{code} reports input that cannot be compiled; it stays an error", f"remove `{code}` from `severity`")
        else:
            config.severity[code] = SEVERITIES[str(level)]
    targets = DEFAULT_TARGETS
    for daemon, version in (table.get("target") or {}).items():
        try:
            targets = targets.with_version(daemon, str(version))
        except ValueError as exc:
            problem(daemon, str(exc), "targets are corosync 3.x, pacemaker 2.1 or 3.x, keepalived 2.x, haproxy 2.2 to 3.x")
    config.targets = targets
    return config


def _codes(values, key: str, problem):
    if not isinstance(values, list):
        problem(key, f"`{key}` must be a list of codes", f'write `{key} = ["HA109"]`')
        return
    for value in values:
        value = str(value)
        if not _CODE_PREFIX.match(value):
            problem(value, f"`{value}` is not a code or code prefix", "codes look like `HA109`; prefixes like `HA1`")
            continue
        if len(value) == 5 and value not in CODES:
            problem(value, f"`{value}` is not a hacc code", "`hacc rules` lists the codes")
            continue
        if key == "ignore" and len(value) == 5 and CODES[value].fixed:
            problem(value, f"{value} reports input that cannot be compiled; it cannot be ignored", f"remove `{value}`")
            continue
        yield value


def config_for(source: Path, explicit: Path | None = None) -> Config:
    return load_config(explicit if explicit is not None else find_config(source.resolve().parent))
