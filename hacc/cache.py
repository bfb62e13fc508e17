"""Generated Python modules kept between runs, to make start-up cheap.

Two things hacc needs on every run are expensive to make and never change
for a given install: the LALR tables Lark computes from grammar/hacc.lark,
and the validator fastjsonschema compiles from the schema. Each is written
once as a plain Python module into the user's cache directory
($HACC_CACHE_DIR, else $XDG_CACHE_HOME/hacc, else ~/.cache/hacc), under a
name that hashes everything it was made from, and imported from there on
later runs. A missing, read-only or damaged cache is never an error: the
caller builds the object in memory, as it would without a cache.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType


def key(*parts: bytes | str) -> str:
    """A short name-safe digest of everything a generated module depends on.

    The 64-bit keyed hash the interpreter uses to tell whether a hash-based
    .pyc still matches its source (importlib.util.source_hash): as strong
    as a cache key needs, and unlike hashlib it loads no OpenSSL, a few
    milliseconds of every start-up."""
    joined = b"\0".join(part.encode() if isinstance(part, str) else part for part in parts)
    return importlib.util.source_hash(joined).hex()


def directory() -> Path | None:
    """The cache directory, created if need be; None when there is none hacc
    may use. hacc imports the modules it finds there, so, as ssh does with
    its keys, it uses only a directory that is the user's own and that no
    one else can write to: a cache in a shared /tmp would let another user
    plant code."""
    try:
        explicit = os.environ.get("HACC_CACHE_DIR")
        if explicit:
            base = Path(explicit)
        else:
            base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hacc"
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = base.stat()
    except (OSError, RuntimeError, KeyError):  # no home directory, read-only file system
        return None
    if status.st_uid != os.getuid() or status.st_mode & 0o022:
        return None
    return base if os.access(base, os.W_OK | os.X_OK) else None


def load(name: str, generate) -> ModuleType | None:
    """The cached module `name`, written first from `generate()` (source text)
    when it is not there yet; None when there is no usable cache."""
    base = directory()
    if base is None:
        return None
    path = base / f"{name}.py"
    if not path.is_file():
        try:
            source = generate()
        except Exception:  # noqa: BLE001 - the caller falls back to building in memory
            return None
        if not _write(path, source):
            return None
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except Exception:  # noqa: BLE001 - a damaged cache file: remove it, build in memory this time
        try:
            path.unlink()
        except OSError:
            pass
        return None
    return module


def _write(path: Path, source: str) -> bool:
    from hacc.output.atomic import write_atomically

    try:
        write_atomically(path, source.encode("utf-8"), mode=0o644)
    except (OSError, ValueError):
        return False
    return True
