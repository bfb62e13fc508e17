"""Limits of the importers (`hacc import`, `hacc audit`): hostile sizes,
nesting, long lines and numbers, include chains and XML entities get a
diagnostic, quickly, in bounded memory; never a traceback, a MemoryError or
a hang.

How: see tests/limits_harness.py (a subprocess under RLIMIT_AS and a
timeout; exit code, location, help and time asserted).

What is proven: huge and non-UTF-8 files are refused; one import reads at
most 200,000 lines; each reader stops deep nesting at its own limit; 10 MB
lines and 5,000-digit numbers (and digits int() refuses) are refused or
reported as losses; keepalived follows at most 1,000 includes, 16 deep, and
reports cycles; a CIB's entities are never expanded and external entities
never read. Long lists (100,000 corosync nodes, keepalived VIPs, haproxy
servers and CIB primitives with HACC_LIMITS=long; 1,000 otherwise) import
linearly.

Run the long profile with `HACC_LIMITS=long pytest tests/test_limits_import.py`.
"""

from __future__ import annotations

import re

from limits_harness import (
    CHAIN,
    IMPORT_FILES,
    LINE,
    LIST_SIZE,
    LONG,
    diagnosed,
    hacc,
    import_all,
    ip_of,
    no_crash,
)


def test_long_lists_import(tmp_path):
    """LIST_SIZE corosync nodes, keepalived VIPs, haproxy servers and CIB
    primitives are imported (or reported), linearly."""
    size = LIST_SIZE
    bound = 10 + size * 1.5e-3
    corosync = tmp_path / "corosync.conf"
    corosync.write_text("totem {\n    version: 2\n    cluster_name: big\n}\nnodelist {\n" + "".join(
        f"    node {{\n        ring0_addr: {ip_of(i)}\n        nodeid: {i}\n        name: n{i}\n    }}\n" for i in range(1, size + 1)) + "}\n")
    keepalived = tmp_path / "keepalived.conf"
    keepalived.write_text("vrrp_instance V {\n    interface eth0\n    virtual_router_id 1\n    priority 100\n"
                          "    virtual_ipaddress {\n" + "".join(f"        {ip_of(i)}/8\n" for i in range(1, size + 1)) + "    }\n}\n")
    haproxy = tmp_path / "haproxy.cfg"
    haproxy.write_text("backend b\n" + "".join(f"    server s{i} {ip_of(i)}:80\n" for i in range(1, size + 1)))
    cib = tmp_path / "cib.xml"
    cib.write_text('<cib validate-with="pacemaker-3.0"><configuration><crm_config/><nodes/><resources>' + "".join(
        f'<primitive id="p{i}" class="ocf" provider="heartbeat" type="Dummy"/>' for i in range(size))
        + "</resources><constraints/></configuration><status/></cib>")
    run = import_all(tmp_path, tmp_path / "big.ha", timeout=bound + 60)
    no_crash(run)
    assert run.returncode == 0 and run.seconds < bound, str(run)
    imported = (tmp_path / "big.ha").read_text()
    for pattern in (r"\n +node n\d+ ", r"\n +vip 10\.", r"\n +server s\d+ ", r"\n +resource p\d+ "):
        assert len(re.findall(pattern, imported)) == size, pattern


# -- the importers' inputs -------------------------------------------------------


def test_importers_refuse_huge_and_non_utf8_files(tmp_path):
    for kind, write in (("huge", lambda p: p.open("wb").truncate(50 << 20)),
                        ("latin", lambda p: p.write_bytes(b"# caf\xe9\n"))):
        directory = tmp_path / kind
        directory.mkdir()
        for name in IMPORT_FILES:
            write(directory / name)
        run = import_all(directory, tmp_path / "x.ha", command="import" if kind == "huge" else "audit")
        diagnosed(run, "HA003", bound=10, count=4)
    assert not (tmp_path / "x.ha").exists()


