"""The wheel ships the grammar, the schema and the templates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_the_data_files(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("hacc-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("hacc/grammar/hacc.lark", "hacc/grammar/json.lark", "hacc/schemas/cluster.schema.json",
                     "hacc/emit/templates/corosync.conf.j2", "hacc/emit/templates/keepalived.conf.j2",
                     "hacc/emit/templates/haproxy-global.cfg.j2", "hacc/emit/templates/haproxy-sections.cfg.j2"):
        assert required in names
    assert not any(name.startswith(("tests/", "golden/", "examples/")) for name in names)
