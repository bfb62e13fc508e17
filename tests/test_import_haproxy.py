"""Importing haproxy.cfg: haproxy's tokenization, the mapping to the JSON
form, the per-node merge, the golden round trip and the corpus."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import judges
import pytest
from importing_helpers import (
    CORPUS,
    ROOT,
    build_data,
    case_toml,
    checkable,
    example_data,
    golden_secrets,
    golden_tree,
    new_log,
    node_sources,
)

from hacc.diagnostics.model import Severity
from hacc.importing.files import NodeTable, Source
from hacc.importing.layers.haproxy import import_haproxy
from hacc.importing.readers.haproxy import read_haproxy, split_line
from hacc.model.validate import validate

HAPROXY_EXAMPLES = ["active-active", "article-lb"]
CASES = sorted(p.name for p in CORPUS.glob("haproxy-*"))
BASE = """global
    maxconn 100

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

"""


def source(name: str, text: str) -> Source:
    return Source(name, Path(name), text)


def run_import(texts: dict[str, str], nodes: NodeTable | None = None):
    """Import in-memory files: node -> haproxy.cfg text (display `NODE.cfg`)."""
    log, _ = new_log()
    nodes = nodes if nodes is not None else NodeTable(list(texts))
    section = import_haproxy({name: source(f"{name}.cfg", text) for name, text in texts.items()}, nodes, log)
    return section, log, nodes


def codes(log) -> list[str]:
    return [d.code for d in log.diagnostics]


def rebuild(section: dict, nodes: NodeTable, secrets: dict[str, str]) -> dict[str, str]:
    """node -> the haproxy.cfg hacc builds from the imported section."""
    for index, node in enumerate(nodes):
        node.setdefault("addrs", [f"192.0.2.{index + 1}"])
    data = {"cluster": "imported", "nodes": nodes.as_list(), "haproxy": section}
    outputs = build_data(data, secrets)
    return {path.split("/")[0]: content.decode() for path, content in outputs.items() if path.endswith("haproxy.cfg")}


def body(config: str) -> list[str]:
    """A generated haproxy.cfg without its header comment."""
    return [line.strip() for line in config.splitlines()[1:] if line.strip()]


def find(section: dict, kind: str, name: str | None = None) -> dict:
    return next(s for s in section["sections"] if s["type"] == kind and s.get("name") == name)


# -- round trip over the golden examples ----------------------------------------------------


@pytest.mark.parametrize("example", HAPROXY_EXAMPLES)
def test_golden_round_trip(example):
    data = example_data(example)
    log, files = new_log()
    nodes = NodeTable()
    for node in data["nodes"]:
        nodes.add(node["name"])["addrs"] = list(node["addrs"])
    section = import_haproxy(node_sources(ROOT / "golden" / example, "haproxy", files), nodes, log)
    loud = [d for d in log.diagnostics if d.severity >= Severity.WARNING]
    assert not loud, [(str(d.span), d.message) for d in loud]
    data["haproxy"] = section
    built = build_data(data, golden_secrets() | log.secrets, f"{example}.ha")
    golden = golden_tree(example)
    haproxy_files = [path for path in golden if path.endswith("haproxy.cfg")]
    assert len(haproxy_files) == len(data["nodes"])
    for path in haproxy_files:
        assert built[path] == golden[path], path


def test_golden_peers_come_back_derived():
    log, files = new_log()
    nodes = NodeTable(["lb1", "lb2"])  # addresses unknown: taken from the peer lines
    section = import_haproxy(node_sources(ROOT / "golden" / "active-active", "haproxy", files), nodes, log)
    assert find(section, "peers", "lbpeers") == {"type": "peers", "name": "lbpeers", "port": 10000}
    assert [n["addrs"] for n in nodes] == [["10.1.0.11"], ["10.1.0.12"]]
    assert log.spans[nodes.path("lb2", "addrs", 0)].line == 22
    user = find(section, "userlist", "admins")["users"][0]
    assert user["password"] == {"secret": "ADMINS_OPS_PASSWORD"}
    assert log.secrets["ADMINS_OPS_PASSWORD"] == golden_secrets()["STATS_PASSWORD_HASH"]


# -- the reader: haproxy's own tokenization ---------------------------------------------------------


def words(line: str) -> list[str]:
    return [text for text, *_ in split_line(line)[0]]


@pytest.mark.parametrize("line, expected", [
    ("bind 'a b' \"a\\\"b\" a\\ b", ["bind", "a b", 'a"b', "a b"]),
    ("x \"a#b\" 'c#d' e\\#f # comment", ["x", "a#b", "c#d", "e#f"]),
    ("x 'it''s' \"q'\" \\'", ["x", "its", "q'", "'"]),
    ("x \\x41\\q \\$ \"\\$\"", ["x", "A\\q", "\\$", "$"]),
    ("x 'a\\n' \"a\\tb\"", ["x", "a\\n", "a\tb"]),
    ("   \t x    y\t", ["x", "y"]),
    ("x \"\" y \"\"", ["x", "", "y"]),  # a trailing empty word is not a word
    ("x a\"b c\"d", ["x", "ab cd"]),
    ("x y\rz", ["x", "y"]),
    ("#only a comment", []),
])
def test_words_follow_parse_line(line, expected):
    assert words(line) == expected


def test_word_spans_cover_the_written_word():
    found = split_line("  bind 'a b' x")[0]
    assert [(start, end, quoted) for _, start, end, quoted in found] == [(3, 7, False), (8, 13, True), (14, 15, False)]


def test_environment_variables_are_named_not_expanded():
    found, variables = split_line('x "${PORT-80}" "$HOST" "\\$LIT" \'$NOT\' $NOT')
    assert [w[0] for w in found] == ["x", "${PORT-80}", "$HOST", "$LIT", "$NOT", "$NOT"]
    assert variables == ["PORT", "HOST"]


@pytest.mark.parametrize("line, col, fragment", [
    ("bind 'a b", 6, "unmatched quote"),
    ('x "abc', 3, "unmatched quote"),
    ("x \\x4g", 3, "\\x"),
    ('x "$1"', 5, "environment variable"),
    ('x "${A"', 5, "brace"),
    ('x "${.FOO}"', 6, "pseudo-variable"),
    ("x " + " ".join(["w"] * 64), 129, "more than 64 words"),
])
def test_line_errors_are_unreadable_at_their_column(line, col, fragment):
    log, _ = new_log()
    file = read_haproxy(source("t.cfg", f"global\n    maxconn 1\n    {line}\n    log stdout local0\n"), log)
    assert codes(log) == ["HA083"]
    problem = log.diagnostics[0]
    assert (problem.span.line, problem.span.col) == (3, col + 4)
    assert fragment in problem.message
    # haproxy skips the line and goes on reading
    assert [line.keyword for line in file.sections[0].block] == ["maxconn", "log"]


def test_sixty_four_words_are_allowed():
    assert len(words("x " + " ".join(["w"] * 63))) == 64


def test_sections_start_at_their_keywords():
    text = "global\n  maxconn 1\nfrontend f\n  bind :80\ncache c\n  total-max-size 4\nbackend b\n  server s 1.2.3.4:80\n"
    log, _ = new_log()
    file = read_haproxy(source("t.cfg", text), log)
    assert [(s.keyword, s.texts(), len(s.block)) for s in file.sections] == [
        ("global", [], 1), ("frontend", ["f"], 1), ("cache", ["c"], 1), ("backend", ["b"], 1)]
    assert not log.diagnostics


def test_lines_before_any_section_are_refused():
    log, _ = new_log()
    file = read_haproxy(source("t.cfg", "# header\nmaxconn 10\nglobal\n  maxconn 20\n"), log)
    assert codes(log) == ["HA083"]
    assert log.diagnostics[0].span.line == 2
    assert [line.keyword for line in file.preamble] == ["maxconn"]


def test_conditional_blocks_are_reported_and_not_imported():
    text = BASE + ("frontend f\n    bind :80\n.if version_atleast(2.5)\n    http-request deny\n.else\n"
                   "    http-request allow\n.endif\n    default_backend b\nbackend b\n    server s 10.0.0.1:80\n")
    section, log, _ = run_import({"lb1": text})
    assert codes(log).count("HA080") == 1
    lost = next(d for d in log.diagnostics if d.code == "HA080")
    assert lost.span.line == 12 and "lines 12-16" in lost.message
    frontend = find(section, "frontend", "f")
    assert "directives" not in frontend and frontend["default_backend"] == "b"


def test_unfinished_conditional_block_and_lone_endif():
    log, _ = new_log()
    read_haproxy(source("t.cfg", "global\n.endif\n.if defined(X)\n  maxconn 1\n"), log)
    assert [(d.code, d.span.line) for d in log.diagnostics] == [("HA083", 2), ("HA083", 3)]


def test_messages_and_unknown_dot_directives():
    log, _ = new_log()
    read_haproxy(source("t.cfg", "global\n.notice hello\n.alert stop\n.frobnicate\n"), log)
    assert [(d.code, d.span.line) for d in log.diagnostics] == [("HA080", 2), ("HA083", 3), ("HA083", 4)]


def test_crlf_reads_like_lf():
    lf = BASE + "listen l\n    bind :80\n    server s 10.0.0.1:80 check\n"
    first = run_import({"lb1": lf})[0]
    second = run_import({"lb1": lf.replace("\n", "\r\n")})[0]
    assert first == second


def test_missing_final_newline_and_nul_byte():
    log, _ = new_log()
    read_haproxy(source("t.cfg", "global\n    maxconn 1"), log)
    assert [(d.code, d.span.line) for d in log.diagnostics] == [("HA083", 2)]
    log, _ = new_log()
    file = read_haproxy(source("t.cfg", "global\n    maxconn 1\0junk\n    log stdout local0\n"), log)
    assert [(d.code, d.span.line) for d in log.diagnostics] == [("HA083", 2)]
    assert [line.texts() for line in file.sections[0].block] == [["1"]]  # haproxy stops reading at the NUL


@pytest.mark.parametrize("garbage", [
    "\x00\x01\x02\xff\xfe" * 50,
    "frontend \"" + "x" * 200_000,
    "global\n    log " + "y" * 1_000_000 + "\n",
    "}{\n\"'\\\n$${{\n.if\n.endif\n" * 20,
    "backend b\n    server " + " ".join(["check"] * 70) + "\n",
    "userlist u\n    user\n    user a password\n    group\n",
])
def test_garbage_gives_diagnostics_not_tracebacks(garbage):
    section, log, nodes = run_import({"lb1": garbage, "lb2": garbage[::-1]})
    for node in nodes:
        node.setdefault("addrs", ["192.0.2.1"])
    problems = validate({"cluster": "c", "nodes": nodes.as_list(), "haproxy": section}, {}, set())
    assert not problems, [p.message for p in problems]
    assert all(d.span.line >= 1 for d in log.diagnostics)


def test_words_match_haproxy_itself(tmp_path, require_tool):
    """haproxy prints the first argument of `.notice` as it parsed it."""
    require_tool("haproxy")
    samples = ["'a b'", '"a\\"b"', "a\\ b", '"x#y"#c', "a\\x41\\q", '"\\$HOME"', "\"it's\"", "'q\"\\n'",
               'a"b c"d', "\\$x", "\\'x\\'", '"tab\\there"']
    config = tmp_path / "notice.cfg"
    config.write_text("".join(f".notice {sample}\n" for sample in samples))
    result = subprocess.run(["haproxy", "-c", "-f", str(config)], check=False, capture_output=True, text=True, timeout=60)
    printed = re.findall(r"parsing \[[^\]]*:(\d+)\]: '(.*)'\.$", result.stdout + result.stderr, re.MULTILINE)
    assert len(printed) == len(samples)
    for (line, text), sample in zip(printed, samples):
        assert words(f".notice {sample}")[1] == text, (line, sample)


# -- mapping to the JSON form -----------------------------------------------------------------------------


def test_structured_fields_and_passthrough():
    text = BASE + """frontend www
    bind :443 ssl crt /etc/haproxy/site.pem alpn h2,http/1.1
    maxconn 500
    acl is_api path_beg /api /v1
    http-request set-header X-Proto "https; v=1"
    use_backend api if is_api !{ src 10.0.0.0/8 }
    default_backend app

