"""Secrets: a value given for `secret:NAME` reaches only the files that need
it, and those files are private.

The module proves, with distinctive values (one of them full of characters
that need quoting), that

- `hacc build`, with the values from the environment or from `--secrets
  FILE`, writes each value only into the files that use it, exactly, with
  mode 0600; every other file, and manifest.json, holds none of them (the
  manifest is 0600 as soon as it describes a private file);
- no channel shows a value: stdout and stderr of build, lint (every format),
  `--emit json`, `--stdout` of the public files, `--check` (with and without
  the values), simulate, and builds that fail, even on an error at the very
  statement that uses the secret or about the value itself;
- a `--secrets` file readable or writable by group or others draws a warning
  (HA006), a private one does not; a malformed line is reported by number,
  never by content, and lines end at newlines only;
- `hacc import` moves every password it finds into a 0600 `.secrets` file
  and leaves only `secret:NAME` references in the `.ha` file; `hacc audit`
  and `hacc import` print no password in any diagnostic format.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CORPUS = ROOT / "tests" / "import" / "corpus"
LB = EXAMPLES / "article-lb.ha"
PACEMAKER = EXAMPLES / "article-pacemaker.ha"
FORMATS = ("text", "json", "sarif", "github", "concise")

SECRETS = {
    "VRRP_PASSWORD": "Vr7d1f%Q",  # 8 characters, the most keepalived reads
    "IPMI_PASSWORD": "s3cr3t-IPMI-7d1f \"q'<&>\\ x",  # quotes, XML specials, a backslash and spaces
    "PDU_PASSWORD": "s3cr3t-PDU-9c4e",
    "STATS_PASSWORD_HASH": '$6$s3cr3tSTATS5b2a$a b"c',
}
# A part of each value that survives any quoting or escaping a file or a
# renderer could apply: finding it anywhere means the value is there.
MARKERS = {"VRRP_PASSWORD": "Vr7d1f", "IPMI_PASSWORD": "s3cr3t-IPMI-7d1f", "PDU_PASSWORD": "s3cr3t-PDU-9c4e",
           "STATS_PASSWORD_HASH": "s3cr3tSTATS5b2a"}
# The files each example must put its secrets in (and only those).
PRIVATE_FILES = {
    "active-active": {"lb1/etc/haproxy/haproxy.cfg", "lb2/etc/haproxy/haproxy.cfg",
                      "lb1/etc/keepalived/keepalived.conf", "lb2/etc/keepalived/keepalived.conf"},
    "article-lb": {"lb1/etc/keepalived/keepalived.conf", "lb2/etc/keepalived/keepalived.conf"},
    "article-pacemaker": {"cib.xml"},
    "lvs-dr": set(),  # no secret at all: the control
    "three-node-db": {"cib.xml"},
    "two-node-fencing": {"cib.xml"},
}


def hacc(*args, cwd=None, env=None, check=None) -> subprocess.CompletedProcess:
    """Run hacc as a process. `env` replaces the secrets (None: all of SECRETS)."""
    return _finish(_start(args, cwd, env), check)


def _start(args, cwd=None, env=None) -> subprocess.Popen:
    environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), **(SECRETS if env is None else env)}
    return subprocess.Popen([sys.executable, "-m", "hacc", *map(str, args)], cwd=cwd or ROOT, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen, check=None) -> subprocess.CompletedProcess:
    stdout, stderr = process.communicate(timeout=120)
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    if check is not None:
        assert result.returncode == check, result.stdout + result.stderr
    return result


def hacc_many(commands: list[tuple], env=None, cwd=None) -> list[subprocess.CompletedProcess]:
    """Run several hacc commands at once (the machine has more than one core)."""
    results = []
    for start in range(0, len(commands), 6):
        batch = [_start(args, cwd, env) for args in commands[start:start + 6]]
        results += [_finish(process) for process in batch]
    return results


def run(*args, env=None, check=None) -> subprocess.CompletedProcess:
    """Run hacc in this process (click's runner keeps stdout and stderr
    apart): for the many format variants, where a process each would cost
    seconds. `env` replaces the secrets, as for `hacc`."""
    from click.testing import CliRunner

    from hacc.cli import main

    names = set(SECRETS) | set(env or {})
    environment = {name: None for name in names} | (SECRETS if env is None else env)
    result = CliRunner(env=environment).invoke(main, [str(a) for a in args], catch_exceptions=False)
    if check is not None:
        assert result.exit_code == check, result.stdout + result.stderr
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def run_many(commands: list[tuple], env=None) -> list[subprocess.CompletedProcess]:
    return [run(*args, env=env) for args in commands]


def leaked(text: str | bytes, markers=MARKERS) -> list[str]:
    blob = text.encode() if isinstance(text, str) else text
    return [name for name, marker in markers.items() if marker.encode() in blob]


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mode & 0o777)
            for p in sorted(root.rglob("*")) if p.is_file()}


def private_secrets_file(path: Path, values: dict[str, str], mode: int = 0o600) -> Path:
    path.write_text("# test values\n" + "".join(f"{name}={value}\n" for name, value in values.items()), encoding="utf-8")
    path.chmod(mode)
    return path


# --- hacc build: where the values go ---------------------------------------------------------------


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, dict[str, tuple[subprocess.CompletedProcess, dict]]]:
    """Every example built with the values from the environment, and again
    from a --secrets file with an empty environment."""
    tmp = tmp_path_factory.mktemp("secret-builds")
    secrets_file = private_secrets_file(tmp / "cluster.secrets", SECRETS)
    names = sorted(PRIVATE_FILES)
    commands = [("build", EXAMPLES / f"{n}.ha", "-o", tmp / "env" / n) for n in names]
    from_env = hacc_many(commands)
    commands = [("build", EXAMPLES / f"{n}.ha", "-o", tmp / "file" / n, "--secrets", secrets_file) for n in names]
    from_file = hacc_many(commands, env={})
    return {
        source: {name: (result, tree(tmp / source / name)) for name, result in zip(names, results, strict=True)}
        for source, results in (("env", from_env), ("file", from_file))
    }


@pytest.mark.parametrize("source", ["env", "file"])
def test_only_the_files_that_use_a_secret_hold_it_and_they_are_private(builds, source):
    for name, (result, files) in builds[source].items():
        assert result.returncode == 0, result.stderr
        holding = {path for path, (content, _) in files.items() if leaked(content)}
        assert holding == PRIVATE_FILES[name], name
        for path, (content, mode) in files.items():
            if path in holding:
                assert mode == 0o600, (name, path, oct(mode))
            elif path == "manifest.json":
                # The manifest holds the sha256 of the private files: it is
                # as private as they are (see the report on brute force).
                assert mode == (0o600 if holding else 0o644), (name, oct(mode))
            else:
                assert mode == 0o644, (name, path, oct(mode))


@pytest.mark.parametrize("source", ["env", "file"])
def test_the_manifest_and_the_build_messages_hold_no_secret(builds, source):
    for name, (result, files) in builds[source].items():
        assert not leaked(result.stdout + result.stderr), (name, result.stderr)
        assert "wrote" in result.stderr
        manifest = files["manifest.json"][0]
        assert not leaked(manifest), name
        recorded = {entry["path"] for entry in json.loads(manifest)["files"]}
        assert PRIVATE_FILES[name] <= recorded  # the manifest does describe the private files


def test_each_value_is_written_exactly(builds):
    from lxml import etree

    files = {name: {path: content.decode() for path, (content, _) in built[1].items()}
             for name, built in builds["env"].items()}
    for name in ("article-lb", "active-active"):
        for node in ("lb1", "lb2"):
            lines = files[name][f"{node}/etc/keepalived/keepalived.conf"].splitlines()
            assert f"auth_pass {SECRETS['VRRP_PASSWORD']}" in [line.strip() for line in lines]
    for node in ("lb1", "lb2"):
        users = [shlex.split(line) for line in files["active-active"][f"{node}/etc/haproxy/haproxy.cfg"].splitlines()
                 if line.strip().startswith("user ops ")]
        assert users == [["user", "ops", "password", SECRETS["STATS_PASSWORD_HASH"]]]
    for name, expected in (("article-pacemaker", {SECRETS["IPMI_PASSWORD"]}), ("three-node-db", {SECRETS["IPMI_PASSWORD"]}),
                           ("two-node-fencing", {SECRETS["IPMI_PASSWORD"], SECRETS["PDU_PASSWORD"]})):
        cib = etree.fromstring(files[name]["cib.xml"].encode())
        assert {nv.get("value") for nv in cib.iter("nvpair") if nv.get("name") == "password"} == expected, name


def test_values_from_a_file_or_the_environment_build_the_same_files(builds):
    for name in PRIVATE_FILES:
        assert builds["file"][name][1] == builds["env"][name][1], name


# --- every other channel -----------------------------------------------------------------------------


def test_no_command_prints_a_secret(tmp_path):
    out = tmp_path / "out"
    run("build", EXAMPLES / "active-active.ha", "-o", out, check=0)
    commands = [("lint", EXAMPLES, "--format", fmt) for fmt in FORMATS]
    commands += [("build", PACEMAKER, "-o", tmp_path / f"pm-{fmt}", "--format", fmt) for fmt in FORMATS]
    commands += [("build", EXAMPLES / f"{name}.ha", "--emit", "json") for name in ("active-active", "two-node-fencing")]
    # --stdout of the files that hold no secret, from clusters that have some.
    commands += [("build", EXAMPLES / "active-active.ha", "--stdout", "lb1:sysctl"), ("build", LB, "--stdout", "lb1:haproxy"),
                 ("build", PACEMAKER, "--stdout", "node1:corosync")]
    commands += [("build", EXAMPLES / "active-active.ha", "-o", out, "--check")]
    commands += [("simulate", EXAMPLES / f"{name}.ha", "--format", fmt)
                 for name in ("active-active", "two-node-fencing") for fmt in ("text", "json")]
    commands += [("simulate", PACEMAKER, "--scenarios", "all-single", "--format", "json")]
    results = run_many(commands)
    for args, result in zip(commands, results, strict=True):
        assert not leaked(result.stdout + result.stderr), (args, result.stdout[-500:], result.stderr[-500:])
        assert "Traceback" not in result.stderr, result.stderr
        # The commands did their work, so the test looked at real output.
        expected = 1 if args[0] == "lint" else 0  # the article's two setups claim one VIP (HA602)
        assert result.returncode == expected, (args, result.stderr)
        assert result.stdout or result.stderr, args
    emitted = json.loads(results[len(FORMATS) * 2].stdout)
    assert "VRRP_PASSWORD" in json.dumps(emitted)  # the JSON form names the secret, not its value


def test_check_prints_no_secret_with_or_without_the_values(tmp_path):
    out = tmp_path / "out"
    run("build", PACEMAKER, "-o", out, check=0)
    secrets_file = private_secrets_file(tmp_path / "s", SECRETS)
    fresh = run_many([("build", PACEMAKER, "-o", out, "--check", *extra) for extra in ((), ("--secrets", secrets_file))])
    fresh.append(run("build", PACEMAKER, "-o", out, "--check", env={}))
    for result in fresh:
        assert result.returncode == 0 and "is up to date" in result.stderr, result.stderr
    cib = out / "cib.xml"
    edited = cib.read_text().replace('score="-INFINITY"', 'score="-100"', 1)
    assert edited != cib.read_text()
    cib.write_text(edited)
    (out / "stray").write_text("x")
    for env in (None, {}):
        result = run("build", PACEMAKER, "-o", out, "--check", env=env, check=1)
        assert "differs: cib.xml" in result.stderr and "not generated: stray" in result.stderr
        assert not leaked(result.stdout + result.stderr)


FAILING = {
    # name: (example, (text, replacement) or None, values instead of SECRETS', the value's marker, expected code)
    # An error in the input at the statement that uses the secret, every value valid.
    "error-at-the-secret": (LB, ("auth pass=secret:VRRP_PASSWORD", "auth pass=secret:VRRP_PASSWORD type=md5"), {},
                            "Vr7d1f", "HA012"),
    "error-elsewhere": (PACEMAKER, ("cluster mycluster {", "cluster mycluster {\n    node bogus { id 0 }"), {},
                        "s3cr3t-IPMI-7d1f", "HA013"),
    "too-long-for-keepalived": (LB, None, {"VRRP_PASSWORD": "s3cr3t-VRRP-7d1f"}, "s3cr3t-VRRP-7d1f", "HA008"),
    "quote-for-keepalived": (LB, None, {"VRRP_PASSWORD": 'Vr7d1f"'}, "Vr7d1f", "HA008"),
    "newline": (LB, None, {"VRRP_PASSWORD": "Vr7d1f\nvrrp_instance evil {"}, "Vr7d1f", "HA008"),
    "escape-sequence-in-the-cib": (PACEMAKER, None, {"IPMI_PASSWORD": "s3cr3t-IPMI-7d1f\x1b[2J"}, "s3cr3t-IPMI-7d1f", "HA008"),
}


@pytest.mark.parametrize("case", sorted(FAILING))
def test_a_failing_build_shows_no_secret_in_any_format(tmp_path, case):
    example, edit, values, marker, code = FAILING[case]
    source = tmp_path / example.name
    text = example.read_text()
    if edit:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1])
    source.write_text(text)
    markers = dict(MARKERS, case=marker)
    results = run_many([("build", source, "-o", tmp_path / "out", "--format", fmt) for fmt in FORMATS],
                        env=dict(SECRETS, **values))
    for fmt, result in zip(FORMATS, results, strict=True):
        assert result.returncode == 1, (fmt, result.stderr)
        assert code in result.stdout + result.stderr, (fmt, result.stderr)
        assert not leaked(result.stdout + result.stderr, markers), (case, fmt, result.stderr)
    assert not (tmp_path / "out").exists()


def test_a_secret_that_is_not_utf8_is_refused_without_showing_it(tmp_path):
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "VRRP_PASSWORD": os.fsdecode(b"Vr7d1f\xff")}
    for fmt in ("text", "json"):
        result = subprocess.run([sys.executable, "-m", "hacc", "build", str(LB), "-o", str(tmp_path / "out"), "--format", fmt],
                                env=env, capture_output=True, check=False)
        assert result.returncode == 1 and b"HA008" in result.stdout + result.stderr, result.stderr
        assert b"Vr7d1f" not in result.stdout + result.stderr


# --- the --secrets file --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode,warns", [(0o600, False), (0o400, False), (0o640, True), (0o644, True), (0o604, True),
                                        (0o620, True)], ids=lambda v: f"{v:04o}" if not isinstance(v, bool) else str(v))
def test_a_secrets_file_others_can_read_draws_a_warning(tmp_path, mode, warns):
    secrets_file = private_secrets_file(tmp_path / "cluster.secrets", {"VRRP_PASSWORD": SECRETS["VRRP_PASSWORD"]}, mode)
    result = run("build", LB, "--stdout", "lb1:keepalived", "--secrets", secrets_file, env={}, check=0)
    assert f"auth_pass {SECRETS['VRRP_PASSWORD']}" in result.stdout  # a warning, not a refusal
    warning = f"warning[HA006]: the secrets file is accessible to group or others (mode {mode:04o})"
    assert (warning in result.stderr) == warns, result.stderr
    assert (f"run `chmod 600 {secrets_file}`" in result.stderr) == warns
    assert not leaked(result.stderr)


def test_the_warning_is_data_in_every_format(tmp_path):
    secrets_file = private_secrets_file(tmp_path / "s", {"VRRP_PASSWORD": SECRETS["VRRP_PASSWORD"]}, 0o644)
    results = run_many([("build", LB, "-o", tmp_path / fmt, "--secrets", secrets_file, "--format", fmt) for fmt in FORMATS],
                        env={})
    for fmt, result in zip(FORMATS, results, strict=True):
        assert result.returncode == 0 and "HA006" in result.stderr, (fmt, result.stderr)
        assert not leaked(result.stdout + result.stderr), fmt
    report = json.loads(results[1].stderr[:results[1].stderr.rindex("}") + 1])
    assert [(d["code"], d["severity"]) for d in report["diagnostics"] if d["code"] == "HA006"] == [("HA006", "warning")]


def test_a_malformed_line_is_named_by_number_never_shown(tmp_path):
    secrets_file = tmp_path / "cluster.secrets"
    secrets_file.write_text("# a comment\nVRRP_PASSWORD s3cr3t-line-7d1f\ns3cr3t-bare-7d1f\nVRRP_PASSWORD=Vr7d1f%Q\n")
    secrets_file.chmod(0o600)
    markers = {"line": "s3cr3t-line-7d1f", "bare": "s3cr3t-bare-7d1f", "value": "Vr7d1f"}
    results = run_many([("build", LB, "-o", tmp_path / "out", "--secrets", secrets_file, "--format", fmt) for fmt in FORMATS],
                        env={})
    for fmt, result in zip(FORMATS, results, strict=True):
        assert result.returncode == 1, result.stderr
        assert "line 2 is not `NAME=value`" in result.stderr and "line 3 is not `NAME=value`" in result.stderr, fmt
        assert not leaked(result.stdout + result.stderr, markers), (fmt, result.stderr)


def test_a_secrets_file_that_is_not_utf8_is_named_without_its_bytes(tmp_path):
    secrets_file = tmp_path / "cluster.secrets"
    secrets_file.write_bytes(b"# ok\nVRRP_PASSWORD=Vr7d1f\xe9Q\n")
    secrets_file.chmod(0o600)
    for fmt in FORMATS:
        result = run("build", LB, "-o", tmp_path / "out", "--secrets", secrets_file, "--format", fmt, env={}, check=1)
        assert "not valid UTF-8" in result.stderr and "line 2" in result.stderr, result.stderr
        # The byte that is not UTF-8 is a character of the password.
        assert "0xe9" not in result.stderr and "Vr7d1f" not in result.stderr, (fmt, result.stderr)


@pytest.mark.parametrize("separator", ["\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_lines_end_at_newlines_only(tmp_path, separator):
    """str.splitlines() would split at these, and read the rest of a value as
    another `NAME=value` line: a value could define a second secret."""
    from hacc.emit.secrets import load_secrets_file

    secrets_file = tmp_path / "cluster.secrets"
    secrets_file.write_text(f"VRRP_PASSWORD=Vr7d1f{separator}IPMI_PASSWORD=injected\r\nPDU_PASSWORD=pdu\r\n", encoding="utf-8")
    secrets_file.chmod(0o600)
    values, diagnostics = load_secrets_file(secrets_file, "cluster.secrets")
    assert values == {"VRRP_PASSWORD": f"Vr7d1f{separator}IPMI_PASSWORD=injected", "PDU_PASSWORD": "pdu"}
    assert diagnostics == []


def test_a_value_holding_a_line_separator_is_refused_when_used(tmp_path):
    secrets_file = tmp_path / "cluster.secrets"
    secrets_file.write_text("IPMI_PASSWORD=s3cr3t-IPMI-7d1f\u2028IPMI_PASSWORD=injected\n", encoding="utf-8")
    secrets_file.chmod(0o600)
    result = run("build", PACEMAKER, "--stdout", "cib", "--secrets", secrets_file, env={}, check=1)
    assert "error[HA008]: secret `IPMI_PASSWORD` cannot be used here" in result.stderr
    assert "injected" not in result.stdout + result.stderr and not leaked(result.stderr)


# Moved from test_cli.py.


def test_missing_secret_names_it_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = hacc("build", LB, "-o", out, env={}, check=1)
    assert "secret `VRRP_PASSWORD` has no value" in result.stderr
    assert "nothing written" in result.stderr
    assert not out.exists()


def test_secret_values_never_appear_on_any_channel(tmp_path):
    env = {"VRRP_PASSWORD": "much-too-long-password"}
    for fmt in ("text", "json", "concise"):
        result = hacc("build", LB, "-o", tmp_path / "out", "--format", fmt, env=env, check=1)
        assert "much-too-long-password" not in result.stdout + result.stderr
        assert "HA008" in result.stdout + result.stderr


def test_secrets_file(tmp_path):
    secrets = tmp_path / "secrets"
    secrets.write_text("# comment\nVRRP_PASSWORD=fromfile\n")
    secrets.chmod(0o600)
    result = hacc("build", LB, "--stdout", "lb1:keepalived", "--secrets", secrets, env={}, check=0)
    assert "auth_pass fromfile" in result.stdout
    secrets.chmod(0o644)
    result = hacc("build", LB, "--stdout", "lb1:keepalived", "--secrets", secrets, env={}, check=0)
    assert "warning[HA006]" in result.stderr and "fromfile" not in result.stderr


def test_check_works_without_the_secrets(tmp_path):
    """pre-commit runs `hacc build --check` where the secrets are not:
    files holding one are judged by the manifest."""
    out = tmp_path / "out"
    hacc("build", LB, "-o", out, check=0)
    assert hacc("build", LB, "-o", out, "--check", env={}).returncode == 0
    conf = out / "lb1/etc/keepalived/keepalived.conf"
    conf.write_text(conf.read_text().replace("priority 100", "priority 101"))
    result = hacc("build", LB, "-o", out, "--check", env={}, check=1)
    assert "differs: lb1/etc/keepalived/keepalived.conf" in result.stderr


# --- hacc import and hacc audit ------------------------------------------------------------------------

# Passwords of the corpus files, replaced by distinctive values.
IMPORTED = {
    "Wq7zK2pa": "Im7d1fQz",                                   # keepalived auth_pass
    "S3cr3t-M0n": "s3cr3t-STATS-7d1f",                         # haproxy stats auth
    "Viewer-only-2024": "s3cr3t-VIEW-7d1f",                    # haproxy insecure-password
    "$6$k3yS4lt$": "$6$s3cr3tALICE7d1f$",                      # haproxy password hashes
    "$5$r0unds$": "$5$s3cr3tBOB7d1f$",
    "Ipmi-Fence-2024": "s3cr3t-IPMI-7d1f&lt;&amp;&quot;",      # a CIB attribute, XML-escaped in the file
}
IMPORT_MARKERS = {v: v for v in ("Im7d1fQz", "s3cr3t-STATS-7d1f", "s3cr3t-VIEW-7d1f", "s3cr3tALICE7d1f", "s3cr3tBOB7d1f",
                                 "s3cr3t-IPMI-7d1f")}

def _copy_with_new_passwords(source: Path, target: Path, **more: str) -> None:
    text = source.read_text()
    for old, new in {**IMPORTED, **more}.items():
        text = text.replace(old, new)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


@pytest.fixture
def running_nodes(tmp_path) -> dict[str, list[str]]:
    """Two load balancers (keepalived and haproxy with every kind of
    password) and a Pacemaker pair with IPMI fencing, as files on disk;
    the arguments that name them."""
    for node, original in (("lb1", "lb1"), ("lb2", "lb2")):
        _copy_with_new_passwords(CORPUS / "keepalived-unicast-track" / original / "etc/keepalived/keepalived.conf",
                                 tmp_path / "lbs" / node / "etc/keepalived/keepalived.conf")
        _copy_with_new_passwords(CORPUS / "haproxy-stats-userlist" / "lb-a" / "etc/haproxy/haproxy.cfg",
                                 tmp_path / "lbs" / node / "etc/haproxy/haproxy.cfg", **{"192.168.10.5": "10.20.0.100"})
    pacemaker = CORPUS / "cib-two-node-ipmi-group"
    shutil.copytree(pacemaker, tmp_path / "pcmk", ignore=shutil.ignore_patterns("cib.xml", "case.toml"))
    _copy_with_new_passwords(pacemaker / "cib.xml", tmp_path / "pcmk" / "cib.xml")
    lbs, pcmk = tmp_path / "lbs", tmp_path / "pcmk"
    return {
        "lbs": ["--node", f"lb1={lbs / 'lb1'}", "--node", f"lb2={lbs / 'lb2'}", "--name", "lbs"],
        "pcmk": ["--node", f"pg1={pcmk / 'pg1'}", "--node", f"pg2={pcmk / 'pg2'}", "--cib", pcmk / "cib.xml"],
    }


FORMAT_PARAMS = FORMATS


@pytest.mark.parametrize("fmt", FORMAT_PARAMS)
def test_import_and_audit_print_no_password(running_nodes, tmp_path, fmt):
    commands = []
    for case, args in sorted(running_nodes.items()):
        commands.append(("import", *args, "-o", tmp_path / f"{case}.ha", "--allow-loss", "--format", fmt))
        commands.append(("audit", *args, "--format", fmt))
    results = run_many(commands, env={})
    for args, result in zip(commands, results, strict=True):
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
        assert "HA081" in result.stdout + result.stderr or args[0] == "audit", result.stderr  # the notes are there
        assert not leaked(result.stdout + result.stderr, IMPORT_MARKERS), (args[0], fmt, result.stdout + result.stderr)


def test_import_writes_passwords_only_to_a_private_secrets_file(running_nodes, tmp_path):
    commands = [("import", *args, "-o", tmp_path / f"{case}.ha", "--allow-loss", "--format", "json")
                for case, args in sorted(running_nodes.items())]
    for result in run_many(commands, env={}):
        assert result.returncode == 0, result.stderr
    expected = {"lbs": {"Im7d1fQz", "s3cr3t-STATS-7d1f", "s3cr3t-VIEW-7d1f", "s3cr3tALICE7d1f", "s3cr3tBOB7d1f"},
                "pcmk": {"s3cr3t-IPMI-7d1f"}}
    for case, markers in expected.items():
        ha = (tmp_path / f"{case}.ha").read_text()
        assert not leaked(ha, IMPORT_MARKERS), case
        secrets_file = tmp_path / f"{case}.secrets"
        assert secrets_file.stat().st_mode & 0o777 == 0o600
        written = secrets_file.read_text()
        assert set(leaked(written, IMPORT_MARKERS)) == markers, case
        names = {line.partition("=")[0] for line in written.splitlines() if line and not line.startswith("#")}
        assert names and all(f"secret:{name}" in ha for name in names), case
    assert 'IPMI_PASSWORD=s3cr3t-IPMI-7d1f<&"' in (tmp_path / "pcmk.secrets").read_text().splitlines()
    # The imported cluster builds with those values, into private files only.
    for case in expected:
        out = tmp_path / f"out-{case}"
        result = run("build", tmp_path / f"{case}.ha", "-o", out, "--secrets", tmp_path / f"{case}.secrets", env={})
        assert result.returncode == 0, result.stderr
        assert not leaked(result.stdout + result.stderr, IMPORT_MARKERS)
        holding = {path for path, (content, _) in tree(out).items() if leaked(content, IMPORT_MARKERS)}
        assert holding, case
        for path, (content, mode) in tree(out).items():
            assert mode == (0o600 if path in holding or path == "manifest.json" else 0o644), (case, path, oct(mode))


def test_import_to_stdout_does_not_claim_a_secrets_file_it_never_writes(running_nodes, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("import", *running_nodes["lbs"], "-o", "-", "--allow-loss", env={}, check=0)
    assert "secret:" in result.stdout and not leaked(result.stdout, IMPORT_MARKERS)
    assert not list(tmp_path.glob("*.secrets"))
    assert "written to the secrets file" not in result.stderr
