"""The value kinds of the language: durations, addresses, endpoints,
booleans, secrets, strings, comments and statement separators."""

from __future__ import annotations

import pytest
from helpers import cluster, codes, where

from hacc.emit.corosync import value as corosync_value
from hacc.emit.keepalived import seconds
from hacc.model.values import Duration, Endpoint


@pytest.mark.parametrize(
    "text, ms, canonical",
    [("500ms", 500, "500ms"), ("2s", 2000, "2s"), ("1m", 60000, "1m"), ("90s", 90000, "90s"),
     ("1.5s", 1500, "1500ms"), ("2h", 7200000, "2h"), ("1d", 86400000, "1d"), ("0", 0, "0s")],
)
def test_duration_parse_and_canonical_text(text, ms, canonical):
    duration = Duration.parse(text)
    assert duration.ms == ms
    assert duration.text() == canonical


@pytest.mark.parametrize("text", ["5", "5x", "s", "-1s", "1.0001s", "5 s", ""])
def test_duration_rejects(text):
    with pytest.raises(ValueError):
        Duration.parse(text)


def test_durations_convert_to_each_targets_unit():
    five = Duration.parse("5s")
    assert corosync_value("ms", five) == "5000"  # corosync: milliseconds
    assert corosync_value("s", five) == "5"  # knet_pmtud_interval: seconds
    assert seconds(five) == "5"  # keepalived: seconds
    assert seconds(Duration.parse("500ms")) == "0.5"
    assert five.text() == "5s"  # haproxy and the CIB: a number and a unit


@pytest.mark.parametrize(
    "text, host, port",
    [("192.168.1.100:80", "192.168.1.100", 80), ("*:443", None, 443), (":8080", None, 8080),
     ("[2001:db8::1]:443", "2001:db8::1", 443), ("2001:db8::1", "2001:db8::1", None),
     ("web1.example.com:80", "web1.example.com", 80), ("10.0.0.1", "10.0.0.1", None)],
)
def test_endpoints(text, host, port):
    endpoint = Endpoint.parse(text)
    assert (endpoint.host, endpoint.port) == (host, port)


@pytest.mark.parametrize("text", ["10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:http", "[::1:80", "300.1.1.1:80", "a b:80"])
def test_endpoints_rejected(text):
    with pytest.raises(ValueError):
        Endpoint.parse(text)


def test_ipv6_endpoint_written_with_brackets():
    assert str(Endpoint.parse("[2001:db8::1]:443")) == "[2001:db8::1]:443"


@pytest.mark.parametrize("word, value", [("yes", True), ("true", True), ("on", True), ("no", False), ("false", False), ("off", False)])
def test_boolean_spellings(compile_text, word, value):
    unit = compile_text(cluster(f"corosync {{ quorum {{ two_node {word} }} }}"))
    assert unit.data["corosync"]["quorum"]["two_node"] is value


def test_boolean_rejects_other_words(compile_text):
    unit = compile_text(cluster("corosync { quorum { two_node maybe } }"))
    assert codes(unit) == ["HA013"]


def test_integer_and_duration_errors_point_at_the_value(compile_text):
    unit = compile_text(cluster("corosync {\n    token 5\n    window_size many\n}"))
    assert where(unit, "HA013") == [(6, 11), (7, 17)]


def test_addresses_and_cidrs_are_checked_with_ipaddress(compile_text):
    text = cluster(
        """keepalived { vrrp V { vrid 1; vip 192.168.1.100/33; priority a=100 b=90 } }""",
        nodes="node a { addr 10.0.0.300; interface eth0 }\nnode b { addr fd00::2; interface eth0 }",
    )
    unit = compile_text(text)
    assert codes(unit) == ["HA013", "HA013"]


def test_ipv6_addresses_accepted(compile_text):
    unit = compile_text(cluster("", nodes="node a { id 1; addr fd00::1 }\nnode b { id 2; addr fd00::2 }"))
    assert codes(unit) == []
    assert str(unit.cluster.nodes[1].addrs[0]) == "fd00::2"


def test_secret_reference_versus_quoted_text(compile_text):
    unit = compile_text(cluster('pacemaker { resource r ocf:heartbeat:Dummy { a=secret:TOKEN b="secret:TOKEN" } }'))
    params = unit.data["pacemaker"]["resources"][0]["params"]
    assert params == {"a": {"secret": "TOKEN"}, "b": "secret:TOKEN"}


def test_quoted_string_escapes(compile_text):
    unit = compile_text(cluster(r'pacemaker { resource r ocf:heartbeat:Dummy { s="a \"b\" c\\d \u{e9}" } }'))
    assert unit.data["pacemaker"]["resources"][0]["params"]["s"] == 'a "b" c\\d é'


def test_newline_escape_is_rejected_where_it_would_reach_a_file(compile_text):
    unit = compile_text(cluster(r'pacemaker { resource r ocf:heartbeat:Dummy { s="line\nbreak" } }'))
    assert codes(unit) == ["HA013"]


def test_comments_and_separators(compile_text):
    text = """# a comment line
cluster c {   # after a brace
    node a { id 1; addr 10.0.0.1 }   # two statements on one line
    node b {
        id 2     # a comment after a value
        addr 10.0.0.2;
    }
    corosync { quorum { two_node yes } }
}
"""
    unit = compile_text(text)
    assert not [c for c in codes(unit) if c < "HA100"]
    assert [n.name for n in unit.cluster.nodes] == ["a", "b"]


def test_model_classes_become_dataclasses_when_first_needed():
    """Element classes are made into dataclasses lazily (start-up): in a
    fresh interpreter none is one after import; the first instance makes its
    class and its bases one, and the binder readies what it binds."""
    import subprocess
    import sys

    script = """
from hacc.model import pacemaker
from hacc.model.values import Located, ready
import dataclasses
def made(cls):
    return "__dataclass_fields__" in cls.__dict__
print(made(pacemaker.Primitive), made(pacemaker.Resource), made(Located))
p = pacemaker.Primitive(name="r", agent="ocf:heartbeat:Dummy")
print(made(pacemaker.Primitive), made(pacemaker.Resource), made(Located), made(pacemaker.Group))
print(p.name, p.at, p.ops, repr(p).startswith("<Primitive 'r' at "))
print("members" in [f.name for f in dataclasses.fields(ready(pacemaker.Group))], pacemaker.Group(name="g").members)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == [
        "False False False",
        "True True True False",
        "r {} [] True",
        "True []",
    ], result.stdout + result.stderr


def test_an_element_with_its_own_init_keeps_it():
    """Made at once, after its bases (in a fresh interpreter, where Located
    is not made yet), and its own __init__ stays."""
    import subprocess
    import sys

    script = """
import dataclasses
from hacc.model.values import Located, element

@element
class Custom(Located):
    name: str = ""

    def __init__(self, name: str) -> None:
        self.name = name.upper()

print(Custom("x").name, [f.name for f in dataclasses.fields(Custom)])
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "X ['span', 'at', 'model_path', 'name']", result.stdout + result.stderr
