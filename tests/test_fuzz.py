"""Fuzzing: generated valid clusters pass the daemons' own checkers, and no
damaged input makes hacc raise, hang or point outside the input.

What is proven, and how:

- **Generated clusters** (`fuzz_strategies.clusters`): coherent `.ha` files
  using every part of the language compile with no error-level diagnostic,
  build (in process: `compile_file` + `emit_all` with the generated secret
  values), and every output passes its real checker from tests/judges.py:
  `haproxy -dW -c`, `keepalived -t`, `crm_verify`, `corosync -t` per node.
  Every output also re-reads through hacc's importers (the daemons'
  tokenization rules) without an unreadable-file report.
- **Mutations** (`fuzz_strategies.mutated`) of every example, rule and lint
  fixture and doc snippet (`.ha`), and of every golden output and import
  corpus file (corosync.conf, keepalived.conf, haproxy.cfg, cib.xml), through
  four entry points: compile (the lint path, plus every diagnostic
  renderer), build (emit, when the damaged file still compiles), fmt
  (`format_text`: FormatError exactly when the text does not parse,
  otherwise idempotent and lowering to the same model) and import/audit
  (`import_cluster`, `render_import`, `compile_data`). Property: no Python
  exception, each input within a time budget (`budget`: asserted under 2 s,
  interrupted by SIGALRM after 20 s), and every diagnostic has a code
  `HAnnn`, a non-empty help, and a span (and label spans) inside the input:
  its file is the input, 1 <= line <= lines + 1, col >= 1, end after start.
- **Regressions**: each crash the fuzzers found is a small explicit test at
  the end of this module, named for the bug.

Profiles (hypothesis settings profiles, chosen by `HACC_FUZZ`): `ci` (the
default; derandomized, seconds) and `long` (`HACC_FUZZ=long`; thousands of
inputs per target, random seeds; see docs/fuzzing.md). The profiles are
applied per test, never loaded globally, so other modules keep their own
settings.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fuzz_strategies import (
    budget,
    case_files,
    clusters,
    ha_corpus,
    import_cases,
    mutated,
    text_of,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hacc.diagnostics.github import render_github
from hacc.diagnostics.model import Diagnostic, Severity
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

# Inputs per target: (ci, long).
COUNTS = {
    "generated": (15, 2000),
    "compile": (150, 10000),
    "build": (60, 4000),
    "fmt": (150, 10000),
    "import": (80, 4000),
}


def fuzz(target: str):
    ci, long = COUNTS[target]
    return settings(BASE, max_examples=long if PROFILE == "long" else ci)


HA = ha_corpus()
CASES = import_cases()
CODE = re.compile(r"HA\d{3}")


# -- the property every diagnostic must have -----------------------------------------------------


def assert_located(diagnostics: list[Diagnostic], inputs: dict[str, bytes | str], what: str) -> None:
    """Every diagnostic has a code, a help, and spans inside `inputs`
    (display name -> content)."""
    for d in diagnostics:
        context = f"{what}: {d.code} {d.span} {d.message!r}"
        assert CODE.fullmatch(d.code), context
        if d.severity > Severity.NOTE:  # a failure says how to fix it; a note may just inform
            assert d.help and d.help.strip(), context
        for span in (d.span, *(label.span for label in d.labels)):
            assert span.file in inputs, f"{context}: span file {span.file!r} is not an input ({sorted(inputs)})"
            content = inputs[span.file]
            lines = (content.count(b"\n") if isinstance(content, bytes) else content.count("\n")) + 1
            assert 1 <= span.line <= lines + 1, f"{context}: line {span.line} of {lines}"
            assert span.col >= 1, context
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


def build_generated(generated, directory: Path):
    """Compile and emit a generated cluster into `directory`; the outputs."""
    source = directory / "cluster.ha"
    source.write_text(generated.text)
    for name, text in generated.files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)
    unit = compile_file(source, "cluster.ha")
    assert unit.cluster is not None and not unit.has_errors, (errors(unit.diagnostics), generated)
    outputs, diagnostics = emit_all(unit.cluster, SecretStore(generated.secrets, environ={}), "cluster.ha")
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
    compile_bytes(workdir, data)


@fuzz("build")
@given(mutated(HA, max_operations=2), st.sampled_from(["s3cr3t", "pa ss", "x" * 300, "é€", "p#w!$\"'{}"]))
def test_mutated_sources_build_or_report(workdir, case, secret):
    """A damaged file that still compiles without errors builds, or reports
    located diagnostics (a secret its target cannot hold)."""
    _, data = case
    unit = compile_bytes(workdir, data)
    if unit.cluster is None or unit.has_errors:
        return
    values = {name: secret for name in secret_names(unit.data)}
    with budget("build"):
        outputs, diagnostics = emit_all(unit.cluster, SecretStore(values, environ={}), "fuzz.ha")
        render_all(diagnostics, unit.sources)
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
            assert problems, "FormatError on text that parses"
            assert_located(exc.diagnostics, {"fuzz.ha": text}, "fmt")
            return
        assert not problems, "format_text accepted text that does not parse"
        assert format_text(out, "fuzz.ha") == out, "formatting is not idempotent"
    assert lowered(out) == lowered(text), "formatting changed what the file means"


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