backend app
    balance url_param userid
    stick-table type string len 32 size 10K expire 30000
    server app1 10.2.0.11:8080 check inter 2s weight 10 maxconn 50
    server app2 [2001:db8::2]:8080 check backup

backend api
    server api1 2001:db8::3:9000
"""
    section, log, nodes = run_import({"lb1": text})
    frontend = find(section, "frontend", "www")
    assert frontend["binds"] == [{"address": ":443", "options": {"ssl": True, "crt": "/etc/haproxy/site.pem", "alpn": "h2,http/1.1"}}]
    assert frontend["maxconn"] == 500
    assert frontend["directives"] == [{"keyword": "http-request", "args": ["set-header", "X-Proto", "https; v=1"]}]
    assert frontend["acls"] == [{"name": "is_api", "criterion": "path_beg", "args": ["/api", "/v1"]},
                                {"name": "anon_src", "criterion": "src", "args": ["10.0.0.0/8"]}]
    assert frontend["use_backends"] == [{"backend": "api", "if": ["is_api", "!anon_src"]}]
    app = find(section, "backend", "app")
    assert app["balance"] == {"algorithm": "url_param", "args": ["userid"]}
    assert app["stick_table"] == {"type": "string", "len": 32, "size": "10k", "expire": "30000ms"}
    assert app["servers"][0]["options"] == {"check": True, "inter": "2s", "weight": 10, "maxconn": 50}
    assert find(section, "backend", "api")["servers"][0]["address"] == "[2001:db8::3]:9000"
    # every change of form is a note, at the word it changes
    assert codes(log) == ["HA081"] * 5
    lines = text.splitlines()
    underlined = [lines[d.span.line - 1][d.span.col - 1:d.span.end_col - 1] for d in log.diagnostics]
    assert underlined == [":443", "!{ src 10.0.0.0/8 }", "10K", "30000", "2001:db8::3:9000"]
    assert [m.message.split("`")[3] for m in log.diagnostics] == ["*:443", "acl anon_src src 10.0.0.0/8", "10k", "30s",
                                                                  "[2001:db8::3]:9000"]
    assert log.spans[("haproxy", "sections", 1, "binds", 0, "options", "crt")].line == 11
    built = rebuild(section, nodes, log.secrets)["lb1"]
    assert "    acl anon_src src 10.0.0.0/8\n    http-request set-header X-Proto 'https; v=1'\n" in built
    assert "stick-table type string len 32 size 10k expire 30s" in built


def test_values_hacc_cannot_hold_are_lost_not_passed_through():
    text = BASE + """frontend f
    bind unix@/run/haproxy.sock
    bind :80 frobnicate
    bind :81 crt a.pem crt b.pem ssl
    mode health
    timeout client-hs 5s
    timeout client 10us
    stats admin if { src 10.0.0.0/8 }
    default_backend b

