"""Fuzzing the importers: no damaged daemon file makes `hacc import` or
`hacc audit` raise, hang or point outside the input.

Every golden output and import corpus file (corosync.conf, keepalived.conf,
haproxy.cfg, cib.xml) is damaged one file at a time (`fuzz_strategies.mutated`)
and its case imported and audited in process (`import_cluster`,
`render_import`, `compile_data`). Property: no Python exception, each input
within the time budget, every diagnostic located in the input (as in
tests/test_fuzz_mutations.py), the `.ha` text written reads back (no HA084)
and is already formatted.

Profiles (`HACC_FUZZ`, `HACC_FUZZ_<TARGET>=N`): tests/fuzz_harness.py and docs/fuzzing.md.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from fuzz_harness import (
    CASES,
    assert_located,
    budget,
    fuzz,
    fuzz_report,  # noqa: F401 (autouse: the module's tally)
    outcome_of,
    render_all,
    tried,
)
from fuzz_strategies import case_files, mutated
from hypothesis import given
from hypothesis import strategies as st

from hacc.format.layout import format_text
from hacc.pipeline import compile_data

# -- mutations: import and audit ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def import_tree(tmp_path_factory):
    """A private copy of every import case, to damage one file at a time."""
    root = tmp_path_factory.mktemp("import")
    for name, case in CASES.items():
        shutil.copytree(case, root / name)
    old = os.getcwd()
    os.chdir(root)
    yield root
    os.chdir(old)


IMPORT_SEEDS = {(name, rel): (CASES[name] / rel).read_bytes() for name in CASES for rel in case_files(CASES[name])}


@st.composite
def damaged_import_file(draw):
    key = draw(st.sampled_from(sorted(IMPORT_SEEDS)))
    _, data = draw(mutated({f"{key[0]}/{key[1]}": IMPORT_SEEDS[key]}))
    return key, data


def import_request(case: Path):
    from hacc.importing.assemble import ImportRequest

    request = ImportRequest()
    for node in sorted(p for p in case.iterdir() if p.is_dir()):
        request.nodes[node.name] = node
    if (case / "cib.xml").is_file():
        request.cib = case / "cib.xml"
    return request


def run_import(root: Path, case_name: str):
    """Import and audit a case in the tree; (diagnostics, inputs)."""
    from hacc.config import Config
    from hacc.importing.assemble import import_cluster
    from hacc.importing.output import render_import

    case = root / case_name
    inputs = {p.relative_to(root).as_posix(): p.read_bytes() for p in case.rglob("*") if p.is_file()}
    with budget("import"):
        imported = import_cluster(import_request(case))
        result = render_import(imported, "imported.ha")
        found = list(result.diagnostics)
        if imported.data is not None:
            unit = compile_data(imported.data, imported.spans, imported.sources, "audit", config=Config(),
                                diagnostics=imported.log.diagnostics)
            found += unit.diagnostics
        render_all(found, imported.sources)
    return found, inputs, result


@fuzz("import")
@given(damaged_import_file())
def test_mutated_configs_import_and_audit_to_located_diagnostics(import_tree, case):
    (case_name, rel), data = case
    path = import_tree / case_name / rel
    try:
        path.write_bytes(data)
        found, inputs, result = run_import(import_tree, case_name)
    finally:
        path.write_bytes(IMPORT_SEEDS[(case_name, rel)])
    tried("import", outcome_of(found))
    assert_located(found, inputs, "import")
    # HA084 means the .ha text hacc wrote does not read back: always a bug in hacc
    assert not [d for d in found if d.name == "import-not-writable"], [d.message for d in found]
    if result.text is not None:
        assert format_text(result.text, "imported.ha") == result.text
