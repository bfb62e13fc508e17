"""Checks that index instead of comparing pairs still find what the pairwise
definition finds: a cluster of 1,000 frontends must not cost a million
comparisons (issue 6), and must not lose a clash either."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hacc.pipeline import compile_file

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
