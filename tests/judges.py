"""Run the daemons' own checkers on generated files: the real judges.

Each checker needs the host to look like the node the file is for:
keepalived needs the interfaces the file names (veth pairs in a network
namespace), corosync needs the host name to be one of its nodes, the
keyfile it names and the directory of its log file (a private mount and UTS
namespace), and crm_verify needs a status section with every node online
and quorum (pacemaker-corosync.md section 3.3).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

TOOLS = {
    "haproxy": "haproxy",
    "keepalived": "keepalived",
    "crm_verify": "pacemaker-cli-utils",
    "crm_simulate": "pacemaker-cli-utils",
    "corosync": "corosync",
    "corosync-keygen": "corosync",
}


@dataclass
class Verdict:
    ok: bool
    output: str

    def __bool__(self) -> bool:
        return self.ok


def missing_tool(name: str) -> str | None:
    """Why the judge cannot run here, or None."""
    if shutil.which(name) is None and not Path(f"/usr/sbin/{name}").exists():
        return f"`{name}` is not installed (Debian package {TOOLS.get(name, name)})"
    if name in ("keepalived", "corosync") and os.geteuid() != 0:
        return f"checking with `{name}` needs root for network, mount and UTS namespaces"
    return None


def _run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


def haproxy(config: Path) -> Verdict:
    """`haproxy -dW -c`: exit 0 with no ALERT and no WARNING."""
    result = _run(["haproxy", "-dW", "-c", "-f", str(config)])
    output = result.stdout + result.stderr
    clean = result.returncode == 0 and "[WARNING]" not in output and "[ALERT]" not in output
    return Verdict(clean, output)


def keepalived_interfaces(config_text: str) -> set[str]:
    """Every interface a keepalived.conf names."""
    names = set(re.findall(r"^\s*interface\s+(\S+)", config_text, re.M))
    names |= set(re.findall(r"\bdev\s+(\S+)", config_text))
    for block in re.findall(r"track_interface\s*\{([^}]*)\}", config_text):
        names |= {line.split()[0] for line in block.splitlines() if line.strip()}
    return names


def keepalived_users(config_text: str) -> set[str]:
    """The users a keepalived.conf runs scripts as."""
    users = set(re.findall(r"^\s*script_user\s+(\S+)", config_text, re.M))
    users |= set(re.findall(r"^\s*user\s+(\S+)", config_text, re.M))
    return users


def _passwd_with(users: set[str], directory: Path) -> tuple[Path, Path]:
    """Copies of /etc/passwd and /etc/group that also hold `users`, as the
    node the file is for would."""
    passwd = Path("/etc/passwd").read_text()
    group = Path("/etc/group").read_text()
    known = {line.split(":")[0] for line in passwd.splitlines() if line}
    for index, user in enumerate(sorted(users - known)):
        uid = 64000 + index
        passwd += f"{user}:x:{uid}:{uid}::/nonexistent:/usr/sbin/nologin\n"
        group += f"{user}:x:{uid}:\n"
    (directory / "passwd").write_text(passwd)
    (directory / "group").write_text(group)
    return directory / "passwd", directory / "group"


def keepalived(config: Path) -> Verdict:
    """`keepalived -t` in a network namespace holding the interfaces the
    file names, with the script users it names present."""
    namespace = f"hacc-{uuid.uuid4().hex[:10]}"
    text = config.read_text()
    interfaces = sorted(keepalived_interfaces(text))
    with tempfile.TemporaryDirectory() as tmp:
        passwd, group = _passwd_with(keepalived_users(text), Path(tmp))
        script = "\n".join([
            "set -e",
            f"mount --bind {passwd} /etc/passwd",
            f"mount --bind {group} /etc/group",
            f"exec keepalived -t -l -f {config.resolve()}",
        ])
        try:
            _check(_run(["ip", "netns", "add", namespace]))
            for index, name in enumerate(interfaces):
                _check(_run(["ip", "-n", namespace, "link", "add", name, "type", "veth", "peer", "name", f"hp{index}"]))
                _check(_run(["ip", "-n", namespace, "link", "set", name, "up"]))
            result = _run(["ip", "netns", "exec", namespace, "unshare", "--mount", "sh", "-c", script])
            return Verdict(result.returncode == 0, result.stdout + result.stderr)
        finally:
            _run(["ip", "netns", "del", namespace])


def _check(result: subprocess.CompletedProcess) -> None:
    if result.returncode != 0:
        raise RuntimeError(f"test host setup failed: {result.args}: {result.stderr}")


def online_cib(cib_xml: bytes) -> bytes:
    """A copy of the CIB whose status has every node online, and quorum."""
    from lxml import etree

    root = etree.fromstring(cib_xml)
    root.set("have-quorum", "1")
    status = root.find("status")
    for node in root.find("configuration/nodes"):
        state = etree.SubElement(status, "node_state")
        for key, value in (("id", node.get("id")), ("uname", node.get("uname")), ("in_ccm", "true"),
                           ("crmd", "online"), ("join", "member"), ("expected", "member")):
            state.set(key, value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def crm_verify(cib: Path) -> Verdict:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "cib.xml"
        copy.write_bytes(online_cib(cib.read_bytes()))
        result = _run(["crm_verify", "-V", "--xml-file", str(copy)])
        return Verdict(result.returncode == 0, result.stdout + result.stderr)


def crm_simulate(cib: Path) -> Verdict:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "cib.xml"
        copy.write_bytes(online_cib(cib.read_bytes()))
        result = _run(["crm_simulate", "-x", str(copy), "-R"])
        return Verdict(result.returncode == 0, result.stdout + result.stderr)


def corosync(config: Path, node: str) -> Verdict:
    """`corosync -t` as node `node`: its host name, the keyfile the config
    names, and the directory of its log file exist, in private mount and
    UTS namespaces so the test host is left untouched."""
    text = config.read_text()
    keyfile = re.search(r"^\s*keyfile:\s*(\S+)", text, re.M)
    logfile = re.search(r"^\s*logfile:\s*(\S+)", text, re.M)
    with tempfile.TemporaryDirectory() as tmp:
        script = ["set -e"]
        if keyfile:
            key = Path(tmp) / "authkey"
            _check(_run(["corosync-keygen", "-k", str(key)]))
            key_dir = os.path.dirname(keyfile.group(1))
            script += [f"mkdir -p {key_dir}", f"mount -t tmpfs hacc {key_dir}", f"cp {key} {keyfile.group(1)}"]
        if logfile:
            log_dir = os.path.dirname(logfile.group(1))
            top = "/" + log_dir.strip("/").split("/")[0] + "/" + log_dir.strip("/").split("/")[1] if log_dir.count("/") > 1 else log_dir
            script += [f"mkdir -p {top}", f"mount -t tmpfs hacc {top}", f"mkdir -p {log_dir}"]
        script += [f"hostname {node}", f"exec corosync -t -c {config.resolve()}"]
        result = _run(["unshare", "--mount", "--uts", "sh", "-c", "\n".join(script)])
        return Verdict(result.returncode == 0, result.stdout + result.stderr)
