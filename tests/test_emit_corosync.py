"""corosync.conf: the same on every node, in corosync's own units."""

from __future__ import annotations

from helpers import emit, text_of

NODES = "node a { id 1; addr 10.0.0.1; addr 10.1.0.1 }\n node b { id 2; addr 10.0.0.2; addr 10.1.0.2 }"


def conf(compile_text, body: str, nodes: str = NODES) -> str:
    unit = compile_text(f"cluster c {{ {nodes}\n corosync {{\n{body}\n}}\n}}\n")
    outputs, diagnostics = emit(unit)
    assert not diagnostics
    first = text_of(outputs, "a/etc/corosync/corosync.conf")
    assert first == text_of(outputs, "b/etc/corosync/corosync.conf")
    return first


def test_minimal_corosync(compile_text):
    text = conf(compile_text, "quorum { two_node yes }")
    assert "    transport: knet\n" in text
    assert "        ring0_addr: 10.0.0.1\n        ring1_addr: 10.1.0.1\n" in text
    assert "    provider: corosync_votequorum\n    two_node: 1\n" in text
    assert "crypto" not in text and "keyfile" not in text


def test_timings_in_milliseconds_and_seconds(compile_text):
    text = conf(compile_text, "token 5s; consensus 6000ms; join 60ms; knet_pmtud_interval 1m; window_size 50\nquorum { two_node yes }")
    for line in ("token: 5000", "consensus: 6000", "join: 60", "knet_pmtud_interval: 60", "window_size: 50"):
        assert f"    {line}\n" in text


def test_totem_options_in_a_fixed_order(compile_text):
    one = conf(compile_text, "join 60ms; token 5s\nquorum { two_node yes }")
    two = conf(compile_text, "token 5s; join 60ms\nquorum { two_node yes }")
    assert one == two


def test_crypto_names_the_keyfile(compile_text):
    text = conf(compile_text, "crypto cipher=aes256 hash=sha256 model=openssl\nquorum { two_node yes }")
    assert "    crypto_model: openssl\n    crypto_cipher: aes256\n    crypto_hash: sha256\n    keyfile: /etc/corosync/authkey\n" in text
    text = conf(compile_text, 'crypto cipher=aes256 hash=sha256; keyfile "/etc/corosync/cluster.key"\nquorum { two_node yes }')
    assert "    keyfile: /etc/corosync/cluster.key\n" in text


def test_links_are_interfaces(compile_text):
    text = conf(compile_text, "link 1 { knet_link_priority 10; knet_ping_interval 200ms; knet_ping_timeout 2s }\n"
                              "link 0 { knet_link_priority 20 }\nquorum { two_node yes }")
    assert text.index("linknumber: 0") < text.index("linknumber: 1")
    assert "        knet_ping_interval: 200\n        knet_ping_timeout: 2000\n" in text


def test_quorum_flags_are_integers_and_qdevice(compile_text):
    nodes = NODES + "\n node c { id 3; addr 10.0.0.3; addr 10.1.0.3; votes 2 }"
    text = conf(compile_text, "quorum {\n wait_for_all yes; last_man_standing on; last_man_standing_window 20s\n"
                              " qdevice { host qnetd.example.com; algorithm ffsplit; tls on; timeout 10s }\n}", nodes)
    assert "    wait_for_all: 1\n    last_man_standing: 1\n    last_man_standing_window: 20000\n" in text
    assert "        quorum_votes: 2\n" in text
    assert "    device {\n        model: net\n        timeout: 10000\n\n        net {\n            host: qnetd.example.com\n" in text


def test_logfile_turns_logging_to_file_on(compile_text):
    text = conf(compile_text, 'quorum { two_node yes }\nlogging { to_syslog no; logfile "/var/log/corosync/corosync.log" }')
    assert "    to_syslog: no\n    to_logfile: yes\n    logfile: /var/log/corosync/corosync.log\n" in text


def test_fileline_function_name_and_blackbox_are_on_or_off(compile_text):
    """corosync compares these three with "on"/"off" and refuses `yes`."""
    text = conf(compile_text, "quorum { two_node yes }\nlogging { to_syslog yes; fileline no; function_name yes; blackbox off }")
    assert "    to_syslog: yes\n    fileline: off\n    function_name: on\n    blackbox: off\n" in text
