"""No value can break out through what the `.ha` corpus cannot write: the
JSON form, raw characters in the source, and the source file's own name.

- The JSON form carries what `.ha` cannot (lone surrogates, keys, a final
  newline after a pattern, IPv6 zone ids holding blanks, `#` or a newline):
  each is refused at its own span, and `hacc build` exits 1 writing nothing.
- Raw (unescaped) characters in a quoted string are refused inside the
  value, never elsewhere; U+FEFF is accepted and read back exactly.
- Hostile names of the source file itself (they reach every header comment)
  build the same files as a plain name, the CIB's header staying a
  well-formed comment.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from injection_batches import Site
from injection_build import Slot, build, explain, run_cli, write_source
from injection_read_back import check_refusal, read_back
from injection_values import JSON_ONLY, text

from hacc.diagnostics.model import Severity
from hacc.emit import emit_all
from hacc.emit.secrets import SecretStore
from hacc.pipeline import compile_file

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
    unit = compile_file(write_source(tmp / "base.ha", BASE), "base.ha")
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


def test_json_form_refuses_surrogates_final_newlines_zone_ids_and_bad_keys(tmp_path):
    template, written = _json_source(tmp_path)
    result = build(tmp_path, "hostile.json", template, written, {"VRRP": "pw"}, quoted=True)
    found: dict[int, list] = {}
    for diagnostic in result.errors:
        slot = result.where.get((diagnostic.span.line, diagnostic.span.col))
        assert slot is not None and diagnostic.span.file == "hostile.json", explain([diagnostic], result)
        found.setdefault(slot, []).append(diagnostic)
    assert sorted(found) == list(range(len(JSON_CASES))), \
        [JSON_CASES[n] for n in range(len(JSON_CASES)) if n not in found]
    for n, diagnostics in found.items():
        slot = Slot(Site("json", {}, text, codes=frozenset({"HA013", "HA014"})), str(JSON_CASES[n]), "", n, n)
        check_refusal(slot, [(d, result.unit) for d in diagnostics])
    out = tmp_path / "out"
    run = run_cli(["build", str(tmp_path / "hostile.json"), "-o", str(out)], {"VRRP": "pw"})
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
    path = write_source(tmp_path / "raw.ha", source)
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
        check_refusal(Slot(Site("raw", {}, text, codes=frozenset({"HA002", "HA013"})), repr(char), value, 0, 0),
                       [(diagnostic, unit)])


def _xml_nvpair(content: bytes, name: str) -> tuple:
    from lxml import etree

    element = etree.fromstring(content).find(f".//nvpair[@name='{name}']")
    return tuple(element.attrib.items())


# -- the source's own name reaches every file's header -------------------------------------

HOSTILE_FILE_NAMES = ["a--b.ha", "new\nline.ha", "cr\rx.ha", "br{ace}.ha", "bidi\u202eah.ha", "esc\x1b[2J.ha",
                      "sp ace#;!.ha", "-lead.ha", "$HOME%.ha", "tail-.ha", "caf\u00e9\U0001f600.ha"]


def test_hostile_source_file_names_stay_inside_the_header_comment(tmp_path):
    plain_dir = tmp_path / "plain"
    plain_dir.mkdir()
    write_source(plain_dir / "plain.ha", BASE)
    env = {"VRRP": "pw"}
    run = run_cli(["build", str(plain_dir / "plain.ha"), "-o", str(plain_dir / "out")], env)
    assert run.exit_code == 0, run.output
    expected = _tree_of(plain_dir / "out")
    names = [n.encode("utf-8", "surrogateescape") for n in HOSTILE_FILE_NAMES] + [b"not-utf8-\xff\xfe.ha"]
    for index, raw in enumerate(names):
        directory = tmp_path / f"n{index}"
        directory.mkdir()
        source = Path(directory, raw.decode("utf-8", "surrogateescape"))
        write_source(source, BASE)
        out = directory / "out"
        run = run_cli(["build", str(source), "-o", str(out)], env)
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
        tree = read_back(Output(relative, (file.read_bytes(),), kinds[file.name], node))
        if file.name == "cib.xml":
            comment = file.read_bytes().split(b"\n")[1]
            assert comment.startswith(b"<!-- Generated by hacc from ") and comment.endswith(b" -->")
            assert b"--" not in comment[4:-3]
            tree = tree[:2] + (tuple(c for c in tree[2] if c[0] != "<comment>"),)
        trees[relative] = tree
    return trees
