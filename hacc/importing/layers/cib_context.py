"""What every part of the CIB import shares: where an element is, how to
report what cannot be carried over, and Pacemaker's own spellings of
durations, booleans and scores.

`Piece` holds one JSON object under construction together with the spans
of its parts, relative to it: the object's final place in the model (a
constraint's index, say) is known only once fence bans have been folded
into `fence ... for NODE`, so spans are recorded when the piece is placed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hacc.diagnostics.model import Span
from hacc.importing.log import ImportLog
from hacc.importing.readers.cib import CibDocument
from hacc.model.formats import check_id, check_text
from hacc.model.values import Duration


@dataclass
class Piece:
    value: dict
    element: object
    spans: dict[tuple, Span] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.value.get("name", "")

    def mark(self, relative: tuple, span: Span) -> None:
        self.spans[relative] = span

    def forget(self, relative: tuple) -> None:
        for key in [k for k in self.spans if k[: len(relative)] == relative]:
            del self.spans[key]

    def place(self, log: ImportLog, path: tuple) -> None:
        for relative, span in self.spans.items():
            log.mark(path + relative, span)


class CibReader:
    """The parsed document with the import log: spans and reports."""

    def __init__(self, doc: CibDocument, log: ImportLog) -> None:
        self.doc = doc
        self.log = log
        self.by_id = {e.get("id"): e for e in doc.configuration.iter() if isinstance(e.tag, str) and e.get("id")}

    # -- where --------------------------------------------------------------

    def span(self, element) -> Span:
        if not isinstance(element.tag, str):
            return self.doc.locator.node_span(element)
        return self.doc.span(element)

    def attr_span(self, element, name: str) -> Span:
        return self.doc.attr_span(element, name)

    def name_span(self, element, name: str) -> Span:
        return self.doc.locator.attribute_name_span(element, name)

    @staticmethod
    def label(element) -> str:
        ident = element.get("id") or element.get("id-ref") or element.get("name")
        return f"`<{element.tag} id=\"{ident}\">`" if ident else f"`<{element.tag}>`"

    # -- reports ------------------------------------------------------------

    def lost(self, element, message: str, help: str | None = None, attr: str | None = None) -> None:
        span = self.attr_span(element, attr) if attr else self.span(element)
        self.log.lost(span, message, help)

    def rewrote(self, element, message: str, help: str | None = None, attr: str | None = None) -> None:
        span = self.attr_span(element, attr) if attr else self.span(element)
        self.log.rewrote(span, message, help)

    def extra_attributes(self, element, handled) -> None:
        """Report every attribute of `element` the import does not use."""
        for name in element.attrib:
            if name not in handled and name != "id":
                self.log.lost(self.name_span(element, name),
                              f"attribute `{name}` of {self.label(element)} has no equivalent in hacc",
                              help="set it by hand after deploying, or drop it")

    def unknown_child(self, child, parent) -> None:
        from lxml import etree

        if child.tag is etree.Comment:
            self.lost(child, "a comment in the CIB is not carried into the .ha file",
                      help="copy what it says into a `#` comment in the .ha file")
            return
        if not isinstance(child.tag, str):
            self.lost(child, "a processing instruction in the CIB has no equivalent in hacc")
            return
        self.lost(child, f"{self.label(child)} inside {self.label(parent)} has no equivalent in hacc",
                  help="manage it by hand (cibadmin, pcs or crm) after deploying, or drop it")

    # -- values -------------------------------------------------------------

    def resolve(self, element, what: str):
        """Follow an `id-ref`: the referenced element, reporting that the
        sharing becomes a copy; None when the reference leads nowhere."""
        ref = element.get("id-ref")
        if ref is None:
            return element
        target = self.by_id.get(ref)
        if target is None or target.tag != element.tag:
            self.lost(element, f"{what} refers to `{ref}`, which is not a `<{element.tag}>` in this CIB",
                      attr="id-ref")
            return None
        self.lost(element, f"{what} shares `{ref}` by id-ref; the .ha file gets its own copy, and a later change "
                  "to one no longer changes the other", help="check that the copies should stay equal", attr="id-ref")
        return target

    def id_of(self, element, what: str) -> str | None:
        """The element's id as a hacc name, or None after reporting."""
        ident = element.get("id")
        try:
            check_id(ident or "")
        except ValueError:
            self.lost(element, f"{what} `{ident}` cannot be named in hacc (ids are letters, digits, `_`, `.` and `-`, "
                      "starting with a letter or `_`)", help="rename it in the CIB, then import again",
                      attr="id" if ident else None)
            return None
        return ident

    def id_of_text(self, element, attr: str, what: str) -> str | None:
        """An attribute that must be a hacc id (an op name, a referenced
        resource), or None after reporting."""
        value = element.get(attr)
        try:
            check_id(value or "")
        except ValueError:
            self.lost(element, f"{what}: `{attr}=\"{value}\"` cannot be written in hacc" if value is not None
                      else f"{what} has no `{attr}`", attr=attr if value is not None else None)
            return None
        return value

    def text(self, element, attr: str, what: str) -> str | None:
        """An attribute that must be non-empty text without control characters."""
        value = element.get(attr)
        if value is None:
            return None
        try:
            if not value:
                raise ValueError("it is empty")
            check_text(value)
        except ValueError as problem:
            self.lost(element, f"{what} cannot be carried over: {problem}", attr=attr)
            return None
        return value

    def duration(self, element, attr: str, what: str, iso: bool = False) -> Duration | None:
        """A Pacemaker duration as hacc's: `10`, `10s`, `10sec`, `1min`,
        `500ms`, and for intervals ISO 8601 (`PT10S`)."""
        value = element.get(attr)
        if value is None:
            return None
        parsed = parse_pacemaker_duration(value, iso)
        if parsed is None:
            self.lost(element, f"{what} `{value}` is not a duration hacc can read", attr=attr,
                      help="write it as a number with a unit, e.g. `10s` or `1min`")
            return None
        return parsed

    def boolean(self, element, attr: str, what: str) -> bool | None:
        value = element.get(attr)
        if value is None:
            return None
        parsed = parse_pacemaker_bool(value)
        if parsed is None:
            self.lost(element, f"{what} `{value}` is not a boolean", attr=attr)
            return None
        if value not in ("true", "false"):
            self.rewrote(element, f"{what} `{value}` is written `{'true' if parsed else 'false'}`", attr=attr)
        return parsed

    def score(self, element, attr: str, what: str) -> str | None:
        value = element.get(attr)
        if value is None:
            return None
        match = _SCORE.fullmatch(value.strip())
        if match is None:
            self.lost(element, f"{what} `{value}` is not a score", attr=attr,
                      help="a score is an integer, `INFINITY` or `-INFINITY`")
            return None
        sign, number = match.group(1) or "", match.group(2)
        if number != "INFINITY" and len(number.lstrip("0")) > 9:
            # Pacemaker caps scores at 1000000 (INFINITY) anyway.
            rewritten = "-INFINITY" if sign == "-" else "INFINITY"
            self.rewrote(element, f"{what} `{value}` is beyond Pacemaker's INFINITY: written `{rewritten}`", attr=attr)
            return rewritten
        return sign + number