def test_importers_refuse_files_of_millions_of_tiny_lines(tmp_path):
    """16 MiB files of one-character lines (or empty XML elements) would
    each cost gigabytes as parsed lines and diagnostics: one import reads at
    most 200,000 lines."""
    (tmp_path / "corosync.conf").write_text("totem {\n" + "a:b\n" * 4_000_000 + "}\n")
    (tmp_path / "keepalived.conf").write_text("global_defs {\n" + "{}\n" * 5_000_000 + "}\n")
    (tmp_path / "haproxy.cfg").write_text("global\n" + "a\n" * 8_000_000)
    (tmp_path / "cib.xml").write_text("<cib><configuration><resources>" + "<a/>" * 4_000_000 + "</resources></configuration></cib>")
    run = import_all(tmp_path, tmp_path / "x.ha")
    diagnosed(run, "HA003", bound=10, count=4, message="one import reads at most 200,000")


def test_importers_on_deeply_nested_input(tmp_path):
    """Nested sections, braces, parentheses and elements: each reader stops
    at its own limit (corosync's 255-byte key paths, libxml2's 256 levels),
    and keepalived reports the first few of 100,000 stray braces."""
    (tmp_path / "corosync.conf").write_text("totem {\n" + "a {\n" * 40_000 + "}\n" * 40_000 + "}\n")
    (tmp_path / "keepalived.conf").write_text("global_defs {\n" + "{\n" * 50_000 + "}\n" * 50_000 + "}\n")
    (tmp_path / "haproxy.cfg").write_text("frontend f\n    acl a " + "(" * 100_000 + "\n")
    (tmp_path / "cib.xml").write_text("<cib><configuration>" + "<a>" * 10_000 + "</a>" * 10_000 + "</configuration></cib>")
    run = import_all(tmp_path, tmp_path / "x.ha")
    diagnosed(run, "HA083", bound=20)
    assert "path is longer than 254 bytes" in run.stderr and "Excessive depth in document" in run.stderr, str(run)
    assert run.stderr.count("this `{` follows no keyword") == 5, str(run)


def test_importers_on_10_mb_lines_and_5000_digit_numbers(tmp_path):
    """Long lines and values are refused or reported with the value cut
    short; numbers past int()'s 4,300 digits, and digits int() refuses
    (`²`, which str.isdigit() accepts), are losses, not tracebacks."""
    size = LINE
    (tmp_path / "corosync.conf").write_text("totem {\n    cluster_name: " + "x" * size + "\n}\n")
    (tmp_path / "keepalived.conf").write_text("global_defs {\n    router_id " + "x" * size + "\n}\n")
    (tmp_path / "haproxy.cfg").write_text("global\n    maxconn " + "7" * size + "\n")
    (tmp_path / "cib.xml").write_text('<cib><configuration><nodes><node id="' + "7" * 5000 + '" uname="a"/></nodes>'
                                      '<resources><primitive id="' + "x" * size + '"/></resources></configuration></cib>')
    run = import_all(tmp_path, tmp_path / "x.ha", timeout=120)
    diagnosed(run, "HA083", bound=60 if LONG else 20)
    assert "corosync refuses lines over 510 bytes" in run.stderr, str(run)
    assert "set_int_max_str_digits" not in run.output and "invalid literal" not in run.output, str(run)
    assert len(run.output) < 20_000, str(run)
    digits = "7" * 5000
    (tmp_path / "corosync.conf").write_text("totem {\n    version: 2\n}\nquorum {\n    auto_tie_breaker_node: ²\n}\n")
    (tmp_path / "keepalived.conf").write_text("virtual_server 10.0.0.1 ² {\n    real_server 10.0.0.2 80 {\n    }\n}\n")
    (tmp_path / "haproxy.cfg").write_text(f"global\n    maxconn {digits}\nbackend b\n    stick-table type ip size {digits}\n")
    (tmp_path / "cib.xml").write_text(
        '<cib><configuration><crm_config/><nodes><node id="' + digits + '" uname="a"/><node id="²" uname="b"/></nodes>'
        '<resources><primitive id="p" class="ocf" provider="heartbeat" type="Dummy"><operations>'
        f'<op id="p-monitor" name="monitor" interval="{digits}s"/></operations></primitive></resources>'
        "<constraints/></configuration></cib>")
    for command in ("import", "audit") if LONG else ("import",):
        run = import_all(tmp_path, tmp_path / "x.ha", command=command)
        no_crash(run)
        assert run.returncode in (0, 1) and run.seconds < 20, str(run)
        assert "set_int_max_str_digits" not in run.output and "invalid literal" not in run.output, str(run)
        assert len(run.output) < 20_000, str(run)
        for where_ in ("corosync.conf:5:28", "keepalived.conf:1:1", "haproxy.cfg:2:5", "cib.xml:1:"):
            assert where_ in run.output, (where_, str(run))


