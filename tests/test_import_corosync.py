"""Importing corosync.conf: the reader follows corosync's own line rules,
the golden files import back to models that rebuild them byte for byte,
corosync 2 spellings are mapped with a note, and every corpus case imports
to a valid model that rebuilds to a file corosync accepts."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import judges
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from importing_helpers import (
    CORPUS,
    EXAMPLES,
    ROOT,
    build_data,
    example_data,
    golden_secrets,
    golden_tree,
    new_log,
    node_sources,
)

from hacc.config import _toml
from hacc.diagnostics.model import Span
from hacc.importing.files import NodeTable, Source
from hacc.importing.layers.corosync import import_corosync
from hacc.importing.readers.corosync import read_corosync
from hacc.model.validate import validate

CONF = "etc/corosync/corosync.conf"
COROSYNC_EXAMPLES = [e for e in EXAMPLES if any(p.endswith(CONF) for p in golden_tree(e))]
CASES = sorted(p.name for p in CORPUS.glob("corosync-*") if p.is_dir())
NODE_FIELDS = ("id", "addrs", "votes")


def import_root(root: Path):
    log, files = new_log()
    sources = node_sources(root, "corosync", files)
    nodes = NodeTable(list(sources))
    name, section = import_corosync(sources, nodes, log)
    return name, section, nodes, log


def import_texts(texts: dict[str, str], order: list[str] | None = None):
    """Import corosync.conf texts given per node (node -> text)."""
    log, _ = new_log()
    sources = {node: Source(f"{node}/{CONF}", Path(node) / CONF, text) for node, text in texts.items()}
    nodes = NodeTable(order or list(texts))
    name, section = import_corosync(sources, nodes, log)
    return name, section, nodes, log


def codes(log) -> list[str]:
    return [d.code for d in log.diagnostics]


def with_import(data: dict, name: str | None, section: dict | None, nodes: NodeTable) -> dict:
    """`data` whose corosync part (section, node ids, addresses, votes) is
    replaced by what was imported."""
    data = copy.deepcopy(data)
    data.pop("corosync", None)
    if section is not None:
        data["corosync"] = section
    if name is not None:
        data["cluster"] = name
    for node in data["nodes"]:
        for field in NODE_FIELDS:
            node.pop(field, None)
        imported = nodes.get(node["name"]) or {}
        node.update({field: imported[field] for field in NODE_FIELDS if field in imported})
    return data


def read(text: str):
    log, _ = new_log()
    items = read_corosync(Source("test.conf", Path("test.conf"), text), log)
    return items, log


# --- round trip over the golden examples -------------------------------------------------------


@pytest.mark.parametrize("example", COROSYNC_EXAMPLES)
def test_golden_corosync_imports_back_to_the_same_bytes(example):
    name, section, nodes, log = import_root(ROOT / "golden" / example)
    assert log.diagnostics == [], [(str(d.span), d.message) for d in log.diagnostics]
    data = example_data(example)
    assert name == data["cluster"]
    rebuilt = build_data(with_import(data, name, section, nodes), golden_secrets(), f"{example}.ha")
    golden = golden_tree(example)
    confs = sorted(path for path in golden if path.endswith(CONF))
    assert len(confs) == len(data["nodes"])
    for path in confs:
        assert rebuilt[path].decode() == golden[path].decode(), path


def test_golden_examples_with_corosync_are_covered():
    assert {"article-pacemaker", "three-node-db", "two-node-fencing"} <= set(COROSYNC_EXAMPLES)


# --- the reader: corosync's own line rules ------------------------------------------------------


def test_comments_blank_lines_and_values_that_run_to_the_end_of_the_line():
    items, log = read(
        "# top comment\n"
        "\n"
        "totem {\n"
        "\t  # indented comment\n"
        "    cluster_name: my cluster: a # not a comment  \r\n"
        "    crypto_hash:sha256\n"
        "}\n"
    )
    assert log.diagnostics == []
    (totem,) = items
    assert [(i.keyword, i.args[0].text) for i in totem.block] == [
        ("cluster_name", "my cluster: a # not a comment"),
        ("crypto_hash", "sha256"),
    ]


def test_section_name_drops_a_colon_before_the_brace():
    items, log = read("quorum: {\n    provider: corosync_votequorum\n}\n")
    assert log.diagnostics == []
    assert items[0].keyword == "quorum" and items[0].block[0].keyword == "provider"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("totem {\n    version: 2\n", 1, "never closed"),
        ("totem {\n}\n}\n", 3, "closes no section"),
        ("totem {\n    version: 2 }\n", 1, "never closed"),
        ("totem {\n    version: 2\n} # end\n", 3, "before or after a closing"),
        ("totem { version: 2\n}\n", 1, "after an opening"),
        ("totem {\n    token = 5000\n}\n", 2, "neither opens"),
        ("totem {\n    : 5000\n}\n", 2, "no key"),
        ("{\n}\n", 1, "no section name"),
        ("totem {\n    token: " + "9" * 600 + "\n}\n", 2, "bytes"),
        ("totem {\n    token: 5\x0000\n}\n", 2, "NUL"),
        # corosync: "New key makes total cmap path too long" from `totem.` + 249 bytes.
        ("totem {\n    " + "k" * 249 + ": 1\n}\n", 2, "path is longer"),
        ("a {\n" * 200 + "}\n" * 200, 128, "path is longer"),
    ],
)
def test_what_corosync_refuses_is_reported_at_its_line(text, line, words):
    items, log = read(text)
    assert items is None
    (diagnostic,) = log.diagnostics
    assert diagnostic.code == "HA083"
    assert diagnostic.span.line == line
    assert words in diagnostic.message


def test_the_longest_key_path_corosync_accepts_is_read():
    items, log = read("totem {\n    " + "k" * 248 + ": 1\n}\n")
    assert log.diagnostics == [] and len(items[0].block[0].keyword) == 248


def test_a_closing_brace_after_a_value_is_part_of_the_value():
    # corosync splits at the first `:` before looking for `}`: the section stays open.
    items, log = read("totem {\n    cluster_name: web }\n}\n")
    assert log.diagnostics == []
    assert items[0].block[0].args[0].text == "web }"


def test_an_empty_file_has_no_items_and_imports_as_refused():
    items, log = read("")
    assert items == [] and log.diagnostics == []
    name, section, _, log = import_texts({"n1": ""})
    assert name is None and section == {}
    assert "HA083" in codes(log)


def test_keys_outside_any_section_are_reported_as_lost():
    _, _, _, log = import_texts({"n1": "token: 5000\n" + MINIMAL})
    lost = [d for d in log.diagnostics if d.code == "HA080"]
    assert [d.span.line for d in lost] == [1]
    assert "outside any section" in lost[0].message


def test_value_spans_point_at_the_original_line_and_column():
    text = "totem {\n    version: 2\n    cluster_name: c1\n    token:   5000\n}\n" + MINIMAL_NODES
    _, section, nodes, log = import_texts({"n1": text})
    assert section["totem"] == {"token": "5s"}
    assert log.spans[("corosync", "totem", "token")] == Span(f"n1/{CONF}", 4, 14, 4, 18)
    assert log.spans[nodes.path("n1", "addrs", 0)] == Span(f"n1/{CONF}", 10, 21, 10, 29)
    assert log.spans[("cluster",)].line == 3


_TOKENS = list("ab1:{}# \t\n\n\r\x00é") + ["totem", "nodelist", "node", "ring0_addr", "name", "nodeid", "quorum",
                                               "device", "net", "interface", "logging", "10.0.0.1"]
_GARBAGE = st.lists(st.sampled_from(_TOKENS), max_size=80).map("".join)


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(_GARBAGE)
def test_no_input_makes_the_importer_fail(text):
    _, _, _, log = import_texts({"n1": text, "n2": text[::-1]})
    assert all(d.code.startswith("HA08") for d in log.diagnostics)


def test_binary_garbage_and_huge_lines_are_reported_not_raised():
    rng = random.Random(7)
    blob = "".join(chr(rng.randrange(0, 0x3000)) for _ in range(20000))
    for text in (blob, "x" * 100_000, "totem {\n" * 5000):
        _, _, _, log = import_texts({"n1": text})
        assert log.has_errors


# --- mapping -----------------------------------------------------------------------------------

MINIMAL_NODES = "nodelist {\n    node {\n        name: n1\n        nodeid: 1\n        ring0_addr: 10.0.0.1\n    }\n}\n"
MINIMAL = "totem {\n    version: 2\n    cluster_name: c1\n}\n" + MINIMAL_NODES + "quorum {\n    provider: corosync_votequorum\n}\n"


def totem(*lines: str) -> str:
    return "totem {\n    version: 2\n    cluster_name: c1\n" + "".join(f"    {line}\n" for line in lines) + "}\n" + \
        MINIMAL_NODES + "quorum {\n    provider: corosync_votequorum\n}\n"


def test_minimal_file_is_lossless():
    name, section, nodes, log = import_texts({"n1": MINIMAL})
    assert log.diagnostics == []
    assert name == "c1" and section == {}
    assert nodes.get("n1") == {"name": "n1", "id": 1, "addrs": ["10.0.0.1"]}


def test_secauth_on_becomes_explicit_crypto_with_a_note():
    _, section, _, log = import_texts({"n1": totem("secauth: on", "keyfile: /etc/corosync/authkey")})
    assert section["crypto"] == {"cipher": "aes256", "hash": "sha256"}
    assert "keyfile" not in section  # the default hacc writes itself
    assert codes(log) == ["HA081"]
    assert "secauth" in log.diagnostics[0].message and log.diagnostics[0].span.line == 4


def test_secauth_on_keeps_an_explicit_hash():
    _, section, _, log = import_texts({"n1": totem("secauth: on", "crypto_hash: sha1")})
    assert section["crypto"] == {"cipher": "aes256", "hash": "sha1"}
    assert codes(log) == ["HA081"]


def test_crypto_over_udpu_is_lost_because_corosync_3_refuses_it():
    _, section, _, log = import_texts({"n1": totem("transport: udpu", "secauth: on")})
    assert "crypto" not in section and section["transport"] == "udpu"
    assert "HA080" in codes(log)
    assert ("corosync", "crypto", "cipher") not in log.spans


def test_ringnumber_rrp_mode_and_interface_options():
    text = totem(
        "rrp_mode: active",
        "interface {",
        "    ringnumber: 1",
        "    mcastport: 5405",
        "}",
        "interface {",
        "    linknumber: 0",
        "    knet_link_priority: 3",
        "    knet_ping_interval: 1500",
        "}",
    ).replace("ring0_addr: 10.0.0.1\n", "ring0_addr: 10.0.0.1\n        ring1_addr: 10.1.0.1\n")
    _, section, nodes, log = import_texts({"n1": text})
    assert section["links"] == [
        {"number": 1, "mcastport": 5405},
        {"number": 0, "knet_link_priority": 3, "knet_ping_interval": "1500ms"},
    ]
    assert section["totem"] == {"link_mode": "active"}
    assert nodes.get("n1")["addrs"] == ["10.0.0.1", "10.1.0.1"]
    assert sorted(codes(log)) == ["HA081", "HA081"]


def test_link_options_of_another_transport_are_not_kept():
    multicast = ["interface {", "    ringnumber: 0", "    bindnetaddr: 10.0.0.0", "    mcastaddr: 239.255.1.1",
                 "    mcastport: 5405", "}"]
    _, section, _, log = import_texts({"n1": totem(*multicast)})
    # No transport: corosync 3 runs knet, which ignores the multicast settings.
    assert section["links"] == [{"number": 0, "mcastport": 5405}]
    assert codes(log) == ["HA081", "HA081", "HA081"]
    assert ("corosync", "links", 0, "mcastaddr") not in log.spans
    _, section, _, log = import_texts({"n1": totem("transport: udpu", "interface {", "    knet_link_priority: 2", "}")})
    assert section["links"] == [{"number": 0}]
    assert codes(log) == ["HA080"]
    _, section, _, log = import_texts({"n1": totem("transport: udp", *multicast)})
    assert section["links"] == [{"number": 0, "bindnetaddr": "10.0.0.0", "mcastaddr": "239.255.1.1", "mcastport": 5405}]
    assert codes(log) == ["HA081"]  # ringnumber only


def test_durations_need_whole_numbers_as_corosync_does():
    _, section, _, log = import_texts({"n1": totem("token: 3s", "consensus: 3600")})
    assert section["totem"] == {"consensus": "3600ms"}
    assert codes(log) == ["HA083"]
    assert "whole number of milliseconds" in log.diagnostics[0].message


def test_values_outside_the_schema_are_lost_not_kept():
    _, section, _, log = import_texts({"n1": totem("token_warning: 150", "link_mode: turbo", "tokn: 5")})
    assert "totem" not in section
    assert codes(log) == ["HA080", "HA080", "HA080"]


def test_a_key_inside_the_file_is_lost_and_never_shown():
    _, section, _, log = import_texts({"n1": totem("key: s3cr3t-value")})
    assert codes(log) == ["HA080"]
    assert "s3cr3t" not in log.diagnostics[0].message
    assert "s3cr3t" not in repr(section)


def test_logging_to_logfile_beside_a_logfile_is_derived():
    text = MINIMAL + "logging {\n    to_logfile: yes\n    logfile: /var/log/c.log\n    fileline: off\n}\n"
    _, section, _, log = import_texts({"n1": text})
    assert section["logging"] == {"logfile": "/var/log/c.log", "fileline": False}
    assert log.diagnostics == []


def test_logging_flags_use_the_spelling_corosync_reads():
    text = MINIMAL + "logging {\n    fileline: yes\n    to_syslog: on\n}\n"
    _, section, _, log = import_texts({"n1": text})
    assert section["logging"] == {"to_syslog": True}
    assert codes(log) == ["HA080"]  # logconfig.c reads fileline as on/off only


def test_quorum_without_provider_and_votequorum_flags():
    text = totem().replace("quorum {\n    provider: corosync_votequorum\n}\n", "quorum {\n    two_node: 1\n    wait_for_all: 0\n}\n")
    _, section, _, log = import_texts({"n1": text})
    assert section["quorum"] == {"two_node": True, "wait_for_all": False}
    assert codes(log) == ["HA081"]
    assert "provider" in log.diagnostics[0].message


def test_repeated_key_keeps_the_last_value_as_corosync_does():
    _, section, _, log = import_texts({"n1": totem("token: 1000", "token: 2000")})
    assert section["totem"] == {"token": "2s"}
    assert codes(log) == ["HA081"] and log.diagnostics[0].span.line == 4


# --- the nodelist --------------------------------------------------------------------------------


def test_host_name_ring0_addr_is_lost_and_leaves_addrs_empty():
    text = MINIMAL.replace("        name: n1\n", "").replace("ring0_addr: 10.0.0.1", "ring0_addr: n1.example.com")
    _, _, nodes, log = import_texts({"n1": text})
    assert nodes.names == ["n1"]
    assert nodes.get("n1")["addrs"] == [] and nodes.get("n1")["id"] == 1
    assert sorted(codes(log)) == ["HA080", "HA081"]  # the address; the name taken from its short form


def test_nameless_address_entries_pair_with_command_line_nodes_in_order():
    text = MINIMAL_NODES.replace("        name: n1\n", "")
    text = text.replace("    }\n}\n", "    }\n    node {\n        nodeid: 2\n        ring0_addr: 10.0.0.2\n    }\n}\n")
    text = "totem {\n    version: 2\n}\n" + text + "quorum {\n    provider: corosync_votequorum\n}\n"
    _, _, nodes, log = import_texts({"alpha": text, "beta": text})
    assert [(n["name"], n["addrs"]) for n in nodes] == [("alpha", ["10.0.0.1"]), ("beta", ["10.0.0.2"])]
    assert codes(log) == ["HA081", "HA081"]
    assert "check that alpha has the address 10.0.0.1" in log.diagnostics[0].message


def test_nameless_entry_whose_ring0_addr_names_a_node_takes_that_node():
    two = MINIMAL_NODES.replace("        name: n1\n", "").replace("ring0_addr: 10.0.0.1", "ring0_addr: n1")
    two = two.replace("    }\n}\n", "    }\n    node {\n        nodeid: 2\n        ring0_addr: 10.0.0.2\n    }\n}\n")
    text = "totem {\n    version: 2\n}\n" + two + "quorum {\n    provider: corosync_votequorum\n}\n"
    _, _, nodes, log = import_texts({"n1": text}, order=["other", "n1"])
    # The exact match wins over pairing in order; the address entry gets the node left.
    assert [(n["name"], n.get("id")) for n in nodes] == [("other", 2), ("n1", 1)]
    assert nodes.get("n1")["addrs"] == [] and nodes.get("other")["addrs"] == ["10.0.0.2"]
    assert sorted(codes(log)) == ["HA080", "HA081", "HA081"]


def test_nodes_with_different_link_counts_are_refused():
    text = MINIMAL_NODES.replace("    }\n}\n", "    }\n    node {\n        name: n2\n        nodeid: 2\n"
                                 "        ring0_addr: 10.0.0.2\n        ring1_addr: 10.1.0.2\n    }\n}\n")
    _, _, _, log = import_texts({"n1": "totem {\n    version: 2\n}\n" + text + "quorum {\n    provider: corosync_votequorum\n}\n"})
    assert "HA083" in codes(log)


# --- several nodes -------------------------------------------------------------------------------


def test_differences_between_nodes_point_at_both_files():
    other = MINIMAL.replace("cluster_name: c1", "cluster_name: c2").replace("provider: corosync_votequorum\n",
                                                                          "provider: corosync_votequorum\n    two_node: 1\n")
    name, _, _, log = import_texts({"n1": MINIMAL, "n2": "# a comment, ignored\n" + other.replace("    ", "\t")})
    assert name == "c1"
    found = sorted((d.span.file, d.span.line, d.labels[0].span.file if d.labels else None) for d in log.diagnostics)
    assert codes(log) == ["HA082", "HA082"]
    assert found == [(f"n2/{CONF}", 4, f"n1/{CONF}"), (f"n2/{CONF}", 15, f"n1/{CONF}")]


def test_identical_trees_with_different_layout_do_not_disagree():
    relaid = "\n".join(line.strip() for line in MINIMAL.splitlines()) + "\n# trailing comment\n"
    _, _, _, log = import_texts({"n1": MINIMAL, "n2": relaid})
    assert log.diagnostics == []


# --- the corpus ----------------------------------------------------------------------------------


def expectation(case: str) -> set[str]:
    return set(_toml().loads((CORPUS / case / "case.toml").read_text()).get("expect", []))


def corpus_model(case: str):
    name, section, nodes, log = import_root(CORPUS / case)
    data = {"cluster": name, "nodes": nodes.as_list(), "corosync": section}
    return data, log


def test_the_corpus_has_the_cases_the_issue_asks_for():
    assert len(CASES) >= 6


@pytest.mark.parametrize("case", CASES)
def test_corpus_case_imports_to_a_valid_model_with_the_expected_reports(case):
    data, log = corpus_model(case)
    assert {d.code for d in log.diagnostics} == expectation(case), [(str(d.span), d.message) for d in log.diagnostics]
    assert data["cluster"] is not None
    problems = validate(data, log.spans)
    assert problems == [], [(str(d.span), d.message) for d in problems]


@pytest.mark.parametrize("case", CASES)
def test_corpus_case_rebuilds_to_files_that_import_back_unchanged(case):
    data, _ = corpus_model(case)
    rebuilt = build_data(data, {}, "cluster.ha")
    confs = {path: content for path, content in rebuilt.items() if path.endswith(CONF)}
    assert sorted(p.split("/")[0] for p in confs) == sorted(n["name"] for n in data["nodes"])
    name, section, nodes, log = import_texts({p.split("/")[0]: c.decode() for p, c in confs.items()},
                                             order=[n["name"] for n in data["nodes"]])
    assert log.diagnostics == [], [(str(d.span), d.message) for d in log.diagnostics]
    # hacc writes the default transport explicitly; it reads back as written.
    assert section.pop("transport") == data["corosync"].get("transport", "knet")
    data["corosync"].pop("transport", None)
    assert {"cluster": name, "nodes": nodes.as_list(), "corosync": section} == data


@pytest.mark.parametrize("case", CASES)
def test_corpus_case_rebuilt_files_pass_corosync(case, tmp_path, require_tool):
    require_tool("corosync", "corosync-keygen")
    data, _ = corpus_model(case)
    for path, content in build_data(data, {}, "cluster.ha").items():
        if path.endswith(CONF):
            node = path.split("/")[0]
            file = tmp_path / node / "corosync.conf"
            file.parent.mkdir()
            file.write_bytes(content)
            verdict = judges.corosync(file, node)
            assert verdict, verdict.output
