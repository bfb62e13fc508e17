"""Compare two installs of hacc side by side.

    python bench/compare.py OTHER_PYTHON [--sizes 1000] [--runs 4] [--startup-runs 41]

A virtual machine's speed can drift by tens of percent within an hour, so
two tables of bench/run.py taken at different times do not tell whether a
change made hacc faster. This runs this interpreter's hacc (`sys.executable
-m hacc`) and OTHER_PYTHON's in turn, command by command, on the same
generated clusters, and prints the median wall time and the largest peak
memory of each, and their ratio. To measure a change, install the code
before it into a second virtualenv:

    git worktree add /tmp/before HEAD~1 && python -m venv /tmp/venv-before
    /tmp/venv-before/bin/pip install /tmp/before
    python bench/compare.py /tmp/venv-before/bin/python
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from gen import generate
from run import ROOT, SECRETS, interleaved


def alternate(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, int]]:
    """Median wall time and largest peak RSS (KiB) of each named command,
    the commands run in turn (bench/run.py's `interleaved`)."""
    return dict(zip(commands, interleaved(list(commands.values()), runs)))


def row(label: str, this: tuple[float, int], other: tuple[float, int], unit: str = "s") -> str:
    scale, digits = (1000, 0) if unit == "ms" else (1, 2)
    return (f"| {label} | {other[0] * scale:.{digits}f} {unit} | {this[0] * scale:.{digits}f} {unit} | {this[0] / other[0]:.2f} "
            f"| {other[1] / 1024:.0f} MB | {this[1] / 1024:.0f} MB |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", help="the Python of the other install (its virtualenv's bin/python)")
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--startup-runs", type=int, default=41)
    args = parser.parse_args(argv)
    this, other = [sys.executable, "-m", "hacc"], [args.other, "-m", "hacc"]
    work = Path(tempfile.mkdtemp(prefix="hacc-compare-"))
    try:
        secrets = work / "secrets.env"
        secrets.write_text(SECRETS)
        secrets.chmod(0o600)
        print(f"# this: {sys.executable}; other: {args.other}; medians of {args.runs} alternating runs")
        print()
        print("| command | other | this | this / other | other peak | this peak |")
        print("|---|---:|---:|---:|---:|---:|")
        for size in [int(s) for s in args.sizes.split(",")]:
            source = work / f"bench{size}.ha"
            source.write_text(generate(size))
            for command in ("lint", "build"):
                extra = ["-o", str(work / "out"), "--secrets", str(secrets)] if command == "build" else []
                found = alternate({"this": this + [command, str(source), *extra],
                                   "other": other + [command, str(source), *extra]}, args.runs)
                print(row(f"{command} SIZE={size}", found["this"], found["other"]))
        lint = ["lint", str(ROOT / "examples" / "article-lb.ha")]
        found = alternate({"this": this + lint, "other": other + lint, "pass": [sys.executable, "-c", "pass"]},
                          args.startup_runs)
        print(row("lint examples/article-lb.ha", found["this"], found["other"], "ms"))
        baseline = found["pass"][0]
        print(f"\npython -c pass: {baseline * 1000:.0f} ms; start-up ratio: other {found['other'][0] / baseline:.1f} x, "
              f"this {found['this'][0] / baseline:.1f} x")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
