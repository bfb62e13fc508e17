"""Limits: long lines, long numbers and long lists in a source get a
diagnostic or compile, quickly and linearly; never a traceback, a
MemoryError or a hang.

How: see tests/limits_harness.py (a subprocess under RLIMIT_AS and a
timeout; exit code, location, help and time asserted).

What is proven:
- long lines and numbers: a 10 MB word, string or comment; numbers of
  5,000 digits (Python's int() refuses 4,300) in `.ha` and JSON, in every
  position kind.
- lists: 100,000 `vip` lines, servers and JSON nodes compile, linearly:
  the CI profile builds 1,000 of each and HACC_LIMITS=long 100,000, bounded
  at 160 s.

Run the long profile with `HACC_LIMITS=long pytest tests/test_limits_long_input.py`.
"""

from __future__ import annotations

import json
import re

from limits_harness import (
    LB,
    LINE,
    LIST_SIZE,
    SECRETS,
    diagnosed,
    hacc,
    ip_of,
    lb_with,
    no_crash,
)

# -- long lines and long numbers -----------------------------------------------


def test_10_mb_words_strings_and_comments(tmp_path):
    cases = {
        "word": (lb_with("vrid 51", "vrid 51\n            vip " + "x" * LINE), "HA013"),
        "name": (lb_with("VI_1", "V" + "x" * LINE), "HA013"),
        "string": (lb_with('"pidof haproxy"', '"/usr/bin/pidof ' + "x" * LINE + '"'), "HA013"),
        "escapes": (lb_with("interval=2s", 'interval="' + 'x\\"' * (LINE // 3) + '"'), "HA013"),
        "comment": ("# " + "x" * (LINE * 3 // 2) + "\n" + lb_with("vrid 51", "vrid 300"), "HA013"),
    }
    paths = []
    for name, (text, _) in cases.items():
        paths.append(tmp_path / f"{name}.ha")
        paths[-1].write_text(text)
    run = hacc("lint", *paths)  # one process, a diagnostic for each file
    diagnosed(run, "HA013", bound=30, count=len(cases))
    for path in paths:
        assert f"--> {path}:" in run.output, str(run)
    assert len(run.output) < 5000 * len(cases), str(run)  # the values and their lines are cut short


def test_numbers_with_5000_digits(tmp_path):
    """Python's int() refuses more than 4300 digits: such a number is a
    diagnostic at its span, in `.ha`, in JSON and in every position kind."""
    digits = "7" * 5000
    cases = {
        "vrid.ha": lb_with("vrid 51", f"vrid {digits}"),
        "maxconn.ha": lb_with("maxconn 2000", f"maxconn {digits}"),
        "priority.ha": lb_with("priority lb1=100", f"priority lb1={digits}"),
        "advert.ha": lb_with("advert 1s", f"advert {digits}s"),
        "port.ha": lb_with("bind 192.168.1.100:80", f"bind 192.168.1.100:{digits}"),
        "id.json": json.dumps({"cluster": "c", "nodes": [{"name": "a", "addr": "10.0.0.1", "id": "@"}]}).replace('"@"', digits),
        "negative.json": json.dumps({"cluster": "c", "nodes": [{"name": "a", "addr": "10.0.0.1", "id": "@"}]}).replace('"@"', "-" + digits),
    }
    paths = []
    for name, text in cases.items():
        paths.append(tmp_path / name)
        paths[-1].write_text(text)
    run = hacc("lint", *paths)
    diagnosed(run, "HA013", count=len(cases))
    assert len(run.output) < 20_000, str(run)


# -- lists (size set by the profile) ---------------------------------------------


def test_long_lists_build(tmp_path):
    """LIST_SIZE VIP lines and servers build; the same number of JSON nodes
    is checked. Time is linear: the bound is 160 s for 100,000."""
    size = LIST_SIZE
    bound = 10 + size * 1.5e-3
    # Nodes and VIPs on one /8, haproxy bound to every address: no warning per VIP.
    text = LB.read_text().replace("192.168.1.11;", "10.255.255.11;").replace("192.168.1.12;", "10.255.255.12;")
    text = text.replace("bind 192.168.1.100:80", "bind *:80").replace(
        "            vip 192.168.1.100/24", "\n".join(f"            vip {ip_of(i)}/8" for i in range(1, size + 1)))
    text = text.replace("            server web1 192.168.1.101:80 check",
                        "\n".join(f"            server w{i} {ip_of(i)}:80 check" for i in range(1, size + 1)))
    path = tmp_path / "lists.ha"
    path.write_text(text)
    run = hacc("build", path, "-o", tmp_path / "out", env=SECRETS, timeout=bound + 60)
    no_crash(run)
    assert run.returncode == 0 and run.seconds < bound, str(run)
    assert len(run.stderr) < 5000, str(run)  # a warning or two, not one per element
    config = (tmp_path / "out/lb1/etc/haproxy/haproxy.cfg").read_text()
    assert len(re.findall(r"\n    server w\d+ ", config)) == size
    keepalived = (tmp_path / "out/lb1/etc/keepalived/keepalived.conf").read_text()
    assert len(re.findall(r"\n +10\.\d+\.\d+\.\d+/8", keepalived)) == size
    nodes = [{"name": f"n{i}", "addr": ip_of(i)} for i in range(1, size + 1)]
    path = tmp_path / "nodes.json"
    path.write_text(json.dumps({"cluster": "c", "nodes": nodes}))
    run = hacc("lint", path, timeout=bound + 60)
    no_crash(run)
    assert run.returncode in (0, 1) and run.seconds < bound, str(run)
