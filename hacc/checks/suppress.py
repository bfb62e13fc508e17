"""Suppression comments: `# hacc: ignore[HA301] reason`.

A suppression covers the diagnostics that start on its own line; when the
comment stands alone on its line it covers the next line instead (write it
just above the statement). Each code must exist and be suppressible, a reason
is required, and a suppression that silences nothing is reported, so dead or
misspelt suppressions cannot pile up unnoticed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hacc.diagnostics.codes import CODES, RETIRED, define
from hacc.diagnostics.model import Diagnostic, Severity, Span

BAD_SUPPRESSION = define(
    "HA020",
    "bad-suppression",
    Severity.WARNING,
    """
    A `# hacc:` comment that hacc cannot use.

    ## What it checks
    Suppression comments have the form `# hacc: ignore[HA301] reason`, or
    `ignore[HA301, HA303]`; each code exists and is suppressible (input that
    cannot be compiled, such as a syntax error, cannot be suppressed); and a
    reason follows the brackets.

    ## Why it matters
    A misspelt code silences nothing while looking as if it did; a
    suppression without a reason leaves the next operator guessing why the
    finding was accepted.

    ## Example
    ```
    priority lb1=100 lb2=100   # hacc: ignore[HA33]
    ```

    ## Fix
    Name an existing code and say why: `# hacc: ignore[HA303] both nodes are
    identical, failback is manual`.

    ## References
    docs/rules/index.md (suppressing a finding).
    """,
)

UNUSED_SUPPRESSION = define(
    "HA021",
    "unused-suppression",
    Severity.WARNING,
    """
    A suppression comment that suppresses nothing.

    ## What it checks
    Every code in a `# hacc: ignore[...]` comment matches a finding on the
    line it covers (its own line, or the next one when the comment stands
    alone on its line).

    ## Why it matters
    Once the problem is fixed, the comment only misleads; if it sits on the
    wrong line, the finding it was meant for is still reported elsewhere.

    ## Example
    ```
    # hacc: ignore[HA303] equal priorities on purpose
    vrid 51
    ```

    ## Fix
    Delete the comment, or move it onto (or just above) the line the finding
    points at.

    ## References
    ruff RUF100; sqlfluff `--warn-unused-ignores`.
    """,
)

_DIRECTIVE = re.compile(r"#\s*hacc\s*:\s*(?P<body>.*)$")
_IGNORE = re.compile(r"ignore\s*\[(?P<codes>[^\]]*)\](?P<reason>.*)$")
_CODE = re.compile(r"\s*(HA[0-9]{3})\s*")


@dataclass
class Suppression:
    span: Span
    lines: tuple[int, ...]
    codes: dict[str, Span]
    used: set[str] = field(default_factory=set)

    def covers(self, diagnostic: Diagnostic) -> bool:
        return (
            diagnostic.span.file == self.span.file
            and diagnostic.span.line in self.lines
            and diagnostic.code in self.codes
        )


def collect(comments_by_file: dict[str, list]) -> tuple[list[Suppression], list[Diagnostic]]:
    suppressions: list[Suppression] = []
    problems: list[Diagnostic] = []
    for comments in comments_by_file.values():
        for comment in comments:
            match = _DIRECTIVE.match(comment.text)
            if match:
                suppression = _parse(comment, match, problems)
                if suppression is not None:
                    suppressions.append(suppression)
    return suppressions, problems


def _parse(comment, match: re.Match, problems: list[Diagnostic]) -> Suppression | None:
    span = comment.span
    body = match.group("body")
    ignore = _IGNORE.match(body)
    if ignore is None:
        problems.append(BAD_SUPPRESSION.at(span, "this `# hacc:` comment is not a suppression hacc understands",
                                           help="write `# hacc: ignore[HA301] reason`"))
        return None
    codes: dict[str, Span] = {}
    offset = span.col + match.start("body") + ignore.start("codes")
    for part in ignore.group("codes").split(","):
        code_match = _CODE.fullmatch(part)
        lead = len(part) - len(part.lstrip())
        part_span = Span(span.file, span.line, offset + lead, span.line, offset + lead + max(len(part.strip()), 1))
        offset += len(part) + 1
        code = code_match.group(1) if code_match else part.strip()
        if not code_match or (code not in CODES and code not in RETIRED):
            problems.append(BAD_SUPPRESSION.at(part_span, f"`{code}` is not a hacc code", help="`hacc rules` lists the codes"))
            continue
        if code in RETIRED:
            if RETIRED[code] is None:
                problems.append(BAD_SUPPRESSION.at(part_span, f"{code} was retired and is no longer reported",
                                                   help="delete it from the suppression"))
                continue
            code = RETIRED[code]
        if CODES[code].fixed:
            problems.append(BAD_SUPPRESSION.at(part_span, f"{code} reports input that cannot be compiled; it cannot be suppressed",
                                               help="fix the problem instead"))
            continue
        codes[code] = part_span
    if not ignore.group("reason").strip():
        problems.append(BAD_SUPPRESSION.at(span, "a suppression needs a reason after the codes",
                                           help="say why the finding is accepted, e.g. `# hacc: ignore[HA303] failback is manual`"))
    if not codes:
        return None
    lines = (span.line, span.line + 1) if comment.own_line else (span.line,)
    return Suppression(span, lines, codes)


def apply(diagnostics: list[Diagnostic], suppressions: list[Suppression]) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(diagnostics kept, unused-suppression findings)."""
    by_file: dict[str, list[Suppression]] = {}
    for suppression in suppressions:
        by_file.setdefault(suppression.span.file, []).append(suppression)
    kept = []
    for diagnostic in diagnostics:
        match = None
        if diagnostic.suppressible:
            match = next((s for s in by_file.get(diagnostic.span.file, ()) if s.covers(diagnostic)), None)
        if match is None:
            kept.append(diagnostic)
        else:
            match.used.add(diagnostic.code)
    unused = [
        UNUSED_SUPPRESSION.at(span, f"nothing on this line reports {code}",
                              help="delete the suppression, or move it to the line the finding points at")
        for suppression in suppressions
        for code, span in suppression.codes.items()
        if code not in suppression.used
    ]
    return kept, unused
