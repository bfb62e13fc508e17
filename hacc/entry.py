"""The `hacc` executable (and `python -m hacc`): run the click CLI, then
leave at once.

A normal interpreter exit tears down every module and object one by one.
For `hacc lint` on a small cluster that teardown cost 15-35 ms, a tenth of
the run or more, for nothing: every file hacc writes is complete and closed (and
renamed into place) before the command returns, temporary directories are
removed in `finally` blocks, and hacc registers no `atexit` hooks. So once
click has finished, the streams are flushed and the process ends with
`os._exit`, as mypy does. Commands that raise are left to the normal path,
which prints the traceback.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    from hacc.cli import main as cli

    try:
        cli()
    except SystemExit as stop:
        _leave(_exit_code(stop.code))
    _leave(0)


def _exit_code(code) -> int:
    """The status `sys.exit(code)` would give."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _leave(code: int) -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        # The reader went away (`hacc lint | head`: BrokenPipeError), or the
        # stream was closed: nothing more can be said, and there is no
        # teardown left to try again and print a warning.
        code = code or 1
    os._exit(code)
