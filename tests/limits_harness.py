"""The harness of the limits tests (tests/test_limits_*.py): running hacc on
hostile input and judging how it ended.

How: every case runs `python -m hacc` as a subprocess under a 1 GiB
address-space limit (RLIMIT_AS, so a runaway allocation is a MemoryError
we would see) and a wall-clock timeout, and asserts the exit code (1 for
input hacc diagnosed, 2 for a usage error click reports), that neither
stream holds "Traceback", "MemoryError" or "RecursionError", that the
diagnostic has its code, a location (`--> file:line:col`) and a help line,
and that the run took less than the case's bound (seconds, generous: the
point is "not a hang", on a shared 2-core machine).

The profile: HACC_LIMITS=long (LONG) makes lists, include chains and long
lines bigger and runs the slowest cases.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LB = ROOT / "examples" / "article-lb.ha"
LONG = os.environ.get("HACC_LIMITS") == "long"
LIST_SIZE = 100_000 if LONG else 1_000
CHAIN = 10_000 if LONG else 1_000  # include files: creating 10,000 takes 2 s here
LINE = 10_000_000 if LONG else 2_000_000  # bytes in a long line
MEMORY = 1 << 30  # RLIMIT_AS of every run
SECRETS = {"VRRP_PASSWORD": "pw123456"}
NOBODY = 65534


@dataclass
class Run:
    args: tuple
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:
        return f"hacc {' '.join(map(str, self.args))[:300]} -> {self.returncode} in {self.seconds:.1f}s\n{self.output[-3000:]}"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def hacc(*args, cwd: Path | None = None, env: dict | None = None, timeout: float = 60, prefix=()) -> Run:
    environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8", **(env or {})}
    command = [*prefix, sys.executable, "-m", "hacc", *map(str, args)]
    start = time.monotonic()
    try:
        result = subprocess.run(command, check=False, cwd=cwd or ROOT, capture_output=True, text=True, env=environment,
                                timeout=timeout, preexec_fn=_limit_memory, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hacc {' '.join(map(str, args))[:300]} did not finish in {timeout} s (a hang)")
    return Run(args, result.returncode, result.stdout, result.stderr, time.monotonic() - start)


def no_crash(run: Run) -> None:
    for word in ("Traceback", "MemoryError", "RecursionError"):
        assert word not in run.output, str(run)


def diagnosed(run: Run, code: str, *, bound: float = 15, message: str | None = None, count: int | None = None) -> None:
    """Exit 1 with an error `code`, a location, a help line, in `bound` s."""
    no_crash(run)
    assert run.returncode == 1, str(run)
    assert f"error[{code}]" in run.output, str(run)
    assert re.search(r"--> \S+:\d+:\d+", run.output), str(run)
    assert "= help: " in run.output, str(run)
    if message is not None:
        assert message in run.output, str(run)
    if count is not None:
        assert run.output.count(f"error[{code}]") == count, str(run)
    assert run.seconds < bound, str(run)


def usage_error(run: Run, message: str, bound: float = 15) -> None:
    no_crash(run)
    assert run.returncode == 2 and message in run.stderr, str(run)
    assert run.seconds < bound, str(run)


def where(run: Run, code: str) -> tuple[str, int, int]:
    """(file, line, column) of the first `code` diagnostic."""
    match = re.search(rf"error\[{code}\].*\n\s*--> (\S+):(\d+):(\d+)", run.output)
    assert match, str(run)
    return match.group(1), int(match.group(2)), int(match.group(3))


def lb_with(old: str, new: str) -> str:
    text = LB.read_text()
    assert old in text
    return text.replace(old, new, 1)


def ip_of(index: int) -> str:
    return f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"


IMPORT_FILES = ("corosync.conf", "keepalived.conf", "haproxy.cfg", "cib.xml")


def import_all(directory: Path, out: Path, command: str = "import", **kwargs) -> Run:
    """`hacc import` (or audit) of the four files in `directory`."""
    args = ["--corosync", directory / "corosync.conf", "--keepalived", f"n1={directory / 'keepalived.conf'}",
            "--haproxy", f"n1={directory / 'haproxy.cfg'}", "--cib", directory / "cib.xml"]
    return hacc(command, *args, *(["-o", out, "--allow-loss"] if command == "import" else []), **kwargs)