backend b
    bind :82
    server s1 10.0.0.1:80 source 10.0.0.2 usesrc clientip
    server s2 10.0.0.2:80 check
    default-server inter 3s
"""
    section, log, _ = run_import({"lb1": text})
    lost = sorted(d.span.line for d in log.diagnostics if d.code == "HA080")
    assert lost == [11, 12, 13, 14, 15, 16, 21, 22, 24]
    # `:81` becomes `*:81`; the anonymous ACL of `stats admin` becomes a named one
    assert [(d.code, d.span.line) for d in log.diagnostics if d.code != "HA080"] == [("HA081", 13), ("HA081", 17)]
    frontend = find(section, "frontend", "f")
    assert frontend["binds"] == [{"address": ":81", "options": {"crt": "a.pem", "ssl": True}}]
    assert "mode" not in frontend and "timeouts" not in frontend
    backend = find(section, "backend", "b")
    assert [s["name"] for s in backend["servers"]] == ["s2"]
    # kept, and reported: after a rebuild it applies to s2 as well
    assert backend["directives"] == [{"keyword": "default-server", "args": ["inter", "3s"]}]


def test_rules_that_name_an_acl_are_imported_whatever_their_place():
    """hacc writes the `acl` lines above every directive, so `stats admin if
    net` keeps finding its ACL after a rebuild."""
    text = BASE + ("listen stats\n    bind *:8404\n    acl net src 10.0.0.0/8\n    stats enable\n"
                   "    stats admin if net\n    http-request deny unless net\n    server s 10.0.0.1:80\n")
    section, log, _ = run_import({"lb1": text})
    assert log.diagnostics == []
    assert len(find(section, "listen", "stats")["directives"]) == 3


def test_secrets_become_references():
    text = BASE + """userlist ops
    group admins users alice
    user alice password $6$salt$hash groups admins
    user bob insecure-password hunter2

