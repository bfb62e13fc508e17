"""Build the typed model from its validated JSON form.

The model classes are plain dataclasses; their field annotations say what
each JSON value becomes (a Duration, an IP address, a nested element...).
This module reads those annotations once per class and converts the JSON
accordingly, attaching the recorded source spans as it goes. It never
validates: the schema has done that, so a conversion here cannot fail on
well-formed input.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import operator
import types
import typing
from typing import Any

from hacc.diagnostics.model import Span
from hacc.model.values import (
    NOWHERE,
    Duration,
    Endpoint,
    SecretRef,
    is_element,
    parse_interface,
    parse_ip,
    ready,
)

_IP = ipaddress.IPv4Address | ipaddress.IPv6Address
_IFACE = ipaddress.IPv4Interface | ipaddress.IPv6Interface

_LEAVES = {
    Duration: Duration.parse,
    Endpoint: Endpoint.parse,
}


class Binder:
    def __init__(self, spans: dict[tuple, Span]) -> None:
        self.spans = spans

    def span(self, path: tuple) -> Span:
        """The span recorded for `path`, or for its nearest ancestor."""
        spans = self.spans
        while path:
            found = spans.get(path)
            if found is not None:
                return found
            path = path[:-1]
        return spans.get((), NOWHERE)

    def bind(self, cls: type, data: dict, path: tuple = ()) -> Any:
        variants = getattr(cls, "VARIANTS", None)
        if variants:
            cls = variants[data["type"]]
        kwargs: dict[str, Any] = {}
        at: dict = {}
        spans = self.spans
        for name, key, converter, rest_of in _plan_of(cls):
            if rest_of is not None:
                # Collects every JSON key no other field claims (e.g. the
                # free-form attributes of a Pacemaker op).
                rest = {k: v for k, v in data.items() if k not in rest_of}
                kwargs[name] = rest
                for k in rest:
                    at[(name, k)] = self.span(path + (k,))
                continue
            if key not in data:
                continue
            child = path + (key,)
            value = data[key]
            kwargs[name] = value if converter is None else converter(self, value, child)
            at[name] = spans.get(child) or self.span(child)
            if isinstance(value, dict):
                for sub in value:
                    found = spans.get(child + (sub,))
                    if found is not None:
                        at[(name, sub)] = found
                    found = spans.get(child + (sub, "<key>"))
                    if found is not None:
                        at[(name, sub, "<key>")] = found
            elif isinstance(value, list):
                for index in range(len(value)):
                    found = spans.get(child + (index,))
                    if found is not None:
                        at[(name, index)] = found
        return cls(**kwargs, span=self.span(path), at=at, model_path=path)


# How a JSON value becomes what a field's annotation says; worked out once
# per annotation, since a big cluster converts hundreds of thousands of values.
_AS_IS, _LEAF, _ELEMENT, _LIST, _DICT, _OPTIONAL, _UNION = range(7)

# A converter takes (binder, JSON value, its path) and returns the model
# value; None stands for "the value as it is".
Converter = typing.Callable[[Binder, Any, tuple], Any]


@functools.cache
def _converter(hint: Any) -> Converter | None:
    """The conversion `hint` calls for, made into one function up front:
    per value, converting is then a call, not a walk over the annotation."""
    kind, arg = _conversion(hint)
    if kind is _AS_IS:
        return None
    if kind is _LEAF:
        return lambda binder, value, path: arg(value)
    if kind is _ELEMENT:
        return lambda binder, value, path: binder.bind(arg, value, path)
    if kind is _LIST:
        item = _converter(arg)
        if item is None:
            return lambda binder, value, path: list(value)
        return lambda binder, value, path: [item(binder, v, path + (i,)) for i, v in enumerate(value)]
    if kind is _DICT:
        item = _converter(arg)
        if item is None:
            return lambda binder, value, path: dict(value)
        return lambda binder, value, path: {k: item(binder, v, path + (k,)) for k, v in value.items()}
    if kind is _OPTIONAL:
        inner = _converter(arg)
        if inner is None:
            return None
        return lambda binder, value, path: None if value is None else inner(binder, value, path)

    by_shape: dict = {}

    def union(binder, value, path):
        shape = _shape(value)
        if shape not in by_shape:
            by_shape[shape] = _converter(_pick(arg, shape))
        chosen = by_shape[shape]
        return value if chosen is None else chosen(binder, value, path)

    return union


@functools.cache
def _conversion(hint: Any) -> tuple[int, Any]:
    if hint is Any:
        return _AS_IS, None
    if hint in _LEAVES:
        return _LEAF, _LEAVES[hint]
    if hint == _IP:
        return _LEAF, parse_ip
    if hint == _IFACE:
        return _LEAF, parse_interface
    if hint is SecretRef:
        return _LEAF, lambda value: SecretRef(value["secret"])
    if _is_record(hint):
        return _ELEMENT, hint
    origin = typing.get_origin(hint)
    if origin is list:
        return _LIST, typing.get_args(hint)[0]
    if origin is dict:
        return _DICT, typing.get_args(hint)[1]
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        present = tuple(option for option in options if option is not type(None))
        if len(present) < len(options):
            # `X | None`: convert a value as X (X may itself be a union
            # such as IPAddress, which `_pick` cannot see inside).
            return _OPTIONAL, present[0] if len(present) == 1 else functools.reduce(operator.or_, present)
        return _UNION, options
    return _AS_IS, None


@functools.cache
def _plan_of(cls: type) -> tuple:
    """(field name, JSON key, annotation, keys claimed by other fields or
    None) for each field the JSON fills."""
    fields = _fields(cls)
    claimed = frozenset({f.metadata.get("json", f.name) for f, _ in fields} | {"type"})
    return tuple((f.name, f.metadata.get("json", f.name), _converter(hint), claimed if f.metadata.get("rest") else None)
                 for f, hint in fields)


def _is_record(hint: Any) -> bool:
    """Whether `hint` is bound from a JSON object field by field: a model
    element (a dataclass from its first use on) or another dataclass."""
    return is_element(hint) or dataclasses.is_dataclass(hint)


def _shape(value: Any) -> Any:
    """What `_pick` looks at in a JSON value: its type, and for an object
    whether it is a secret reference."""
    if isinstance(value, dict):
        return _SECRET if "secret" in value else dict
    return type(value)


_SECRET = "a secret reference"


def _pick(options: tuple, shape: Any) -> Any:
    """The member of a union that matches a JSON value of `shape`."""
    objects = (dict, _SECRET)
    for option in options:
        if option is type(None):
            if shape is type(None):
                return option
            continue
        if option is SecretRef:
            if shape is _SECRET:
                return option
            continue
        origin = typing.get_origin(option) or option
        if origin is dict and shape in objects:
            return option
        if origin is list and shape is list:
            return option
        if _is_record(option) and shape in objects:
            return option
        if option is bool and shape is bool:
            return option
        if option is int and shape is int:
            return option
        if option in (str, Duration, Endpoint, _IP, _IFACE) and shape is str:
            return option
        if option is Any:
            return option
    return Any


@functools.cache
def _fields(cls: type) -> tuple:
    hints = typing.get_type_hints(cls)
    return tuple((f, hints[f.name]) for f in dataclasses.fields(ready(cls)) if f.name not in ("span", "at", "model_path"))
