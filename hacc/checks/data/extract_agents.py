"""Extract Pacemaker resource/fence agent metadata into hacc's ``agents.json``.

Dev-time tool only: hacc ships the generated JSON, not the agents.  Sources:
``ocf:*`` agents from ``crm_resource --show-metadata ocf:PROVIDER:TYPE``
(Debian packages resource-agents, pacemaker-resource-agents,
pacemaker-cli-utils); ``stonith:*`` agents from the agent's own
``fence_X -o metadata`` (packages fence-agents, and fence-virt for
fence_xvm/fence_virt), preferred over Pacemaker's tools, which may add
Pacemaker-level ``pcmk_*`` parameters that belong to no agent.

Regenerate from the repository root (see AGENTS.md for versions)::

    apt-get install -y resource-agents pacemaker-resource-agents \\
        pacemaker-cli-utils fence-agents fence-virt
    python -m hacc.checks.data.extract_agents hacc/checks/data/agents.json

Without a path the JSON goes to stdout.  Agents that the installed packages
do not provide are skipped with a note on stderr.  Skipped in the shipped
file: none (Debian 12: resource-agents 1:4.12.0-2, pacemaker 2.1.5-1+deb12u1,
fence-agents 4.12.1-1 and fence-virt 4.12.1-1 provide every listed agent).

Recording rules: ``required``/``unique``/``reloadable`` from the ``"1"``
attributes; ``default`` exactly as written (``null`` when absent, ``""`` when
written empty); ``deprecated`` from fence-agents' ``deprecated="1"``, an
OCF 1.1 ``<deprecated/>`` child, or a description saying so.  ``replaced_with``
comes from fence-agents' ``obsoletes="OLD"`` on the new name, OCF 1.1
``<replaced-with name=.../>`` (first one), or a description naming another
parameter of the agent ("use X", "replaced by X"); it is recorded as written,
so it may name a parameter that is itself deprecated (follow the chain).
Actions keep all attributes as written; a repeated action name (``monitor``
per role/depth) becomes a list in document order.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from typing import Any

from lxml import etree

OCF_AGENTS: tuple[str, ...] = (
    *(f"ocf:heartbeat:{t}" for t in [
        "IPaddr2", "IPsrcaddr", "Filesystem", "apache", "nginx", "pgsql", "mysql",
        "LVM-activate", "nfsserver", "exportfs", "Dummy", "Route", "VirtualDomain",
        "iSCSITarget", "iSCSILogicalUnit", "portblock", "symlink", "ethmonitor", "redis",
        "podman", "docker", "galera", "rabbitmq-cluster", "MailTo", "SendArp", "Xinetd"]),
    *(f"ocf:pacemaker:{t}" for t in [
        "Dummy", "Stateful", "ping", "ClusterMon", "attribute", "remote", "HealthCPU",
        "SysInfo"]),
)
STONITH_AGENTS: tuple[str, ...] = tuple(f"stonith:{t}" for t in [
    "fence_ipmilan", "fence_apc_snmp", "fence_vmware_rest", "fence_vmware_soap", "fence_aws",
    "fence_azure_arm", "fence_gce", "fence_sbd", "fence_scsi", "fence_xvm", "fence_virt",
    "fence_kdump", "fence_redfish", "fence_ilo4", "fence_idrac", "fence_ipmilanplus",
    "fence_mpath", "fence_rhevm"])

# A shortdesc may say "(deprecated)" or "Replaced by X"; a longdesc counts only
# when explicit, since longdescs also mention deprecation of other things
# (IPaddr2's iflabel: "a label can be specified in nic ... but it is deprecated").
_SHORT_DEPRECATED = re.compile(r"\b(deprecated|obsolete)\b|^replaced (by|with)\b", re.IGNORECASE)
_LONG_DEPRECATED = re.compile(
    r"\b(this|the) (parameter|option) is (now )?(deprecated|obsolete)\b", re.IGNORECASE)
_REPLACEMENT = re.compile(
    r"\b(?:use|replaced (?:by|with))\s+['\"]?([A-Za-z_][\w-]*)", re.IGNORECASE)
_PARSER = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)


def fetch_metadata(agent: str) -> bytes:
    """Return the metadata XML of ``agent``; raise if it cannot be had."""
    if agent.startswith("stonith:"):
        search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
        exe = shutil.which(agent.split(":", 1)[1], path=search)
        if exe is None:
            raise FileNotFoundError("not installed")
        cmd = [exe, "-o", "metadata"]
    else:
        cmd = ["crm_resource", "--show-metadata", agent]
    proc = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        err = proc.stderr.decode(errors="replace").strip()[-300:]
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err}")
    return proc.stdout


def _text(el: etree._Element, tag: str) -> str:
    return " ".join((el.findtext(tag) or "").split())


def _parameter(p: etree._Element, names: set[str], successor: dict[str, str]) -> dict[str, Any]:
    name, content, dep = p.get("name", ""), p.find("content"), p.find("deprecated")
    short, long = _text(p, "shortdesc"), _text(p, "longdesc")
    entry: dict[str, Any] = {
        "required": p.get("required") == "1",
        "unique": p.get("unique") == "1",
        "type": None if content is None else content.get("type"),
        "default": None if content is None else content.get("default"),
        "deprecated": p.get("deprecated") == "1" or dep is not None
        or bool(_SHORT_DEPRECATED.search(short) or _LONG_DEPRECATED.search(long)),
    }
    if p.get("reloadable") == "1":
        entry["reloadable"] = True
    if p.get("unique-group"):
        entry["unique_group"] = p.get("unique-group")
    if p.get("obsoletes"):
        entry["obsoletes"] = p.get("obsoletes")
    values = [] if content is None else [o.get("value") for o in content.iterfind("option")]
    if values:
        entry["values"] = values
    replacement = successor.get(name)
    if replacement is None and dep is not None:
        replacement = str(dep.xpath("string(replaced-with[1]/@name)")) or None
    if replacement is None and entry["deprecated"]:
        found = [m.group(1) for m in _REPLACEMENT.finditer(f"{short} {long}")]
        replacement = next((n for n in found if n in names and n != name), None)
    if replacement:
        entry["replaced_with"] = replacement
    return entry


def convert(xml: bytes) -> dict[str, Any]:
    """Convert one agent's metadata XML to its agents.json entry."""
    root = etree.fromstring(xml, _PARSER)
    params = root.findall("parameters/parameter")
    names = {p.get("name", "") for p in params}
    # fence-agents pair <parameter name="ip" obsoletes="ipaddr"> with
    # <parameter name="ipaddr" deprecated="1">: map the old name to the new one.
    successor = {p.get("obsoletes", ""): p.get("name", "") for p in params if p.get("obsoletes")}
    actions: dict[str, Any] = {}
    for a in root.iterfind("actions/action"):
        attrs = {k: v for k, v in a.attrib.items() if k != "name"}
        name = a.get("name", "")
        prev = actions.get(name)
        if prev is None:
            actions[name] = attrs
        else:
            actions[name] = [*prev, attrs] if isinstance(prev, list) else [prev, attrs]
    return {"parameters": {p.get("name", ""): _parameter(p, names, successor) for p in params},
            "actions": actions}


def main(argv: list[str] | None = None) -> int:
    """Write the JSON for every agent in OCF_AGENTS and STONITH_AGENTS."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("output", nargs="?", help="write the JSON here instead of stdout")
    args = parser.parse_args(argv)
    entries: dict[str, Any] = {}
    for agent in [*OCF_AGENTS, *STONITH_AGENTS]:
        try:
            entries[agent] = convert(fetch_metadata(agent))
        except (OSError, RuntimeError, subprocess.TimeoutExpired, etree.XMLSyntaxError) as exc:
            print(f"skipped {agent}: {exc}", file=sys.stderr)
    text = json.dumps(entries, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
