"""The fuzzers' harness: how many inputs each target tries, how long one
input may take, the property every diagnostic must have, and the tally of
what was tried.

- `fuzz(target)`: the Hypothesis settings of a target, from the profile
  (`HACC_FUZZ`: `ci`, the default, derandomized; or `long`, random seeds)
  and COUNTS, or `HACC_FUZZ_<TARGET>=N`. The profiles are applied per test,
  never loaded globally, so other modules keep their own settings.
- `budget`: each input under 2 s of CPU time, interrupted after 30 s of
  wall time.
- `assert_located`: every diagnostic has a code `HAnnn`, a non-empty help,
  and spans (its own and its labels') inside the input.
- `tried` and the `fuzz_report` fixture (autouse in each fuzz module that
  imports it): the inputs each target ran and how they ended, printed at
  the end of the module and appended to `HACC_FUZZ_REPORT`.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

import pytest
from fuzz_strategies import ha_corpus, import_cases
from hypothesis import HealthCheck, settings

from hacc.diagnostics.github import render_github
from hacc.diagnostics.model import Diagnostic, Severity
from hacc.diagnostics.render import render_concise, render_json, render_text
from hacc.diagnostics.sarif import render_sarif

# -- profiles and counts -------------------------------------------------------------------------

PROFILE = os.environ.get("HACC_FUZZ", "ci")
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
          HealthCheck.function_scoped_fixture, HealthCheck.large_base_example]
settings.register_profile("hacc-fuzz-ci", deadline=None, derandomize=True, database=None,
                          suppress_health_check=_QUIET, print_blob=True)
settings.register_profile("hacc-fuzz-long", deadline=None, derandomize=False, database=None,
                          suppress_health_check=_QUIET, print_blob=True)
BASE = settings.get_profile(f"hacc-fuzz-{PROFILE}")

# Inputs per target: (ci, long). The long counts fill about half an hour
# on two shared cores (docs/fuzzing.md records a run).
COUNTS = {
    "generated": (15, 1500),
    "coverage": (400, 1500),  # at most, in rounds; CI stops once every kind was seen
    "compile": (150, 10000),
    "build": (60, 4000),
    "fmt": (150, 10000),
    "import": (80, 4000),
    "json": (60, 4000),
    "secrets": (60, 3000),
    "cli": (12, 1000),
}


def examples(target: str) -> int:
    """How many inputs a target tries: its profile's count, or
    HACC_FUZZ_<TARGET>=N (e.g. HACC_FUZZ_GENERATED=300) to run one longer."""
    ci, long = COUNTS[target]
    return int(os.environ.get(f"HACC_FUZZ_{target.upper()}", long if PROFILE == "long" else ci))


def fuzz(target: str):
    return settings(BASE, max_examples=examples(target))


HA = ha_corpus()
CASES = import_cases()
CODE = re.compile(r"HA\d{3}")


# -- the per-input time budget -------------------------------------------------------------------

SOFT_SECONDS = 2.0  # asserted: no single input may use more CPU time
HARD_SECONDS = 30.0  # SIGALRM, wall clock: a real hang is interrupted instead of stalling the run
# The soft budget counts CPU time, not wall time: on a shared machine, under
# `nice`, a 0.2 s input once took 6 s of wall time in the long run, and
# Hypothesis could not reproduce the failure. A slow or looping input burns
# CPU time wherever it runs; one that blocks is stopped by the alarm.


class Hang(Exception):
    """Raised by the alarm when one input runs past HARD_SECONDS."""


@contextmanager
def budget(what: str, seconds: float = SOFT_SECONDS):
    """Run the block under a hard alarm and assert it used under `seconds`
    of CPU time."""

    def ring(signum, frame):
        raise Hang(f"{what} ran for more than {HARD_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, HARD_SECONDS)
    start = time.process_time()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    used = time.process_time() - start
    assert used < seconds, f"{what} used {used:.2f} s of CPU time (budget {seconds} s)"


# -- counting what was tried -------------------------------------------------------------------------
#
# Every input a test runs is counted (Hypothesis' generation, replay and
# shrinking alike), with the outcome it had. Each fuzz module prints its
# tally at the end (visible with `pytest -s`) and, with HACC_FUZZ_REPORT=FILE,
# adds it to FILE as JSON: docs/fuzzing.md quotes these numbers.

TRIED: Counter = Counter()
OUTCOMES: dict[str, Counter] = defaultdict(Counter)


def tried(target: str, outcome: str | None = None) -> None:
    TRIED[target] += 1
    if outcome:
        OUTCOMES[target][outcome] += 1


def outcome_of(diagnostics) -> str:
    """How an input ended: the stage of its first error (reading and syntax
    HA001-HA009, the model HA010-HA019, imports HA08x, the checks HA1xx and
    up), else the worst severity it drew."""
    found = [int(d.code[2:]) for d in diagnostics if d.severity is Severity.ERROR and CODE.fullmatch(d.code)]
    if found:
        first = min(found)
        stage = ("read/syntax" if first < 10 else "model" if first < 20 else "import" if 80 <= first < 90
                 else "config" if first < 100 else "checks")
        return f"{stage} errors"
    worst = max((d.severity for d in diagnostics), default=None)
    return "clean" if worst is None else f"{worst}s"


@pytest.fixture(scope="module", autouse=True)
def fuzz_report(request):
    # The counts are shared by the fuzz modules: each module reports its own.
    TRIED.clear()
    OUTCOMES.clear()
    module = request.module.__name__
    started = time.monotonic()
    yield
    if not TRIED:
        return
    elapsed = time.monotonic() - started
    lines = [f"hacc fuzz ({module}), {PROFILE} profile: {sum(TRIED.values())} inputs in {elapsed:.0f} s"]
    for target, count in sorted(TRIED.items()):
        details = ", ".join(f"{k} {v}" for k, v in sorted(OUTCOMES[target].items()))
        lines.append(f"  {target}: {count} inputs" + (f" ({details})" if details else ""))
    print("\n" + "\n".join(lines))
    report = os.environ.get("HACC_FUZZ_REPORT")
    if report:
        import json

        path = Path(report)
        runs = json.loads(path.read_text()) if path.is_file() else []
        runs.append({"module": module, "profile": PROFILE, "seconds": round(elapsed), "tried": dict(TRIED),
                     "outcomes": {k: dict(v) for k, v in OUTCOMES.items()}})
        path.write_text(json.dumps(runs, indent=1) + "\n")


# -- the property every diagnostic must have -----------------------------------------------------


def input_lines(content: bytes | str) -> list:
    """The lines of an input as spans count them: ended by \n only, columns
    in characters (in bytes where the input is not UTF-8, as HA003 counts)."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            return content.split(b"\n")
    return content.split("\n")


