"""The daemon versions a cluster description is compiled for.

Rules and emitters consult these so advice never contradicts the daemon that
will read the file: Pacemaker 3.0 renamed Master/Slave to Promoted/Unpromoted
for good and 3.0.2 renamed the stonith-* options to fencing-*, and a CIB for
Pacemaker 3 needs a schema Pacemaker 2.1 would refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Version = tuple[int, ...]

DEFAULTS: dict[str, Version] = {
    "corosync": (3, 1),
    "pacemaker": (2, 1),
    "keepalived": (2, 2),
    "haproxy": (2, 6),
}

# The versions hacc knows how to advise on; anything else is refused so a
# typo (`pacemaker = "21"`) cannot silently select the wrong advice.
SUPPORTED: dict[str, tuple[Version, Version]] = {
    "corosync": ((3, 0), (3, 99)),
    "pacemaker": ((2, 1), (3, 99)),
    "keepalived": ((2, 0), (2, 99)),
    "haproxy": ((2, 2), (3, 99)),
}

_VERSION = re.compile(r"[0-9]+(\.[0-9]+){0,2}\Z")


def parse_version(text: str) -> Version:
    if not _VERSION.match(text):
        raise ValueError(f"`{text}` is not a version such as `2.1` or `3.0.2`")
    return tuple(int(part) for part in text.split("."))


def show(version: Version) -> str:
    return ".".join(str(part) for part in version)


@dataclass(frozen=True)
class Targets:
    """The daemon versions the output is written for."""

    versions: dict[str, Version] = field(default_factory=lambda: dict(DEFAULTS))

    def __getattr__(self, daemon: str) -> Version:
        try:
            return self.__dict__["versions"][daemon]
        except KeyError:
            raise AttributeError(daemon) from None

    def with_version(self, daemon: str, text: str) -> Targets:
        """A copy with one daemon's version set; ValueError if unknown."""
        if daemon not in DEFAULTS:
            raise ValueError(f"unknown daemon `{daemon}`: targets are {', '.join(DEFAULTS)}")
        version = parse_version(text)
        low, high = SUPPORTED[daemon]
        if not low <= version <= high:
            raise ValueError(f"{daemon} {text} is not supported: hacc targets {daemon} {show(low)} to {high[0]}.x")
        versions = dict(self.versions)
        versions[daemon] = version
        return Targets(versions)

    def describe(self) -> str:
        return ", ".join(f"{daemon} {show(version)}" for daemon, version in self.versions.items())


DEFAULT_TARGETS = Targets()
