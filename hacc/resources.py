"""Locate the data files that ship with hacc: the grammar and the schemas.

In the source tree they live at the top level (`grammar/`, `schemas/`); in an
installed wheel they are packaged as `hacc/grammar` and `hacc/schemas`.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"hacc data directory `{name}` is missing from the installation")


def grammar_path(name: str = "hacc.lark") -> Path:
    return data_dir("grammar") / name


def schema_path(name: str = "cluster.schema.json") -> Path:
    return data_dir("schemas") / name