_SCORE = re.compile(r"([+-]?)([0-9]+|INFINITY)")
_TRUE = ("true", "on", "yes", "y", "1")
_FALSE = ("false", "off", "no", "n", "0")
# crm_get_msec: a number, optional blanks, a unit (case-insensitive); no
# unit means seconds.
_PCMK_DURATION = re.compile(r"\s*([0-9]+)\s*(ms|msec|us|usec|s|sec|m|min|h|hr)?\s*", re.IGNORECASE)
_UNIT_MS = {"ms": 1, "msec": 1, "s": 1000, "sec": 1000, "m": 60_000, "min": 60_000, "h": 3_600_000, "hr": 3_600_000}
_ISO = re.compile(r"P(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)S)?)?")


def parse_pacemaker_duration(text: str, iso: bool = False) -> Duration | None:
    if len(text) > 100:  # no duration is this long; int() refuses 4300 digits
        return None
    match = _PCMK_DURATION.fullmatch(text)
    if match is not None:
        number, unit = int(match.group(1)), (match.group(2) or "s").lower()
        if unit in ("us", "usec"):
            return Duration(number // 1000) if number % 1000 == 0 else None
        return Duration(number * _UNIT_MS[unit])
    match = _ISO.fullmatch(text) if iso and text not in ("P", "PT") else None
    if match is not None and any(match.groups()):
        days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return Duration((((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000)
    return None


def parse_pacemaker_bool(text: str) -> bool | None:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None
