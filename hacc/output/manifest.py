"""manifest.json: every generated file with its sha256 and mode, the sha256
of every source file, and the hacc version. Paths are relative (to the output
directory and to the main source file) so the manifest does not depend on
the machine that built it."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from hacc import __version__
from hacc.emit.context import Output

MANIFEST = "manifest.json"


def _sha256(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


def build_manifest(cluster_name: str, outputs: list[Output], sources: list[tuple[str, Path]], main: Path) -> Output:
    base = main.resolve().parent
    source_entries = []
    for _, path in sources:
        relative = os.path.relpath(path.resolve(), base)
        source_entries.append({"path": Path(relative).as_posix(), "sha256": _sha256(path.read_bytes())})
    files = [
        {
            "path": o.path,
            "kind": o.kind,
            "node": o.node,
            "mode": f"{o.mode:04o}",
            "sha256": _sha256(*o.parts),
        }
        for o in outputs
    ]
    manifest = {
        "generator": "hacc",
        "version": __version__,
        "cluster": cluster_name,
        "sources": sorted(source_entries, key=lambda s: s["path"]),
        "files": files,
    }
    content = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    # The hash of a file holding a short password can confirm a guess of it,
    # so the manifest is as private as the most private file it describes.
    secret = any(o.secret for o in outputs)
    return Output(MANIFEST, (content,), "manifest", secret=secret)


def is_hacc_output(directory: Path) -> bool:
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("generator") == "hacc"
