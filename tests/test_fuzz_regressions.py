"""Regressions: each bug the fuzzers (tests/test_fuzz_generated.py,
tests/test_fuzz_mutations.py, tests/test_fuzz_import.py) found is a small
explicit test here, named for the bug; docs/fuzzing.md lists them with the
fix.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fuzz_harness import errors

from hacc.diagnostics.model import Severity

TWO = """
    node a { id 1; addr 10.0.0.1; interface eth0 }
    node b { id 2; addr 10.0.0.2; interface eth0 }
"""


def _cluster(body: str, nodes: str = TWO) -> str:
    return f"cluster t {{{nodes}\n{body}\n}}\n"


def _keepalived_conf(compile_text, body: str, node: str = "a", secrets=None) -> str:
    from helpers import emit

    unit = compile_text(_cluster(body))
    assert not unit.has_errors, errors(unit.diagnostics)
    outputs, diagnostics = emit(unit, secrets)
    assert not diagnostics
    return outputs[f"{node}/etc/keepalived/keepalived.conf"].content.decode()


def _keepalived_accepts(text: str, tmp_path: Path) -> None:
    import judges

    path = tmp_path / "keepalived.conf"
    path.write_text(text)
    verdict = judges.keepalived(path)
    assert verdict, verdict.output + text


@pytest.mark.parametrize("char", ["\r", "\u00a0", "\u2028", "\u3000"])
def test_unicode_whitespace_is_a_syntax_error_with_help(compile_text, char):
    """A lone CR (and other whitespace the grammar does not separate words
    with) gave HA001 "unexpected character" without a help, and showed the
    invisible character itself in the message."""
    unit = compile_text(f"cluster a {{{char}}}\n")
    (diagnostic,) = unit.diagnostics
    assert diagnostic.code == "HA001" and diagnostic.help
    assert (diagnostic.span.line, diagnostic.span.col) == (1, 12)
    assert char not in diagnostic.message


def test_vrrp_instance_on_one_node_has_no_empty_unicast_peer_block(compile_text, require_tool, tmp_path):
    """An instance only one node runs was written with `unicast_src_ip` and
    an empty `unicast_peer { }`, which keepalived -t rejects."""
    text = _keepalived_conf(compile_text, "keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; priority a=100 } }")
    assert "unicast_peer" not in text and "unicast_src_ip" not in text
    require_tool("keepalived")
    _keepalived_accepts(text, tmp_path)


def test_ah_authentication_starts_every_node_as_backup(compile_text, require_tool, tmp_path):
    """hacc derived `state MASTER` for an instance with AH authentication;
    keepalived refuses it ("Initial state master is incompatible with AH
    authentication") and -t fails. Forcing MASTER by hand is HA309."""
    body = "keepalived { vrrp V { vrid 1; vip 10.0.0.100/24; auth ah=secret:PW } }"
    text = _keepalived_conf(compile_text, body, secrets={"PW": "s3cret"})
    assert re.findall(r"^\s*state (\w+)", text, re.MULTILINE) == ["BACKUP"]
    unit = compile_text(_cluster(body.replace("auth", "state a=MASTER b=BACKUP; auth")))
    assert [d.code for d in unit.diagnostics if d.severity is Severity.ERROR] == ["HA309"]
    require_tool("keepalived")
    _keepalived_accepts(text, tmp_path)


def test_track_reverse_without_weight_is_written_after_a_weight(compile_text, require_tool, tmp_path):
    """`track chk reverse` was written `chk reverse`; keepalived reads
    `reverse` only after a weight ("unknown track script option reverse")."""
    body = """keepalived {
        script chk "/bin/true" weight=-30
        script plain "/bin/true"
        vrrp V { vrid 1; vip 10.0.0.100/24; track chk reverse; track plain reverse; track_interface eth1 reverse }
    }"""
    text = _keepalived_conf(compile_text, body)
    assert "chk weight -30 reverse" in text and "plain weight 0 reverse" in text and "eth1 weight 0 reverse" in text
    require_tool("keepalived")
    _keepalived_accepts(text, tmp_path)


def test_virtual_server_without_protocol_scheduler_or_method_gets_keepalived_defaults(compile_text, require_tool,
                                                                                    tmp_path):
    """keepalived -t reports an omitted `protocol`, `lb_algo` or `lb_kind`
    ("no protocol set - defaulting to UDP"); hacc now writes those defaults."""
    body = "keepalived { virtual_server 10.0.0.100:80 { real_server 10.0.1.1:80 { check tcp } } }"
    text = _keepalived_conf(compile_text, body)
    assert re.search(r"lvs_sched wlc\n\s+lvs_method NAT\n\s+protocol UDP\n", text), text
    require_tool("keepalived")
    _keepalived_accepts(text, tmp_path)


def test_knet_compression_model_none_is_refused(compile_text):
    """corosync 3.1 refuses `knet_compression_model: none` ("Invalid
    compression model"); the schema accepted it."""
    unit = compile_text(_cluster("corosync { knet_compression_model none }"))
    assert [(d.code, d.span.line) for d in unit.diagnostics if d.severity is Severity.ERROR] == [("HA013", 5)]


def test_strict_mode_starts_every_node_as_backup(compile_text, require_tool, tmp_path):
    """With `vrrp_strict` hacc derived `state MASTER` for the highest
    priority; keepalived refuses a MASTER that is not the address owner
    ("State MASTER must match being address owner")."""
    text = _keepalived_conf(compile_text, "keepalived { global { vrrp_strict yes }; vrrp V { vrid 1; vip 10.0.0.100/24; multicast } }")
    assert re.findall(r"^\s*state (\w+)", text, re.MULTILINE) == ["BACKUP"]
    require_tool("keepalived")
    _keepalived_accepts(text, tmp_path)


@pytest.mark.parametrize("instance", [
    "vrrp V { vrid 1; multicast; vip fd00::10/64 }",  # the first IPv6 VIP must be link-local
    "vrrp V { vrid 1; multicast; vip 10.0.0.100/24; preempt_delay 5s }",
    "vrrp V { vrid 1; multicast; vip 10.0.0.100/24; accept yes }",
])
def test_strict_mode_refuses_what_keepalived_resets(compile_text, instance):
    """keepalived -t fails on these under `vrrp_strict`; HA324 now says so."""
    unit = compile_text(_cluster(f"keepalived {{ global {{ vrrp_strict yes }}; {instance} }}"))
    assert [d.code for d in unit.diagnostics if d.severity is Severity.ERROR] == ["HA324"]


def test_secret_cookie_and_id_options_are_compared_and_written(compile_text, require_tool, tmp_path):
    """A secret as the value of a server or bind option (`cookie=secret:C`)
    stayed a raw JSON object in the model: HA421 and HA422 crashed hashing
    it ("unhashable type: 'dict'") and the haproxy emitter crashed quoting
    it. Options now bind secrets to references like every other value."""
    from helpers import emit

    body = """haproxy {
        defaults { mode http; timeout connect 5s; timeout client 5s; timeout server 5s }
        frontend f { bind :8080 name=secret:BIND; default_backend b }
        backend b {
            cookie SERVERID insert indirect nocache
            server s1 10.0.1.1:80 cookie=secret:C id=secret:ID
            server s2 10.0.1.2:80 cookie=secret:C id=secret:ID
        }
    }"""
    unit = compile_text(_cluster(body))
    found = sorted((d.code, d.message) for d in unit.diagnostics if d.code in ("HA421", "HA422"))
    assert found == [("HA421", "`s2` and `s1` share cookie `secret:C`"), ("HA422", "`s2` and `s1` share id secret:ID")]
    unit = compile_text(_cluster(body.replace("s2 10.0.1.2:80 cookie=secret:C id=secret:ID", "s2 10.0.1.2:80 cookie=c2 id=2")))
    assert not unit.has_errors, errors(unit.diagnostics)
    outputs, diagnostics = emit(unit, {"BIND": "public", "C": "c1", "ID": "1"})
    assert not diagnostics
    text = outputs["a/etc/haproxy/haproxy.cfg"].content.decode()
    assert "bind *:8080 name public" in text and "server s1 10.0.1.1:80 cookie c1 id 1" in text, text
    require_tool("haproxy")
    import judges

    (tmp_path / "haproxy.cfg").write_text(text)
    verdict = judges.haproxy(tmp_path / "haproxy.cfg")
    assert verdict, verdict.output


def test_op_with_start_delay_and_interval_origin_is_refused(compile_text):
    """Pacemaker's schema takes `start-delay` or `interval-origin` on an op,
    not both (crm_verify: "Relax-NG validity error"); hacc wrote both."""
    body = """pacemaker {
        property stonith-enabled=false
        resource r ocf:pacemaker:Dummy { op monitor interval=10s start-delay=5s interval-origin=2024-01-01T03:00:00Z }
    }"""
    unit = compile_text(_cluster(body))
    assert [(d.code, d.span.line, d.span.col) for d in unit.diagnostics if d.severity is Severity.ERROR] == [("HA013", 7, 97)]


@pytest.mark.parametrize("check", ["check tcp timeout=5s", "check tcp path=/x", "check misc \"/bin/true\" status=200",
                                   "check http path=/ timeout=5s", "check misc \"/bin/true\" virtualhost=example.com"])
def test_health_check_settings_of_another_check_type_are_refused(compile_text, check):
    """keepalived's TCP_CHECK has no timeout of its own and only HTTP_GET
    and SSL_GET have URLs: `check tcp timeout=5s` (and the others here)
    compiled, and the setting silently went missing from keepalived.conf."""
    body = f"keepalived {{ virtual_server 10.0.0.100:80 {{ protocol TCP; real_server 10.0.1.1:80 {{ {check} }} }} }}"
    unit = compile_text(_cluster(body))
    (error,) = [d for d in unit.diagnostics if d.severity is Severity.ERROR]
    assert error.code == "HA013" and error.span.line == 5 and "check" in error.help


def test_require_all_on_an_order_constraint_draws_a_warning(compile_text):
    """crm_verify (Pacemaker 2.1.5) warns "Support for require-all in
    ordering constraints is deprecated" for `order ... require-all=false`,
    and a CIB with a warning fails the judges: HA219 warns about it. The
    generator leaves it out (NOT_GENERATED): a cluster it draws must compile
    without warnings."""
    body = """pacemaker {
        property stonith-enabled=false
        resource r1 ocf:pacemaker:Dummy { op monitor interval=10s }
        resource r2 ocf:pacemaker:Dummy { op monitor interval=10s }
        clone c1 r1
        order o c1 then r2 require-all=false
    }"""
    unit = compile_text(_cluster(body))
    assert [d.span.line for d in unit.diagnostics if "require-all" in d.message] == [10]
