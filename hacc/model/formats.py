"""The custom JSON Schema formats hacc checks (`"format": "duration"` ...).

Each checker raises ValueError with a message in the user's terms; schema
validation shows that message at the value's span. The same checks apply to
`.ha` and `.json` input because both are validated as JSON.
"""

from __future__ import annotations

import ipaddress
import re

from hacc.model.values import Duration, Endpoint

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}\Z")
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,127}\Z")
_INTERFACE = re.compile(r"[A-Za-z0-9_.-]{1,15}\Z")
_PATH = re.compile(r"/[A-Za-z0-9_./@+:,-]*\Z")
_SCORE = re.compile(r"[+-]?([0-9]{1,9}|INFINITY)\Z")
_AGENT = re.compile(
    r"(ocf:[A-Za-z0-9_.-]+:[A-Za-z0-9_.+-]+"
    r"|stonith:[A-Za-z0-9_.+-]+"
    r"|(systemd|service|lsb):[A-Za-z0-9_.@+-]+)\Z"
)
# Control characters, the invisible bidirectional controls and the line and
# paragraph separators: no output format can carry them safely, and they make
# text read differently (an editor shows U+2028 as a line break). Lone
# surrogates (only JSON input can hold them) cannot be written as UTF-8, and
# U+FFFE/U+FFFF are not XML characters.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
                      "\u2028\u2029\ud800-\udfff\ufffe\uffff]")
# Characters keepalived interprets inside a quoted command (lib/parser.c):
# comments (#, !), parameter substitution ($), quotes and escapes, and the
# braces that open and close its blocks.
_COMMAND_FORBIDDEN = re.compile("[\"'\\\\$#!{}]")
MAX_TEXT = 4096


def _describe_char(char: str) -> str:
    return {"\n": "a newline", "\r": "a carriage return", "\t": "a tab", "\x00": "a NUL byte"}.get(
        char, f"the character U+{ord(char):04X}"
    )


def check_text(value: str) -> None:
    bad = _CONTROL.search(value)
    if bad:
        raise ValueError(f"text contains {_describe_char(bad.group())}")
    if len(value) > MAX_TEXT:
        raise ValueError(f"text is {len(value)} characters long; at most {MAX_TEXT} are allowed")


def check_name(value: str) -> None:
    if not _NAME.match(value):
        raise ValueError(f"`{_short(value)}` is not a valid name")


def check_id(value: str) -> None:
    if not _ID.match(value):
        raise ValueError(f"`{_short(value)}` is not a valid Pacemaker id")


def check_interface(value: str) -> None:
    if not _INTERFACE.match(value) or value in (".", ".."):
        raise ValueError(f"`{_short(value)}` is not a valid interface name")


# corosync reads its file in 512-byte lines and keepalived in 1024-byte ones;
# a longer line is split and its tail parsed as a new directive, so values
# that can be long are capped well below those limits.
MAX_PATH = 255
MAX_COMMAND = 900


def check_path(value: str) -> None:
    if not _PATH.match(value) or "/../" in value + "/":
        raise ValueError(f"`{_short(value)}` is not a safe absolute path")
    if len(value) > MAX_PATH:
        raise ValueError(f"the path is {len(value)} characters long; at most {MAX_PATH} are allowed")


def check_duration(value: str) -> None:
    Duration.parse(value)


def check_ip_address(value: str) -> None:
    if "%" in value:
        raise ValueError(f"`{_short(value)}`: zone ids (`%`) are not supported")
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ValueError(f"`{_short(value)}` is not an IP address") from None


def check_ip_interface(value: str) -> None:
    if "%" in value:
        raise ValueError(f"`{_short(value)}`: zone ids (`%`) are not supported")
    try:
        ipaddress.ip_interface(value)
    except ValueError:
        raise ValueError(f"`{_short(value)}` is not an IP address with a prefix length") from None


def check_endpoint(value: str) -> None:
    if "%" in value:
        # An IPv6 zone id may hold any character, blanks included.
        raise ValueError(f"`{_short(value)}`: zone ids (`%`) are not supported")
    try:
        endpoint = Endpoint.parse(value)
    except ValueError as exc:
        raise ValueError(str(exc) if str(exc).startswith("`") or "port" in str(exc) else f"`{_short(value)}` is not an address:port") from None
    if endpoint.host is not None and endpoint.ip is None and "$" in value:
        raise ValueError(f"`{_short(value)}` contains `$`")


def check_host(value: str) -> None:
    if "%" in value:
        raise ValueError(f"`{_short(value)}`: zone ids (`%`) are not supported")
    try:
        endpoint = Endpoint.parse(value)
    except ValueError:
        raise ValueError(f"`{_short(value)}` is neither an IP address nor a host name") from None
    if endpoint.port is not None or endpoint.host is None:
        raise ValueError(f"`{_short(value)}` is not a host name")


def check_agent(value: str) -> None:
    if not _AGENT.match(value):
        raise ValueError(f"`{_short(value)}` is not a resource agent")


def check_score(value: str) -> None:
    if not _SCORE.match(value):
        raise ValueError(f"`{_short(value)}` is not a score")


def check_command(value: str) -> None:
    check_text(value)
    bad = _COMMAND_FORBIDDEN.search(value)
    if bad:
        raise ValueError(f"the command contains `{bad.group()}`, which keepalived would interpret")
    if not value.strip():
        raise ValueError("the command is empty")
    size = len(value.encode())
    if size > MAX_COMMAND:
        raise ValueError(f"the command is {size} bytes long in UTF-8; keepalived splits lines over 1023 bytes, so at most {MAX_COMMAND} are allowed")


def _short(value: str) -> str:
    value = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", value)
    return value if len(value) <= 60 else value[:57] + "..."


CHECKERS = {
    "text": check_text,
    "name": check_name,
    "id": check_id,
    "interface": check_interface,
    "path": check_path,
    "duration": check_duration,
    "ip-address": check_ip_address,
    "ip-interface": check_ip_interface,
    "endpoint": check_endpoint,
    "host": check_host,
    "agent": check_agent,
    "score": check_score,
    "command": check_command,
}
