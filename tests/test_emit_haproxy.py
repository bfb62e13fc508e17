"""haproxy.cfg: safe quoting of every word, rules in evaluation order, and
peers that are identical on every node apart from `localpeer`."""

from __future__ import annotations

import pytest
from helpers import emit, text_of

from hacc.emit.quoting import haproxy_unquote, haproxy_word

NODES = "node lb1 { addr 10.0.0.1 }\n node lb2 { addr 10.0.0.2 }"


def cfg(compile_text, body: str, node: str = "lb1", secrets=None) -> str:
    unit = compile_text(f"cluster h {{ {NODES}\n haproxy {{\n{body}\n}}\n}}\n")
    outputs, diagnostics = emit(unit, secrets)
    assert not diagnostics, [d.message for d in diagnostics]
    return text_of(outputs, f"{node}/etc/haproxy/haproxy.cfg")


@pytest.mark.parametrize(
    "word, written",
    [
        ("forwardfor", "forwardfor"),
        ("/api", "/api"),
        ("max-age=31536000; includeSubDomains", "'max-age=31536000; includeSubDomains'"),
        ("a#b", "'a#b'"),
        ("$6$salt$hash", "'$6$salt$hash'"),
        ('say "hi"', "'say \"hi\"'"),
        ("it's", "it\\'s"),
        ("it's a #1 \"deal\" \\o/", "it\\'s\\ a\\ \\#1\\ \\\"deal\\\"\\ \\\\o/"),
    ],
)
def test_word_quoting(word, written):
    assert haproxy_word(word) == written
    assert haproxy_unquote(f"keyword {written}") == ["keyword", word]


def test_empty_word_is_never_written():
    with pytest.raises(ValueError):
        haproxy_word("")


def test_passthrough_values_stay_one_word(compile_text):
    text = cfg(compile_text, 'backend b {\n http-response set-header X-Note "a # not a comment"\n server s 10.0.0.9:80\n}')
    line = next(line for line in text.splitlines() if "set-header" in line)
    assert haproxy_unquote(line) == ["http-response", "set-header", "X-Note", "a # not a comment"]


def test_rules_are_written_in_evaluation_order(compile_text):
    text = cfg(compile_text, """
frontend f {
    bind *:80
    use_backend b if is_b
    default_backend b
    http-request deny if is_bad
    acl is_bad path_beg /bad
    acl is_b path_beg /b
    tcp-request content accept
    option forwardfor
}
backend b { server s 10.0.0.9:80 }""")
    order = [line.split()[0] for line in text.split("frontend f\n")[1].split("\n\n")[0].splitlines()]
    assert order == ["bind", "acl", "acl", "option", "tcp-request", "http-request", "use_backend", "default_backend"]


def test_acls_come_before_any_directive_that_may_use_them(compile_text):
    text = cfg(compile_text, """
listen stats {
    bind *:8404
    stats enable
    stats admin if local
    acl local src 10.0.0.0/8
    server s 10.0.0.9:80
}""")
    body = text.split("listen stats\n")[1]
    assert body.index("acl local") < body.index("stats admin if local")


def test_peers_derived_from_the_nodes_with_localpeer_per_node(compile_text):
    body = "peers mesh { port 1024 }\nbackend b { stick-table type=ip size=1k peers=mesh; server s 10.0.0.9:80 }"
    one, two = cfg(compile_text, body, "lb1"), cfg(compile_text, body, "lb2")
    assert "    peer lb1 10.0.0.1:1024\n    peer lb2 10.0.0.2:1024\n" in one
    assert "localpeer lb1" in one and "localpeer lb2" in two
    assert one.replace("localpeer lb1", "localpeer lb2") == two


def test_servers_binds_and_timeouts(compile_text):
    text = cfg(compile_text, """
defaults { mode http; timeout connect 5s; timeout client 90s; timeout server 1m }
frontend f { bind [2001:db8::1]:443 ssl crt=/etc/haproxy/site.pem alpn=h2,http/1.1; default_backend b }
backend b { balance uri len 32; server s1 10.0.0.9:80 check inter=500ms weight=10 backup }""")
    assert "    timeout client 90s\n    timeout server 1m\n" in text
    assert "    bind [2001:db8::1]:443 ssl crt /etc/haproxy/site.pem alpn h2,http/1.1\n" in text
    assert "    balance uri len 32\n" in text
    assert "    server s1 10.0.0.9:80 check inter 500ms weight 10 backup\n" in text


def test_userlist_password_from_a_secret(compile_text):
    unit = compile_text(f"cluster h {{ {NODES}\n haproxy {{ userlist u {{ user ops password=secret:HASH groups=admins; group admins }} }} }}")
    outputs, _ = emit(unit, {"HASH": "$6$x$y z"})
    config = outputs["lb1/etc/haproxy/haproxy.cfg"]
    assert b"    user ops password '$6$x$y z' groups admins\n" in config.content
    assert config.mode == 0o600


def test_only_localpeer_differs_between_nodes(compile_text):
    body = "frontend f { bind *:80; default_backend b }\nbackend b { server s 10.0.0.9:80 }"
    assert cfg(compile_text, body, "lb1") == cfg(compile_text, body, "lb2")
