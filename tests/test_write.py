"""The JSON form -> `.ha` writer (hacc.format.write): what it writes compiles
back to the same JSON form, for every example, documented snippet and rule
test, for a file using every statement, and for hostile text values."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from importing_helpers import EXAMPLES, ROOT, build_data, golden_secrets, golden_tree

from hacc.diagnostics.model import Severity
from hacc.format.write import Unwritable, write_ha
from hacc.format.write_values import haproxy_word, pair, quote, word
from hacc.model.formats import check_command, check_text
from hacc.model.lower.context import boolean, integer, scalar
from hacc.model.lower.haproxy import _words
from hacc.model.validate import validate
from hacc.parse.ast import Pair, Value
from hacc.parse.parser import parse_text
from hacc.pipeline import compile_file

LANGUAGE = (ROOT / "docs" / "language.md").read_text()
DOC_BLOCKS = [b for b in re.findall(r"```ha\n(.*?)```", LANGUAGE, re.DOTALL)
              if re.sub(r"(?m)^#.*\n", "", b).lstrip().startswith("cluster")]
RULE_FILES = sorted((ROOT / "tests" / "rules").glob("*/passes.ha")) + sorted((ROOT / "tests" / "rules").glob("*/fires.ha"))

# Every statement of the language at least once, with values that need quoting.
KITCHEN_SINK = r'''
cluster "kitchen" {
    node n1 { id 1; addr 10.0.0.1; addr 10.1.0.1; interface eth0; votes 1; router_id r1; unicast_src 10.0.0.1
        attribute site=dc1 rack=r4 }
    node n2 { id 2; addr 10.0.0.2; addr 10.1.0.2; attribute site=dc2 note="a b # c" quoted="say \"hi\"" }
    node n3 { id 3; addr 10.0.0.3; addr 10.1.0.3 }
    corosync {
        transport knet
        crypto cipher=aes256 hash=sha256 model=nss
        keyfile /etc/corosync/authkey
        token 3000ms
        clear_node_high_bit yes
        window_size 50
        link 0 { knet_link_priority 10; knet_ping_interval 500ms; knet_transport sctp }
        link 1 { }
        quorum {
            wait_for_all yes
            auto_tie_breaker yes
            auto_tie_breaker_node 1 3
            expected_votes 3
            qdevice { model net; host qnetd.example.com; algorithm ffsplit; tie_breaker lowest; port 5403; votes 1 }
        }
        logging { to_syslog yes; timestamp on; debug off; syslog_facility local0 }
    }
    pacemaker {
        property stonith-enabled=true no-quorum-policy=stop literal="secret:not-a-reference"
        rsc_defaults resource-stickiness=100
        op_defaults timeout=60s
        fence f1 stonith:fence_ipmilan for n1 n2 { ip=10.2.0.1 password=secret:IPMI lanplus="1" }
        resource vip ocf:heartbeat:IPaddr2 ip=10.0.0.100 cidr_netmask=24 {
            meta target-role=Started
            op monitor interval=10s timeout=20s role=Promoted on-fail=restart
            op start interval=0s
        }
        resource db ocf:heartbeat:pgsql
        resource web systemd:nginx { op monitor interval=30s description="check # it; {now}" }
        group g vip web { meta target-role=Stopped }
        clone web-clone web interleave=true
        promotable db-clone db { meta promoted-max=1 }
        location l1 g prefers n1 n2=50 role=Started resource-discovery=never
        location l2 g avoids n3=-INFINITY
        location l3 g rule score=-INFINITY role=Promoted site ne "dc 1" or not_defined rack or "#uname" eq n3
        location l4 db-clone rule defined pingd
        colocation c1 web with vip score=INFINITY rsc-role=Started influence=no
        colocation c2 score=100 { set vip web sequential=false; set db role=Promoted }
        order o1 vip then web kind=Optional symmetrical=false
        order o2 { set vip web require-all=no action=start ordering=listed }
        fencing_level n1 1 f1
        fencing_level n1 2 f1
    }
    keepalived {
        global { script_user keepalived_script; enable_script_security yes; vrrp_version 3; vrrp_strict no }
        script chk "/usr/bin/pidof haproxy" interval=2s timeout=3s weight=-20 rise=2 fall=3 user=nobody
        vrrp VI_1 {
            vrid 51
            vip 10.0.0.100/24 dev=eth0 label=eth0:vip
            vip fd00::100/64
            interface n1=eth0 n2=eth1
            unicast_src n1=10.0.0.1 n2=10.0.0.2
            priority n1=100 n2=90
            state n1=MASTER n2=BACKUP
            preempt no
            preempt_delay 30s
            advert 1s
            version 3
            auth pass=secret:VRRP_PASSWORD
            track chk weight=-10 reverse
            track_interface eth1 weight=5
            notify master "/usr/local/bin/notify master"
            notify backup "/usr/local/bin/notify backup"
            multicast
            accept yes
            dont_track_primary
            garp_master_delay 5s
            garp_master_refresh 60s
        }
        vrrp VI_2 { vrid 52; vip 10.0.0.101/24; interface eth0; state BACKUP; priority n1=90 n2=100; auth ah="secret:literal" }
        sync_group G1 VI_1 VI_2 { notify master "/bin/true"; tracking_weight yes; track chk weight=2 }
        sync_group G2 VI_1
        virtual_server 10.0.0.100:80 {
            protocol TCP; lvs_sched wlc; lvs_method DR; delay_loop 5s; persistence_timeout 5m
            connect_timeout 3s; retry 3; delay_before_retry 2s; quorum 1; sorry_server 10.0.0.200:80
            real_server 10.0.1.1:80 weight=10 inhibit_on_failure=yes connect_timeout=3s retry=2 delay_before_retry=1s {
                check http path=/healthz status=200 digest=0123456789abcdef0123456789abcdef virtualhost=example.com
                check misc "/usr/bin/check web" dynamic timeout=5s
                check tcp connect_port=81 connect_ip=10.0.1.1 delay_loop=2s
            }
            real_server 10.0.1.2:80
        }
    }
    haproxy {
        global { maxconn 4000; log /dev/log local0; stats socket /run/haproxy.sock mode=660 level admin
                 ssl-default-bind-ciphers "ECDHE+AESGCM:!aNULL"; description "a;b=c" "x=y=z" k=v }
        defaults { mode http; timeout connect 5s; timeout client 30s; option httplog; retries 3 }
        defaults named { mode tcp }
        frontend fe {
            bind 10.0.0.100:443 ssl crt=/etc/haproxy/site.pem alpn=h2,http/1.1
            bind *:80
            maxconn 1000
            acl is_api path_beg /api /v2
            acl host_x hdr(host) -i "x.example.com" "secret:literal"
            use_backend api if is_api
            use_backend static unless is_api host_x
            use_backend other
            default_backend web
            http-request set-header X-Forwarded-Proto https if "{" ssl_fc "}"
            http-request redirect location "/a b" code 301
            stick-table type=ip size=100k expire=30m store=http_req_rate(10s) peers=mypeers nopurge
        }
        backend web {
            balance hdr(host) use_domain_only
            server w1 10.0.1.1:80 check weight=10 inter=2s rise=2 fall=3 cookie=w1
            server w2 10.0.1.2:80 check backup
            option httpchk GET /health
            http-check expect status 200
        }
        backend api { balance roundrobin; server a1 10.0.2.1:8080; stick-table type=string size=1m len=32 nopurge=no }
        listen stats { bind *:8404; mode http; stats enable; stats auth admin:secret:STATS_PASSWORD; stats "uri" /stats }
        peers mypeers { port 10000; peer n1 10.0.0.1:10000; peer n2 10.0.0.2:10000; timeout connect 5s }
        userlist admins { user alice password=secret:ALICE_HASH groups=ops,dev; user bob insecure-password="p w"; group ops users=alice; group dev }
        resolvers dns { nameserver d1 10.0.0.53:53; resolve_retries 3; hold valid 10s }
    }
}
'''


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("write")


def _compile(text: str, directory: Path, name: str = "cluster.ha"):
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return compile_file(path, name, run_checks=False)


def _errors(unit) -> list[str]:
    return [f"{d.span}: {d.code} {d.message}" for d in unit.diagnostics if d.severity is Severity.ERROR]


def _json_form(path: Path):
    """The JSON form of a file that parses, lowers and validates; else None."""
    unit = compile_file(path, path.name, run_checks=False)
    return None if unit.data is None or unit.has_errors else unit.data


def _round_trip(data: dict, directory: Path) -> tuple[str, dict]:
    text = write_ha(data)
    unit = _compile(text, directory)
    assert not _errors(unit), (text, _errors(unit))
    return text, unit.data


# -- round trips over the repository's own .ha files ----------------------------------


@pytest.mark.parametrize("example", EXAMPLES)
def test_examples_round_trip_to_the_same_json_and_outputs(example, scratch):
    data = _json_form(ROOT / "examples" / f"{example}.ha")
    assert data is not None
    _, again = _round_trip(copy.deepcopy(data), scratch)
    assert again == data
    built = build_data(again, golden_secrets(), f"{example}.ha")
    golden = golden_tree(example)
    built.pop("manifest.json", None)
    golden.pop("manifest.json", None)
    assert built == golden


@pytest.mark.parametrize("index", range(len(DOC_BLOCKS)))
def test_documented_snippets_round_trip(index, scratch):
    path = scratch / f"doc{index}.ha"
    path.write_text(DOC_BLOCKS[index])
    data = _json_form(path)
    assert data is not None
    assert _round_trip(copy.deepcopy(data), scratch)[1] == data


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_cases_round_trip(path, scratch):
    data = _json_form(path)
    if data is None:
        pytest.skip("does not compile to a valid JSON form (a schema-level rule)")
    assert _round_trip(copy.deepcopy(data), scratch)[1] == data


def test_most_rule_cases_are_exercised():
    assert sum(_json_form(p) is not None for p in RULE_FILES) >= len(RULE_FILES) // 2


@pytest.fixture(scope="module")
def kitchen(scratch) -> dict:
    unit = _compile(KITCHEN_SINK, scratch, "kitchen.ha")
    assert not _errors(unit)
    return unit.data


def test_every_statement_round_trips(kitchen, scratch):
    text, again = _round_trip(copy.deepcopy(kitchen), scratch)
    assert again == kitchen
    # Values that must stay literal text are quoted; references stay bare.
    assert 'literal="secret:not-a-reference"' in text
    assert 'auth ah="secret:literal"' in text
    assert "password=secret:ALICE_HASH" in text
    assert 'quoted="say \\"hi\\""' in text
    assert 'http-request set-header X-Forwarded-Proto https if "{" ssl_fc "}"' in text


def test_output_layout_is_plain_and_indented(scratch):
    data = _json_form(ROOT / "examples" / "article-lb.ha")
    text = write_ha(data, ["imported from lb1, lb2", "second line\nthird line"])
    lines = text.splitlines()
    assert lines[:4] == ["# imported from lb1, lb2", "# second line", "# third line", "cluster lb {"]
    assert "    node lb1 {" in lines and "        addr 192.168.1.11" in lines
    assert lines[-1] == "}" and text.endswith("}\n")
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 4 == 0 and "\t" not in line
        assert line.count("{") <= 1 and (line.strip() == "}" or not line.strip().startswith("}"))


def test_header_comments_with_invisible_characters_still_parse(scratch):
    data = _json_form(ROOT / "examples" / "article-lb.ha")
    text = write_ha(data, ["bad \x1b[31m and \u202e reversed"])
    assert "\\u{1B}" in text and "\\u{202E}" in text
    assert _compile(text, scratch).data == data


# -- single values: every string survives, whatever it holds ---------------------------

ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
HOSTILE_PIECES = ['"', "\\", "#", "{", "}", ";", "=", "\n", "\r", "\t", " ", "secret:", "a=b", "=x", "\u00a0",
                  "\u2028", "\u202e", "\x00", "\x85", "é", "😀", "yes", "No", "42", "-7", "\\n", '\\"', "key="]
HOSTILE = st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES), ANY_TEXT), min_size=0, max_size=6).map("".join)


def _single_argument(written: str):
    statements, diagnostics = parse_text(f"k {written}\n", "t.ha")
    assert not diagnostics and len(statements) == 1 and len(statements[0].args) == 1, written
    return statements[0].args[0]


@settings(max_examples=300, deadline=None)
@given(HOSTILE, st.sampled_from(["text", "str", "int", "bool"]))
def test_any_string_is_read_back_as_the_same_string(text, kind):
    arg = _single_argument(word(text, ("x",), kind))
    assert isinstance(arg, Value)
    read = {"text": lambda v: v.text, "str": scalar, "int": integer, "bool": boolean}[kind]
    assert read(arg) == text


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_any_string_survives_as_a_pair_value(text):
    arg = _single_argument(pair("some.key-1", text, ("x",)))
    assert isinstance(arg, Pair) and arg.key == "some.key-1"
    assert scalar(arg.value) == text


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_any_string_survives_as_a_haproxy_word(text):
    assert _words([_single_argument(haproxy_word(text, ("x",)))]) == [text]


def test_numbers_booleans_and_secrets_are_written_bare():
    assert word(42, (), "int") == "42" and word(False, (), "bool") == "no"
    assert word("42", (), "int") == '"42"' and word("off", (), "bool") == '"off"' and word("42", (), "str") == "42"
    assert word({"secret": "VRRP_PASSWORD"}, ()) == "secret:VRRP_PASSWORD"
    assert word("secret:X", ()) == '"secret:X"' and word("secret:X", (), "text") == "secret:X"
    assert quote("a\u0007b", ()) == '"a\\u{7}b"'


# -- hostile values in every free-text position of a whole model -----------------------

def _valid(check, text: str) -> bool:
    try:
        check(text)
    except ValueError:
        return False
    return True


BASE = """
cluster c {
    node n1 { addr 10.0.0.1 }
    node n2 { addr 10.0.0.2 }
    pacemaker { resource r ocf:heartbeat:Dummy }
    keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; priority n1=100 n2=90 } }
    haproxy {
        frontend fe { bind *:80; default_backend be }
        backend be { server s 10.0.0.3:80 }
        userlist users { user u password=x }
    }
}
"""
# Built from pieces the schema accepts, so that few draws are filtered out.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_VISIBLE = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=_BIDI)
_COMMAND_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=_BIDI + "\"'\\$#!")
_TEXT_PIECES = [p for p in HOSTILE_PIECES if _valid(check_text, p)]
_COMMAND_PIECES = [p for p in _TEXT_PIECES if _valid(check_command, p.strip() or "x")]
SAFE_TEXT = st.lists(st.one_of(st.sampled_from(_TEXT_PIECES), st.text(_VISIBLE, min_size=1, max_size=8)),
                     min_size=1, max_size=6).map("".join).filter(lambda t: _valid(check_text, t))
COMMAND = st.lists(st.one_of(st.sampled_from(_COMMAND_PIECES), st.text(_COMMAND_CHARS, min_size=1, max_size=8)),
                   min_size=1, max_size=6).map("".join).filter(lambda t: _valid(check_command, t))
SECRET = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True).map(lambda n: {"secret": n})
TEXT_OR_SECRET = st.one_of(SAFE_TEXT, SECRET)
IDENTIFIER = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,12}", fullmatch=True)
# Pass-through keywords: not one the block structures itself (`bind`, `server`
# ...) nor a haproxy section keyword, which the schema refuses.
RESERVED = {"mode", "maxconn", "bind", "server", "timeout", "acl", "use_backend", "default_backend", "balance", "stick-table",
            "global", "defaults", "frontend", "backend", "listen", "peers", "resolvers", "userlist", "program", "http-errors",
            "ring", "mailers", "cache", "fcgi-app", "log-forward", "crt-store", "traces"}
DIRECTIVE = st.from_regex(r"[a-z][a-z0-9_.-]{0,10}", fullmatch=True).filter(lambda k: k not in RESERVED)



@pytest.fixture(scope="module")
def base(scratch) -> dict:
    unit = _compile(BASE, scratch, "base.ha")
    assert not _errors(unit)
    return unit.data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    attributes=st.dictionaries(IDENTIFIER, SAFE_TEXT, max_size=3),
    properties=st.dictionaries(IDENTIFIER, SAFE_TEXT, max_size=3),
    params=st.dictionaries(IDENTIFIER, TEXT_OR_SECRET, max_size=4),
    meta=st.dictionaries(IDENTIFIER, SAFE_TEXT, max_size=2),
    op_text=SAFE_TEXT,
    rule_value=SAFE_TEXT,
    notify=st.dictionaries(st.sampled_from(["master", "backup", "fault", "stop", "any"]), COMMAND, max_size=3),
    script=COMMAND,
    auth=TEXT_OR_SECRET,
    directives=st.lists(st.tuples(DIRECTIVE, st.lists(TEXT_OR_SECRET, max_size=4)), max_size=4),
    acl_args=st.lists(TEXT_OR_SECRET, max_size=3),
    condition=st.lists(SAFE_TEXT, min_size=1, max_size=3),
    balance_args=st.lists(SAFE_TEXT, max_size=2),
    password=TEXT_OR_SECRET,
)
def test_hostile_values_round_trip(base, scratch, attributes, properties, params, meta, op_text, rule_value, notify,
                                   script, auth, directives, acl_args, condition, balance_args, password):
    data = copy.deepcopy(base)
    data["nodes"][0]["attributes"] = attributes
    pacemaker = data["pacemaker"]
    pacemaker["properties"] = properties
    resource = pacemaker["resources"][0]
    resource["params"], resource["meta"] = params, meta
    resource["ops"] = [{"name": "monitor", "interval": "10s", "description": op_text, "x-note": op_text}]
    pacemaker["constraints"] = [{"type": "location", "name": "loc", "resource": "r",
                                 "rule": {"expressions": [{"attribute": "site", "operation": "eq", "value": rule_value}]}}]
    keepalived = data["keepalived"]
    keepalived["scripts"] = [{"name": "chk", "command": script}]
    instance = keepalived["instances"][0]
    instance["auth"] = {"type": "PASS", "pass": auth}
    if notify:
        instance["notify"] = notify
    frontend, backend, userlist = data["haproxy"]["sections"]
    frontend["directives"] = [{"keyword": keyword, "args": args} for keyword, args in directives]
    frontend["acls"] = [{"name": "a", "criterion": "path_beg", "args": acl_args}]
    frontend["use_backends"] = [{"backend": "be", "if": condition}]
    backend["balance"] = {"algorithm": "roundrobin", "args": balance_args}
    userlist["users"][0]["password"] = password
    for empty in ("attributes",):
        if not data["nodes"][0][empty]:
            del data["nodes"][0][empty]
    if not properties:
        del pacemaker["properties"]
    if not frontend["directives"]:
        del frontend["directives"]
    assume(not validate(data, {}, set()))

    text, again = _round_trip(data, scratch)
    assert again == data, text


# -- what the language cannot say is refused, naming the place -------------------------


def _with(base: dict, change) -> dict:
    data = copy.deepcopy(base)
    change(data)
    return data


@pytest.mark.parametrize("change, path", [
    (lambda d: d["keepalived"]["instances"][0].update(priority={"1node": 100}), "keepalived.instances[0].priority.1node"),
    (lambda d: d["pacemaker"].update(constraints=[{"type": "location", "name": "l", "resource": "r", "rule": {
        "expressions": [{"attribute": "defined", "operation": "eq", "value": "x"}]}}]),
     "pacemaker.constraints[0].rule.expressions[0].attribute"),
    (lambda d: d["pacemaker"].update(constraints=[{"type": "location", "name": "l", "resource": "r", "resource-discovery": "never",
                                                    "rule": {"expressions": [{"attribute": "a", "operation": "defined"}]}}]),
     "pacemaker.constraints[0].resource-discovery"),
    (lambda d: d["pacemaker"].update(constraints=[{"type": "location", "name": "l", "resource": "r", "prefers": {"role": "10"}}]),
     "pacemaker.constraints[0].prefers.role"),
    (lambda d: d["haproxy"]["sections"][0].update(directives=[{"keyword": "bind", "args": ["x"]}]),
     "haproxy.sections[0].directives[0].keyword"),
    (lambda d: d["keepalived"]["instances"][0].update(state={}), "keepalived.instances[0].state"),
    (lambda d: d["pacemaker"]["resources"][0]["params"].update(x="a\ud800b"), "pacemaker.resources[0].params.x"),
    (lambda d: d["nodes"][0].update(colour="red"), "nodes[0].colour"),
])
def test_unwritable_values_raise_with_their_json_path(base, change, path):
    with pytest.raises(Unwritable) as caught:
        write_ha(_with(base, change))
    assert str(caught.value).startswith(path + ":")
    assert isinstance(caught.value, ValueError)


def test_normalisations_build_the_same_outputs(base, scratch):
    """Spellings lowering cannot tell apart are written in its own form."""
    data = _with(base, lambda d: (d["pacemaker"].update(properties={"stonith-enabled": True, "x": 5}),
                                  d["keepalived"]["instances"][0].update(multicast=False),
                                  d["nodes"][0].update(attributes={})))
    again = _round_trip(data, scratch)[1]
    assert again["pacemaker"]["properties"] == {"stonith-enabled": "true", "x": "5"}
    assert "multicast" not in again["keepalived"]["instances"][0]
    assert "attributes" not in again["nodes"][0]
    secrets = {"VRRP_PASSWORD": "x"}
    assert build_data(again, secrets) == build_data(data, secrets)


# -- no traceback, whatever the data --------------------------------------------------

JUNK = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.sampled_from(["", "x", "a b", "secret:x", "a\ud800"]),
                 st.just([]), st.just({}), st.just([1, {"a": []}]), st.just({"secret": 1}), st.just({"secret": "X"}))


def _subtrees(obj, path=()):
    yield path
    children = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for key, value in children:
        yield from _subtrees(value, path + (key,))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_corrupted_json_forms_raise_only_unwritable(kitchen, data):
    model = copy.deepcopy(kitchen)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = list(_subtrees(model))[1:]
        where = data.draw(st.sampled_from(paths))
        parent = model
        for key in where[:-1]:
            parent = parent[key]
        # A copy: `st.just` draws the same object every time, and a later
        # round writing into it would make a cycle (and leak into the next
        # example).
        parent[where[-1]] = copy.deepcopy(data.draw(JUNK))
    try:
        text = write_ha(model)
    except Unwritable as exc:
        # The path points into the model: the caller shows it to the user.
        assert not exc.path or exc.path[0] in model
        return
    assert not parse_text(text, "cluster.ha")[1], text
