"""No value can smuggle a directive into a generated file.

Every place a user value reaches an output gets an adversarial corpus
(`CORPUS`: line ends, `{ } ; # !`, quotes and backslashes, NUL, C0, DEL and
C1 controls, values past keepalived's 1024-byte and corosync's 512-byte line
buffers (in bytes: CJK counts three), non-ASCII, bidi, separator and
zero-width characters, leading dashes, `$VAR`, `%`, `@`, `secret:` ...).
The places (`Site`s) are grouped into cluster files (`Batch`es), one value
per site and slot, so a few builds cover everything: the CIB's attribute
values, haproxy words (passthrough arguments, ACLs, conditions, bind and
server options, userlist passwords, stick-table fields, resolvers and peers
directives), keepalived commands (scripts, notify, sync groups, MISC_CHECK),
passwords, LVS fields and labels, every kind of name and interface, the
corosync values a cluster holds once, and secret values (resolved through
SecretStore, where a value may even be a lone surrogate). Values are written
into `.ha` files as quoted strings with escapes; the JSON form carries what
`.ha` cannot (lone surrogates, keys, a final newline after a pattern).

Each value must end one of two ways:

- refused: an error whose code is the site's, with a help text, whose span
  starts exactly at the value in the source; rendered (text and concise) it
  shows no raw control, format or separator character. A refused value alone
  in an otherwise valid file makes `hacc build` exit 1, print where, and not
  create the output directory.
- accepted: the batch is built twice, with the hostile values and with plain
  placeholders (`pvhq`) in the same places, and every output of both builds
  is read back with the daemon's own rules (hacc.importing.readers:
  haproxy's parse_line, keepalived's read_line and its re-reading of
  commands, corosync's coroparse; lxml for the CIB). The readers must report
  nothing, both readings must have the same sections, directives and words,
  and each word that held a placeholder must hold exactly the hostile value:
  no extra line or word, no comment cut, no variable expanded.

Which values are refused is stated independently of hacc (`text`,
`command`, `name`... below, from docs/language.md), so a value wrongly
refused fails as surely as one that breaks out. The real checkers
(tests/judges.py: crm_verify, haproxy -c, keepalived -t, corosync -t) run on
the files holding the accepted values, one per output type. Beyond the
corpus: raw (unescaped) characters in the source, hostile names of the
source file itself (they reach every header comment), and Hypothesis
(derandomized, 300 examples each) on the two quoting rules, haproxy words
and keepalived commands.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import judges
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hacc.diagnostics.model import Severity
from hacc.diagnostics.render import render_concise, render_text
from hacc.emit import emit_all
from hacc.emit.secrets import SecretStore
from hacc.pipeline import compile_file

# -- the corpus -------------------------------------------------------------------

CORPUS = {
    "newline": "a\nb",
    "carriage-return": "a\rb",
    "crlf-end": "ab\r\n",
    "trailing-newline": "ab\n",
    "open-brace": "a{b",
    "close-brace": "}b",
    "braces": "{a}",
    "semicolon": "a;b",
    "hash": "a#b",
    "hash-first": "#a",
    "bang": "a!b",
    "single-quote": "it's",
    "double-quote": 'a"b',
    "backslash": "a\\b",
    "trailing-backslash": "ab\\",
    "quote-soup": "it's \"x\" \\ #1 !2",
    "nul": "a\x00b",
    "soh": "a\x01b",
    "tab": "a\tb",
    "vertical-tab": "a\x0bb",
    "form-feed": "a\x0cb",
    "escape-sequence": "a\x1b[2Jb",
    "del": "a\x7fb",
    "c1-nel": "a\x85b",
    "c1-csi": "a\x9b2Jb",
    "long-corosync": "c" * 600,
    "long-keepalived": "k" * 1100,
    "long-text": "t" * 5000,
    "long-cjk": "\u5b57" * 400,  # 400 characters, 1200 bytes
    "e-acute": "caf\u00e9",
    "cjk": "\u4e2d\u6587",
    "emoji": "\U0001f600",
    "rlm": "a\u200fb",
    "rlo": "a\u202eb",
    "lri": "a\u2066b",
    "arabic-mark": "a\u061cb",
    "zero-width-space": "a\u200bb",
    "zero-width-joiner": "a\u200db",
    "bom": "\ufeffab",
    "line-separator": "a\u2028b",
    "paragraph-separator": "a\u2029b",
    "nbsp": "a\u00a0b",
    "noncharacter": "a\ufffeb",
    "dash": "-x",
    "double-dash": "--x",
    "xml-comment": "a--b",
    "space": "a b",
    "edge-spaces": " a ",
    "dollar-var": "$HOME",
    "dollar-braces": "${HOME}",
    "percent": "%[src]",
    "at-host": "@n1 x",
    "secret-prefix": "secret:FOO",
    "colon": "a: b",
    "xml": "<a>&amp;'",
    "dotted": "a.b-c_1",
}
# Only the JSON form can hold a lone surrogate (`\ud800`); `.ha` escapes refuse one.
JSON_ONLY = {"surrogate": "a\ud800b"}
# A secret from the environment may hold bytes that are not UTF-8 (Python
# reads them as U+DC80..U+DCFF).
SECRET_ONLY = dict(JSON_ONLY, undecodable="a\udcffb")

# -- what each kind of position accepts (docs/language.md, independently of hacc) --

_INVISIBLE = set("\u200e\u200f\u061c\u2028\u2029\ufffe\uffff") | {chr(c) for c in range(0x202A, 0x202F)} \
    | {chr(c) for c in range(0x2066, 0x206A)}


def _clean(value: str) -> bool:
    """No control character, bidi control, line or paragraph separator,
    surrogate or non-character."""
    return not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in _INVISIBLE or 0xD800 <= ord(c) <= 0xDFFF
                   for c in value)


def text(value: str) -> bool:
    return _clean(value) and 1 <= len(value) <= 4096


def command(value: str) -> bool:
    return text(value) and not set(value) & set("\"'\\$#!{}") and len(value.encode()) <= 900


def secret_value(value: str) -> bool:
    """What a secret may hold anywhere: no control characters, separators,
    surrogates or non-characters (bidi controls are not shown, so allowed)."""
    return bool(value) and not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029\ufffe\uffff"
                                   or 0xD800 <= ord(c) <= 0xDFFF for c in value)


def vrrp_password(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9%&()*+,./:;<=>?@\[\]^_`|~-]{1,8}", value) is not None


def name(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}", value) is not None


def pacemaker_id(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]{0,127}", value) is not None


def interface(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_.-]{1,15}", value) is not None and value not in (".", "..")


def path(value: str) -> bool:
    return re.fullmatch(r"/[A-Za-z0-9_./@+:,-]*", value) is not None and "/../" not in value + "/" and len(value) <= 255


def url_path(value: str) -> bool:
    return re.fullmatch(r"/[!-~]{0,511}", value) is not None and not set(value) & set("\"#!$\\{};")


def host(value: str) -> bool:
    label = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    return re.fullmatch(rf"{label}(\.{label})*\.?", value) is not None and len(value) <= 253 \
        and not re.fullmatch(r"[0-9.]+", value)


def vip_label(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_.-]{1,15}:[A-Za-z0-9_.-]{1,14}", value) is not None


# -- writing values into sources, and finding them again -------------------------------

MARKER = re.compile(r"@@(\d+)@@")


def placeholder(n: int) -> str:
    """A plain word every position accepts (letters only: `pvbhq` for 17)."""
    return "pv" + "".join(chr(ord("a") + int(digit)) for digit in str(n)) + "q"


def ha_string(value: str) -> str:
    """`value` as a `.ha` quoted string (hacc/parse/strings.py escapes)."""
    out = []
    for char in value:
        if char in '\\"':
            out.append("\\" + char)
        elif char in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[char])
        elif ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
            out.append(f"\\x{ord(char):02x}")
        elif unicodedata.category(char) in ("Cf", "Zl", "Zp", "Cn"):
            out.append(f"\\u{{{ord(char):x}}}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def assemble(template: str, written: dict[int, str], quoted: bool = False) -> tuple[str, dict[tuple[int, int], int]]:
    """Replace each marker `@@n@@` (`"@@n@@"` when `quoted`) by `written[n]`;
    return the text and the (line, column) where each replacement starts."""
    pattern = re.compile(r'"@@(\d+)@@"') if quoted else MARKER
    out: list[str] = []
    where: dict[tuple[int, int], int] = {}
    line, col, last = 1, 1, 0
    for match in pattern.finditer(template):
        before = template[last:match.start()]
        out.append(before)
        line, col = _advance(before, line, col)
        slot = int(match.group(1))
        where[(line, col)] = slot
        out.append(written[slot])
        line, col = _advance(written[slot], line, col)
        last = match.end()
    out.append(template[last:])
    return "".join(out), where


def _advance(text: str, line: int, col: int) -> tuple[int, int]:
    newlines = text.count("\n")
    if newlines:
        return line + newlines, len(text) - text.rfind("\n")
    return line, col + len(text)


# -- sites: the places values reach ------------------------------------------------------


@dataclass
class Site:
    """One place a value reaches. `lines` maps insertion points of the
    batch skeleton to statements; `{k}` is the slot's number within the site,
    `{n}` its number in the batch, `@V@` the value (also its span). `wrap`
    embeds the corpus value in what is written (`/bin/echo {}`)."""

    name: str
    lines: dict[str, str]
    accepts: Callable[[str], bool]
    wrap: str = "{}"
    codes: frozenset = frozenset({"HA013"})
    secret: bool = False
    plain: str = "{}"  # how a placeholder is written where a bare word would not do
    fallback: dict[str, str] = field(default_factory=dict)  # written instead of a refused value

    def expected(self, value: str) -> bool:
        if self.secret:
            return secret_value(value) and self.accepts(value)
        return self.accepts(self.wrap.format(value))


@dataclass
class Batch:
    name: str
    skeleton: str
    sites: list[Site]
    judge: str | tuple | None = None  # the output types whose real checker runs on the accepted values
    corpus: dict[str, str] = field(default_factory=lambda: dict(CORPUS))
    singleton: bool = False  # one value per build: the sites take one value per cluster


def _secret_site(name: str, lines: dict[str, str], accepts=lambda value: True) -> Site:
    return Site(name, lines, accepts, codes=frozenset({"HA008"}), secret=True)


NODES = """
    node n1 { id 1; addr 10.0.0.1; interface eth0; attribute site=dc1
<<node>>
    }
    node n2 { id 2; addr 10.0.0.2; interface eth0; attribute site=dc2 }
