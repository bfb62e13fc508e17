"""No input makes hacc raise: damaged versions of every example (bytes
deleted or inserted, words swapped, lines duplicated, the file cut short)
give diagnostics with a code, a position inside the input and a hint."""

from __future__ import annotations

import random
import re
from pathlib import Path

from hacc.diagnostics.render import render_json, render_text
from hacc.pipeline import compile_file

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p.read_text() for p in sorted((ROOT / "examples").glob("*.ha"))]
NOISE = list('{};="#\n \\:/.,-0123456789xyz') + ["\u00e9", "\u202e", "\x00", "secret:", "=", "{ }", "300", "-1"]


def damage(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(len(text) + 1)
        choice = rng.random()
        if choice < 0.3 and text:
            text = text[:pos] + text[pos + 1:]
        elif choice < 0.6:
            text = text[:pos] + rng.choice(NOISE) + text[pos:]
        elif choice < 0.8:
            words = re.split(r"(\s+)", text)
            spots = [i for i, w in enumerate(words) if w.strip()]
            words[rng.choice(spots)] = words[rng.choice(spots)]
            text = "".join(words)
        elif choice < 0.9:
            text = text[:pos]
        else:
            lines = text.split("\n")
            lines.insert(rng.randrange(len(lines)), rng.choice(lines))
            text = "\n".join(lines)
    return text


def test_damaged_inputs_give_diagnostics_not_tracebacks(tmp_path):
    rng = random.Random(20261125)
    path = tmp_path / "damaged.ha"
    for _ in range(400):
        text = damage(rng.choice(SOURCES), rng)
        path.write_text(text)
        unit = compile_file(path, "damaged.ha")
        render_text(unit.diagnostics, unit.sources)
        render_json(unit.diagnostics)
        lines = text.count("\n") + 2
        for diagnostic in unit.diagnostics:
            assert re.fullmatch(r"HA\d{3}", diagnostic.code)
            assert diagnostic.help, diagnostic
            assert diagnostic.span.file == "damaged.ha"
            assert 1 <= diagnostic.span.line <= lines, (diagnostic, text)
