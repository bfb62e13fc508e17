"""Every example compiles to exactly its golden tree, byte for byte.

Regenerate after an intended change, then read every diff:

    HACC_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
    git diff golden/
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.ha"))
UPDATE = os.environ.get("HACC_UPDATE_GOLDEN") == "1"


def build(example: str, out: Path, tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.env"
    shutil.copyfile(ROOT / "golden" / "secrets.env", secrets)
    secrets.chmod(0o600)
    result = subprocess.run(
        [sys.executable, "-m", "hacc", "build", f"examples/{example}.ha", "-o", str(out), "--secrets", str(secrets)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_matches_golden(example, tmp_path):
    out = tmp_path / "out"
    build(example, out, tmp_path)
    golden = ROOT / "golden" / example
    if UPDATE:
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(out, golden)
    built, expected = tree(out), tree(golden)
    assert sorted(built) == sorted(expected), "the set of generated files changed"
    for path, content in built.items():
        assert content == expected[path], f"{example}/{path} differs from golden (see the module docstring)"


def test_every_example_has_a_golden_tree():
    trees = sorted(p.name for p in (ROOT / "golden").iterdir() if p.is_dir())
    assert trees == EXAMPLES
