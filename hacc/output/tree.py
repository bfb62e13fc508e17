"""Write the output tree atomically.

The new tree is built in a temporary directory beside the target, every file
fsync'ed, then swapped in with one `renameat2(RENAME_EXCHANGE)`: at every
instant `out/` is either the complete old tree or the complete new one. On
systems without renameat2 the swap falls back to two renames, with a window
of microseconds in which `out/` is absent (never half-written).
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
from pathlib import Path

from hacc.emit.context import Output
from hacc.output.manifest import MANIFEST, is_hacc_output

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class OutputError(Exception):
    """The output directory cannot be written (not a diagnostic of the input)."""


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(root: Path, output: Output) -> None:
    target = root / output.path
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, output.mode)
    try:
        os.fchmod(fd, output.mode)  # the umask must not loosen or tighten it
        for part in output.parts:
            view = memoryview(part)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        _test_delay()
        os.fsync(fd)
    finally:
        os.close(fd)


def _test_delay() -> None:
    """Tests slow writes down to kill a build in the middle (see
    tests/test_crash_safety.py); unset in normal use."""
    delay = os.environ.get("HACC_TEST_WRITE_DELAY")
    if delay:
        import time

        time.sleep(float(delay))


def _clean_leftovers(out: Path) -> None:
    """Remove temporary trees of builds that were killed."""
    for entry in out.parent.glob(f".{out.name}.hacc-*"):
        pid = entry.name.rsplit("-", 1)[-1]
        if pid.isascii() and pid.isdigit() and _alive(int(pid)):
            continue
        shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _directories(root: Path, outputs: list[Output]) -> list[Path]:
    """Every directory of the tree, deepest first (the order to fsync)."""
    found = {root}
    for output in outputs:
        parent = (root / output.path).parent
        while parent != root:
            found.add(parent)
            parent = parent.parent
    return sorted(found, key=lambda p: (-len(p.parts), str(p)))


def write_tree(out: Path, outputs: list[Output]) -> None:
    out = out.absolute()
    if out.exists() and not out.is_dir():
        raise OutputError(f"`{out}` exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not is_hacc_output(out):
        raise OutputError(f"`{out}` is not empty and holds no hacc {MANIFEST}; refusing to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(out)
    staging = out.parent / f".{out.name}.hacc-new-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(mode=0o755)
    try:
        os.chmod(staging, 0o755)
        directories = _directories(staging, outputs)
        for directory in reversed(directories[:-1]):  # parents first; the last is staging itself
            directory.mkdir(mode=0o755)
            os.chmod(directory, 0o755)  # as for files: the tree must not depend on the umask
        for output in outputs:
            _write_file(staging, output)
        for directory in directories:
            _fsync_dir(directory)
        if out.exists():
            if not _exchange(staging, out):
                retired = out.parent / f".{out.name}.hacc-old-{os.getpid()}"
                os.rename(out, retired)
                os.rename(staging, out)
                staging = retired
        else:
            os.rename(staging, out)
        _fsync_dir(out.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def compare_tree(out: Path, outputs: list[Output]) -> list[str]:
    """Differences between `out` and what would be written, one line each;
    empty when `out` is up to date. Reads only.

    Files built without a secret's value (`unresolved`) cannot be compared
    byte for byte; they are up to date when the file on disk is the one the
    manifest recorded and the manifest was built from the same sources by
    the same hacc version. So `--check` works without the secrets.
    """
    import hashlib
    import json

    problems = []
    expected = {o.path: o for o in outputs}
    recorded = _recorded_manifest(out)
    unresolved = [o for o in outputs if o.unresolved]
    for path, output in expected.items():
        target = out / path
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            problems.append(f"missing: {path}")
            continue
        except OSError as exc:
            problems.append(f"unreadable: {path} ({exc.strerror})")
            continue
        if output.unresolved:
            entry = recorded.get("files", {}).get(path) if recorded else None
            if entry is None or entry["sha256"] != hashlib.sha256(data).hexdigest():
                problems.append(f"differs: {path} (edited since it was built)")
        elif path == MANIFEST and unresolved:
            if not _same_build(recorded, json.loads(output.content), {o.path for o in unresolved}):
                problems.append(f"differs: {path}")
        elif data != output.content:
            problems.append(f"differs: {path}")
        if (target.stat().st_mode & 0o777) != output.mode:
            problems.append(f"mode differs: {path} (expected {output.mode:04o})")
    if out.is_dir():
        for target in sorted(out.rglob("*")):
            relative = target.relative_to(out).as_posix()
            if target.is_file() and relative not in expected:
                problems.append(f"not generated: {relative}")
    return problems


def _recorded_manifest(out: Path) -> dict | None:
    import json

    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    data["files"] = {entry["path"]: entry for entry in data.get("files", [])}
    return data


def _same_build(recorded: dict | None, built: dict, unresolved: set[str]) -> bool:
    """The manifest on disk describes this build, apart from the hashes of
    the files whose secrets were not available."""
    if recorded is None:
        return False
    for key in ("generator", "version", "cluster", "sources"):
        if recorded.get(key) != built.get(key):
            return False
    files = {entry["path"]: entry for entry in built["files"]}
    if set(files) != set(recorded["files"]):
        return False
    for path, entry in files.items():
        old = recorded["files"][path]
        same = {k: v for k, v in entry.items() if k != "sha256"} == {k: v for k, v in old.items() if k != "sha256"}
        if not same or (path not in unresolved and entry["sha256"] != old["sha256"]):
            return False
    return True