"""

CIB = Batch(
    "cib",
    "cluster inj {" + NODES + """
    corosync { quorum { two_node yes } }
    pacemaker {
        property stonith-enabled=false
<<pacemaker>>
        resource r ocf:heartbeat:Dummy {
            op monitor interval=10s
<<resource>>
        }
    }
}
""",
    [
        Site("node attribute", {"node": "attribute a{k}=@V@"}, text),
        Site("resource parameter", {"resource": "p{k}=@V@"}, text),
        Site("meta attribute", {"resource": "meta m{k}=@V@"}, text),
        Site("op description", {"resource": "op monitor interval={k}m description=@V@"}, text),
        Site("op instance attribute", {"resource": "op monitor interval={k}h X_{k}=@V@"}, text),
        Site("rule value", {"pacemaker": "location l{k} r rule score=1 site eq @V@"}, text),
        Site("rsc_defaults", {"pacemaker": "rsc_defaults d{k}=@V@"}, text),
        Site("op_defaults", {"pacemaker": "op_defaults o{k}=@V@"}, text),
        _secret_site("secret parameter", {"resource": "s{k}=@V@"}),
    ],
    judge="cib",
)

HAPROXY = Batch(
    "haproxy",
    """cluster inj {
    node n1 { addr 10.0.0.1 }
    node n2 { addr 10.0.0.2 }
    haproxy {
        global {
            maxconn 100
<<global>>
        }
        defaults { mode http; timeout connect 5s; timeout client 30s; timeout server 30s }
        userlist ul {
            user base insecure-password=x
<<userlist>>
        }
        frontend fe {
            bind *:80
<<frontend>>
            default_backend be
        }
        backend be {
            server s1 10.0.0.11:80 check
<<backend>>
        }
    }
}
""",
    [
        Site("global directive argument", {"global": "presetenv HACC_{k} @V@"}, text),
        Site("userlist password", {"userlist": "user u{k} insecure-password=@V@"}, text),
        Site("directive argument", {"frontend": "http-request set-header X-I{k} @V@"}, text),
        Site("acl argument", {"frontend": "acl a{k} path_beg -- @V@"}, text),
        Site("bind option", {"frontend": "bind *:{port} name=@V@"}, text),
        Site("server option", {"backend": "server r{k} 10.0.0.11:80 redir=@V@"}, text),
        _secret_site("secret userlist password", {"userlist": "user k{k} insecure-password=@V@"}),
        _secret_site("secret directive argument", {"frontend": "http-request set-header X-S{k} @V@"}),
    ],
    judge="haproxy",
)

KEEPALIVED = Batch(
    "keepalived",
    """cluster inj {
    node n1 { addr 10.0.0.1; interface eth0 }
    node n2 { addr 10.0.0.2; interface eth0 }
    keepalived {
<<keepalived>>
        vrrp VT {
            vrid 250
            vip 10.0.250.1/24
            priority n1=100 n2=90
<<track>>
<<vips>>
        }
        virtual_server 10.0.250.1:80 {
            real_server 10.0.0.11:80 {
                check tcp
<<checks>>
            }
        }
    }
}
""",
    [
        Site("track script command", {"keepalived": "script s{k} @V@ interval=2s", "track": "track s{k} weight=-20"},
             command, wrap="/bin/echo {}"),
        Site("notify command", {"keepalived": "vrrp N{k} { vrid {vrid}; vip 10.1.{k}.1/24; priority n1=100 n2=90; "
                                              "notify {event} @V@ }"}, command, wrap="/bin/echo {}"),
        Site("sync group notify command", {"keepalived": "vrrp G{k}a { vrid {vrid}; vip 10.2.{k}.1/24; priority n1=100 n2=90; "
                                                         "interface eth3 }\n"
                                                         "vrrp G{k}b { vrid {vrid2}; vip 10.2.{k}.2/24; priority n1=100 n2=90; "
                                                         "interface eth3 }\n"
                                                         "sync_group G{k} G{k}a G{k}b { notify {event} @V@ }"},
             command, wrap="/bin/echo {}"),
        Site("LVS misc check command", {"checks": "check misc @V@"}, command, wrap="/bin/echo {}"),
        Site("LVS http path", {"checks": "check http path=@V@"}, url_path, wrap="/{}"),
        Site("LVS virtualhost", {"checks": "check http path=/h virtualhost=@V@"}, host),
        Site("VIP label", {"vips": "vip 10.0.250.{octet}/24 label=@V@"}, vip_label, wrap="eth0:{}"),
        Site("auth pass", {"keepalived": "vrrp A{k} { vrid {vrid}; vip 10.3.{k}.1/24; priority n1=100 n2=90; "
                                         "interface eth1; auth pass=@V@ }"}, vrrp_password, codes=frozenset({"HA013", "HA310"})),
        _secret_site("secret auth pass", {"keepalived": "vrrp B{k} { vrid {vrid}; vip 10.4.{k}.1/24; "
                                                        "priority n1=100 n2=90; interface eth2; auth pass=@V@ }"},
                     vrrp_password),
    ],
    judge="keepalived",
)

# The skeleton of the batches below: every layer, with insertion points.
LAYERS = (
    """cluster inj {""" + NODES + """
    corosync { quorum { two_node yes } }
    pacemaker {
        property stonith-enabled=false
        resource ra ocf:heartbeat:Dummy
<<pacemaker>>
    }
    keepalived {
<<keepalived>>
        vrrp VT {
            vrid 250
            vip 10.0.250.1/24
            priority n1=100 n2=90
<<track>>
        }
        virtual_server 10.0.250.1:80 {
            real_server 10.0.0.11:80 {
                check tcp
<<checks>>
            }
        }
    }
    haproxy {
        defaults { mode http; timeout connect 5s; timeout client 30s; timeout server 30s }
        userlist ul {
            group g
            user base insecure-password=x
<<userlist>>
        }
        resolvers dns {
            nameserver ns1 10.0.0.53:53
<<resolvers>>
        }
        peers mesh {
            port 10000
<<peers>>
        }
        frontend fe {
            bind *:80
            acl a_base path_beg /a
<<frontend>>
            default_backend be
        }
        backend be {
            server s1 10.0.0.11:80 check
<<backend>>
        }
<<haproxy>>
    }
}
"""
)

# Names and other words of a fixed shape. Names are defined here, so the
# references to them (use_backend, conditions) are tested in STRUCTURE.
NAMES = Batch(
    "names",
    LAYERS,
    [
        Site("resource name", {"pacemaker": "resource @V@ ocf:heartbeat:Dummy"}, pacemaker_id),
        Site("vrrp instance name", {"keepalived": "vrrp @V@ { vrid {vrid}; vip 10.5.{k}.1/24; priority n1=100 n2=90 }"}, name),
        Site("track script name", {"keepalived": "script @V@ \"/bin/true\"", "track": "track @V@ weight=-20"}, name),
        Site("haproxy section name", {"haproxy": "backend @V@ { server s 10.0.0.11:80 }"}, name),
        Site("haproxy server name", {"backend": "server @V@ 10.0.0.12:80"}, name),
        Site("acl name", {"frontend": "acl @V@ path_beg /x"}, name),
    ],
)

# Interfaces, patterns and references, and haproxy words that haproxy itself
# would reject as configuration (so no real checker here).
STRUCTURE = Batch(
    "structure",
    LAYERS,
    [
        Site("rule attribute", {"pacemaker": "location la{k} ra rule score=1 @V@ eq x"},
             lambda v: re.fullmatch(r"#?[A-Za-z_][A-Za-z0-9_.-]*", v) is not None),
        Site("vrrp interface", {"keepalived": "vrrp I{k} { vrid {vrid}; vip 10.6.{k}.1/24; priority n1=100 n2=90; "
                                              "interface @V@ }"}, interface),
        Site("track script user", {"keepalived": "script u{k} \"/bin/true\" user=@V@", "track": "track u{k} weight=-20"},
             name),
        Site("track_interface", {"track": "track_interface @V@ weight=-20"}, name),  # a tracker name
        Site("VIP dev", {"track": "vip 10.0.250.{octet}/24 dev=@V@"}, interface),
        Site("LVS status", {"checks": "check http path=/h status=@V@"}, lambda v: False),
        Site("LVS digest", {"checks": "check http path=/h digest=@V@"}, lambda v: False),
        Site("acl criterion", {"frontend": "acl c{k} @V@ /x"}, text),
        # A backend named at run time is not checked; any other must exist.
        Site("use_backend target", {"frontend": "use_backend @V@ if a_base"}, lambda v: text(v) and "%[" in v,
             codes=frozenset({"HA013", "HA402"}), plain="%[{}]"),
        # A condition names ACLs, and none of the corpus is one.
        Site("condition", {"frontend": "use_backend be if @V@"}, lambda v: False, codes=frozenset({"HA013", "HA403"})),
        Site("balance argument", {"haproxy": "backend bl{k} { balance url_param @V@; server s 10.0.0.11:80 }"}, text),
        Site("balance algorithm", {"haproxy": "backend ba{k} { balance @V@; server s 10.0.0.11:80 }"},
             lambda v: re.fullmatch(r"[a-z_-]+(\([A-Za-z0-9_.-]*\))?", v) is not None),
        Site("stick-table store", {"haproxy": "backend st{k} { stick-table type=ip size=1k store=@V@; server s 10.0.0.11:80 }"},
             text),
        Site("stick-table size", {"haproxy": "backend sz{k} { stick-table type=ip size=@V@; server s 10.0.0.11:80 }"},
             lambda v: re.fullmatch(r"[0-9]+[kmg]?", v) is not None),
        Site("userlist groups", {"userlist": "user g{k} insecure-password=x groups=@V@"},
             lambda v: re.fullmatch(r"[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*", v) is not None),
        Site("resolvers directive argument", {"resolvers": "hold valid @V@"}, text),
        Site("peers directive argument", {"peers": "table t{k} type string len @V@ size 1k"}, text),
        Site("server option", {"backend": "server o{k} 10.0.0.11:80 inter=@V@"}, text),
    ],
)

# Settings a cluster holds once: each value is built on its own.
ONCE = Batch(
    "once",
    """cluster <<cluster>> {
    node n1 { id 1; addr 10.0.0.1; interface <<interface>>; <<router_id>> }
    node n2 { id 2; addr 10.0.0.2; interface eth0 }
    node <<node>> { id 3; addr 10.0.0.3 }
    corosync {
        <<totem>>
        quorum { qdevice { algorithm lms; <<qdevice>> } }
        logging { to_syslog yes; <<logging>> }
    }
    pacemaker { property stonith-enabled=false; <<pacemaker>> }
    keepalived {
        global { vrrp_version 2; <<global>> }
        script chk "/bin/true" interval=2s
        vrrp V { vrid 1; vip 10.0.0.100/24; priority n1=100 n2=90; track chk weight=-20 }
    }
    haproxy {
        defaults { mode http; timeout connect 5s; timeout client 30s; timeout server 30s }
        peers mesh { port 10000 }
        frontend fe { bind *:80; default_backend be }
        backend be { stick-table type=ip size=1k peers=mesh; server s1 10.0.0.11:80 check }
    }
}
""",
    [
        Site("cluster name", {"cluster": "@V@"}, name, fallback={"cluster": "inj"}),
        # A node's name is also its directory in the output tree, its CIB
        # uname and its haproxy peer name.
        Site("node name", {"node": "@V@"}, name, fallback={"node": "n3"}),
        Site("node interface", {"interface": "@V@"}, interface, fallback={"interface": "eth0"}),
        Site("keepalived router_id", {"router_id": "router_id @V@"}, name),
        Site("totem option", {"totem": "token @V@"}, lambda v: False),
        Site("qdevice host", {"qdevice": "host @V@"}, host, fallback={"qdevice": "host qnetd.example.com"}),
        Site("qdevice tie_breaker", {"qdevice": "tie_breaker @V@"}, lambda v: False),
        Site("corosync logfile", {"logging": "logfile @V@"}, path, wrap="/var/log/hacc/{}.log"),
        Site("cluster property", {"pacemaker": "property no-quorum-policy=@V@"}, lambda v: False,
             codes=frozenset({"HA013", "HA220"})),
        Site("keepalived script_user", {"global": "script_user @V@"}, name),
    ],
    # (keepalived -t is killed here when script_user is not root, whatever
    # its name: the script_user values are proven by reading back only.)
    judge="corosync",
    singleton=True,
)

BATCHES = [CIB, HAPROXY, KEEPALIVED, NAMES, STRUCTURE, ONCE]
# VRIDs are unique per interface: eth0 (notify), eth1, eth2 and eth3 (sync groups, two per group).
_VRID_BASE = {"notify command": 1, "sync group notify command": 1, "auth pass": 1, "secret auth pass": 1,
              "vrrp instance name": 1, "vrrp interface": 100}
_EVENTS = ("master", "backup", "fault", "stop", "any")


# -- building -------------------------------------------------------------------------------

@dataclass
class Slot:
    site: Site
    label: str
    value: str
    k: int  # number within its site
    n: int  # number in the batch


@dataclass
class Build:
    text: str
    where: dict[tuple[int, int], int]
    unit: object
    errors: list
    outputs: list | None


def _render(batch: Batch, slots: list[Slot], values: Callable[[Slot], str], refused=frozenset()) \
        -> tuple[str, dict[int, str], dict[str, str]]:
    """The batch's source with the statements of every slot not refused (a
    refused one leaves its site's fallback), the text written for each
    marker and the secrets the build needs."""
    blocks: dict[str, list[str]] = {}
    written: dict[int, str] = {}
    secrets: dict[str, str] = {}
    for slot in slots:
        if slot.n in refused:
            for block, statement in slot.site.fallback.items():
                blocks.setdefault(block, []).append(statement)
            continue
        fields = {"k": slot.k, "n": slot.n, "port": 8000 + slot.k, "octet": 10 + slot.k,
                  "vrid": _VRID_BASE.get(slot.site.name, 0) + slot.k, "vrid2": 100 + slot.k,
                  "event": _EVENTS[slot.k % len(_EVENTS)]}
        for block, statement in slot.site.lines.items():
            line = statement.replace("@V@", f"@@{slot.n}@@")
            for key, value in fields.items():
                line = line.replace("{" + key + "}", str(value))
            blocks.setdefault(block, []).append(line)
        if slot.site.secret:
            written[slot.n] = f"secret:S{slot.n}"
            secrets[f"S{slot.n}"] = values(slot)
        else:
            written[slot.n] = ha_string(slot.site.wrap.format(values(slot)))
    source = batch.skeleton
    for block in re.findall(r"<<(\w+)>>", source):
        source = source.replace(f"<<{block}>>", "\n".join(blocks.get(block, [])))
    return source, written, secrets


def build(tmp: Path, file: str, template: str, written: dict[int, str], secrets: dict[str, str], quoted=False) -> Build:
    source, where = assemble(template, written, quoted)
    path = tmp / file
    path.write_text(source, encoding="utf-8")
    unit = compile_file(path, file)
    errors = [d for d in unit.diagnostics if d.severity is Severity.ERROR]
    outputs = None
    if not errors:
        outputs, errors = emit_all(unit.cluster, SecretStore(secrets, environ={}), file)
    return Build(source, where, unit, errors, outputs if not errors else None)


@dataclass
class Outcome:
    refused: dict[int, list]  # slot number -> its (diagnostic, compilation)s
    hostile: Build | None     # the build with every accepted value
    plain: Build | None       # the same with placeholders (None when every value was refused)


def settle(batch: Batch, tmp: Path, corpus: dict[str, str]) -> tuple[list[Slot], Outcome]:
    """Build the batch with every corpus value at every site; drop the
    values refused (each must be refused at its own span) and build again
    until the rest compiles and emits. Then build the same slots with
    placeholders."""
    slots = []
    for site in batch.sites:
        # A secret's value comes from the environment or a file, not from
        # the source: it can be a lone surrogate (bytes that are not UTF-8).
        values = dict(corpus, **SECRET_ONLY) if site.secret else corpus
        for k, (label, value) in enumerate(values.items()):
            slots.append(Slot(site, label, value, k, len(slots)))
    refused: dict[int, list] = {}
    for _ in range(4):
        template, written, secrets = _render(batch, slots, lambda s: s.value, set(refused))
        result = build(tmp, f"{batch.name}.ha", template, written, secrets)
        if not result.errors:
            break
        stray = []
        for diagnostic in result.errors:
            slot = result.where.get((diagnostic.span.line, diagnostic.span.col))
            if slot is None or diagnostic.span.file != f"{batch.name}.ha":
                stray.append(diagnostic)
            else:
                refused.setdefault(slot, []).append((diagnostic, result.unit))
        assert not stray, _explain(stray, result)
    else:
        pytest.fail(f"{batch.name}: still refusing values after 4 rounds")
    if len(refused) == len(slots):
        return slots, Outcome(refused, result, None)  # nothing accepted: nothing to read back
    template, written, secrets = _render(batch, slots, lambda s: s.site.plain.format(placeholder(s.n)), set(refused))
    plain = build(tmp, f"{batch.name}-plain.ha", template, written, secrets)
    assert plain.outputs is not None, _explain(plain.errors, plain)
    return slots, Outcome(refused, result, plain)


def _explain(diagnostics, result: Build) -> str:
    lines = result.text.split("\n")
    return "\n".join(f"{d.span} {d.code} {d.message!r}: {lines[d.span.line - 1][:120]!r}" for d in diagnostics)


# -- reading the outputs back the way each daemon does ----------------------------------------


def read_back(output) -> tuple:
    """The output as its daemon tokenizes it: nested (keyword, words, block)."""
    from hacc.importing.files import Files, Source
    from hacc.importing.log import ImportLog

    text = output.content.decode("utf-8")  # strict: every output is UTF-8
    log = ImportLog()
    source = Source(output.path, Path(output.path), text)
    if output.kind == "cib":
        tree = _xml(output.content)
    elif output.kind == "haproxy":
        from hacc.importing.readers.haproxy import read_haproxy

        parsed = read_haproxy(source, log)
        assert not parsed.preamble
        tree = tuple((s.keyword, tuple(s.texts()), tuple((line.keyword, tuple(line.texts()), line.variables)
                                                         for line in s.block)) for s in parsed.sections)
    elif output.kind == "keepalived":
        from hacc.importing.readers.keepalived import read_keepalived

        items = read_keepalived(source, Files(log), log, config_id=output.node)
        assert items is not None, log.diagnostics
        tree = _items(items, keepalived=True)
    elif output.kind == "corosync":
        from hacc.importing.readers.corosync import read_corosync

        items = read_corosync(source, log)
        assert items is not None, log.diagnostics
        tree = _items(items)
    else:
        tree = tuple(line for line in text.split("\n") if not line.startswith("#"))
    assert not log.diagnostics, [(d.span, d.message) for d in log.diagnostics]
    return tree


_COMMAND_KEYWORDS = {"script", "misc_path", "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop"}


def _items(items, keepalived=False) -> tuple:
    from hacc.importing.readers.keepalived import quoted_escaped_words

    out = []
    for item in items:
        entry = (item.keyword, tuple(item.texts()), None if item.block is None else _items(item.block, keepalived))
        if keepalived and item.keyword in _COMMAND_KEYWORDS:
            # keepalived re-reads a command's line with quotes and escapes
            entry += (tuple(quoted_escaped_words(item.line) or ("<unreadable>",)),)
        out.append(entry)
    return tuple(out)


def _xml(content: bytes) -> tuple:
    from lxml import etree

    root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))

    def walk(element) -> tuple:
        if not isinstance(element.tag, str):  # a comment: the generated header
            return ("<comment>", element.text)
        assert not (element.text or "").strip() and not (element.tail or "").strip()
        return (element.tag, tuple(sorted(element.attrib.items())), tuple(walk(child) for child in element))

    return walk(root)


def compare(plain, hostile, values: dict[str, str], seen: set[str], where: str) -> None:
    """`hostile` must be `plain` with each placeholder replaced by its value."""
    if isinstance(plain, str):
        pattern = _alternatives(tuple(values))
        seen.update(pattern.findall(plain))
        expected = pattern.sub(lambda m: values[m.group()], plain)
        assert hostile == expected, f"{where}: read back {hostile!r}, wrote {expected!r}"
        return
    if plain is None or isinstance(plain, (int, bool)):
        assert hostile == plain, where
        return
    assert isinstance(hostile, tuple) and len(hostile) == len(plain), \
        f"{where}: a value changed the structure:\n{plain!r}\nbecame\n{hostile!r}"
    head = plain[0] if plain and isinstance(plain[0], str) else ""
    for index, (a, b) in enumerate(zip(plain, hostile)):
        compare(a, b, values, seen, f"{where}/{head}[{index}]")


# -- the corpus tests ---------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _alternatives(words: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)")


def _check_refusal(slot: Slot, found: list) -> None:
    for diagnostic, unit in found:
        assert diagnostic.code in slot.site.codes, (slot.site.name, slot.label, diagnostic.code, diagnostic.message)
        assert diagnostic.help, (slot.site.name, slot.label, diagnostic)
        # Rendered, the diagnostic shows no raw control or invisible character.
        rendered = render_text([diagnostic], unit.sources) + render_concise([diagnostic])
        hostile = [c for c in rendered if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")]
        assert not hostile, (slot.site.name, slot.label, rendered)


def check_batch(batch: Batch, tmp: Path) -> list[tuple[list[Slot], Outcome]]:
    """The corpus test of one batch; a `singleton` batch builds each value
    on its own (its sites take one value per cluster)."""
    corpora = [{label: value} for label, value in batch.corpus.items()] if batch.singleton else [batch.corpus]
    return [check_corpus(batch, tmp, corpus) for corpus in corpora]


def check_corpus(batch: Batch, tmp: Path, corpus: dict[str, str]) -> tuple[list[Slot], Outcome]:
    slots, outcome = settle(batch, tmp, corpus)
    wrong = [(s.site.name, s.label, "refused" if s.n in outcome.refused else "accepted")
             for s in slots if (s.n not in outcome.refused) != s.site.expected(s.value)]
    assert not wrong, f"unexpected outcomes: {wrong}"
    for slot in slots:
        if slot.n in outcome.refused:
            _check_refusal(slot, outcome.refused[slot.n])
    if outcome.plain is None:
        return slots, outcome
    # Accepted: read back, the hostile build is the plain build with the values in place.
    accepted = {s.site.plain.format(placeholder(s.n)): s.value for s in slots if s.n not in outcome.refused}
    seen: set[str] = set()
    plain = {}
    for output in outcome.plain.outputs:  # a node's name is part of its files' paths
        mapped = _alternatives(tuple(accepted)).sub(lambda m: accepted[m.group()], output.path)
        seen.update(_alternatives(tuple(accepted)).findall(output.path))
        plain[mapped] = output
    hostile = {o.path: o for o in outcome.hostile.outputs}
    assert sorted(plain) == sorted(hostile)
    for path_, output in plain.items():
        compare(read_back(output), read_back(hostile[path_]), accepted, seen, path_)
    assert set(accepted) <= seen, f"values that reached no output: {sorted(set(accepted) - seen)}"
    return slots, outcome


_OUTCOMES: dict[str, list] = {}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Each batch is checked once; the real checkers reuse its builds."""

    def get(batch: Batch) -> list[tuple[list[Slot], Outcome]]:
        if batch.name not in _OUTCOMES:
            _OUTCOMES[batch.name] = check_batch(batch, tmp_path_factory.mktemp(batch.name))
        return _OUTCOMES[batch.name]

    return get