listen stats
    bind :8404
    stats enable
    stats auth admin:s3cret
"""
    section, log, nodes = run_import({"lb1": text})
    userlist = find(section, "userlist", "ops")
    assert userlist["users"] == [
        {"name": "alice", "password": {"secret": "OPS_ALICE_PASSWORD"}, "groups": "admins"},
        {"name": "bob", "insecure-password": {"secret": "OPS_BOB_PASSWORD"}},
    ]
    stats = find(section, "listen", "stats")["directives"][1]
    assert stats == {"keyword": "stats", "args": ["auth", {"secret": "STATS_STATS_AUTH"}]}
    assert log.secrets == {"OPS_ALICE_PASSWORD": "$6$salt$hash", "OPS_BOB_PASSWORD": "hunter2",
                           "STATS_STATS_AUTH": "admin:s3cret"}
    assert not any("hunter2" in d.message or "s3cret" in d.message for d in log.diagnostics)
    built = rebuild(section, nodes, log.secrets)["lb1"]
    assert "user alice password '$6$salt$hash' groups admins" in built
    assert "stats auth admin:s3cret" in built


def test_sections_hacc_lacks_are_lost_with_the_lines_using_them():
    text = BASE + """cache assets
    total-max-size 4
ring logs
    size 32764
program sidecar
    command /usr/bin/true
