"""What hacc knows about Pacemaker's names, for the rules that check them.

Cluster options and fencing parameters come from Pacemaker's own metadata
(data/pacemaker-2.1.json, see data/extract_pacemaker.py); agent parameters
and advised timeouts from the agents' metadata (data/agents.json, see
data/AGENTS.md). Meta attributes have no metadata command in Pacemaker 2.1
and are listed here from "Pacemaker Explained" (2.1), chapters "Resource
Meta-Attributes", "Clone Options" and "Operation Properties".
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data"

PRIMITIVE_META = frozenset(
    "priority critical target-role is-managed maintenance resource-stickiness requires migration-threshold "
    "failure-timeout multiple-active allow-migrate allow-unhealthy-nodes container-attribute-target "
    "remote-node remote-port remote-addr remote-connect-timeout remote-allow-migrate description".split()
)
CLONE_META = frozenset(
    "globally-unique clone-max clone-node-max clone-min notify ordered interleave promotable "
    "promoted-max promoted-node-max master-max master-node-max".split()
)
OP_DEFAULTS = frozenset("timeout interval record-pending on-fail requires enabled role start-delay interval-origin".split())

# Pacemaker 3.0.2 renamed the stonith-* cluster options (ChangeLog 3.0.2).
FENCING_RENAMES = {
    "stonith-enabled": "fencing-enabled",
    "stonith-timeout": "fencing-timeout",
    "stonith-action": "fencing-action",
    "stonith-watchdog-timeout": "fencing-watchdog-timeout",
    "stonith-max-attempts": "fencing-max-attempts",
}
# Master/Slave became Promoted/Unpromoted in Pacemaker 2.1 (deprecated) and
# were removed in 3.0.
ROLE_RENAMES = {"Master": "Promoted", "Slave": "Unpromoted"}
META_RENAMES = {"master-max": "promoted-max", "master-node-max": "promoted-node-max"}
DEFAULT_OP_TIMEOUT_MS = 20_000


@functools.lru_cache(maxsize=1)
def pacemaker_options() -> dict:
    return json.loads((_DATA / "pacemaker-2.1.json").read_text(encoding="utf-8"))


def cluster_options(target: tuple[int, ...]) -> dict[str, dict]:
    """Cluster option name -> metadata, for the target Pacemaker."""
    options = dict(pacemaker_options()["cluster_options"])
    if target >= (3, 0, 2):
        for old, new in FENCING_RENAMES.items():
            if old in options:
                options[new] = options[old]
    return options


def fencing_parameters() -> dict[str, dict]:
    """The pcmk_* parameters every fence device accepts (pacemaker-fenced)."""
    return pacemaker_options()["fencing_parameters"]


@functools.lru_cache(maxsize=1)
def _agents() -> dict:
    return json.loads((_DATA / "agents.json").read_text(encoding="utf-8"))


def agent(name: str) -> dict | None:
    """The metadata of `ocf:heartbeat:IPaddr2` and friends, if hacc ships it."""
    return _agents().get(name)


def parameter_aliases(metadata: dict) -> dict[str, set[str]]:
    """Parameter -> the names that mean the same (fence agents keep old
    names such as `ipaddr` for `ip`, each with its own `required` flag)."""
    aliases: dict[str, set[str]] = {name: {name} for name in metadata["parameters"]}
    for name, entry in metadata["parameters"].items():
        for other in (entry.get("obsoletes"), entry.get("replaced_with")):
            if other and other in aliases:
                group = aliases[name] | aliases[other]
                for member in group:
                    aliases[member] = group
    return aliases


def advised_timeouts(metadata: dict) -> dict[str, int]:
    """Action -> the longest timeout the agent advises, in ms."""
    from hacc.model.values import Duration

    out: dict[str, int] = {}
    for action, entries in metadata.get("actions", {}).items():
        for entry in entries if isinstance(entries, list) else [entries]:
            # Deeper monitors (OCF_CHECK_LEVEL > 0) advise longer timeouts
            # for checks a plain monitor does not run.
            if entry.get("depth") not in (None, "0"):
                continue
            timeout = entry.get("timeout")
            if not timeout:
                continue
            text = timeout if not timeout.isdigit() else timeout + "s"
            try:
                ms = Duration.parse(text).ms
            except ValueError:
                continue
            out[action] = max(out.get(action, 0), ms)
    return out
