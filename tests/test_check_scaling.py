"""No check may be quadratic (issue 6). Checks that index instead of
comparing pairs still find what the pairwise definition finds: a cluster of
1,000 frontends, or a fleet of 200 clusters that all name their hosts lb1
and lb2, must not cost a million comparisons, and must not lose a clash
either. And every rule's work, counted in lines of Python executed (which,
unlike time, does not depend on the machine), grows in proportion to its
input."""

from __future__ import annotations

import ipaddress
import sys

from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from hacc.checks import RULES
from hacc.checks.fleet_index import listener_clashes, network_clashes
from hacc.pipeline import compile_file

sys.path.insert(0, str(ROOT / "bench"))

import gen

HOSTS = ["*", "10.0.0.1", "10.0.0.2", "[2001:db8::1]", "lb.example.com", "other.example.com"]
PORTS = [80, 443, 8080]


def _pairwise_first_clashes(binds: list[tuple[str, int]]) -> list[tuple[int, int]]:
    """(index of the bind, index of the earlier bind it overlaps first), by
    comparing every pair, as HA410 defines it."""
    def ip(host):
        return None if host == "*" else host.strip("[]") if not host[0].isalpha() else None

    found = []
    for index, (host, port) in enumerate(binds):
        for earlier, (other_host, other_port) in enumerate(binds[:index]):
            if port == other_port and ("*" in (host, other_host) or ip(host) == ip(other_host)):
                found.append((index, earlier))
                break
    return found


@given(st.lists(st.tuples(st.sampled_from(HOSTS), st.sampled_from(PORTS)), min_size=1, max_size=12))
@settings(max_examples=60, deadline=None)
def test_duplicate_binds_match_the_pairwise_definition(tmp_path_factory, binds):
    frontends = "\n".join(f"        frontend f{i} {{ bind {host}:{port}; default_backend app }}"
                          for i, (host, port) in enumerate(binds))
    text = ("cluster t {\n    node a { id 1; addr 10.0.0.1; interface eth0 }\n"
            "    node b { id 2; addr 10.0.0.2; interface eth0 }\n    haproxy {\n"
            "        defaults { mode http; timeout connect 5s; timeout client 30s; timeout server 30s }\n"
            f"{frontends}\n        backend app {{ server a1 10.0.1.1:80 check }}\n    }}\n}}\n")
    path = tmp_path_factory.mktemp("binds") / "c.ha"
    path.write_text(text)
    unit = compile_file(path)
    first_line = 6  # the line of frontend f0
    got = sorted((d.span.line - first_line, d.labels[0].span.line - first_line)
                 for d in unit.sorted_diagnostics() if d.code == "HA410")
    assert got == _pairwise_first_clashes(binds)


# -- across clusters: indexes hold to the pairwise definitions ----------------------

CLUSTERS = st.integers(0, 3)
NETWORKS = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.3.0/24",
                                              "10.1.2.128/25", "10.2.0.0/16", "192.168.0.0/24", "10.1.2.7/32")]


def _first_earlier_clashes(entries, clash):
    """(index, item) for each entry that clashes with an earlier one, naming
    the first: the pairwise definition the indexes must give."""
    found = []
    for index, entry in enumerate(entries):
        for other in entries[:index]:
            if clash(entry, other):
                found.append((index, other[-1]))
                break
    return found


def _listeners_clash(listener, other):
    (cluster, key, address, _), (other_cluster, other_key, other_address, _) = listener, other
    return other_cluster != cluster and other_key == key and (
        address is None or other_address is None or address == other_address)


@given(st.lists(st.tuples(CLUSTERS, st.sampled_from([("lb1", "tcp", 80), ("lb1", "tcp", 443), ("lb2", "tcp", 80)]),
                          st.sampled_from([None, "10.0.0.1", "10.0.0.2"])), max_size=30))
@settings(max_examples=300, deadline=None)
def test_listener_clashes_match_the_pairwise_definition(raw):
    # Clusters are compared by identity, as the rule does: one object each.
    owners = [object() for _ in range(4)]
    listeners = [(owners[c], key, address, index) for index, (c, key, address) in enumerate(raw)]
    expected = _first_earlier_clashes([(c, key, address, index) for index, (c, key, address) in enumerate(raw)],
                                      _listeners_clash)
    assert list(listener_clashes(listeners)) == expected


def _networks_clash(entry, other):
    (cluster, networks, multicast, _), (other_cluster, other_networks, other_multicast, _) = entry, other
    return other_cluster != cluster and (multicast or other_multicast) and any(
        a.overlaps(b) for a in networks for b in other_networks)


@given(st.lists(st.tuples(CLUSTERS, st.lists(st.sampled_from(NETWORKS), max_size=3, unique=True), st.booleans()),
                max_size=25))
@settings(max_examples=300, deadline=None)
def test_network_clashes_match_the_pairwise_definition(raw):
    owners = [object() for _ in range(4)]
    entries = [(owners[c], networks, multicast, index) for index, (c, networks, multicast) in enumerate(raw)]
    expected = _first_earlier_clashes([(c, networks, multicast, index) for index, (c, networks, multicast) in enumerate(raw)],
                                      _networks_clash)
    assert list(network_clashes(entries)) == expected


# -- every rule's work grows linearly ---------------------------------------------------

def _lines_run(check, subject) -> int:
    """Lines of Python executed by one rule: a count of work that, unlike a
    time, does not depend on the machine or its load."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        list(check(subject) or ())
    finally:
        sys.settrace(None)
    return count


def _compiled(tmp_path, name: str, text: str):
    path = tmp_path / f"{name}.ha"
    path.write_text(text)
    unit = compile_file(path, run_checks=False)
    assert unit.cluster is not None, [d.message for d in unit.diagnostics][:3]
    return unit.cluster


def test_every_rule_grows_linearly(tmp_path, monkeypatch):
    """Four times the elements (same nodes) must cost each rule about four
    times the work, never sixteen: no rule compares pairs."""
    monkeypatch.setattr(gen, "node_count", lambda size: 4)
    small, large = (_compiled(tmp_path, f"s{size}", gen.generate(size)) for size in (10, 40))
    grew = {entry.code.code: _lines_run(entry.check, large) / max(_lines_run(entry.check, small), 1)
            for entry in RULES if not entry.fleet}
    assert len(grew) > 100
    assert max(grew.values()) < 6, sorted(grew.items(), key=lambda kv: -kv[1])[:5]


def test_every_fleet_rule_grows_linearly(tmp_path):
    """Eight times the clusters (sharing host names, as fleets do) must cost
    each check across clusters about eight times the work."""
    def fleet(count):
        return [_compiled(tmp_path, f"f{count}_{index}", gen.generate(2).replace("cluster bench2 ", f"cluster c{index} ")
                          .replace("10.", f"{11 + index}.")) for index in range(count)]

    small, large = fleet(4), fleet(32)
    grew = {entry.code.code: _lines_run(entry.check, large) / max(_lines_run(entry.check, small), 1)
            for entry in RULES if entry.fleet}
    assert len(grew) == 6
    assert max(grew.values()) < 12, sorted(grew.items(), key=lambda kv: -kv[1])