frontend f
    bind :80
    http-request cache-use assets
    log ring@logs local0
    http-request deny if { path_beg /x } || { path_end .y }
    default_backend b
backend b
    http-response cache-store assets
    server s 10.0.0.1:80
"""
    section, log, nodes = run_import({"lb1": text})
    lost = {d.span.line: d.message for d in log.diagnostics if d.code == "HA080"}
    assert sorted(lost) == [10, 12, 14, 18, 19, 23]
    assert "cache assets" in lost[18] and "ring logs" in lost[19]
    assert [s["type"] for s in section["sections"]] == ["defaults", "frontend", "backend"]
    frontend = find(section, "frontend", "f")
    assert frontend["directives"] == [{"keyword": "http-request", "args": ["deny", "if", "anon_path_beg", "||", "anon_path_end"]}]
    assert "acl anon_path_beg path_beg /x" in rebuild(section, nodes, {})["lb1"]


def test_duplicates_keep_the_last_like_haproxy():
    text = BASE + "backend b\n    balance roundrobin\n    balance leastconn\n    timeout server 1s\n    timeout server 2s\n"
    section, log, _ = run_import({"lb1": text})
    backend = find(section, "backend", "b")
    assert backend["balance"]["algorithm"] == "leastconn" and backend["timeouts"] == {"server": "2s"}
    assert [(d.code, d.span.line) for d in log.diagnostics] == [("HA081", 11), ("HA081", 13)]


def test_empty_words_end_the_argument_list():
    text = BASE + 'listen l\n    bind *:80\n    option "" httplog\n    option httpclose "" \n    server s 10.0.0.1:80\n'
    section, log, _ = run_import({"lb1": text})
    assert find(section, "listen", "l")["directives"] == [{"keyword": "option", "args": []},
                                                          {"keyword": "option", "args": ["httpclose"]}]
    # words after an empty word are lost; a trailing empty word changes nothing
    assert [(d.code, d.span.line) for d in log.diagnostics] == [("HA080", 12), ("HA081", 13)]


def test_variables_drop_their_line_only():
    section, log, _ = run_import({"lb1": BASE + 'listen l\n    bind "${ADDR}:80"\n    bind *:81\n    server s 10.0.0.1:80\n'})
    assert [b["address"] for b in find(section, "listen", "l")["binds"]] == ["*:81"]
    assert [(d.code, d.span.line) for d in log.diagnostics] == [("HA080", 11)]
    assert "`ADDR`" in log.diagnostics[0].message


def test_from_defaults_is_kept_only_when_it_changes_nothing():
    text = BASE.replace("defaults", "defaults base") + "frontend f from base\n    bind *:80\n" + \
        "defaults other\n    mode tcp\nbackend b from base\n    server s 10.0.0.1:80\n"
    section, log, _ = run_import({"lb1": text})
    assert [(d.code, d.span.line) for d in log.diagnostics] == [("HA081", 10), ("HA080", 14)]
    assert find(section, "frontend", "f") == {"type": "frontend", "name": "f", "binds": [{"address": "*:80", "options": {}}]}


# -- merging the nodes' files ---------------------------------------------------------------------------


def test_differences_are_reported_at_the_other_nodes_line():
    first = BASE + "backend b\n    balance roundrobin\n    server s1 10.0.0.1:80 check\n    server s2 10.0.0.2:80 check\n"
    # same content, other layout, quoting and comments: nothing to report
    same = first.replace("    ", "\t").replace("roundrobin", "'roundrobin' # why").replace("maxconn 100", "maxconn \"100\"")
    other = first.replace("10.0.0.2:80 check", "10.0.0.2:80 check weight 5").replace("timeout server 30s", "timeout server 1m")
    section, log, _ = run_import({"lb1": first, "lb2": same, "lb3": other})
    found = [(d.code, d.span.file, d.span.line, d.labels[0].span.file, d.labels[0].span.line) for d in log.diagnostics]
    assert found == [("HA082", "lb3.cfg", 8, "lb1.cfg", 8), ("HA082", "lb3.cfg", 13, "lb1.cfg", 13)]
    assert "weight 5" in log.diagnostics[1].message
    # the first node's file is the one imported
    assert find(section, "backend", "b")["servers"][1]["options"] == {"check": True}


def test_missing_and_extra_sections_and_lines():
    first = BASE + "backend a\n    server s 10.0.0.1:80\nbackend b\n    server s 10.0.0.2:80\n"
    other = BASE + "backend a\n    server s 10.0.0.1:80\n    option httpchk\nbackend c\n    server s 10.0.0.3:80\n"
    _, log, _ = run_import({"lb1": first, "lb2": other})
    messages = [(d.span.file, d.span.line, d.message) for d in log.diagnostics]
    assert [m[:2] for m in messages] == [("lb2.cfg", 12), ("lb2.cfg", 13), ("lb2.cfg", 13)]
    assert "option httpchk" in messages[0][2]
    assert "no `backend b`" in messages[1][2] and "`backend c`" in messages[2][2]


def test_secret_differences_are_not_printed():
    first = BASE + "userlist u\n    user a password $6$one\n"
    _, log, _ = run_import({"lb1": first, "lb2": first.replace("$6$one", "$6$two")})
    difference = next(d for d in log.diagnostics if d.code == "HA082")
    assert "$6$" not in difference.message and "***" in difference.message


PEERS = BASE + """peers mesh
    peer lb1 10.0.0.11:10000
    peer lb2 10.0.0.12:10000
