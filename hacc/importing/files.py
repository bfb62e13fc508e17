"""The files an import reads, and the nodes they belong to.

`Files` reads each file once, safely (HA003 for a missing, unreadable, huge
or non-UTF-8 file), and registers its text so diagnostics can show the
original line. `NodeTable` is the cluster's node list as the layers learn
it: the nodes named on the command line first, in order, then any node a
file names that the command line did not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hacc.diagnostics.model import Span
from hacc.importing.log import ImportLog
from hacc.source.files import UNREADABLE, SourceMap, read_source


@dataclass(frozen=True)
class Source:
    """One file's text, with the name diagnostics show for it."""

    display: str
    path: Path
    text: str

    def span(self, line: int = 1, col: int = 1, end_col: int | None = None) -> Span:
        return Span(self.display, line, col, line, end_col if end_col is not None else col + 1)


# A 16 MiB file of one-character lines is 8 million lines; each line a
# reader keeps costs hundreds of bytes and most would become a diagnostic:
# gigabytes. One import reads at most this many lines (or XML elements, for
# a CIB on one line), across all its files, far more than real ones hold.
MAX_LINES = 200_000


class Files:
    def __init__(self, log: ImportLog, sources: SourceMap | None = None) -> None:
        self.log = log
        self.sources = sources if sources is not None else SourceMap()
        self._read: dict[Path, Source] = {}
        self.lines_left = MAX_LINES

    def read(self, path: Path, display: str | None = None, via: Span | None = None) -> Source | None:
        """The file's text, or None after reporting why it cannot be read.
        `via` is the span that named the file (an include), for the report."""
        path = Path(path)
        key = path.resolve()
        if key in self._read:
            return self._read[key]
        display = display or str(path)
        text, problem = read_source(path, display, via)
        if problem:
            self.log.diagnostics.append(problem)
            return None
        lines = max(text.count("\n"), text.count("<") // 2)
        if lines > self.lines_left:
            self.log.diagnostics.append(UNREADABLE.at(
                via or Span.point(display),
                f"`{display}` holds {lines:,} lines (or XML elements): one import reads at most {MAX_LINES:,} "
                "in all its files",
                help="check that this is the right file; import the nodes' files in smaller groups"))
            return None
        self.lines_left -= lines
        self.sources.add(display, text)
        source = Source(display, path, text)
        self._read[key] = source
        return source


class NodeTable:
    """Node name -> the node's JSON object, in cluster order."""

    def __init__(self, names: list[str] | tuple[str, ...] = ()) -> None:
        self._nodes: dict[str, dict] = {}
        self._index: dict[str, int] = {}  # so index() is O(1): a corosync.conf may list 100,000 nodes
        for name in names:
            self.add(name)

    def add(self, name: str) -> dict:
        """The node called `name`, appended if it is new."""
        if name not in self._nodes:
            self._index[name] = len(self._nodes)
            self._nodes[name] = {"name": name}
        return self._nodes[name]

    def get(self, name: str) -> dict | None:
        return self._nodes.get(name)

    def index(self, name: str) -> int:
        try:
            return self._index[name]
        except KeyError:
            raise ValueError(f"{name!r} is not a node") from None

    def path(self, name: str, *more) -> tuple:
        """The JSON path of node `name` (or of one of its fields)."""
        return ("nodes", self.index(name), *more)

    @property
    def names(self) -> list[str]:
        return list(self._nodes)

    def __contains__(self, name: str) -> bool:
        return name in self._nodes

    def __iter__(self):
        return iter(self._nodes.values())

    def __len__(self) -> int:
        return len(self._nodes)

    def as_list(self) -> list[dict]:
        return list(self._nodes.values())
