"""Compare the haproxy.cfg of one node with the first node's.

haproxy.cfg must be the same on every node, apart from `localpeer` (each
node names itself); otherwise the traffic a VIP gets depends on which node
holds it. The parsed files are compared, not the texts: comments, blank
lines, indentation and quoting do not count, the order of lines within a
section does. Each difference is reported once, at the other node's line,
with a label on the first node's.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from hacc.diagnostics.model import Span
from hacc.importing.layers.haproxy_values import line_text, secret_positions
from hacc.importing.log import ImportLog
from hacc.importing.readers.haproxy import HaproxyFile, Line

_PER_NODE = {("global", "localpeer")}


def report_differences(first: str, first_file: HaproxyFile, other: str, other_file: HaproxyFile, log: ImportLog) -> None:
    a, b = first_file.sections, other_file.sections
    head = Span.point(other_file.source.display)
    matcher = SequenceMatcher(a=[_section_key(s) for s in a], b=[_section_key(s) for s in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for left, right in zip(a[i1:i2], b[j1:j2]):
                _compare_lines(first, left, other, right, log)
            continue
        rights = list(b[j1:j2])
        for left in a[i1:i2]:
            match = next((r for r in rights if _section_key(r) == _section_key(left)), None)
            if match is not None:
                rights.remove(match)
                _compare_lines(first, left, other, match, log)
            else:
                near = b[j1].head_span if j1 < len(b) else head
                log.disagree(near, f"{other} has no `{_title(left)}` section; {first} has it",
                             first=left.head_span, first_label=f"on {first}")
        for right in rights:
            log.disagree(right.head_span, f"`{_title(right)}` is a section on {other} but not on {first}",
                         first=a[i1].head_span if i1 < len(a) else None, first_label=f"not there on {first}")


def _section_key(section: Line) -> tuple:
    return (section.keyword, tuple(section.texts()))


def _title(section: Line) -> str:
    return " ".join([section.keyword] + section.texts())[:60]


def _signature(section: str, line: Line) -> tuple:
    block = tuple(_signature(section, inner) for inner in line.block or ())
    return (line.keyword, tuple(line.texts()), block)


def _shown(section: str, line: Line) -> str:
    texts = line.texts()
    return line_text(line.keyword, texts, secret_positions(section, line.keyword, texts))


def _compare_lines(first: str, left: Line, other: str, right: Line, log: ImportLog) -> None:
    kind = left.keyword
    a = [line for line in left.block if (kind, line.keyword) not in _PER_NODE]
    b = [line for line in right.block if (kind, line.keyword) not in _PER_NODE]
    matcher = SequenceMatcher(a=[_signature(kind, x) for x in a], b=[_signature(kind, x) for x in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        lefts, rights = a[i1:i2], b[j1:j2]
        for x, y in zip(lefts, rights):
            log.disagree(y.head_span, f"{other} has `{_shown(kind, y)}` where {first} has `{_shown(kind, x)}`",
                         first=x.head_span, first_label=f"on {first}")
        for x in lefts[len(rights):]:
            near = rights[-1].head_span if rights else (b[j1].head_span if j1 < len(b) else right.head_span)
            log.disagree(near, f"{other} lacks `{_shown(kind, x)}` in `{_title(right)}`; {first} has it",
                         first=x.head_span, first_label=f"on {first}")
        for y in rights[len(lefts):]:
            log.disagree(y.head_span, f"`{_shown(kind, y)}` is on {other} but not on {first}",
                         first=lefts[-1].head_span if lefts else left.head_span, first_label=f"in this section on {first}")
