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
from hacc.model.values import Duration, Endpoint, SecretRef, parse_interface, parse_ip

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
        from hacc.model.validate import span_for

        return span_for(path, self.spans)

    def bind(self, cls: type, data: dict, path: tuple = ()) -> Any:
        variants = getattr(cls, "VARIANTS", None)
        if variants:
            cls = variants[data["type"]]
        kwargs: dict[str, Any] = {}
        at: dict = {}
        fields = _fields(cls)
        for field, hint in fields:
            if field.metadata.get("rest"):
                # Collects every JSON key no other field claims (e.g. the
                # free-form attributes of a Pacemaker op).
                claimed = {f.metadata.get("json", f.name) for f, _ in fields} | {"type"}
                rest = {k: v for k, v in data.items() if k not in claimed}
                kwargs[field.name] = rest
                for k in rest:
                    at[(field.name, k)] = self.span(path + (k,))
                continue
            key = field.metadata.get("json", field.name)
            if key not in data:
                continue
            child = path + (key,)
            kwargs[field.name] = self.convert(hint, data[key], child)
            at[field.name] = self.span(child)
            value = data[key]
            if isinstance(value, dict):
                for sub in value:
                    if (child + (sub,)) in self.spans:
                        at[(field.name, sub)] = self.spans[child + (sub,)]
                    if (child + (sub, "<key>")) in self.spans:
                        at[(field.name, sub, "<key>")] = self.spans[child + (sub, "<key>")]
            elif isinstance(value, list):
                for index in range(len(value)):
                    if (child + (index,)) in self.spans:
                        at[(field.name, index)] = self.spans[child + (index,)]
        return cls(**kwargs, span=self.span(path), at=at, model_path=path)

    def convert(self, hint: Any, value: Any, path: tuple) -> Any:
        if hint is Any:
            return value
        if hint in _LEAVES:
            return _LEAVES[hint](value)
        if hint == _IP:
            return parse_ip(value)
        if hint == _IFACE:
            return parse_interface(value)
        if hint is SecretRef:
            return SecretRef(value["secret"])
        if dataclasses.is_dataclass(hint):
            return self.bind(hint, value, path)
        origin = typing.get_origin(hint)
        if origin is list:
            (item,) = typing.get_args(hint)
            return [self.convert(item, v, path + (i,)) for i, v in enumerate(value)]
        if origin is dict:
            _, item = typing.get_args(hint)
            return {k: self.convert(item, v, path + (k,)) for k, v in value.items()}
        if origin in (typing.Union, types.UnionType):
            options = typing.get_args(hint)
            present = tuple(option for option in options if option is not type(None))
            if value is not None and len(present) < len(options):
                # `X | None` with a value: convert as X (X may itself be a
                # union such as IPAddress, which `_pick` cannot see inside).
                return self.convert(present[0] if len(present) == 1 else functools.reduce(operator.or_, present), value, path)
            return self.convert(_pick(options, value), value, path)
        return value


def _pick(options: tuple, value: Any) -> Any:
    """The member of a union that matches the JSON shape of `value`."""
    for option in options:
        if option is type(None):
            if value is None:
                return option
            continue
        if option is SecretRef:
            if isinstance(value, dict) and "secret" in value:
                return option
            continue
        origin = typing.get_origin(option) or option
        if origin is dict and isinstance(value, dict):
            return option
        if origin is list and isinstance(value, list):
            return option
        if dataclasses.is_dataclass(option) and isinstance(value, dict):
            return option
        if option is bool and isinstance(value, bool):
            return option
        if option is int and isinstance(value, int) and not isinstance(value, bool):
            return option
        if option in (str, Duration, Endpoint, _IP, _IFACE) and isinstance(value, str):
            return option
        if option is Any:
            return option
    return Any


@functools.cache
def _fields(cls: type) -> tuple:
    hints = typing.get_type_hints(cls)
    return tuple((f, hints[f.name]) for f in dataclasses.fields(cls) if f.name not in ("span", "at", "model_path"))
