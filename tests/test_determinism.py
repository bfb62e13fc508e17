"""Determinism: what hacc prints and writes depends on the input only.

Five environments differ in everything the input does not say: PYTHONHASHSEED
(0, 1, 12345, random, 4242), the locale (LC_ALL=C, C.UTF-8), the time zone
(UTC, Asia/Shanghai, America/Los_Angeles, Pacific/Chatham, a POSIX rule), the
umask (022, 077, 002, 027, 000), HOME and TMPDIR, where the workspace lies,
the working directory, and how the input and output are named (relative,
absolute, through a symlink, the examples in the repository itself). Each
environment builds every example (and a cluster spread over includes, with
non-ASCII text) and runs lint (text, json, sarif), fmt --diff, build --emit
json and simulate (json, and every single failure). The module proves that

- the output trees are identical: the same files and directories, the same
  bytes, the same modes (directories included, whatever the umask);
- every command prints the same bytes with the same exit code, once the
  paths given on its own command line are replaced by placeholders;
- nothing holds a path of the build machine (workspace, repository, HOME,
  TMPDIR) or the date or time of the build;
- manifest.json records each source by its path relative to the input, with
  the sha256 of the file.

One interpreter runs per environment, so the hash seed, locale, time zone
and umask apply from its start; each command runs in a forked child of it
(real file descriptors, real exit codes) to keep the module to seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.ha"))
SECRETS = {"VRRP_PASSWORD": "pw123456", "IPMI_PASSWORD": "ipmi-secret-value", "PDU_PASSWORD": "pdu-secret-value",
           "STATS_PASSWORD_HASH": "$6$salt$not-a-real-hash"}

# A cluster spread over an include below the main file and one beside it,
# with non-ASCII text in a comment, a string and a diagnostic's snippet.
INCLUDE_CASE = {
    "inc/main/cluster.ha": (
        "# Café — a cluster spread over includes (ünïcödé on purpose).\n"
        "cluster inc {\n"
        '    include "parts/nodes.ha"\n'
        "    corosync { quorum { two_node yes } }\n"
        '    include "../shared/haproxy.ha"\n'
        "}\n"
    ),
    "inc/main/parts/nodes.ha": "node n1 { id 1; addr 10.9.0.1; interface eth0 }\nnode n2 { id 2; addr 10.9.0.2; interface eth0 }\n",
    "inc/shared/haproxy.ha": (
        "haproxy {\n"
        "    defaults { mode http; timeout connect 5s; timeout client 30s; timeout server 30s }\n"
        "    frontend web {\n"
        "        bind 10.9.0.100:80\n"
        '        http-response set-header X-Note "café — ünï"\n'
        "        default_backend app\n"
        "    }\n"
        "    backend app { server a1 10.9.0.11:80 check }\n"
        "}\n"
    ),
}
INCLUDE_MAIN = "inc/main/cluster.ha"
BUILDS = {name: f"src/{name}.ha" for name in EXAMPLES} | {"inc": INCLUDE_MAIN}


@dataclass
class Environment:
    seed: str
    locale: str
    tz: str
    umask: int
    # How the builds name their input and output, relative to the workspace.
    layout: str
    base: Path = field(default=None)  # type: ignore[assignment]
    workspace: Path = field(default=None)  # type: ignore[assignment]


ENVIRONMENTS = [
    Environment("0", "C", "UTC", 0o022, "inside-src"),
    Environment("1", "C.UTF-8", "Asia/Shanghai", 0o077, "workspace"),
    Environment("12345", "C", "America/Los_Angeles", 0o002, "absolute"),
    Environment("random", "C.UTF-8", "Pacific/Chatham", 0o027, "symlink"),
    Environment("4242", "C.UTF-8", "<-0330>3:30", 0o000, "repository"),
]

# Runs in one interpreter per environment: every step in a forked child with
# its own working directory and its stdout/stderr on files.
DRIVER = r"""
import json, os, sys
plan = json.load(open(sys.argv[1], encoding="utf-8"))
import hacc.cli
# Warm the parent once (imports, parser tables) so each forked command pays
# only for its own work; the children still run the whole command.
import lxml.etree, jinja2, hacc.checks, hacc.emit, hacc.output.tree
from hacc.pipeline import compile_file
compile_file(__import__("pathlib").Path(plan[0]["warm"]), "warm.ha")
codes = []
for step in plan:
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            os.chdir(step["cwd"])
            for fd, name in ((1, "stdout"), (2, "stderr")):
                target = os.open(step[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(target, fd)
                os.close(target)
            try:
                hacc.cli.main(args=step["argv"], prog_name="hacc")
                code = 0
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 71
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    _, status = os.waitpid(pid, 0)
    codes.append(os.waitstatus_to_exitcode(status))
json.dump(codes, sys.stdout)
"""


@dataclass
class Run:
    """What one environment produced."""

    env: Environment
    trees: dict[str, dict[str, tuple]]          # build -> relative path -> ("dir", mode) | ("file", mode, bytes)
    commands: dict[str, tuple[int, bytes, bytes]]  # label -> (exit code, stdout, stderr), paths normalised
    raw_outputs: list[bytes]                    # everything, before normalisation
    out_dirs: dict[str, Path]


def _prepare(env: Environment, index: int, tmp: Path) -> None:
    env.base = tmp / f"env{index}"
    env.workspace = env.base / {2: "a/b/ws", 3: "wörk space/ws"}.get(index, "ws")
    src = env.workspace / "src"
    src.mkdir(parents=True)
    for name in EXAMPLES:
        shutil.copyfile(ROOT / "examples" / f"{name}.ha", src / f"{name}.ha")
    for relative, text in INCLUDE_CASE.items():
        path = env.workspace / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (env.workspace / "link").symlink_to("src", target_is_directory=True)
    for extra in ("home", "tmp", "capture", "elsewhere"):
        (env.base / extra).mkdir()
    (env.workspace / "a" / "b").mkdir(parents=True)


def _build_step(env: Environment, name: str, relative: str) -> tuple[str, list[str], Path, str, str]:
    """(cwd, argv, output directory, source as given, output as given)."""
    ws = env.workspace
    source, out = ws / relative, env.base / "out" / name
    if env.layout == "inside-src":
        cwd = ws / "src"
        given_source, given_out = os.path.relpath(source, cwd), os.path.relpath(out, cwd)
    elif env.layout == "workspace":
        cwd, given_source, given_out = ws, relative, os.path.relpath(out, ws)
    elif env.layout == "absolute":
        cwd, given_source, given_out = env.base / "elsewhere", str(source), str(out)
    elif env.layout == "symlink":
        cwd = ws / "a" / "b"
        through_link = ws / "link" / source.name if relative.startswith("src/") else source
        given_source, given_out = os.path.relpath(through_link, cwd), os.path.relpath(out, cwd)
    else:  # "repository": the examples where they are, from /
        cwd = Path("/")
        given_source = str(ROOT / "examples" / f"{name}.ha") if name in EXAMPLES else str(source)
        given_out = str(out)
    return str(cwd), ["build", given_source, "-o", given_out], out, given_source, given_out


def _plan(env: Environment) -> tuple[list[dict], dict[str, list[tuple[str, str]]], dict[str, Path]]:
    steps, replacements, out_dirs = [], {}, {}
    capture = env.base / "capture"

    def add(label: str, cwd: str, argv: list[str], replace: list[tuple[str, str]] | None = None) -> None:
        steps.append({"label": label, "cwd": cwd, "argv": argv,
                      "stdout": str(capture / f"{len(steps)}.out"), "stderr": str(capture / f"{len(steps)}.err")})
        replacements[label] = replace or []

    for name, relative in BUILDS.items():
        cwd, argv, out, given_source, given_out = _build_step(env, name, relative)
        out_dirs[name] = out
        # Longest first, so `../out/x` is not half-replaced by a shorter source path.
        add(f"build {name}", cwd, argv, sorted([(given_out, "<OUT>"), (given_source, "<SOURCE>")], key=lambda r: -len(r[0])))
    ws = str(env.workspace)
    # github and concise render the same diagnostics as json, one per line.
    for fmt in ("text", "json", "sarif"):
        add(f"lint --format {fmt}", ws, ["lint", "src", INCLUDE_MAIN, "--format", fmt])
    add("fmt --diff", ws, ["fmt", "--diff", "src", INCLUDE_MAIN])
    for name, relative in BUILDS.items():
        add(f"emit json {name}", ws, ["build", relative, "--emit", "json"])
    # VRRP and haproxy frontends; LVS; Pacemaker with clones, promotion and
    # fencing through crm_simulate; every single failure of a two-node cluster.
    for name in ("active-active", "lvs-dr", "three-node-db"):
        add(f"simulate json {name}", ws, ["simulate", BUILDS[name], "--format", "json"])
    add("simulate all-single", ws, ["simulate", BUILDS["article-pacemaker"], "--scenarios", "all-single"])
    steps[0]["warm"] = str(env.workspace / INCLUDE_MAIN)
    return steps, replacements, out_dirs


def _tree(root: Path) -> dict[str, tuple]:
    entries: dict[str, tuple] = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        relative = path.relative_to(root).as_posix()
        if stat.S_ISDIR(info.st_mode):
            entries[relative] = ("dir", stat.S_IMODE(info.st_mode))
        elif stat.S_ISREG(info.st_mode):
            entries[relative] = ("file", stat.S_IMODE(info.st_mode), path.read_bytes())
        else:
            entries[relative] = ("other", info.st_mode)
    return entries


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> list[Run]:
    tmp = tmp_path_factory.mktemp("determinism")
    started = []
    for index, env in enumerate(ENVIRONMENTS):
        _prepare(env, index, tmp)
        steps, replacements, out_dirs = _plan(env)
        plan_file = env.base / "plan.json"
        plan_file.write_text(json.dumps(steps), encoding="utf-8")
        environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": env.seed,
                       "LC_ALL": env.locale, "LANG": env.locale, "TZ": env.tz,
                       "HOME": str(env.base / "home"), "TMPDIR": str(env.base / "tmp"), **SECRETS}
        process = subprocess.Popen([sys.executable, "-c", DRIVER, str(plan_file)], cwd=env.workspace, env=environment,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, umask=env.umask)
        started.append((env, process, steps, replacements, out_dirs))
    results = []
    for env, process, steps, replacements, out_dirs in started:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr.decode(errors="replace")
        codes = json.loads(stdout)
        commands, raw = {}, []
        for step, code in zip(steps, codes, strict=True):
            out, err = Path(step["stdout"]).read_bytes(), Path(step["stderr"]).read_bytes()
            raw += [out, err]
            for given, placeholder in replacements[step["label"]]:
                out = out.replace(given.encode(), placeholder.encode())
                err = err.replace(given.encode(), placeholder.encode())
            commands[step["label"]] = (code, out, err)
        trees = {name: _tree(path) for name, path in out_dirs.items()}
        raw += [entry[2] for tree in trees.values() for entry in tree.values() if entry[0] == "file"]
        results.append(Run(env, trees, commands, raw, out_dirs))
    return results


def _describe(env: Environment) -> str:
    return f"PYTHONHASHSEED={env.seed} LC_ALL={env.locale} TZ={env.tz} umask={env.umask:03o} layout={env.layout}"


def _first_difference(a: dict, b: dict) -> str:
    if sorted(a) != sorted(b):
        return f"different keys: only in the first {sorted(set(a) - set(b))}, only in the second {sorted(set(b) - set(a))}"
    for key in sorted(a):
        if a[key] != b[key]:
            return f"{key}: {a[key]!r:.400} != {b[key]!r:.400}"
    return "no difference"


def test_the_commands_did_their_work(runs):
    """The comparisons below mean something only if the runs succeeded."""
    for run in runs:
        for label, (code, out, err) in run.commands.items():
            assert b"Traceback" not in out + err, (label, _describe(run.env), err.decode(errors="replace"))
            # The article's two setups together claim one VIP (HA602).
            expected = 1 if label.startswith("lint ") else 0
            assert code == expected, (label, _describe(run.env), err.decode(errors="replace"))
        assert json.loads(run.commands["lint --format sarif"][1])["runs"][0]["results"]
        assert run.commands["fmt --diff"][1].startswith(b"--- a/src/")
        for name, tree in run.trees.items():
            manifest = json.loads(tree["manifest.json"][2])
            files = {path: entry for path, entry in tree.items() if entry[0] == "file"}
            assert sorted(files) == sorted([f["path"] for f in manifest["files"]] + ["manifest.json"]), name
            for entry in manifest["files"]:
                assert files[entry["path"]][1] == int(entry["mode"], 8), (name, entry["path"])
                assert hashlib.sha256(files[entry["path"]][2]).hexdigest() == entry["sha256"]
            for path, entry in tree.items():
                if entry[0] == "dir":
                    assert entry[1] == 0o755, (name, path, oct(entry[1]), _describe(run.env))
                else:
                    assert entry[0] == "file" and entry[1] in (0o644, 0o600), (name, path, entry[:2])


def test_trees_are_identical_in_every_environment(runs):
    first = runs[0]
    for run in runs[1:]:
        for name in BUILDS:
            assert run.trees[name] == first.trees[name], (
                f"{name}: {_describe(run.env)} vs {_describe(first.env)}: "
                + _first_difference(run.trees[name], first.trees[name]))


def test_every_command_prints_the_same_bytes_in_every_environment(runs):
    first = runs[0]
    for run in runs[1:]:
        assert run.commands == first.commands, (
            f"{_describe(run.env)} vs {_describe(first.env)}: " + _first_difference(run.commands, first.commands))


def test_build_messages_name_only_the_paths_given(runs):
    """After the placeholders, the build's messages are those of a build
    that names no path at all: nothing is resolved to an absolute path."""
    for run in runs:
        _, out, err = run.commands["build article-lb"]
        assert out == b""
        assert b"--> <SOURCE>:16:28" in err and err.endswith(b"wrote 7 files to <OUT>/\n"), err.decode()


def test_no_path_of_the_build_machine_in_any_output(runs, tmp_path_factory):
    forbidden = {str(tmp_path_factory.getbasetemp()), str(ROOT), os.path.expanduser("~"), "pytest-of-"}
    for run in runs:
        forbidden |= {str(run.env.base), str(run.env.base / "home"), str(run.env.base / "tmp")}
    host = socket.gethostname()
    sources = b"".join((ROOT / "examples" / f"{n}.ha").read_bytes() for n in EXAMPLES)
    if len(host) >= 4 and host.encode() not in sources:
        forbidden.add(host)
    forbidden.discard("/")
    for run in runs:
        for label, (_, out, err) in run.commands.items():
            for needle in forbidden:
                assert needle.encode() not in out + err, (label, needle, _describe(run.env))
        for name, tree in run.trees.items():
            for path, entry in tree.items():
                if entry[0] == "file":
                    for needle in forbidden:
                        assert needle.encode() not in entry[2], (name, path, needle)


def _times_around(start: float, end: float) -> tuple[re.Pattern, set[bytes]]:
    """A pattern for today's date in the usual spellings, and every minute
    (HH:MM) of the run, in every time zone the runs used."""
    zones = [ZoneInfo(z) for z in ("UTC", "Asia/Shanghai", "America/Los_Angeles", "Pacific/Chatham")]
    zones.append(timezone(timedelta(hours=-3, minutes=-30)))
    dates, minutes = set(), set()
    moment = start - 60
    while moment <= end + 60:
        for zone in zones:
            local = datetime.fromtimestamp(moment, zone)
            dates |= {local.strftime(f) for f in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%d/%m/%Y", "%m/%d/%Y",
                                                   "%b %d %Y", "%b %e %Y", "%d %b %Y", "%a %b %d", "%a %b %e")}
            minutes.add(local.strftime("%H:%M").encode())
        moment += 30
    return re.compile(b"|".join(re.escape(d.encode()) for d in sorted(dates))), minutes


# HH:MM not preceded by a digit, `.` or `:` (addresses, ports, IPv6) nor followed by a digit.
CLOCK = re.compile(rb"(?<![\d.:])([0-2]\d:[0-5]\d)(?!\d)")
EPOCH = re.compile(rb"(?<!\d)1\d{9}(?:\d{3})?(?!\d)")


def test_no_date_or_time_of_the_build_in_any_output(runs):
    # The runs happened just before this test (the fixture is module-scoped):
    # allow for a slow machine.
    end = time.time()
    dates, minutes = _times_around(end - 300, end)
    assert dates.search(datetime.now(timezone.utc).strftime("%Y-%m-%d").encode())  # the test can see a date
    for run in runs:
        for blob in run.raw_outputs:
            found = dates.search(blob)
            assert found is None, (found and found.group(), _describe(run.env))
            clocks = set(CLOCK.findall(blob)) & minutes
            assert not clocks, (clocks, _describe(run.env))
            for number in EPOCH.findall(blob):
                assert abs(int(number[:10]) - end) > 10 * 86400, (number, "looks like a timestamp of this run")


def test_manifest_records_sources_relative_to_the_input(runs):
    for run in runs:
        for name in BUILDS:
            manifest = json.loads(run.trees[name]["manifest.json"][2])
            recorded = {s["path"]: s["sha256"] for s in manifest["sources"]}
            if name == "inc":
                main = run.env.workspace / INCLUDE_MAIN
                assert sorted(recorded) == ["../shared/haproxy.ha", "cluster.ha", "parts/nodes.ha"]
            else:
                main = run.env.workspace / BUILDS[name]
                assert sorted(recorded) == [f"{name}.ha"]
            for relative, digest in recorded.items():
                assert not relative.startswith("/") and "\\" not in relative
                assert digest == hashlib.sha256((main.parent / relative).read_bytes()).hexdigest(), relative


def _run_with_locale(tmp_path: Path, argv: list[str], extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), **SECRETS, **extra_env}
    return subprocess.run([sys.executable, "-m", "hacc", *argv], cwd=tmp_path, env=env, capture_output=True, check=False)


NON_ASCII_CLUSTER = """\
# Café — ünïcödé
cluster cafe {
    node a { id 1; addr 10.0.0.1; interface eth0 }
    node b { id 2; addr 10.0.0.2; interface eth0 }
    corosync { quorum { two_node yes } }
    keepalived {
        vrrp VI_1 { vrid 51; vip 10.0.0.100/24; priority a=100 b=90; track chk weight=-20 }
        script chk "pidöf haproxy" interval=2s
    }
}
"""


def test_output_does_not_depend_on_the_locale_encoding(tmp_path):
    """Under a locale whose encoding is ASCII, output is the same UTF-8 as
    under C.UTF-8, never a traceback."""
    (tmp_path / "cafe.ha").write_text(NON_ASCII_CLUSTER, encoding="utf-8")
    commands = [["lint", "cafe.ha", "--format", fmt] for fmt in ("text", "json", "sarif", "github", "concise")]
    commands += [["build", "cafe.ha", "--emit", "json"], ["build", "cafe.ha", "--stdout", "a:keepalived"],
                 ["fmt", "--diff", "cafe.ha"]]
    for argv in commands:
        utf8 = _run_with_locale(tmp_path, argv, {"LC_ALL": "C.UTF-8"})
        assert b"\xc3\xb6" in utf8.stdout, argv  # the ö of the input, as UTF-8: the test sees the text
        ascii_only = _run_with_locale(tmp_path, argv, {"LC_ALL": "C", "PYTHONUTF8": "0"})
        assert (ascii_only.returncode, ascii_only.stdout) == (utf8.returncode, utf8.stdout), (argv, ascii_only.stderr[-300:])


def test_simulate_does_not_depend_on_where_temporary_files_go(tmp_path):
    plain, accented = tmp_path / "tmp", tmp_path / "tmp-wörk"
    plain.mkdir()
    accented.mkdir()
    argv = ["simulate", str(ROOT / "examples" / "article-pacemaker.ha"), "--format", "json"]
    expected = _run_with_locale(tmp_path, argv, {"LC_ALL": "C.UTF-8", "TMPDIR": str(plain)})
    assert b'"webgroup": "node1"' in expected.stdout  # crm_simulate placed the group
    found = _run_with_locale(tmp_path, argv, {"LC_ALL": "C.UTF-8", "TMPDIR": str(accented)})
    assert (found.returncode, found.stdout) == (expected.returncode, expected.stdout), found.stdout[-400:]
