"""Fuzzing: generated valid clusters pass the daemons' own checkers, and no
damaged input makes hacc raise, hang or point outside the input.

What is proven, and how (docs/fuzzing.md says it for users):

- **Generated clusters** (`fuzz_strategies.clusters`): coherent `.ha` files
  using every part of the language compile with no error-level diagnostic,
  build (in process: `compile_file` + `emit_all` with the generated secret
  values), build the same files again from their JSON form, and every
  output passes its real checker from tests/judges.py: `haproxy -dW -c`,
  `keepalived -t`, `crm_verify`, `corosync -t` per node. Every output also
  re-reads through hacc's importers (the daemons' tokenization rules)
  without an unreadable-file report.
- **Coverage of the language**: the schema of the JSON form lists every
  setting; every block and statement kind of it turns up among generated
  clusters, and in the long profile every setting does (NOT_GENERATED lists
  what is left out on purpose).
- **Mutations** (`fuzz_strategies.mutated`: bit and byte flips, token
  deletion, duplication and swaps, word replacement, line duplication,
  truncation, cuts, syntax characters, hostile Unicode, invalid UTF-8,
  splices) of every example, rule and lint fixture and doc snippet (`.ha`),
  of the examples' JSON forms, of golden/secrets.env, and of every golden
  output and import corpus file (corosync.conf, keepalived.conf,
  haproxy.cfg, cib.xml), through every entry point: compile (the lint path,
  plus every diagnostic renderer), build (emit, when the damaged file still
  compiles), fmt (`format_text`: FormatError exactly when the text does not
  parse, otherwise idempotent and lowering to the same model), import/audit
  (`import_cluster`, `render_import`, `compile_data`), the JSON form, the
  secrets file (`--secrets`), and the command line (`hacc lint`/`hacc build`
  through click). Property: no Python exception, each input within a time
  budget (`budget`: under 2 s of CPU time, interrupted after 30 s of wall time),
  and every diagnostic has a code `HAnnn`, a non-empty help, and spans
  (its own and its labels') inside the input: its file is the input, and
  start and end lie on lines of it, at most one column past a line's end.
- **Regressions**: each bug the fuzzers found is a small explicit test at
  the end of this module, named for the bug.

Profiles (hypothesis settings profiles, chosen by `HACC_FUZZ`): `ci` (the
default; derandomized, seconds) and `long` (`HACC_FUZZ=long`; thousands of
inputs per target, random seeds; see docs/fuzzing.md).
`HACC_FUZZ_<TARGET>=N` sets one target's count. The profiles are applied per
test, never loaded globally, so other modules keep their own settings.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fuzz_strategies import (
    CERTIFICATE,
    budget,
    case_files,
    clusters,
    ha_corpus,
    import_cases,
    mutated,
    reached,
    schema_paths,
    text_of,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hacc.diagnostics.github import render_github
from hacc.diagnostics.model import Diagnostic, Label, Severity, Span
from hacc.diagnostics.render import render_concise, render_json, render_text
from hacc.diagnostics.sarif import render_sarif
from hacc.emit import emit_all
from hacc.emit.secrets import SecretStore
from hacc.format.layout import FormatError, format_text
from hacc.parse.parser import parse_text
from hacc.pipeline import compile_data, compile_file

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

# -- counting what was tried -------------------------------------------------------------------------
#
# Every input a test runs is counted (Hypothesis' generation, replay and
# shrinking alike), with the outcome it had. The module prints the tally at
# the end (visible with `pytest -s`) and, with HACC_FUZZ_REPORT=FILE, adds it
# to FILE as JSON: docs/fuzzing.md quotes these numbers.

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
def fuzz_report():
    started = time.monotonic()
    yield
    if not TRIED:
        return
    elapsed = time.monotonic() - started
    lines = [f"hacc fuzz, {PROFILE} profile: {sum(TRIED.values())} inputs in {elapsed:.0f} s"]
    for target, count in sorted(TRIED.items()):
        details = ", ".join(f"{k} {v}" for k, v in sorted(OUTCOMES[target].items()))
        lines.append(f"  {target}: {count} inputs" + (f" ({details})" if details else ""))
    print("\n" + "\n".join(lines))
    report = os.environ.get("HACC_FUZZ_REPORT")
    if report:
        import json

        path = Path(report)
        runs = json.loads(path.read_text()) if path.is_file() else []
        runs.append({"profile": PROFILE, "seconds": round(elapsed), "tried": dict(TRIED),
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


# -- generated valid clusters -------------------------------------------------------------------------

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


def judge(path: Path, rel: str) -> tuple[str, bool, str]:
    import judges

    name = path.name
    if name == "haproxy.cfg":
        verdict = judges.haproxy(path)
    elif name == "keepalived.conf":
        verdict = judges.keepalived(path)
    elif name == "cib.xml":
        verdict = judges.crm_verify(path)
    elif name == "corosync.conf":
        verdict = judges.corosync(path, rel.split("/")[0])
    else:  # etc/sysctl.d/90-hacc.conf: `key = value` lines
        text = path.read_text()
        lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
        ok = bool(lines) and all(re.fullmatch(r"[a-z0-9_.]+ = \S+", line) for line in lines)
        return rel, ok, text
    return rel, verdict.ok, verdict.output


@pytest.fixture(scope="module")
def judges_present():
    """The real checkers are required (and fail the run under HACC_REQUIRE_TOOLS=1)."""
    import judges

    missing = [reason for tool in ("haproxy", "keepalived", "crm_verify", "corosync")
               if (reason := judges.missing_tool(tool))]
    if missing:
        if os.environ.get("HACC_REQUIRE_TOOLS") == "1":
            pytest.fail(f"HACC_REQUIRE_TOOLS=1 but {missing}")
        pytest.skip("; ".join(missing))
    certificate()


def certificate() -> None:
    """The certificate generated `bind ... ssl crt=` lines name: haproxy -c
    loads it."""
    path = Path(CERTIFICATE)
    if path.is_file():
        return
    import subprocess

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        key, cert = Path(tmp) / "key.pem", Path(tmp) / "cert.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", "/CN=hacc-fuzz",
                        "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
        partial = path.with_suffix(".tmp")
        partial.write_bytes(cert.read_bytes() + key.read_bytes())
        partial.replace(path)


def build_generated(generated, directory: Path):
    """Compile and emit a generated cluster into `directory`; the outputs."""
    source = directory / "cluster.ha"
    source.write_text(generated.text)
    for name, text in generated.files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)
    with budget("generated compile and emit"):
        unit = compile_file(source, "cluster.ha")
        outputs, diagnostics = [], []
        if unit.cluster is not None and not unit.has_errors:
            outputs, diagnostics = emit_all(unit.cluster, SecretStore(generated.secrets, environ={}), "cluster.ha")
    assert unit.cluster is not None and not unit.has_errors, (errors(unit.diagnostics), generated)
    assert not diagnostics, ([f"{d.span}: {d.code} {d.message}" for d in diagnostics], generated)
    # The JSON form (`--emit json`) builds the same files.
    import json

    (directory / "cluster.json").write_text(json.dumps(unit.data, indent=1))
    again = compile_file(directory / "cluster.json", "cluster.ha")
    assert not again.has_errors, (errors(again.diagnostics), generated)
    outputs_again, _ = emit_all(again.cluster, SecretStore(generated.secrets, environ={}), "cluster.ha")
    assert [(o.path, o.content) for o in outputs_again] == [(o.path, o.content) for o in outputs], generated
    written = []
    for output in outputs:
        path = directory / "out" / output.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(output.content)
        written.append((path, output.path))
    return written


@fuzz("generated")
@given(clusters())
def test_generated_clusters_build_and_pass_the_real_checkers(judges_present, generated):
    tried("generated")
    with tempfile.TemporaryDirectory() as tmp:
        written = build_generated(generated, Path(tmp))
        expected = {"corosync": "corosync.conf", "pacemaker": "cib.xml", "haproxy": "haproxy.cfg"}
        for layer, name in expected.items():
            if layer in generated.layers:
                assert any(path.name == name for path, _ in written), (layer, generated)
        problems = []
        for path, rel in written:
            if path.name in READERS:
                problems += reread(path, rel, READERS[path.name])
        assert not problems, (problems, generated)
        with ThreadPoolExecutor(max_workers=4) as pool:
            verdicts = list(pool.map(lambda item: judge(*item), written))
        failed = [f"--- {rel}\n{output}\n{(Path(tmp) / 'out' / rel).read_text()}" for rel, ok, output in verdicts if not ok]
        assert not failed, "\n".join(failed) + f"\n--- cluster.ha\n{generated.text}"


SCHEMA_PATHS, SCHEMA_KINDS = schema_paths()
ROUND = 20  # clusters per Hypothesis run in the coverage test
# What the strategy leaves out on purpose, and why.
NOT_GENERATED = {
    ("pacemaker", "constraints", "[]", "require-all"):
        "`require-all` on an order constraint: Pacemaker 2.1 deprecates it and crm_verify warns",
}


def test_generated_clusters_cover_the_language(tmp_path):
    """The strategy says everything the language can say. Every block and
    statement kind the schema describes (objects, lists of them, `type`
    values) turns up among the clusters drawn; in the long profile, every
    setting of every one of them does too (the rarest need a few hundred
    clusters, more than the CI profile draws)."""
    covered: set[tuple] = set()

    # Rounds of 20 random clusters, each round a fresh Hypothesis run: the
    # clusters of one run grow from a few shared prefixes, so a kind that
    # one cluster in six has could be missing from a whole run of a hundred
    # (the CI profile's derandomized run did that every time). Fresh runs
    # are independent; the CI profile stops as soon as every kind was seen.
    @settings(fuzz("coverage"), max_examples=ROUND, derandomize=False)
    @given(clusters(rich=True, every_layer=True))
    def draw(generated):
        tried("coverage")
        (tmp_path / "cluster.ha").write_text(generated.text)
        for name, text in generated.files.items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(text)
        unit = compile_file(tmp_path / "cluster.ha", "cluster.ha", run_checks=False)
        assert not unit.has_errors, (errors(unit.diagnostics), generated)
        reached(unit.data, SCHEMA_PATHS, covered)

    for _ in range(max(1, examples("coverage") // ROUND)):
        draw()
        if PROFILE != "long" and SCHEMA_KINDS <= covered:
            break

    def show(paths) -> str:
        return "\n".join("/".join(p) for p in sorted(paths))

    assert not SCHEMA_KINDS - covered, "blocks or statements never generated:\n" + show(SCHEMA_KINDS - covered)
    missing = SCHEMA_PATHS - covered - set(NOT_GENERATED)
    OUTCOMES["coverage"]["settings never generated"] = len(missing)
    if examples("coverage") >= 1000:
        assert not missing, "settings never generated:\n" + show(missing)


# -- mutations: compile, build, fmt ------------------------------------------------------------------


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz")
    old = os.getcwd()
    os.chdir(path)
    # Warm up (grammar, schema, templates) so the budget measures the input.
    for name in ("examples/active-active.ha", "examples/three-node-db.ha"):
        (path / "warm.ha").write_bytes(HA[name])
        unit = compile_file(path / "warm.ha", "warm.ha")
        emit_all(unit.cluster, SecretStore({}, environ={}), "warm.ha", lenient=True)
    yield path
    os.chdir(old)


def compile_bytes(workdir: Path, data: bytes):
    path = workdir / "fuzz.ha"
    path.write_bytes(data)
    with budget("compile"):
        unit = compile_file(path, "fuzz.ha")
        render_all(unit.diagnostics, unit.sources)
    assert_located(unit.diagnostics, {"fuzz.ha": data}, "compile")
    return unit


@fuzz("compile")
@given(mutated(HA))
def test_mutated_sources_compile_to_located_diagnostics(workdir, case):
    _, data = case
    unit = compile_bytes(workdir, data)
    tried("compile", outcome_of(unit.diagnostics))


# Seeds that build: the examples, every rule's passes.ha and the doc
# snippets that are whole clusters. Most damaged copies of them fail to
# compile all the same; the rest reach the emitters.
BUILDABLE = {name: data for name, data in HA.items()
             if name.startswith("examples/") or name.endswith("/passes.ha")
             or (name.startswith("docs#") and data.lstrip().startswith((b"cluster", b"#")))}


# Operations that mostly keep the syntax, so that inputs get past the parser.
GENTLE = ("word", "word", "word", "duplicate", "line", "unicode", "cut")


@fuzz("build")
@given(mutated(BUILDABLE, max_operations=2, operations=GENTLE), st.sampled_from(["s3cr3t", "pa ss", "x" * 300, "é€", "p#w!$\"'{}"]))
def test_mutated_sources_build_or_report(workdir, case, secret):
    """A damaged file that still compiles without errors builds, or reports
    located diagnostics (a secret its target cannot hold)."""
    _, data = case
    unit = compile_bytes(workdir, data)
    if unit.cluster is None or unit.has_errors:
        tried("build", "compile errors")
        return
    values = {name: secret for name in secret_names(unit.data)}
    with budget("build"):
        outputs, diagnostics = emit_all(unit.cluster, SecretStore(values, environ={}), "fuzz.ha")
        render_all(diagnostics, unit.sources)
    tried("build", "refused a secret" if diagnostics else "built")
    assert_located(diagnostics, {"fuzz.ha": data}, "build")
    assert not (outputs and diagnostics)
    with tempfile.TemporaryDirectory() as tmp:  # what was written reads back in the daemon's format
        for output in outputs:
            name = output.path.rsplit("/", 1)[-1]
            if name in READERS:
                path = Path(tmp) / name
                path.write_bytes(output.content)
                assert not reread(path, output.path, READERS[name]), (output.path, output.content.decode())


@fuzz("fmt")
@given(mutated(HA))
def test_mutated_sources_format_or_raise_format_error(case):
    _, data = case
    text = text_of(data)
    with budget("fmt"):
        _, problems = parse_text(text, "fuzz.ha")
        try:
            out = format_text(text, "fuzz.ha")
        except FormatError as exc:
            tried("fmt", "format error")
            assert problems, "FormatError on text that parses"
            assert_located(exc.diagnostics, {"fuzz.ha": text}, "fmt")
            return
        tried("fmt", "formatted")
        assert not problems, "format_text accepted text that does not parse"
        assert format_text(out, "fuzz.ha") == out, "formatting is not idempotent"
    assert lowered(out) == lowered(text), "formatting changed what the file means"


# -- mutations: the JSON form, the secrets file, the command line -----------------------------------


@functools.cache
def json_corpus() -> dict[str, bytes]:
    """The JSON form (`--emit json`) of every example: `hacc build` reads it
    as it reads a .ha file."""
    import json

    corpus = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in HA.items():
            if name.startswith("examples/"):
                (Path(tmp) / "x.ha").write_bytes(data)
                unit = compile_file(Path(tmp) / "x.ha", "x.ha", run_checks=False)
                corpus[name.replace(".ha", ".json")] = json.dumps(unit.data, indent=2, ensure_ascii=False).encode()
    return corpus


@fuzz("json")
@given(st.deferred(lambda: mutated(json_corpus())))
def test_mutated_json_forms_compile_to_located_diagnostics(workdir, case):
    _, data = case
    path = workdir / "fuzz.json"
    path.write_bytes(data)
    with budget("json"):
        unit = compile_file(path, "fuzz.json")
        render_all(unit.diagnostics, unit.sources)
    tried("json", outcome_of(unit.diagnostics))
    assert_located(unit.diagnostics, {"fuzz.json": data}, "json")


SECRETS_SEEDS = {"golden/secrets.env": (Path(__file__).parent.parent / "golden" / "secrets.env").read_bytes(),
                 "crlf": b"# comment\r\nA=1\r\n\r\n  B = two words \r\nC==x=\r\n"}


@fuzz("secrets")
@given(mutated(SECRETS_SEEDS))
def test_mutated_secrets_files_read_exactly_or_report(workdir, case):
    """`--secrets FILE`: every value is read exactly as its line holds it
    (lines end at \n, or \r\n), and every other line is a located HA006."""
    from hacc.emit.secrets import load_secrets_file

    _, data = case
    path = workdir / "secrets.env"
    path.write_bytes(data)
    path.chmod(0o600)
    with budget("secrets"):
        values, diagnostics = load_secrets_file(path, "secrets.env")
    tried("secrets", outcome_of(diagnostics))
    assert_located(diagnostics, {"secrets.env": data}, "secrets")
    if any(d.code == "HA003" or "UTF-8" in d.message for d in diagnostics):
        return
    lines = [line.removesuffix("\r") for line in text_of(data).removeprefix("\ufeff").split("\n")]
    for name, value in values.items():
        assert any(line.partition("=")[0].strip() == name and line.partition("=")[2] == value for line in lines), \
            (name, value, lines)
    for d in diagnostics:  # a line reported as malformed really is one
        if d.severity is Severity.ERROR:
            line = lines[d.span.line - 1]
            assert "=" not in line or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", line.partition("=")[0].strip()), line


@fuzz("cli")
@given(mutated(BUILDABLE, max_operations=2, operations=GENTLE), st.sampled_from(["lint", "build"]), st.sampled_from(["text", "json"]),
       st.one_of(st.none(), mutated(SECRETS_SEEDS, max_operations=2)))
def test_mutated_inputs_through_the_cli(workdir, case, command, fmt, secrets):
    """The command line as a user runs it: exit 0, 1 (findings) or 2, never
    an exception; with `--format json`, every diagnostic located in its input."""
    import json

    from click.testing import CliRunner

    from hacc.cli import main

    _, data = case
    (workdir / "cli.ha").write_bytes(data)
    args = [command, "cli.ha", "--format", fmt]
    inputs = {"cli.ha": data}
    if command == "build":
        args += ["-o", "cli-out"]
        if secrets is not None:
            (workdir / "cli.env").write_bytes(secrets[1])
            (workdir / "cli.env").chmod(0o600)
            args += ["--secrets", "cli.env"]
            inputs["cli.env"] = secrets[1]
    with budget("cli"):
        result = CliRunner().invoke(main, args, env={"NO_COLOR": "1"})
    tried("cli", f"{command} exit {result.exit_code}")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert "Traceback" not in result.output + result.stderr
    if fmt == "json" and result.stderr.strip().startswith("{"):
        payload = json.loads(result.stderr[: result.stderr.rindex("}") + 1])
        def span(s: dict) -> Span:
            return Span(s["file"], s["line"], s["column"], s["end_line"], s["end_column"])

        found = [Diagnostic(d["code"], d["name"], Severity[d["severity"].upper()], d["message"], span(d["span"]),
                            labels=tuple(Label(span(label["span"]), label["message"]) for label in d["labels"]),
                            help=d["help"])
                 for d in payload["diagnostics"]]
        assert_located(found, inputs, "cli")


def lowered(text: str):
    from hacc.model.lower import lower

    statements, problems = parse_text(text, "fuzz.ha")
    assert not problems
    low = lower(statements, "fuzz.ha")
    return low.data, sorted(d.code for d in low.diagnostics)


# -- mutations: import and audit ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def import_tree(tmp_path_factory):
    """A private copy of every import case, to damage one file at a time."""
    root = tmp_path_factory.mktemp("import")
    for name, case in CASES.items():
        shutil.copytree(case, root / name)
    old = os.getcwd()
    os.chdir(root)
    yield root
    os.chdir(old)


IMPORT_SEEDS = {(name, rel): (CASES[name] / rel).read_bytes() for name in CASES for rel in case_files(CASES[name])}


@st.composite
def damaged_import_file(draw):
    key = draw(st.sampled_from(sorted(IMPORT_SEEDS)))
    _, data = draw(mutated({f"{key[0]}/{key[1]}": IMPORT_SEEDS[key]}))
    return key, data


def import_request(case: Path):
    from hacc.importing.assemble import ImportRequest

    request = ImportRequest()
    for node in sorted(p for p in case.iterdir() if p.is_dir()):
        request.nodes[node.name] = node
    if (case / "cib.xml").is_file():
        request.cib = case / "cib.xml"
    return request


def run_import(root: Path, case_name: str):
    """Import and audit a case in the tree; (diagnostics, inputs)."""
    from hacc.config import Config
    from hacc.importing.assemble import import_cluster
    from hacc.importing.output import render_import

    case = root / case_name
    inputs = {p.relative_to(root).as_posix(): p.read_bytes() for p in case.rglob("*") if p.is_file()}
    with budget("import"):
        imported = import_cluster(import_request(case))
        result = render_import(imported, "imported.ha")
        found = list(result.diagnostics)
        if imported.data is not None:
            unit = compile_data(imported.data, imported.spans, imported.sources, "audit", config=Config(),
                                diagnostics=imported.log.diagnostics)
            found += unit.diagnostics
        render_all(found, imported.sources)
    return found, inputs, result


@fuzz("import")
@given(damaged_import_file())
def test_mutated_configs_import_and_audit_to_located_diagnostics(import_tree, case):
    (case_name, rel), data = case
    path = import_tree / case_name / rel
    try:
        path.write_bytes(data)
        found, inputs, result = run_import(import_tree, case_name)
    finally:
        path.write_bytes(IMPORT_SEEDS[(case_name, rel)])
    tried("import", outcome_of(found))
    assert_located(found, inputs, "import")
    # HA084 means the .ha text hacc wrote does not read back: always a bug in hacc
    assert not [d for d in found if d.name == "import-not-writable"], [d.message for d in found]
    if result.text is not None:
        assert format_text(result.text, "imported.ha") == result.text


# -- regressions: what the fuzzers found ---------------------------------------------------------------
#
# Each test is the smallest input showing one bug the fuzzers found, named
# for the bug; docs/fuzzing.md lists them with the fix.

TWO = """
    node a { id 1; addr 10.0.0.1; interface eth0 }
    node b { id 2; addr 10.0.0.2; interface eth0 }
