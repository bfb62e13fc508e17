"""The benchmark's own promises: bench/gen.py writes clusters that compile
without a warning (so the benchmark measures work, not diagnostics) and
scales as it says; bench/run.py's growth exponents are what they claim."""

from __future__ import annotations

import math
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import compare
import gen
import run


@pytest.mark.parametrize("size", [1, 3, 10, 25])
def test_generated_cluster_compiles_without_a_warning(compile_text, size):
    unit = compile_text(gen.generate(size))
    noisy = [f"{d.code} {d.message}" for d in unit.diagnostics if d.severity.name in ("ERROR", "WARNING")]
    assert unit.cluster is not None and not noisy, noisy


def test_generated_cluster_scales_every_layer(compile_text):
    cluster = compile_text(gen.generate(10)).cluster
    assert len(cluster.nodes) == gen.node_count(10) == 3
    assert all(len(node.addrs) == 2 for node in cluster.nodes)  # two corosync links
    assert len(cluster.pacemaker.resources) >= 10 * 10
    assert len(cluster.keepalived.instances) == 10
    frontends = [s for s in cluster.haproxy.sections if type(s).__name__ == "Frontend"]
    servers = sum(len(getattr(s, "servers", ())) for s in cluster.haproxy.sections)
    assert len(frontends) == 10 and servers == 20 * 10


def test_generation_is_deterministic():
    assert gen.generate(7) == gen.generate(7)


def test_growth_exponents():
    assert run.exponent((100, 1.0), (1000, 10.0)) == pytest.approx(1.0)
    assert run.exponent((100, 1.0), (1000, 100.0)) == pytest.approx(2.0)
    quadratic = [(n, 0.001 * n * n) for n in (10, 100, 1000)]
    assert run.fitted(quadratic) == pytest.approx(2.0)
    noisy_linear = [(10, 0.011), (100, 0.1), (1000, 0.98)]
    assert abs(run.fitted(noisy_linear) - 1.0) < 0.05
    assert not math.isnan(run.fitted([(1, 1.0), (2, 2.0)]))


def test_compare_alternates_and_reports_the_ratio():
    found = compare.alternate({"fast": [sys.executable, "-c", "pass"],
                               "slow": [sys.executable, "-c", "import time; time.sleep(0.2)"]}, 2)
    assert found["slow"][0] > found["fast"][0] + 0.15
    assert all(peak > 1024 for _, peak in found.values())  # KiB, read from the kernel
    assert compare.row("x", (1.0, 2048), (2.0, 4096)) == "| x | 2.00 s | 1.00 s | 0.50 | 4 MB | 2 MB |"
    assert compare.row("y", (0.15, 2048), (0.2, 2048), "ms") == "| y | 200 ms | 150 ms | 0.75 | 2 MB | 2 MB |"