@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: b.name)
def test_every_value_is_refused_at_its_span_or_read_back_exactly(batch, outcomes):
    outcomes(batch)


_JUDGES = {
    "cib": ("crm_verify", lambda path, node: judges.crm_verify(path)),
    "haproxy": ("haproxy", lambda path, node: judges.haproxy(path)),
    "keepalived": ("keepalived", lambda path, node: judges.keepalived(path)),
    "corosync": ("corosync", lambda path, node: judges.corosync(path, node)),
}
# The builds of the `once` batch the checkers judge: names, paths and hosts
# that are accepted, one build each.
_ONCE_JUDGED = ("xml-comment", "dotted", "double-dash", "secret-prefix")


@pytest.mark.parametrize("batch", [b for b in BATCHES if b.judge], ids=lambda b: b.name)
def test_real_checkers_accept_the_files_holding_the_accepted_values(batch, outcomes, require_tool, tmp_path):
    """One cluster file per output type holds every accepted value; the
    daemon's own checker must accept what hacc wrote (node n1's copy: the
    nodes' files differ only in node-specific settings)."""
    kinds = (batch.judge,) if isinstance(batch.judge, str) else batch.judge
    for kind in kinds:
        require_tool(_JUDGES[kind][0])
    judged = 0
    for slots, outcome in outcomes(batch):
        if batch.singleton and slots[0].label not in _ONCE_JUDGED:
            continue
        for output in outcome.hostile.outputs:
            if output.kind in kinds and output.node in (None, "n1"):
                target = tmp_path / slots[0].label / output.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(output.content)
                verdict = _JUDGES[output.kind][1](target, output.node)
                assert verdict.ok, f"{output.path} ({slots[0].label}):\n{verdict.output[-3000:]}"
                judged += 1
    assert judged >= len(kinds)


