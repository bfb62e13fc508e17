"""Validate the model's JSON form against `schemas/cluster.schema.json`.

Every schema error becomes a diagnostic at the span of the value it is about
(lowering and the JSON reader record those spans), in words rather than JSON
Schema keywords: "`300` is too large: at most 255" instead of "300 is greater
than the maximum of 255".
"""

from __future__ import annotations

import functools
import json
import re

from hacc.diagnostics.codes import define
from hacc.diagnostics.model import Diagnostic, Severity, Span
from hacc.diagnostics.suggest import suggest
from hacc.model.values import NOWHERE

INVALID_VALUE = define(
    "HA013",
    "invalid-value",
    Severity.ERROR,
    """
    A value is not of the kind its position needs.

    ## What it checks
    Numbers are in range, durations have a unit, addresses are valid IPv4 or
    IPv6 addresses, names use only the characters every target accepts,
    enumerated settings take one of their values, and text holds no control
    characters. The rules are those of `schemas/cluster.schema.json`.

    ## Why it matters
    The daemons either reject such values at start, or worse, silently
    replace them: keepalived falls back to priority 100 on a bad priority,
    Pacemaker to a default on a bad option.

    ## Example
    ```
    vrid 300
    token 5
    ```

    ## Fix
    Write the value in the form the message gives.
    """,
    fixed=True,
)

INVALID_STRUCTURE = define(
    "HA014",
    "invalid-structure",
    Severity.ERROR,
    """
    A required setting is missing, or a setting appears where it is not allowed.

    ## What it checks
    The structure the schema requires: a `vrrp` instance has a `vrid` and a
    `vip`, a `frontend` has no `server`, a qdevice names its `host` and
    `algorithm`, and (for JSON input) no unknown properties appear.

    ## Why it matters
    A daemon started with an incomplete section either refuses to start or
    runs with defaults nobody chose.

    ## Example
    ```
    vrrp VI_1 {
        priority lb1=100 lb2=90
    }
    ```

    ## Fix
    Add the missing setting, or move the misplaced one where it belongs.
    """,
    fixed=True,
)

_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "`yes` or `no`",
    "object": "a block",
    "array": "a list",
    "null": "nothing",
}


@functools.lru_cache(maxsize=1)
def _validator():
    import jsonschema

    from hacc.resources import schema_path

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern})
    return validator(schema, format_checker=format_checker())


@functools.lru_cache(maxsize=1)
def format_checker():
    """jsonschema's checker for the schema's formats (hacc.model.formats)."""
    import jsonschema

    from hacc.model.formats import CHECKERS

    checker = jsonschema.FormatChecker(formats=())
    for name, check in CHECKERS.items():
        checker.checks(name, raises=ValueError)(_returning_true(check))
    return checker


def _pattern(validator, pattern: str, instance, schema):
    """`pattern` as JSON Schema defines it (ECMA-262): `$` matches only at
    the very end. Python's `$` also matches before a final newline, which
    would let `eth0:vip\\n` through `^...$` and into a generated file."""
    if validator.is_type(instance, "string") and not _ecma_regex(pattern).search(instance):
        from jsonschema.exceptions import ValidationError

        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.cache
