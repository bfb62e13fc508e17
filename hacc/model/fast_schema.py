"""A compiled twin of the schema, for the common case: input that is valid.

jsonschema turns every schema error into a precise diagnostic, but it costs
about 100 ms to import and walks the schema value by value, which on a big
cluster dominates `hacc lint`. fastjsonschema compiles the same schema into
plain Python. hacc compiles it once per schema and library version, keeps
the generated module in the user's cache directory, and asks it first:
valid input never loads jsonschema at all. When the twin finds anything
wrong, or cannot be used, jsonschema runs and reports as always, so no
message ever comes from here.

The twin may be stricter than jsonschema (its `$` does not match before a
final newline) but never more lenient: tests/test_fast_schema.py checks that
everything it accepts, jsonschema accepts too.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

# Bumped when the way the twin is generated changes.
_GENERATION = "6"


def is_valid(data: dict) -> bool | None:
    """True when the twin accepts `data`; False when it does not; None when
    the twin is unavailable (fastjsonschema missing)."""
    validate = _compiled()
    if validate is None:
        return None
    try:
        validate(data, _formats())
    except Exception:  # noqa: BLE001 - any refusal, whatever its class, means "ask jsonschema"
        return False
    return True


@functools.lru_cache(maxsize=1)
def _formats() -> dict:
    from hacc.model.formats import CHECKERS

    def accepting(check):
        def run(value) -> bool:
            try:
                check(value)
            except ValueError:
                return False
            return True

        return run

    return {name: accepting(check) for name, check in CHECKERS.items()}


@functools.lru_cache(maxsize=1)
def _compiled():
    version = _library_version()
    if version is None:
        return None
    from hacc import cache
    from hacc.resources import schema_path

    text = schema_path().read_bytes()
    name = "hacc_schema_" + cache.key(text, version, _GENERATION)
    module = cache.load(name, lambda: _source(text))
    if module is not None:
        return _entry_point(vars(module))
    return _in_memory(text)


def _library_version() -> str | None:
    """fastjsonschema's version, read without importing the package (its
    code generator and drafts are a few milliseconds that a cached twin
    does not need); None when it is not installed."""
    import importlib.util

    spec = importlib.util.find_spec("fastjsonschema")
    if spec is None or not spec.origin:
        return None
    match = re.search(r"""VERSION = ['"]([^'"]+)['"]""", _read(Path(spec.origin).with_name("version.py")))
    if match:
        return match.group(1)
    import fastjsonschema  # a layout of the package this does not know

    return fastjsonschema.VERSION


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return ""


def _source(text: bytes) -> str:
    import json

    import fastjsonschema

    # The formats are passed at call time; here they only need to exist.
    names = {name: (lambda value: True) for name in _formats()}
    source = fastjsonschema.compile_to_code(json.loads(text), formats=names)
    # The generated code names every value it descends into for its error
    # messages (`data.nodes[3]`, formatted from locals() for each item),
    # even when nothing is wrong. The twin's errors are never shown: pass
    # the prefix along unchanged, a quarter of the validation time.
    source = _NAMED_CALL.sub(r"\1name_prefix)", source)
    # Valid input fails some branches of every `anyOf` (a value tried as text
    # before it is read as a number); each failure built a message, a name
    # and a copy of the schema in its exception. A bare subclass does. (Not
    # one shared instance: its traceback, kept between raises, would keep
    # the frames of the whole validation alive, with the data they hold.)
    source = _RAISE.sub(r"\1raise _Refused", source)
    # The module stands alone, so loading it imports no part of
    # fastjsonschema. Its exceptions never leave is_valid, which only asks
    # whether one was raised. The model's JSON form never holds a Decimal:
    # a stand-in class that nothing is an instance of can only make the
    # twin refuse, and refusing means asking jsonschema.
    source = source.replace(_IMPORTS, _STANDALONE, 1) if _IMPORTS in source else source
    return source + (
        "\n\nclass _Refused(JsonSchemaValueException):\n"
        "    def __init__(self):\n"
        "        Exception.__init__(self)\n"
    )


_IMPORTS = "from decimal import Decimal\nimport re\nfrom fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException\n"
_STANDALONE = (
    "import re\n\n\nclass Decimal:\n    pass\n\n\n"
    "class JsonSchemaValueException(ValueError):\n    pass\n\n\n"
    "class JsonSchemaValuesException(ValueError):\n    pass\n"
)
_RAISE = re.compile(r"^(\s*)raise JsonSchemaValueException\(.*\)$", re.MULTILINE)
_NAMED_CALL = re.compile(r'(validate_\w+\([\w]+, custom_formats, )\(name_prefix or "data"\) \+ "[^"\n]*"(?:\.format\(\*\*locals\(\)\))?\)')


def _entry_point(namespace: dict):
    # fastjsonschema names the root function after the schema's $id; it is
    # the first `validate_*` the module defines.
    return next(value for name, value in namespace.items() if name.startswith("validate"))


def _in_memory(text: bytes):
    try:
        namespace: dict = {}
        exec(compile(_source(text), "<hacc schema twin>", "exec"), namespace)  # noqa: S102 - generated from our own schema
    except Exception:  # noqa: BLE001
        return None
    return _entry_point(namespace)