backend b
    stick-table type ip size 1k peers mesh
    server s 10.0.0.1:80
"""


def with_localpeer(text: str, name: str | None) -> str:
    return text if name is None else text.replace("maxconn 100\n", f"maxconn 100\n    localpeer {name}\n")


def test_localpeer_is_per_node_and_peers_are_derived():
    texts = {name: with_localpeer(PEERS, name) for name in ("lb1", "lb2")}
    section, log, nodes = run_import(texts)
    assert not log.diagnostics
    assert find(section, "peers", "mesh") == {"type": "peers", "name": "mesh", "port": 10000}
    built = rebuild(section, nodes, {})
    for name, text in texts.items():
        assert body(built[name]) == [line.strip() for line in text.splitlines() if line.strip()]


def test_peers_at_other_addresses_stay_explicit():
    nodes = NodeTable(["lb1", "lb2"])
    nodes.get("lb1")["addrs"] = ["10.9.0.11"]
    nodes.get("lb2")["addrs"] = ["10.9.0.12"]
    section, log, _ = run_import({name: with_localpeer(PEERS, name) for name in ("lb1", "lb2")}, nodes)
    assert find(section, "peers", "mesh")["peers"] == [{"name": "lb1", "address": "10.0.0.11:10000"},
                                                       {"name": "lb2", "address": "10.0.0.12:10000"}]
    assert not log.diagnostics


def test_localpeer_problems():
    # missing on lb2: haproxy used the host name; hacc writes it (a note)
    _, log, _ = run_import({"lb1": with_localpeer(PEERS, "lb1"), "lb2": with_localpeer(PEERS, None)})
    assert [(d.code, d.span.file) for d in log.diagnostics] == [("HA081", "lb2.cfg")]
    # a localpeer that is not the node's name cannot be kept
    section, log, _ = run_import({"lb1": with_localpeer(PEERS, "lb1"), "lb2": with_localpeer(PEERS, "lb1")})
    assert [(d.code, d.span.file, d.span.line) for d in log.diagnostics] == [("HA080", "lb2.cfg", 3)]
    assert "peers" in find(section, "peers", "mesh")


def test_node_without_a_file_is_noted():
    nodes = NodeTable(["lb1", "lb2", "lb3"])
    _, log, _ = run_import({"lb1": BASE, "lb2": BASE}, nodes)
    assert [(d.code, d.message.split(" ")[0]) for d in log.diagnostics] == [("HA081", "lb3")]


# -- the corpus -------------------------------------------------------------------------------------------------


def test_corpus_is_varied():
    assert len(CASES) >= 7
    assert {"HA080", "HA081", "HA082"} <= {code for case in CASES for code in case_toml(case)["expect"]}


@pytest.mark.parametrize("case", CASES)
def test_corpus_case_imports(case):
    log, files = new_log()
    sources = node_sources(CORPUS / case, "haproxy", files)
    assert len(sources) >= 2
    nodes = NodeTable(list(sources))
    section = import_haproxy(sources, nodes, log)
    assert sorted(set(codes(log))) == sorted(case_toml(case)["expect"]), [(str(d.span), d.message) for d in log.diagnostics]
    for node in nodes:
        node.setdefault("addrs", ["192.0.2.10"])
    problems = validate({"cluster": "corpus", "nodes": nodes.as_list(), "haproxy": section}, {}, set())
    assert not problems, [(p.path, p.message) for p in problems]


@pytest.mark.parametrize("case", CASES)
def test_corpus_files_and_their_rebuild_pass_haproxy(case, tmp_path, require_tool):
    require_tool("haproxy")
    log, files = new_log()
    sources = node_sources(CORPUS / case, "haproxy", files)
    for name, found in sources.items():
        verdict = judges.haproxy(checkable(found.path, case, tmp_path))
        assert verdict.ok, (name, verdict.output)
    nodes = NodeTable(list(sources))
    section = import_haproxy(sources, nodes, log)
    for name, config in rebuild(section, nodes, log.secrets).items():
        rebuilt = tmp_path / "rebuilt" / name / "etc" / "haproxy" / "haproxy.cfg"
        rebuilt.parent.mkdir(parents=True)
        rebuilt.write_text(config)
        verdict = judges.haproxy(checkable(rebuilt, case, tmp_path))
        assert verdict.ok, (name, verdict.output, config)