"""


def _cluster(body: str, nodes: str = TWO) -> str:
    return f"cluster t {{{nodes}\n{body}\n}}\n"


def _keepalived_conf(compile_text, body: str, node: str = "a", secrets=None) -> str:
    from helpers import emit

    unit = compile_text(_cluster(body))
    assert not unit.has_errors, errors(unit.diagnostics)
    outputs, diagnostics = emit(unit, secrets)
    assert not diagnostics
    return outputs[f"{node}/etc/keepalived/keepalived.conf"].content.decode()


def _keepalived_accepts(text: str, tmp_path: Path) -> None:
    import judges

    path = tmp_path / "keepalived.conf"
    path.write_text(text)
    verdict = judges.keepalived(path)
    assert verdict, verdict.output + text


@pytest.mark.parametrize("char", ["\r", "\u00a0", "\u2028", "\u3000"])
def test_unicode_whitespace_is_a_syntax_error_with_help(compile_text, char):
    """A lone CR (and other whitespace the grammar does not separate words
    with) gave HA001 "unexpected character" without a help, and showed the
    invisible character itself in the message."""
    unit = compile_text(f"cluster a {{{char}}}\n")
    (diagnostic,) = unit.diagnostics
    assert diagnostic.code == "HA001" and diagnostic.help
    assert (diagnostic.span.line, diagnostic.span.col) == (1, 12)
    assert char not in diagnostic.message


def test_vrrp_instance_on_one_node_has_no_empty_unicast_peer_block(compile_text, require_tool, tmp_path):
    """An instance only one node runs was written with `unicast_src_ip` and
    an empty `unicast_peer { }`, which keepalived -t rejects."""
    text = _keepalived_conf(compile_text, "keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; priority a=100 } }")
    assert "unicast_peer" not in text and "unicast_src_ip" not in text
    require_tool("keepalived")
    _keepalived_accepts(text, tmp_path)


def test_ah_authentication_starts_every_node_as_backup(compile_text, require_tool, tmp_path):
    """hacc derived `state MASTER` for an instance with AH authentication;
    keepalived refuses it ("Initial state master is incompatible with AH
    authentication") and -t fails. Forcing MASTER by hand is HA309."""
    body = "keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; auth ah=secret:PW } }"
    text = _keepalived_conf(compile_text, body, secrets={"PW": "s3cret"})
    assert re.findall(r"^\s*state (\w+)", text, re.MULTILINE) == ["BACKUP"]
    unit = compile_text(_cluster(body.replace("auth", "state a=MASTER b=BACKUP; auth")))
    assert [d.code for d in unit.diagnostics if d.severity is Severity.ERROR] == ["HA309"]
    require_tool("keepalived")
    _keepalived_accepts(text, tmp_path)


def test_track_reverse_without_weight_is_written_after_a_weight(compile_text, require_tool, tmp_path):
    """`track chk reverse` was written `chk reverse`; keepalived reads
    `reverse` only after a weight ("unknown track script option reverse")."""
    body = """keepalived {
        script chk "/bin/true" weight=-30
        script plain "/bin/true"
        vrrp V { vrid 1; vip 10.0.0.100/24; track chk reverse; track plain reverse; track_interface eth1 reverse }
    }"""
    text = _keepalived_conf(compile_text, body)
    assert "chk weight -30 reverse" in text and "plain weight 0 reverse" in text and "eth1 weight 0 reverse" in text
    require_tool("keepalived")
    _keepalived_accepts(text, tmp_path)


def test_virtual_server_without_protocol_scheduler_or_method_gets_keepalived_defaults(compile_text, require_tool,
                                                                                    tmp_path):
    """keepalived -t reports an omitted `protocol`, `lb_algo` or `lb_kind`
    ("no protocol set - defaulting to UDP"); hacc now writes those defaults."""
    body = "keepalived { virtual_server 10.0.0.100:80 { real_server 10.0.1.1:80 { check tcp } } }"
    text = _keepalived_conf(compile_text, body)
    assert re.search(r"lvs_sched wlc\n\s+lvs_method NAT\n\s+protocol UDP\n", text), text
    require_tool("keepalived")
    _keepalived_accepts(text, tmp_path)


def test_knet_compression_model_none_is_refused(compile_text):
    """corosync 3.1 refuses `knet_compression_model: none` ("Invalid
    compression model"); the schema accepted it."""
    unit = compile_text(_cluster("corosync { knet_compression_model none }"))
    assert [(d.code, d.span.line) for d in unit.diagnostics if d.severity is Severity.ERROR] == [("HA013", 5)]


def test_strict_mode_starts_every_node_as_backup(compile_text, require_tool, tmp_path):
    """With `vrrp_strict` hacc derived `state MASTER` for the highest
    priority; keepalived refuses a MASTER that is not the address owner
    ("State MASTER must match being address owner")."""
    text = _keepalived_conf(compile_text, "keepalived { global { vrrp_strict yes }; vrrp V { vrid 1; vip 10.0.0.100/24; multicast } }")
    assert re.findall(r"^\s*state (\w+)", text, re.MULTILINE) == ["BACKUP"]
    require_tool("keepalived")
    _keepalived_accepts(text, tmp_path)


@pytest.mark.parametrize("instance", [
    "vrrp V { vrid 1; multicast; vip fd00::10/64 }",  # the first IPv6 VIP must be link-local
    "vrrp V { vrid 1; multicast; vip 10.0.0.100/24; preempt_delay 5s }",
    "vrrp V { vrid 1; multicast; vip 10.0.0.100/24; accept yes }",
])
def test_strict_mode_refuses_what_keepalived_resets(compile_text, instance):
    """keepalived -t fails on these under `vrrp_strict`; HA324 now says so."""
    unit = compile_text(_cluster(f"keepalived {{ global {{ vrrp_strict yes }}; {instance} }}"))
    assert [d.code for d in unit.diagnostics if d.severity is Severity.ERROR] == ["HA324"]


def test_secret_cookie_and_id_options_are_compared_and_written(compile_text, require_tool, tmp_path):
    """A secret as the value of a server or bind option (`cookie=secret:C`)
    stayed a raw JSON object in the model: HA421 and HA422 crashed hashing
    it ("unhashable type: 'dict'") and the haproxy emitter crashed quoting
    it. Options now bind secrets to references like every other value."""
    from helpers import emit

    body = """haproxy {
        defaults { mode http; timeout connect 5s; timeout client 5s; timeout server 5s }
        frontend f { bind :8080 name=secret:BIND; default_backend b }
        backend b {
            cookie SERVERID insert indirect nocache
            server s1 10.0.1.1:80 cookie=secret:C id=secret:ID
            server s2 10.0.1.2:80 cookie=secret:C id=secret:ID
        }
    }"""
    unit = compile_text(_cluster(body))
    found = sorted((d.code, d.message) for d in unit.diagnostics if d.code in ("HA421", "HA422"))
    assert found == [("HA421", "`s2` and `s1` share cookie `secret:C`"), ("HA422", "`s2` and `s1` share id secret:ID")]
    unit = compile_text(_cluster(body.replace("s2 10.0.1.2:80 cookie=secret:C id=secret:ID", "s2 10.0.1.2:80 cookie=c2 id=2")))
    assert not unit.has_errors, errors(unit.diagnostics)
    outputs, diagnostics = emit(unit, {"BIND": "public", "C": "c1", "ID": "1"})
    assert not diagnostics
    text = outputs["a/etc/haproxy/haproxy.cfg"].content.decode()
    assert "bind *:8080 name public" in text and "server s1 10.0.1.1:80 cookie c1 id 1" in text, text
    require_tool("haproxy")
    import judges

    (tmp_path / "haproxy.cfg").write_text(text)
    verdict = judges.haproxy(tmp_path / "haproxy.cfg")
    assert verdict, verdict.output


def test_op_with_start_delay_and_interval_origin_is_refused(compile_text):
    """Pacemaker's schema takes `start-delay` or `interval-origin` on an op,
    not both (crm_verify: "Relax-NG validity error"); hacc wrote both."""
    body = """pacemaker {
        property stonith-enabled=false
        resource r ocf:pacemaker:Dummy { op monitor interval=10s start-delay=5s interval-origin=2024-01-01T03:00:00Z }
    }"""
    unit = compile_text(_cluster(body))
    assert [(d.code, d.span.line, d.span.col) for d in unit.diagnostics if d.severity is Severity.ERROR] == [("HA013", 7, 97)]


@pytest.mark.parametrize("check", ["check tcp timeout=5s", "check tcp path=/x", "check misc \"/bin/true\" status=200",
                                   "check http path=/ timeout=5s", "check misc \"/bin/true\" virtualhost=example.com"])
def test_health_check_settings_of_another_check_type_are_refused(compile_text, check):
    """keepalived's TCP_CHECK has no timeout of its own and only HTTP_GET
    and SSL_GET have URLs: `check tcp timeout=5s` (and the others here)
    compiled, and the setting silently went missing from keepalived.conf."""
    body = f"keepalived {{ virtual_server 10.0.0.100:80 {{ protocol TCP; real_server 10.0.1.1:80 {{ {check} }} }} }}"
    unit = compile_text(_cluster(body))
    (error,) = [d for d in unit.diagnostics if d.severity is Severity.ERROR]
    assert error.code == "HA013" and error.span.line == 5 and "check" in error.help


@pytest.mark.xfail(strict=True, reason="no lint rule yet: needs a new HA2xx code with its docs page and fixtures")
def test_require_all_on_an_order_constraint_draws_a_warning(compile_text):
    """crm_verify (Pacemaker 2.1.5) warns "Support for require-all in
    ordering constraints is deprecated" for `order ... require-all=false`,
    and a CIB with a warning fails the judges; hacc accepts it in silence.
    The generator leaves it out (NOT_GENERATED) until a rule warns here."""
    body = """pacemaker {
        property stonith-enabled=false
        resource r1 ocf:pacemaker:Dummy { op monitor interval=10s }
        resource r2 ocf:pacemaker:Dummy { op monitor interval=10s }
        clone c1 r1
        order o c1 then r2 require-all=false
    }"""
    unit = compile_text(_cluster(body))
    assert [d.span.line for d in unit.diagnostics if "require-all" in d.message] == [10]