def _ecma_regex(pattern: str) -> re.Pattern:
    """`pattern` with every `$` anchor (outside a character class, not
    escaped) written as Python's end-of-string `\\Z`."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        out.append(char)
        i += 1
    return re.compile("".join(out))


def _returning_true(check):
    def run(value) -> bool:
        if isinstance(value, str):
            check(value)
        return True

    return run


def schema() -> dict:
    return _validator().schema


# JSON keys whose `.ha` keyword differs; messages use the `.ha` word.
KEYWORDS = {
    "addrs": "addr",
    "vips": "vip",
    "track_scripts": "track",
    "track_interfaces": "track_interface",
    "instances": "vrrp",
    "scripts": "script",
    "sync_groups": "sync_group",
    "virtual_servers": "virtual_server",
    "real_servers": "real_server",
    "checks": "check",
    "binds": "bind",
    "servers": "server",
    "acls": "acl",
    "use_backends": "use_backend",
    "timeouts": "timeout",
    "stick_table": "stick-table",
    "nameservers": "nameserver",
    "peers": "peer",
    "users": "user",
    "groups": "group",
    "links": "link",
    "properties": "property",
    "fencing_levels": "fencing_level",
    "expressions": "rule",
    "sets": "set",
}


def keyword(key: str) -> str:
    return KEYWORDS.get(key, key)


def validate(data: dict, spans: dict[tuple, Span], incomplete: set[tuple] = frozenset()) -> list[Diagnostic]:
    """Schema errors as diagnostics. `incomplete` lists objects where a
    statement was already reported and dropped; "missing" errors there are
    left out because they would repeat that report."""
    from hacc.model.fast_schema import is_valid

    if is_valid(data):
        return []
    diagnostics: list[Diagnostic] = []
    seen: set[tuple] = set()
    for error in _validator().iter_errors(data):
        for leaf in _leaves(error):
            path = tuple(leaf.absolute_path)
            if leaf.validator in ("required", "oneOf", "minItems") and path in incomplete:
                continue
            if leaf.validator is None:
                path = path + (_key_holding(data, path, leaf.instance),)
            key = (path, leaf.validator)
            if key in seen:
                continue
            seen.add(key)
            diagnostics.append(_diagnostic(leaf, path, spans))
    return diagnostics


def _key_holding(data, path: tuple, value) -> str:
    """jsonschema reports a `false` property schema at the object, not at
    the property: find which key of the object holds the offending value."""
    obj = data
    for part in path:
        obj = obj[part]
    return next((k for k, v in obj.items() if v is value), "?")


def _leaves(error):
    """anyOf/oneOf errors without our own explanation are replaced by their
    most relevant sub-error."""
    if error.validator in ("anyOf", "oneOf") and "x-expected" not in error.schema and error.context:
        from jsonschema.exceptions import best_match

        yield from _leaves(best_match(error.context))
    else:
        yield error


def span_for(path: tuple, spans: dict[tuple, Span]) -> Span:
    """The span recorded for `path`, or for its nearest ancestor."""
    while True:
        span = spans.get(path)
        if span is not None:
            return span
        if not path:
            return NOWHERE
        path = path[:-1]


def json_path(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _show(value) -> str:
    if isinstance(value, bool):
        return "`yes`" if value else "`no`"
    if isinstance(value, dict):
        return "a secret reference" if "secret" in value else "a block"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return f"`{text if len(text) <= 60 else text[:57] + '...'}`"


def _diagnostic(error, path: tuple, spans: dict[tuple, Span]) -> Diagnostic:
    schema = error.schema if isinstance(error.schema, dict) else {}
    expected = schema.get("x-expected")
    key = path[-1] if path and isinstance(path[-1], str) else None
    where = f"`{keyword(key)}`" if key else "this value"
    span = span_for(path, spans)
    code, message, help = INVALID_VALUE, None, f"expected {expected}" if expected else None
    validator = error.validator
    if error.instance == "" and validator in ("minLength", "anyOf", "format"):
        return INVALID_VALUE.at(span, "an empty value is not allowed here",
                                help="remove the empty string, or write the value it should hold",
                                path=json_path(path) or None)
    if "propertyNames" in error.relative_schema_path:
        # The offending value is a key (a timeout name, a node name...).
        name = str(error.instance)
        span = spans.get(path + (name, "<key>")) or span_for(path + (name,), spans)
        what = schema.get("x-unknown")
        if validator == "enum" and what:
            message = f"`{name}` is not a {what}"
            close = suggest(name, [str(c) for c in schema.get("enum", ())])
            help = f"did you mean `{close}`?" if close else "expected one of " + ", ".join(f"`{c}`" for c in schema["enum"])
            return INVALID_VALUE.at(span, message, help=help, path=json_path(path + (name,)))
        message = str(error.cause) if validator == "format" and error.cause else f"`{name}` is not a valid name here"
        return INVALID_VALUE.at(span, message, help=help, path=json_path(path + (name,)))
    if validator == "format":
        message = str(error.cause) if error.cause else f"{_show(error.instance)} is not valid here"
    elif validator == "type":
        wanted = schema.get("type")
        words = expected or " or ".join(_TYPE_WORDS.get(t, t) for t in (wanted if isinstance(wanted, list) else [wanted]))
        message = f"{where} must be {words}, not {_show(error.instance)}"
        help = f"write {words}"
    elif validator in ("enum", "const"):
        choices = schema.get("enum", [schema.get("const")])
        message = f"{_show(error.instance)} is not a valid {where}"
        close = suggest(str(error.instance), [str(c) for c in choices])
        help = f"did you mean `{close}`?" if close else "expected one of " + ", ".join(f"`{c}`" for c in choices)
        if expected and not close:
            help = f"expected {expected}"
    elif validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = error.validator_value
        side = "small" if "inimum" in validator else "large"
        message = f"{_show(error.instance)} is too {side} for {where}"
        help = f"{where} must be {'at least' if side == 'small' else 'at most'} {bound}"
    elif validator in ("minLength", "maxLength"):
        if validator == "minLength" and error.validator_value == 1:
            message = f"{where} must not be empty"
        else:
            side = "short" if validator == "minLength" else "long"
            message = f"{_show(error.instance)} is too {side} for {where}"
    elif validator == "pattern" or validator == "not":
        message = f"{_show(error.instance)} is not valid for {where}"
    elif validator == "required":
        code = INVALID_STRUCTURE
        missing = keyword(error.message.split("'")[1]) if "'" in error.message else "a setting"
        message = f"missing `{missing}`"
        help = f"add `{missing}`" if not expected else f"expected {expected}"
    elif validator == "additionalProperties":
        code = INVALID_STRUCTURE
        extras = sorted(set(error.instance) - set(schema.get("properties", {})))
        extra = extras[0] if extras else "?"
        span = spans.get(path + (extra, "<key>")) or span_for(path + (extra,), spans)
        what = schema.get("x-unknown", "setting")
        message = f"`{extra}` is not a {what}"
        close = suggest(extra, schema.get("properties", {}))
        help = f"did you mean `{close}`?" if close else None
        path = path + (extra,)
    elif validator is None:
        code = INVALID_STRUCTURE
        span = span_for(path, spans)
        message = f"{where} is not allowed here"
        help = "move it to a section where it belongs"
    elif validator in ("minItems", "maxItems", "minProperties"):
        code = INVALID_STRUCTURE
        count = len(error.instance)
        if validator == "maxItems":
            message = f"{where} has {count} entries; at most {error.validator_value} are allowed"
        else:
            message = f"{where} needs at least {error.validator_value} {'entry' if error.validator_value == 1 else 'entries'}"
    elif validator in ("oneOf", "anyOf"):
        code = INVALID_STRUCTURE if isinstance(error.instance, dict) else INVALID_VALUE
        message = f"{_show(error.instance)} is not valid for {where}" if not isinstance(error.instance, dict) else f"{where} has the wrong shape"
    if message is None:
        message = f"{_show(error.instance)} is not valid for {where}"
    if help is None:
        help = "docs/language.md shows the form this setting takes"
    return code.at(span, message, help=help, path=json_path(path) or None)
