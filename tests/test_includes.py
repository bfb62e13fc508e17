"""`include` splices another file's statements in place, with spans that
point into the included file; cycles and missing files are diagnostics."""

from __future__ import annotations

from helpers import codes


def test_include_splices_statements_with_their_own_spans(compile_text):
    unit = compile_text(
        'cluster c {\n    include "nodes/two.ha"\n    corosync { quorum { two_node yes } }\n}\n',
        files={"nodes/two.ha": "node a { id 1; addr 10.0.0.1 }\nnode b { id 2; addr 10.0.0.1 }\n"},
    )
    assert [n.name for n in unit.cluster.nodes] == ["a", "b"]
    (duplicate,) = [d for d in unit.diagnostics if d.code == "HA104"]
    assert (duplicate.span.file, duplicate.span.line) == ("nodes/two.ha", 2)
    assert duplicate.labels[0].span.file == "nodes/two.ha"


def test_include_paths_are_relative_to_the_including_file(compile_text):
    unit = compile_text(
        'cluster c {\n    include "parts/nodes.ha"\n}\n',
        files={"parts/nodes.ha": 'include "more.ha"\n', "parts/more.ha": "node a { addr 10.0.0.1 }\n"},
    )
    assert [n.name for n in unit.cluster.nodes] == ["a"]
    assert [name for name, _ in unit.files] == ["cluster.ha", "parts/nodes.ha", "parts/more.ha"]


def test_include_cycle_is_reported_with_the_chain(compile_text):
    unit = compile_text(
        'cluster c {\n    include "a.ha"\n}\n',
        files={"a.ha": 'include "b.ha"\n', "b.ha": 'include "a.ha"\n'},
    )
    (cycle,) = [d for d in unit.diagnostics if d.code == "HA004"]
    assert cycle.span.file == "b.ha"
    assert [label.span.file for label in cycle.labels] == ["a.ha"]


def test_self_include_is_a_cycle(compile_text):
    unit = compile_text('include "cluster.ha"\ncluster c { }\n')
    assert "HA004" in codes(unit)


def test_missing_include_points_at_the_include(compile_text):
    unit = compile_text('cluster c {\n    include "nope.ha"\n}\n')
    (missing,) = unit.diagnostics
    assert missing.code == "HA003"
    assert (missing.span.line, missing.span.col) == (2, 13)


def test_include_chain_depth_is_bounded(compile_text):
    files = {f"f{i}.ha": f'include "f{i + 1}.ha"\n' for i in range(50)}
    unit = compile_text('cluster c {\n    include "f0.ha"\n}\n', files=files)
    assert "HA004" in codes(unit)


def test_syntax_error_inside_an_included_file(compile_text):
    unit = compile_text('cluster c {\n    include "bad.ha"\n}\n', files={"bad.ha": "node a {\n"})
    (error,) = unit.diagnostics
    assert (error.code, error.span.file) == ("HA001", "bad.ha")
