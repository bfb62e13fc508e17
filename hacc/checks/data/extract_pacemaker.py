"""Extract Pacemaker's cluster options and the fencer's device parameters.

The daemons print their own option metadata; this script turns it into
`pacemaker-2.1.json` for the lint rules (unknown properties, typed values,
fencing parameters). Regenerate from the repository root on a machine with
Pacemaker installed (Debian 12: pacemaker 2.1.5):

    python -m hacc.checks.data.extract_pacemaker hacc/checks/data/pacemaker-2.1.json

Meta attributes have no metadata command in 2.1; they are listed by hand in
hacc/checks/pacemaker_vocabulary.py from "Pacemaker Explained".
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lxml import etree

DAEMONS = {
    "cluster_options": ("pacemaker-schedulerd", "pacemaker-controld", "pacemaker-based"),
    "fencing_parameters": ("pacemaker-fenced",),
}
LIBEXEC = Path("/usr/lib/pacemaker")


def _parameters(daemon: str) -> dict[str, dict]:
    xml = subprocess.run([str(LIBEXEC / daemon), "metadata"], capture_output=True, check=True).stdout
    out: dict[str, dict] = {}
    for parameter in etree.fromstring(xml).iter("parameter"):
        content = parameter.find("content")
        entry: dict = {
            "type": content.get("type") if content is not None else "string",
            "default": content.get("default") if content is not None else None,
        }
        options = [o.get("value") for o in (content if content is not None else [])]
        if options:
            entry["values"] = options
        text = " ".join(parameter.findtext(tag) or "" for tag in ("shortdesc", "longdesc")).lower()
        if parameter.get("advanced") == "1" or "advanced use only" in text:
            entry["advanced"] = True
        if "deprecated" in text:
            entry["deprecated"] = True
        out[parameter.get("name")] = entry
    return out


def extract() -> dict:
    version = subprocess.run(["crm_verify", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    data: dict = {"source": version.strip()}
    for key, daemons in DAEMONS.items():
        merged: dict[str, dict] = {}
        for daemon in daemons:
            for name, entry in _parameters(daemon).items():
                merged.setdefault(name, entry)
        data[key] = merged
    return data


def main() -> None:
    text = json.dumps(extract(), indent=2, sort_keys=True) + "\n"
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
