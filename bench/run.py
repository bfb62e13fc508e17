"""Measure hacc as whole processes and print a table.

    python bench/run.py [--sizes 1,10,100,1000] [--runs 5] [--fleet 200]

For each SIZE, bench/gen.py writes a cluster; `hacc lint` and `hacc build`
then run as separate processes, several times each. The table shows the
median wall time, the peak resident memory (from the kernel's accounting of
the child, wait4's ru_maxrss), the input size in lines, the growth
exponent between consecutive sizes (log of the time ratio over log of the
size ratio: 1.0 is linear), and the exponent fitted over every size from 10
up. Two more rows give the startup target
(`hacc lint examples/article-lb.ha` against `python -c pass`) and fleet
mode (`hacc lint` over many cluster files at once).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from gen import generate

SECRETS = "IPMI_PASSWORD=bench-ipmi\nVRRP_PASSWORD=bench\n"


def measure(args: list[str], env: dict | None = None) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in KiB, exit code) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss, process.returncode


# Bytecode is what an installed hacc runs from: a shell that disables it
# would make every run compile every module again.
CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def median_of(args: list[str], runs: int, env: dict | None = None) -> tuple[float, int]:
    """Median wall time and largest peak of `runs` runs, after one warm-up
    run that fills the bytecode and parser caches as any earlier use would."""
    env = env or CHILD_ENV
    measure(args, env)
    times, peaks = [], []
    for _ in range(runs):
        elapsed, peak, code = measure(args, env)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(args)} exited with {code}")
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def interleaved(commands: list[list[str]], runs: int) -> list[tuple[float, int]]:
    """Median wall time and largest peak RSS (KiB) of each command, run in
    turn rather than one after the other (after one warm-up run each): a
    ratio of two times is only fair if a busy moment of the machine slows
    both."""
    for args in commands:
        measure(args, CHILD_ENV)
    samples: list[list[tuple[float, int]]] = [[] for _ in commands]
    for _ in range(runs):
        for index, args in enumerate(commands):
            elapsed, peak, code = measure(args, CHILD_ENV)
            if code not in (0, 1):
                raise SystemExit(f"{' '.join(args)} exited with {code}")
            samples[index].append((elapsed, peak))
    return [(statistics.median(t for t, _ in series), max(p for _, p in series)) for series in samples]


def fitted(points: list[tuple[int, float]]) -> float:
    """The slope of the least-squares line through (log n, log t)."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def exponent(small: tuple[int, float], large: tuple[int, float]) -> float:
    (n1, t1), (n2, t2) = small, large
    return math.log(t2 / t1) / math.log(n2 / n1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100,1000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fleet", type=int, default=200, help="cluster files for the fleet row (0 to skip)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    hacc = [sys.executable, "-m", "hacc"]
    work = Path(tempfile.mkdtemp(prefix="hacc-bench-"))
    try:
        secrets = work / "secrets.env"
        secrets.write_text(SECRETS)
        secrets.chmod(0o600)
        print(f"# {_cpu()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}, "
              f"load average {os.getloadavg()[0]:.2f} at the start")
        print(f"# median of {args.runs} runs; peak = max resident set size of the process")
        print()
        print("| SIZE | lines | lint s | lint MB | build s | build MB | lint exp | build exp |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        previous = None
        rows = []
        for size in sizes:
            source = work / f"bench{size}.ha"
            source.write_text(generate(size))
            lines = source.read_text().count("\n")
            runs = args.runs if size < 1000 else max(3, args.runs // 2)
            lint = median_of(hacc + ["lint", str(source)], runs)
            build = median_of(hacc + ["build", str(source), "-o", str(work / "out"), "--secrets", str(secrets)], runs)
            growth = ("", "")
            if previous is not None:
                growth = (f"{exponent((previous[0], previous[1]), (size, lint[0])):.2f}",
                          f"{exponent((previous[0], previous[2]), (size, build[0])):.2f}")
            print(f"| {size} | {lines} | {lint[0]:.2f} | {lint[1] / 1024:.0f} | {build[0]:.2f} | {build[1] / 1024:.0f} "
                  f"| {growth[0]} | {growth[1]} |")
            previous = (size, lint[0], build[0])
            rows.append(previous)
        large = [row for row in rows if row[0] >= 10]  # below that, start-up dominates
        if len(large) >= 2:
            print(f"\nfitted growth exponent (least squares of log time on log SIZE, SIZE >= 10): "
                  f"lint {fitted([(n, t) for n, t, _ in large]):.2f}, build {fitted([(n, t) for n, _, t in large]):.2f}")
        print()
        (baseline, _), (startup, _), (click, _) = interleaved([[sys.executable, "-c", "pass"],
                                                hacc + ["lint", str(ROOT / "examples" / "article-lb.ha")],
                                                [sys.executable, "-c", "import click"]], 21)
        print(f"python -c pass: {baseline * 1000:.0f} ms; hacc lint examples/article-lb.ha: {startup * 1000:.0f} ms "
              f"= {startup / baseline:.1f} x (target <= 5 x)")
        print(f"python -c 'import click' (what the CLI is built on, alone): {click * 1000:.0f} ms = {click / baseline:.1f} x")
        if args.fleet:
            fleet = work / "fleet"
            fleet.mkdir()
            for index in range(args.fleet):
                text = generate(1).replace("cluster bench1 ", f"cluster fleet{index} ")
                # Each cluster on its own addresses, as a real fleet would be.
                text = text.replace("10.", f"{11 + index % 200}.", -1)
                (fleet / f"c{index:03d}.ha").write_text(text)
            timing = median_of(hacc + ["lint", str(fleet)], 3)
            print(f"hacc lint of {args.fleet} cluster files (fleet mode): {timing[0]:.2f} s, {timing[1] / 1024:.0f} MB "
                  "(target < 5 s)")
        print(f"# load average {os.getloadavg()[0]:.2f} at the end (other processes make every time longer)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


if __name__ == "__main__":
    sys.exit(main())