# -- the JSON form: what a `.ha` file cannot write ----------------------------------------

BASE = """cluster inj {
    node n1 { id 1; addr 10.0.0.1; interface eth0; attribute site=dc1 }
    node n2 { id 2; addr 10.0.0.2; interface eth0; attribute site=dc2 }
    corosync {
        token 3s
        logging { logfile "/var/log/corosync/corosync.log" }
        quorum { qdevice { host qnetd.example.com; algorithm ffsplit; tie_breaker lowest } }
    }
    pacemaker {
        property stonith-enabled=false
        resource r ocf:heartbeat:Dummy {
            fake=x
            meta target-role=Started
            op monitor interval=10s description=x
        }
        location loc r rule score=100 site eq dc1
    }
    keepalived {
        script chk "/bin/true" interval=2s
        vrrp V {
            vrid 51
            vip 10.0.0.100/24 dev=eth0 label=eth0:v
            auth pass=secret:VRRP
            track chk weight=-20
            notify master "/bin/true"
        }
        virtual_server 10.0.0.100:80 {
            sorry_server 10.0.0.99:80
            real_server 10.0.0.11:80 { check http path=/h status=200 digest=0123456789abcdef0123456789abcdef }
        }
    }
    haproxy {
        global { maxconn 100; log /dev/log local0 }
        defaults { mode http; timeout connect 5s; timeout client 30s; timeout server 30s }
        userlist ul { group g; user u1 insecure-password=pw groups=g }
        resolvers dns { nameserver ns1 10.0.0.53:53; resolve_retries 3 }
        frontend fe {
            bind *:80 name=x
            acl is_a path_beg /a
            http-request set-header X-A x if is_a
            use_backend be if is_a
            default_backend be
        }
        backend be {
            balance roundrobin
            stick-table type=ip size=1k
            server s1 10.0.0.11:80 check inter=2s
        }
    }
}
"""