def assert_located(diagnostics: list[Diagnostic], inputs: dict[str, bytes | str], what: str) -> None:
    """Every diagnostic has a code, a help, and spans inside `inputs`
    (display name -> content): each starts and ends on one of its lines, at
    a column of that line or just after its last character (a one-column
    `Span.point` there, the end of the input say, ends one further)."""
    lines_of = {name: input_lines(content) for name, content in inputs.items()}
    for d in diagnostics:
        context = f"{what}: {d.code} {d.span} {d.message!r}"
        assert CODE.fullmatch(d.code), context
        if d.severity > Severity.NOTE:  # a failure says how to fix it; a note may just inform
            assert d.help and d.help.strip(), context
        for span in (d.span, *(label.span for label in d.labels)):
            assert span.file in inputs, f"{context}: span file {span.file!r} is not an input ({sorted(inputs)})"
            lines = lines_of[span.file]
            point = span.end_line == span.line and span.end_col == span.col + 1
            for line, col, past in ((span.line, span.col, 1), (span.end_line, span.end_col, 2 if point else 1)):
                assert 1 <= line <= len(lines), f"{context}: line {line} of {len(lines)}"
                assert 1 <= col <= len(lines[line - 1]) + past, f"{context}: column {col} of line {line} ({lines[line - 1]!r})"
            assert (span.end_line, span.end_col) >= (span.line, span.col), context


def render_all(diagnostics: list[Diagnostic], sources) -> None:
    """Every output format renders what was found."""
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    render_text(ordered, sources)
    render_text(ordered, sources, color=True)
    render_concise(ordered)
    render_json(ordered)
    render_sarif(ordered)
    render_github(ordered)


def secret_names(value) -> set[str]:
    """Every `secret:NAME` a JSON form refers to."""
    if isinstance(value, dict):
        if set(value) == {"secret"} and isinstance(value["secret"], str):
            return {value["secret"]}
        return set().union(*(secret_names(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(secret_names(v) for v in value)) if value else set()
    return set()


def errors(diagnostics) -> list[str]:
    return [f"{d.span}: {d.code} {d.message}" for d in diagnostics if d.severity is Severity.ERROR]


# -- reading outputs back ------------------------------------------------------------------------------

READERS = {"corosync.conf": "corosync", "keepalived.conf": "keepalived", "haproxy.cfg": "haproxy", "cib.xml": "cib"}


def reread(path: Path, rel: str, kind: str) -> list[str]:
    """Problems hacc's own reader of the daemon's format finds in an output."""
    from hacc.importing.files import Files, Source
    from hacc.importing.log import ImportLog
    from hacc.importing.readers.cib import read_cib
    from hacc.importing.readers.corosync import read_corosync
    from hacc.importing.readers.haproxy import read_haproxy
    from hacc.importing.readers.keepalived import read_keepalived

    log = ImportLog()
    source = Source(rel, path, path.read_text())
    if kind == "corosync":
        read_corosync(source, log)
    elif kind == "keepalived":
        read_keepalived(source, Files(log), log)
    elif kind == "haproxy":
        read_haproxy(source, log)
    else:
        read_cib(source, log)
    return [f"{d.code} {d.span}: {d.message}" for d in log.diagnostics if d.severity is Severity.ERROR]
