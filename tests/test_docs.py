"""Every complete example in docs/language.md compiles without errors, and
every keyword the lowering knows is documented there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hacc.diagnostics.model import Severity

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = (ROOT / "docs" / "language.md").read_text()
BLOCKS = [b for b in re.findall(r"```ha\n(.*?)```", LANGUAGE, re.S)
          if re.sub(r"(?m)^#.*\n", "", b).lstrip().startswith("cluster")]


def test_the_page_has_examples():
    assert len(BLOCKS) >= 10


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example_compiles(compile_text, index):
    unit = compile_text(BLOCKS[index])
    problems = [f"{d.span}: {d.code} {d.message}" for d in unit.diagnostics if d.severity is Severity.ERROR]
    assert not problems
    assert unit.cluster is not None


def _keywords(module) -> set[str]:
    handlers = set()
    for name in dir(module):
        value = getattr(module, name)
        if name.endswith("HANDLERS") and isinstance(value, dict):
            handlers |= {k for k in value if k}
    return handlers


@pytest.mark.parametrize("layer", ["cluster", "corosync", "pacemaker", "keepalived", "haproxy"])
def test_every_keyword_is_documented(layer):
    import importlib

    module = importlib.import_module(f"hacc.model.lower.{layer}")
    for keyword in _keywords(module):
        assert f"`{keyword}" in LANGUAGE, f"`{keyword}` ({layer}) is not in docs/language.md"
