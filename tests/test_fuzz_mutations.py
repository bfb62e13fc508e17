"""Fuzzing with damaged inputs: no mutated source, JSON form, secrets file
or command line makes hacc raise, hang or point outside the input.

What is proven, and how (docs/fuzzing.md says it for users):

- **Mutations** (`fuzz_strategies.mutated`: bit and byte flips, token
  deletion, duplication and swaps, word replacement, line duplication,
  truncation, cuts, syntax characters, hostile Unicode, invalid UTF-8,
  splices) of every example, rule and lint fixture and doc snippet (`.ha`),
  of the examples' JSON forms and of golden/secrets.env, through every entry
  point: compile (the lint path, plus every diagnostic renderer), build
  (emit, when the damaged file still compiles), fmt (`format_text`:
  FormatError exactly when the text does not parse, otherwise idempotent
  and lowering to the same model), the JSON form, the secrets file
  (`--secrets`), and the command line (`hacc lint`/`hacc build` through
  click). tests/test_fuzz_import.py does the same for the importers.
  Property: no Python exception, each input within a time budget
  (`budget`: under 2 s of CPU time, interrupted after 30 s of wall time),
  and every diagnostic has a code `HAnnn`, a non-empty help, and spans
  (its own and its labels') inside the input: its file is the input, and
  start and end lie on lines of it, at most one column past a line's end.

Profiles (`HACC_FUZZ`, `HACC_FUZZ_<TARGET>=N`): tests/fuzz_harness.py and docs/fuzzing.md.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
from pathlib import Path

import pytest
from fuzz_harness import (
    HA,
    READERS,
    assert_located,
    budget,
    fuzz,
    fuzz_report,  # noqa: F401 (autouse: the module's tally)
    outcome_of,
    render_all,
    reread,
    secret_names,
    tried,
)
from fuzz_strategies import mutated, text_of
from hypothesis import given
from hypothesis import strategies as st

from hacc.diagnostics.model import Diagnostic, Label, Severity, Span
from hacc.emit import emit_all
from hacc.emit.secrets import SecretStore
from hacc.format.layout import FormatError, format_text
from hacc.parse.parser import parse_text
from hacc.pipeline import compile_file

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