SURROGATE = JSON_ONLY["surrogate"]
# (where, value): a value the JSON form sets; ("key", where, key): a key it adds.
JSON_CASES = [
    # lone surrogates, in every kind of free text
    (("nodes", 0, "attributes", "site"), SURROGATE),
    (("pacemaker", "resources", 0, "params", "fake"), SURROGATE),
    (("pacemaker", "resources", 0, "ops", 0, "description"), SURROGATE),
    (("pacemaker", "constraints", 0, "rule", "expressions", 0, "value"), SURROGATE),
    (("keepalived", "scripts", 0, "command"), "/bin/echo " + SURROGATE),
    (("keepalived", "instances", 0, "notify", "master"), "/bin/echo " + SURROGATE),
    (("haproxy", "global", "directives", 0, "args", 0), SURROGATE),
    (("haproxy", "sections", 1, "users", 0, "insecure-password"), SURROGATE),
    (("haproxy", "sections", 3, "acls", 0, "args", 0), SURROGATE),
    (("haproxy", "sections", 3, "directives", 0, "args", 2), SURROGATE),
    # `$` in a JSON Schema pattern ends the text: no final newline slips past it
    (("corosync", "quorum", "qdevice", "tie_breaker"), "lowest\n"),
    (("keepalived", "instances", 0, "vips", 0, "label"), "eth0:v\n"),
    (("keepalived", "virtual_servers", 0, "real_servers", 0, "checks", 0, "path"), "/h\n"),
    (("keepalived", "virtual_servers", 0, "real_servers", 0, "checks", 0, "status"), "200\n"),
    (("keepalived", "virtual_servers", 0, "real_servers", 0, "checks", 0, "digest"), "0123456789abcdef0123456789abcdef\n"),
    (("pacemaker", "constraints", 0, "rule", "expressions", 0, "attribute"), "site\n"),
    (("haproxy", "global", "directives", 0, "keyword"), "log\n"),
    (("haproxy", "sections", 4, "stick_table", "size"), "1k\n"),
    (("haproxy", "sections", 4, "balance", "algorithm"), "roundrobin\n"),
    (("haproxy", "sections", 1, "users", 0, "groups"), "g\n"),
    (("keepalived", "instances", 0, "auth", "pass"), {"secret": "VRRP\n"}),
    # IPv6 zone ids may hold blanks, `#` or a newline
    (("haproxy", "sections", 4, "servers", 0, "address"), "[fe80::1%eth0 x]:80"),
    (("haproxy", "sections", 3, "binds", 0, "address"), "[fe80::1%x#y]:80"),
    (("haproxy", "sections", 2, "nameservers", 0, "address"), "[fe80::1%a\nb]:53"),
    (("keepalived", "virtual_servers", 0, "address"), "[fe80::1%x y]:80"),
    (("keepalived", "virtual_servers", 0, "sorry_server"), "[fe80::1%x}]:80"),
    (("keepalived", "virtual_servers", 0, "real_servers", 0, "address"), "[fe80::1%x\ny]:80"),
    (("corosync", "quorum", "qdevice", "host"), "fe80::1%eth0 x"),
    # keys
    ("key", ("pacemaker", "resources", 0, "params"), "p\n"),
    ("key", ("pacemaker", "resources", 0, "meta"), "m\u202e"),
    ("key", ("pacemaker", "resources", 0, "ops", 0), "X\n"),
    ("key", ("pacemaker", "properties"), "stonith-enabled\n"),
    ("key", ("nodes", 0, "attributes"), "a b"),
    ("key", ("haproxy", "sections", 3, "binds", 0, "options"), "ssl\n"),
    ("key", ("haproxy", "sections", 4, "servers", 0, "options"), "check #"),
    ("key", ("corosync", "totem"), "token\n"),
]


