"""Writing hostile values into `.ha` (or JSON) sources, building them, and
finding each refused value again by its span.

Values are written as quoted strings with escapes (`ha_string`) at markers
`@@n@@`; `assemble` records where each starts. `settle` builds a batch with
every corpus value at every site, drops the values refused (each must be
refused at its own span) until the rest builds, then builds the same slots
with plain placeholders (`pvhq`) for the read-back comparison.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from injection_batches import EVENTS, VRID_BASE, Batch, Site
from injection_values import SECRET_ONLY

from hacc.diagnostics.model import Severity
from hacc.emit import emit_all
from hacc.emit.secrets import SecretStore
from hacc.pipeline import compile_file

# -- writing values into sources, and finding them again -------------------------------

MARKER = re.compile(r"@@(\d+)@@")


def placeholder(n: int) -> str:
    """A plain word every position accepts (letters only: `pvbhq` for 17)."""
    return "pv" + "".join(chr(ord("a") + int(digit)) for digit in str(n)) + "q"


def ha_string(value: str) -> str:
    """`value` as a `.ha` quoted string (hacc/parse/strings.py escapes)."""
    out = []
    for char in value:
        if char in '\\"':
            out.append("\\" + char)
        elif char in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[char])
        elif ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
            out.append(f"\\x{ord(char):02x}")
        elif unicodedata.category(char) in ("Cf", "Zl", "Zp", "Cn"):
            out.append(f"\\u{{{ord(char):x}}}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def assemble(template: str, written: dict[int, str], quoted: bool = False) -> tuple[str, dict[tuple[int, int], int]]:
    """Replace each marker `@@n@@` (`"@@n@@"` when `quoted`) by `written[n]`;
    return the text and the (line, column) where each replacement starts."""
    pattern = re.compile(r'"@@(\d+)@@"') if quoted else MARKER
    out: list[str] = []
    where: dict[tuple[int, int], int] = {}
    line, col, last = 1, 1, 0
    for match in pattern.finditer(template):
        before = template[last:match.start()]
        out.append(before)
        line, col = _advance(before, line, col)
        slot = int(match.group(1))
        where[(line, col)] = slot
        out.append(written[slot])
        line, col = _advance(written[slot], line, col)
        last = match.end()
    out.append(template[last:])
    return "".join(out), where


def _advance(text: str, line: int, col: int) -> tuple[int, int]:
    newlines = text.count("\n")
    if newlines:
        return line + newlines, len(text) - text.rfind("\n")
    return line, col + len(text)


# -- building -------------------------------------------------------------------------------

@dataclass
class Slot:
    site: Site
    label: str
    value: str
    k: int  # number within its site
    n: int  # number in the batch


@dataclass
class Build:
    text: str
    where: dict[tuple[int, int], int]
    unit: object
    errors: list
    outputs: list | None


def render_slots(batch: Batch, slots: list[Slot], values: Callable[[Slot], str], refused=frozenset()) \
        -> tuple[str, dict[int, str], dict[str, str]]:
    """The batch's source with the statements of every slot not refused (a
    refused one leaves its site's fallback), the text written for each
    marker and the secrets the build needs."""
    blocks: dict[str, list[str]] = {}
    written: dict[int, str] = {}
    secrets: dict[str, str] = {}
    for slot in slots:
        if slot.n in refused:
            for block, statement in slot.site.fallback.items():
                blocks.setdefault(block, []).append(statement)
            continue
        fields = {"k": slot.k, "n": slot.n, "port": 8000 + slot.k, "octet": 10 + slot.k,
                  "vrid": VRID_BASE.get(slot.site.name, 0) + slot.k, "vrid2": 100 + slot.k,
                  "event": EVENTS[slot.k % len(EVENTS)]}
        for block, statement in slot.site.lines.items():
            line = statement.replace("@V@", f"@@{slot.n}@@")
            for key, value in fields.items():
                line = line.replace("{" + key + "}", str(value))
            blocks.setdefault(block, []).append(line)
        if slot.site.secret:
            written[slot.n] = f"secret:S{slot.n}"
            secrets[f"S{slot.n}"] = values(slot)
        else:
            written[slot.n] = ha_string(slot.site.wrap.format(values(slot)))
    source = batch.skeleton
    for block in re.findall(r"<<(\w+)>>", source):
        source = source.replace(f"<<{block}>>", "\n".join(blocks.get(block, [])))
    return source, written, secrets


def build(tmp: Path, file: str, template: str, written: dict[int, str], secrets: dict[str, str], quoted=False) -> Build:
    source, where = assemble(template, written, quoted)
    path = tmp / file
    path.write_text(source, encoding="utf-8")
    unit = compile_file(path, file)
    errors = [d for d in unit.diagnostics if d.severity is Severity.ERROR]
    outputs = None
    if not errors:
        outputs, errors = emit_all(unit.cluster, SecretStore(secrets, environ={}), file)
    return Build(source, where, unit, errors, outputs if not errors else None)


@dataclass
class Outcome:
    refused: dict[int, list]  # slot number -> its (diagnostic, compilation)s
    hostile: Build | None     # the build with every accepted value
    plain: Build | None       # the same with placeholders (None when every value was refused)


def settle(batch: Batch, tmp: Path, corpus: dict[str, str]) -> tuple[list[Slot], Outcome]:
    """Build the batch with every corpus value at every site; drop the
    values refused (each must be refused at its own span) and build again
    until the rest compiles and emits. Then build the same slots with
    placeholders."""
    slots = []
    for site in batch.sites:
        # A secret's value comes from the environment or a file, not from
        # the source: it can be a lone surrogate (bytes that are not UTF-8).
        values = dict(corpus, **SECRET_ONLY) if site.secret else corpus
        for k, (label, value) in enumerate(values.items()):
            slots.append(Slot(site, label, value, k, len(slots)))
    refused: dict[int, list] = {}
    for _ in range(4):
        template, written, secrets = render_slots(batch, slots, lambda s: s.value, set(refused))
        result = build(tmp, f"{batch.name}.ha", template, written, secrets)
        if not result.errors:
            break
        stray = []
        for diagnostic in result.errors:
            slot = result.where.get((diagnostic.span.line, diagnostic.span.col))
            if slot is None or diagnostic.span.file != f"{batch.name}.ha":
                stray.append(diagnostic)
            else:
                refused.setdefault(slot, []).append((diagnostic, result.unit))
        assert not stray, explain(stray, result)
    else:
        pytest.fail(f"{batch.name}: still refusing values after 4 rounds")
    if len(refused) == len(slots):
        return slots, Outcome(refused, result, None)  # nothing accepted: nothing to read back
    template, written, secrets = render_slots(batch, slots, lambda s: s.site.plain.format(placeholder(s.n)), set(refused))
    plain = build(tmp, f"{batch.name}-plain.ha", template, written, secrets)
    assert plain.outputs is not None, explain(plain.errors, plain)
    return slots, Outcome(refused, result, plain)


def explain(diagnostics, result: Build) -> str:
    lines = result.text.split("\n")
    return "\n".join(f"{d.span} {d.code} {d.message!r}: {lines[d.span.line - 1][:120]!r}" for d in diagnostics)


# -- running the command line, writing sources -----------------------------------------


def write_source(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(args: list[str], env: dict[str, str] | None = None):
    from click.testing import CliRunner

    from hacc.cli import main

    return CliRunner().invoke(main, args, env=env or {}, catch_exceptions=False)
