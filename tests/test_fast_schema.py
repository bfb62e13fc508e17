"""The schema's compiled twin (hacc.model.fast_schema) never accepts what
jsonschema refuses, and accepts the valid forms hacc sees every day (or it
would not make anything faster)."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest

from hacc.model import fast_schema
from hacc.model.validate import _validator
from hacc.pipeline import compile_file

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "examples").glob("*.ha")) + sorted((ROOT / "tests" / "rules").glob("*/*.ha")) \
    + sorted((ROOT / "tests" / "lint").glob("*.ha"))


def forms() -> list[tuple[str, dict]]:
    found = []
    for path in SOURCES:
        unit = compile_file(path, path.name, run_checks=False)
        if unit.data is not None:
            found.append((str(path.relative_to(ROOT)), unit.data))
    return found


FORMS = forms()


def jsonschema_accepts(data) -> bool:
    return not any(True for _ in _validator().iter_errors(data))


def test_the_twin_is_available():
    assert fast_schema.is_valid({"cluster": "c", "nodes": [{"name": "a", "addrs": []}]}) is True


@pytest.mark.parametrize("name, data", FORMS, ids=[name for name, _ in FORMS])
def test_the_twin_agrees_on_every_fixture(name, data):
    expected = jsonschema_accepts(data)
    assert fast_schema.is_valid(data) is expected


# Mutations that keep the JSON well-formed but break the schema in the
# ways lowering and JSON input can: wrong types, out-of-range numbers, bad
# formats, unknown keys, missing required keys, emptied lists.
REPLACEMENTS = [0, -1, 70000, 1.5, True, False, None, "", " ", "x\ny", "-1", "300", "a b", "10.0.0.300", "5",
                "secret:X", {"secret": "1bad"}, [], {}, ["x"], {"x": 1}, "\u202e", "a" * 5000, "/p\n", "eth0:x"]


def mutate(data, rng: random.Random):
    data = copy.deepcopy(data)

    def walk(value, parent, key, into):
        into.append((parent, key, value))
        if isinstance(value, dict):
            for k, v in list(value.items()):
                walk(v, value, k, into)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, value, i, into)
        return into

    for _ in range(rng.randint(1, 3)):
        parent, key, value = rng.choice(walk(data, None, None, [])[1:])
        choice = rng.random()
        if choice < 0.6:
            parent[key] = copy.deepcopy(rng.choice(REPLACEMENTS))
        elif choice < 0.8 and isinstance(parent, dict):
            parent.pop(key, None)
        elif isinstance(value, dict):
            value[rng.choice(["bogus", "name", "type", "id"])] = copy.deepcopy(rng.choice(REPLACEMENTS))
        elif isinstance(value, list):
            value.clear()
    return data


def test_the_twin_never_accepts_what_jsonschema_refuses():
    rng = random.Random(7)
    accepted_by_both = refused_by_both = 0
    for _ in range(1500):
        _, original = rng.choice(FORMS)
        data = mutate(original, rng)
        fast = fast_schema.is_valid(data)
        slow = jsonschema_accepts(data)
        if fast:
            assert slow, data
            accepted_by_both += 1
        elif not slow:
            refused_by_both += 1
    # The mutations exercised both outcomes.
    assert accepted_by_both > 50 and refused_by_both > 500


def test_a_damaged_cache_file_is_not_fatal(tmp_path, monkeypatch):
    monkeypatch.setenv("HACC_CACHE_DIR", str(tmp_path))
    fast_schema._compiled.cache_clear()
    try:
        assert fast_schema.is_valid(FORMS[0][1]) is True
        (generated,) = tmp_path.glob("hacc_schema_*.py")
        generated.write_text("this is not python (")
        fast_schema._compiled.cache_clear()
        assert fast_schema.is_valid(FORMS[0][1]) is True
    finally:
        fast_schema._compiled.cache_clear()