def _json_source(tmp: Path) -> tuple[str, dict[int, str]]:
    """BASE's JSON form with each case's marker in place, and what each marker stands for."""
    unit = compile_file(_write(tmp / "base.ha", BASE), "base.ha")
    assert not [d for d in unit.diagnostics if d.severity is Severity.ERROR]
    data = json.loads(json.dumps(unit.data))
    written: dict[int, str] = {}
    for n, case in enumerate(JSON_CASES):
        if case[0] == "key":
            _, where, key = case
            _at(data, where)[f"@@{n}@@"] = "x"
            written[n] = json.dumps(key)
        else:
            where, value = case
            _at(data, where[:-1])[where[-1]] = f"@@{n}@@"
            written[n] = json.dumps(value)
    return json.dumps(data, indent=1), written


def _at(data, where):
    for part in where:
        data = data[part]
    return data


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_json_form_refuses_surrogates_final_newlines_zone_ids_and_bad_keys(tmp_path):
    template, written = _json_source(tmp_path)
    result = build(tmp_path, "hostile.json", template, written, {"VRRP": "pw"}, quoted=True)
    found: dict[int, list] = {}
    for diagnostic in result.errors:
        slot = result.where.get((diagnostic.span.line, diagnostic.span.col))
        assert slot is not None and diagnostic.span.file == "hostile.json", _explain([diagnostic], result)
        found.setdefault(slot, []).append(diagnostic)
    assert sorted(found) == list(range(len(JSON_CASES))), \
        [JSON_CASES[n] for n in range(len(JSON_CASES)) if n not in found]
    for n, diagnostics in found.items():
        slot = Slot(Site("json", {}, text, codes=frozenset({"HA013", "HA014"})), str(JSON_CASES[n]), "", n, n)
        _check_refusal(slot, [(d, result.unit) for d in diagnostics])
    out = tmp_path / "out"
    run = _cli(["build", str(tmp_path / "hostile.json"), "-o", str(out)], {"VRRP": "pw"})
    assert run.exit_code == 1 and not out.exists(), run.output


