"""corosync.conf values in corosync's spelling -> the model's JSON values.

corosync spells the same idea several ways depending on who reads the key:
totem durations are whole milliseconds (`knet_pmtud_interval` whole
seconds), votequorum flags are the integers 0 and 1, totem flags `yes`/`no`,
logging destinations `yes`/`no`/`on`/`off` and the logging format flags
only `on`/`off` (exec/logconfig.c). Each converted value is then checked
against the schema definition it is meant for, so an import never produces
a JSON form that fails validation.
"""

from __future__ import annotations

import functools
import re

from hacc.diagnostics.model import Span
from hacc.importing.log import ImportLog
from hacc.importing.readers.tree import Word
from hacc.model.values import Duration

# A value that could not be converted (already reported).
REFUSED = object()

_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_SPELLINGS = {
    "yes-no": {"yes": True, "no": False},
    "zero-one": {"1": True, "0": False},
    "on-off": {"on": True, "off": False},
    "yes-no-on-off": {"yes": True, "on": True, "no": False, "off": False},
}
_NUMBER_WORDS = {"ms": "a whole number of milliseconds", "s": "a whole number of seconds", "int": "a whole number"}


def convert(kind: str, key: str, word: Word, log: ImportLog):
    """`word` as the JSON value of `kind`, or REFUSED after a report.
    Numbers corosync cannot parse make it refuse the file (HA083); other
    spellings hacc cannot map are losses (HA080)."""
    text = word.text
    if kind in _NUMBER_WORDS:
        if not _INTEGER.match(text):
            log.unreadable(word.span, f"corosync refuses `{key}: {shown(text)}`: it reads `{key}` as {_NUMBER_WORDS[kind]}",
                           help="write the number alone, without a unit or a comment")
            return REFUSED
        number = int(text)
        if kind == "int":
            return number
        if number < 0:
            log.lost(word.span, f"`{key}: {text}` is a negative duration", help="write a duration of 0 or more")
            return REFUSED
        return Duration(number * (1000 if kind == "s" else 1)).text()
    if kind in _SPELLINGS:
        spelling = _SPELLINGS[kind]
        if text not in spelling:
            words = " or ".join(f"`{w}`" for w in spelling)
            log.lost(word.span, f"`{key}: {shown(text)}` is not one of the values corosync reads here ({words})",
                     help=f"write {words}")
            return REFUSED
        return spelling[text]
    return text


def checked(definition: str, key: str, value, span: Span, log: ImportLog):
    """`value` if it fits schema property `definition.key`, else REFUSED
    after a loss report saying why."""
    if value is REFUSED:
        return REFUSED
    problem = schema_problem(definition, key, value)
    if problem is None:
        return value
    log.lost(span, f"`{key}` cannot be imported: {problem}", help="correct the value in the file, then import again")
    return REFUSED


def schema_problem(definition: str, key: str, value) -> str | None:
    """Why `value` does not fit property `key` of `$defs/definition`."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator(definition, key).iter_errors(value))
    if error is None:
        return None
    if error.validator == "format" and error.cause is not None:
        return str(error.cause)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator in ("enum", "const"):
        choices = schema.get("enum", [schema.get("const")])
        return f"`{shown(str(error.instance))}` is not one of " + ", ".join(f"`{c}`" for c in choices)
    if error.validator in ("minimum", "maximum"):
        side = "at least" if error.validator == "minimum" else "at most"
        return f"`{error.instance}` is out of range: {side} {error.validator_value}"
    expected = schema.get("x-expected")
    return f"`{shown(str(error.instance))}` is not valid here" + (f": expected {expected}" if expected else "")


@functools.cache
def _validator(definition: str, key: str):
    import jsonschema

    from hacc.model.validate import format_checker, schema

    sub = {"$defs": schema()["$defs"], "$ref": f"#/$defs/{definition}/properties/{key}"}
    return jsonschema.Draft202012Validator(sub, format_checker=format_checker())


def knows(definition: str, key: str) -> bool:
    from hacc.model.validate import schema

    return key in schema()["$defs"][definition].get("properties", {})


def shown(text: str) -> str:
    """A value as a message shows it: printable, at most 60 characters."""
    text = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text)
    return text if len(text) <= 60 else text[:57] + "..."
