"""Suppression comments and the lint configuration."""

from __future__ import annotations

from helpers import codes

EQUAL = """cluster c {
    node a { addr 10.0.0.1; interface eth0 }
    node b { addr 10.0.0.2; interface eth0 }
    keepalived {
        vrrp V {
            vrid 1; vip 10.0.0.100/24
            priority a=100 b=100%s
        }
    }
}
"""


def test_trailing_suppression(compile_text):
    unit = compile_text(EQUAL % "   # hacc: ignore[HA303] failback is manual")
    assert codes(unit) == []


def test_suppression_on_the_line_before(compile_text):
    text = EQUAL.replace("            priority a=100 b=100%s", "            # hacc: ignore[HA303] failback is manual\n            priority a=100 b=100%s")
    assert codes(compile_text(text % "")) == []


def test_suppression_two_lines_above_does_not_apply(compile_text):
    text = EQUAL.replace("            vrid 1;", "            # hacc: ignore[HA303] too far\n            vrid 1;")
    assert sorted(codes(compile_text(text % ""))) == ["HA021", "HA303"]


def test_unknown_code_unused_and_missing_reason(compile_text):
    unit = compile_text(EQUAL % "   # hacc: ignore[HA303, HA999, HA109]")
    found = [(d.code, d.message) for d in unit.diagnostics]
    assert ("HA020", "`HA999` is not a hacc code") in found
    assert ("HA020", "a suppression needs a reason after the codes") in found
    assert ("HA021", "nothing on this line reports HA109") in found
    assert "HA303" not in codes(unit)
    ha999 = next(d for d in unit.diagnostics if "HA999" in d.message)
    assert (ha999.span.line, ha999.span.col) == (7, 58)


def test_fixed_errors_cannot_be_suppressed(compile_text):
    unit = compile_text("cluster c {\n    node a { id 0; addr 10.0.0.1 }   # hacc: ignore[HA013] please\n}\n")
    assert sorted(codes(unit)) == ["HA013", "HA020"]


def test_malformed_directive(compile_text):
    unit = compile_text(EQUAL % "   # hacc: disable HA303")
    assert sorted(codes(unit)) == ["HA020", "HA303"]


def test_config_ignore_select_and_severity(compile_text, tmp_path):
    (tmp_path / ".hacc.toml").write_text('ignore = ["HA303"]\n')
    assert codes(compile_text(EQUAL % "")) == []
    (tmp_path / ".hacc.toml").write_text('select = ["HA1"]\n')
    assert codes(compile_text(EQUAL % "")) == []
    (tmp_path / ".hacc.toml").write_text('[severity]\nHA303 = "warning"\n')
    (diagnostic,) = compile_text(EQUAL % "").diagnostics
    assert str(diagnostic.severity) == "warning"


def test_config_in_pyproject_and_profiles(compile_text, tmp_path):
    two = "cluster c {\n node a { id 1; addr 10.0.0.1 }\n node b { id 2; addr 10.0.0.2 }\n corosync { transport knet }\n}\n"
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.hacc]\nprofile = "strict"\n')
    (warning,) = [d for d in compile_text(two).diagnostics if d.code == "HA109"]
    assert str(warning.severity) == "error"
    (tmp_path / "pyproject.toml").write_text('[tool.hacc]\nprofile = "relaxed"\n')
    assert "HA109" not in codes(compile_text(two))


def test_bad_config_is_reported_in_the_config_file(compile_text, tmp_path):
    (tmp_path / ".hacc.toml").write_text('ignore = ["HA1O9", "HA013"]\nselekt = ["HA1"]\n[target]\npacemaker = "9.9"\n')
    unit = compile_text(EQUAL % "")
    problems = sorted((d.span.line, d.message) for d in unit.diagnostics if d.code == "HA022")
    assert [line for line, _ in problems] == [1, 1, 2, 4]
    assert all(d.span.file.endswith(".hacc.toml") for d in unit.diagnostics if d.code == "HA022")


def test_target_versions_reach_the_rules(compile_text, tmp_path):
    from hacc.targets import DEFAULT_TARGETS

    assert compile_text(EQUAL % "").cluster.targets == DEFAULT_TARGETS
    (tmp_path / ".hacc.toml").write_text('[target]\npacemaker = "3.0"\n')
    assert compile_text(EQUAL % "").cluster.targets.pacemaker == (3, 0)