# -- raw characters: written into the source as they are, not escaped ----------------------

RAW = ["\t", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u200f", "\u202e", "\u2066", "\u2028", "\u2029", "\ufeff"]


@pytest.mark.parametrize("char", RAW, ids=lambda c: f"U+{ord(c):04X}")
def test_raw_characters_in_a_quoted_string_are_refused_inside_the_value(char, tmp_path):
    """A `.ha` string may hold the character itself instead of an escape:
    the error then points into the value (at the character or at the
    value's start), never elsewhere. U+FEFF is an ordinary character in
    text (not a control), so it is accepted and read back exactly."""
    value = f"a{char}b"
    prefix = "cluster c {\n    node a { id 1; addr 10.0.0.1 }\n    node b { id 2; addr 10.0.0.2 }\n" \
             "    corosync { quorum { two_node yes } }\n    pacemaker {\n        property stonith-enabled=false\n" \
             "        resource r ocf:heartbeat:Dummy { p="
    source = prefix + f'"{value}"' + " }\n    }\n}\n"
    path = _write(tmp_path / "raw.ha", source)
    unit = compile_file(path, "raw.ha")
    errors = [d for d in unit.diagnostics if d.severity is Severity.ERROR]
    line = prefix.count("\n") + 1
    start = len(prefix) - prefix.rfind("\n")  # the column of the opening quote
    if char == "\ufeff":
        assert not errors
        outputs, problems = emit_all(unit.cluster, SecretStore({}, environ={}), "raw.ha")
        assert not problems
        cib = next(o for o in outputs if o.kind == "cib")
        assert ("value", value) in _xml_nvpair(cib.content, "p")
        return
    assert errors, char
    for diagnostic in errors:
        assert diagnostic.span.line == line and start <= diagnostic.span.col < start + len(value) + 2, diagnostic
        _check_refusal(Slot(Site("raw", {}, text, codes=frozenset({"HA002", "HA013"})), repr(char), value, 0, 0),
                       [(diagnostic, unit)])


def _xml_nvpair(content: bytes, name: str) -> tuple:
    from lxml import etree

    element = etree.fromstring(content).find(f".//nvpair[@name='{name}']")
    return tuple(element.attrib.items())


# -- the command line: a refused value writes nothing --------------------------------------


def _cli(args: list[str], env: dict[str, str] | None = None):
    from click.testing import CliRunner

    from hacc.cli import main

    return CliRunner().invoke(main, args, env=env or {}, catch_exceptions=False)


# One refused value per output type and value class, alone in an otherwise
# valid file (the placeholder build).
_REFUSED_ALONE = [
    ("cib", "resource parameter", "newline"),
    ("cib", "secret parameter", "escape-sequence"),
    ("haproxy", "directive argument", "nul"),
    ("haproxy", "secret userlist password", "undecodable"),
    ("keepalived", "track script command", "open-brace"),
    ("keepalived", "notify command", "long-cjk"),
    ("keepalived", "VIP label", "hash"),
    ("keepalived", "secret auth pass", "long-keepalived"),
    ("names", "haproxy section name", "space"),
    ("structure", "use_backend target", "rlo"),
    ("once", "corosync logfile", "trailing-newline"),
    ("once", "qdevice host", "carriage-return"),
]


def test_a_refused_value_alone_makes_build_exit_1_and_write_nothing(outcomes, tmp_path):
    batches = {b.name: b for b in BATCHES}
    for batch_name, site_name, label in _REFUSED_ALONE:
        batch = batches[batch_name]
        runs = outcomes(batch)
        if batch.singleton:
            runs = [run for run in runs if run[0][0].label == "dotted"]  # a build whose values were all accepted
        slots, outcome = runs[0]
        values = dict(CORPUS, **SECRET_ONLY)
        chosen = next(s for s in slots if s.site.name == site_name and (s.label == label or batch.singleton))
        hostile = values[label]
        assert not chosen.site.expected(hostile)

        def value(slot, chosen=chosen, hostile=hostile):
            return hostile if slot.n == chosen.n else slot.site.plain.format(placeholder(slot.n))

        refused = set(outcome.refused) - {chosen.n}
        template, written, secrets = _render(batch, slots, value, refused)
        source, where = assemble(template, written)
        path = _write(tmp_path / f"{batch_name}-{label}.ha", source)
        out = tmp_path / f"out-{batch_name}-{label}"
        run = _cli(["build", str(path), "-o", str(out)], secrets)
        where_text = f"{batch_name}/{site_name}/{label}"
        assert run.exit_code == 1, (where_text, run.output)
        assert not out.exists(), where_text
        assert "nothing written" in run.stderr, (where_text, run.stderr)
        line, col = next(position for position, n in where.items() if n == chosen.n)
        assert f"{path.name}:{line}:{col}\n" in run.stderr, (where_text, line, col, run.stderr)


# -- the source's own name reaches every file's header -------------------------------------

HOSTILE_FILE_NAMES = ["a--b.ha", "new\nline.ha", "cr\rx.ha", "br{ace}.ha", "bidi\u202eah.ha", "esc\x1b[2J.ha",
                      "sp ace#;!.ha", "-lead.ha", "$HOME%.ha", "tail-.ha", "caf\u00e9\U0001f600.ha"]


def test_hostile_source_file_names_stay_inside_the_header_comment(tmp_path):
    plain_dir = tmp_path / "plain"
    plain_dir.mkdir()
    _write(plain_dir / "plain.ha", BASE)
    env = {"VRRP": "pw"}
    run = _cli(["build", str(plain_dir / "plain.ha"), "-o", str(plain_dir / "out")], env)
    assert run.exit_code == 0, run.output
    expected = _tree_of(plain_dir / "out")
    names = [n.encode("utf-8", "surrogateescape") for n in HOSTILE_FILE_NAMES] + [b"not-utf8-\xff\xfe.ha"]
    for index, raw in enumerate(names):
        directory = tmp_path / f"n{index}"
        directory.mkdir()
        source = Path(directory, raw.decode("utf-8", "surrogateescape"))
        _write(source, BASE)
        out = directory / "out"
        run = _cli(["build", str(source), "-o", str(out)], env)
        assert run.exit_code == 0, (raw, run.output)
        assert _tree_of(out) == expected, raw


def _tree_of(out: Path) -> dict:
    """Every output of a tree, read back, with the CIB's header comment
    reduced to whether it is a well-formed comment."""
    from hacc.emit.context import Output

    kinds = {"corosync.conf": "corosync", "keepalived.conf": "keepalived", "haproxy.cfg": "haproxy",
             "cib.xml": "cib", "90-hacc.conf": "sysctl"}
    trees = {}
    for file in sorted(out.rglob("*")):
        if file.is_dir() or file.name == "manifest.json":
            continue
        relative = file.relative_to(out).as_posix()
        node = relative.split("/")[0] if "/" in relative else None
        tree = read_back(Output(relative, file.read_bytes(), kinds[file.name], node))
        if file.name == "cib.xml":
            comment = file.read_bytes().split(b"\n")[1]
            assert comment.startswith(b"<!-- Generated by hacc from ") and comment.endswith(b" -->")
            assert b"--" not in comment[4:-3]
            tree = tree[:2] + (tuple(c for c in tree[2] if c[0] != "<comment>"),)
        trees[relative] = tree
    return trees


# -- word quoting, beyond the corpus ------------------------------------------------------------

@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_any_text_is_exactly_one_haproxy_word(value):
    from hacc.emit.quoting import haproxy_word
    from hacc.importing.readers.haproxy import split_line

    if not text(value):
        return
    words, variables = split_line("    keyword " + haproxy_word(value) + " last")
    assert [w[0] for w in words] == ["keyword", value, "last"]
    assert not variables


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_any_command_is_exactly_one_keepalived_word(value):
    from hacc.emit.keepalived import quoted
    from hacc.importing.files import Source
    from hacc.importing.log import ImportLog
    from hacc.importing.readers.keepalived import quoted_escaped_words
    from hacc.importing.readers.keepalived_lines import LineReader, split_words

    if not command(value):
        return
    log = ImportLog()
    line = "    notify_master " + quoted(value) + "\n"
    lines = list(LineReader(log, "n1", lambda source: None).read(Source("k.conf", Path("k.conf"), line)))
    assert not log.diagnostics and len(lines) == 1
    assert [w.text for w in split_words(lines[0], log)] == ["notify_master", value]
    assert quoted_escaped_words(lines[0].text) == ["notify_master", value]