def test_keepalived_include_chains_cycles_and_laughs(tmp_path):
    etc = tmp_path / "node" / "etc" / "keepalived"
    etc.mkdir(parents=True)
    (etc / "keepalived.conf").write_text("include c0.conf\n")
    for index in range(CHAIN):
        (etc / f"c{index}.conf").write_text(f"include c{index + 1}.conf\n" if index < CHAIN - 1 else "")
    run = hacc("import", "--node", f"n1={tmp_path / 'node'}", "-o", tmp_path / "x.ha")
    diagnosed(run, "HA083", bound=15, message="includes nest deeper than 16 files", count=1)
    (etc / "keepalived.conf").write_text("include loop.conf\n")
    (etc / "loop.conf").write_text("include keepalived.conf\n")
    run = hacc("import", "--node", f"n1={tmp_path / 'node'}", "-o", tmp_path / "x.ha")
    diagnosed(run, "HA083", message="an include cycle", count=1)
    (etc / "keepalived.conf").write_text("include a.conf\n" * 100)
    for name, child in (("a", "b"), ("b", "c"), ("c", "d")):
        (etc / f"{name}.conf").write_text(f"include {child}.conf\n" * 100)
    (etc / "d.conf").write_text("")
    run = hacc("import", "--node", f"n1={tmp_path / 'node'}", "-o", tmp_path / "x.ha")
    diagnosed(run, "HA083", bound=15, message="follows more than 1000 includes", count=1)
    assert not (tmp_path / "x.ha").exists()


def test_cib_entity_expansion_and_external_entities(tmp_path):
    """A billion-laughs CIB is not expanded and an external entity is not
    read: lxml is used with resolve_entities=False, no network, no DTD."""
    secret = tmp_path / "secret.txt"
    secret.write_text("top-secret-file-content")
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    (tmp_path / "laughs.xml").write_text(f'<?xml version="1.0"?><!DOCTYPE cib [<!ENTITY l0 "lol">{laughs}]>'
                                         '<cib><configuration><crm_config/><nodes/><resources>'
                                         '<primitive id="&l9;"/></resources></configuration></cib>')
    (tmp_path / "xxe.xml").write_text(f'<?xml version="1.0"?><!DOCTYPE cib [<!ENTITY x SYSTEM "file://{secret}">]>'
                                      '<cib><configuration><crm_config/><nodes/><resources>'
                                      '<primitive id="&x;"/></resources></configuration></cib>')
    for name in ("laughs.xml", "xxe.xml"):
        for command in ("import", "audit") if LONG else ("import",):
            args = ("--cib", tmp_path / name) + (("-o", tmp_path / "x.ha") if command == "import" else ())
            run = hacc(command, *args)
            no_crash(run)
            assert run.returncode == 1 and run.seconds < 15, str(run)
            assert "top-secret-file-content" not in run.output and "lollollol" not in run.output, str(run)
