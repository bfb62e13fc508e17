"""The fuzzers' inputs, in one place: what tests/test_fuzz_*.py and
tests/test_fast_path.py import.

Two families of inputs:

- **Mutations** (`mutated`, fuzz_mutations): a seed file from a corpus
  (examples, rule fixtures, lint fixtures, doc snippets, golden outputs, the
  import corpus) damaged by a short list of operations: bit and byte flips,
  token deletion, duplication and swaps, line duplication, truncation, cuts,
  syntax characters, hostile Unicode, invalid UTF-8, splices, and word
  replacement (which keeps the syntax, so the input reaches the model, the
  checks and the emitters).
- **Valid clusters** (`clusters`, fuzz_clusters): coherent `.ha` files
  covering the whole language, generated from a plan (fuzz_plan) in which
  every reference resolves, ids, addresses, VRIDs, VIPs and priorities are
  unique, and the values respect what each daemon checks; one module per
  layer (fuzz_layer_corosync, fuzz_layer_pacemaker, fuzz_layer_keepalived,
  fuzz_layer_haproxy), written out by fuzz_render. Each comes with the
  secret values it needs. `schema_paths` and `reached`
  (fuzz_schema_coverage) measure which settings of the language (the schema
  of the JSON form) the clusters used.

The per-input time budget (`budget`) is harness, in tests/fuzz_harness.py.
"""

from __future__ import annotations

from fuzz_clusters import clusters
from fuzz_layer_haproxy import CERTIFICATE
from fuzz_mutations import (
    HOSTILE,
    OPERATIONS,
    SYNTAX,
    VALUES,
    Mutation,
    case_files,
    ha_corpus,
    import_cases,
    mutated,
    mutations,
    text_of,
)
from fuzz_plan import Generated
from fuzz_schema_coverage import reached, schema_paths

__all__ = [
    "CERTIFICATE",
    "HOSTILE",
    "OPERATIONS",
    "SYNTAX",
    "VALUES",
    "Generated",
    "Mutation",
    "case_files",
    "clusters",
    "ha_corpus",
    "import_cases",
    "mutated",
    "mutations",
    "reached",
    "schema_paths",
    "text_of",
]
