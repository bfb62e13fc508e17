"""cib.xml: pcs-style ids, fencing that keeps devices off their targets,
constraints, and a document that Pacemaker's own schema accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import emit
from lxml import etree

NODES = "node a { id 1; addr 10.0.0.1 }\n node b { id 2; addr 10.0.0.2 }"
RNG = Path("/usr/share/pacemaker/pacemaker-3.7.rng")


def cib(compile_text, body: str, secrets=None):
    unit = compile_text(f"cluster p {{ {NODES}\n corosync {{ quorum {{ two_node yes }} }}\n pacemaker {{\n{body}\n}}\n}}\n")
    outputs, diagnostics = emit(unit, secrets or {"PW": "pw"})
    assert not diagnostics, [d.message for d in diagnostics]
    return outputs["cib.xml"], etree.fromstring(outputs["cib.xml"].content)


def test_document_shape(compile_text):
    _, root = cib(compile_text, "resource r ocf:heartbeat:Dummy")
    assert root.get("validate-with") == "pacemaker-3.7"
    assert [c.tag for c in root.find("configuration")] == ["crm_config", "nodes", "resources", "constraints"]
    assert [(n.get("id"), n.get("uname")) for n in root.find("configuration/nodes")] == [("1", "a"), ("2", "b")]
    assert root.find("status") is not None
    assert root.get("crm_feature_set") is None


def test_schema_follows_the_target_pacemaker(compile_text):
    text = f"cluster p {{ {NODES}\n corosync {{ quorum {{ two_node yes }} }}\n pacemaker {{ property stonith-enabled=false }} }}\n"
    for version, schema in (("2.1", "pacemaker-3.7"), ("2.1.9", "pacemaker-3.7"), ("3.0", "pacemaker-4.0"), ("3.0.2", "pacemaker-4.0")):
        unit = compile_text(text, files={".hacc.toml": f'[target]\npacemaker = "{version}"\n'})
        outputs, diagnostics = emit(unit, {})
        assert not [d for d in diagnostics if d.severity.name == "ERROR"], [d.message for d in diagnostics]
        assert etree.fromstring(outputs["cib.xml"].content).get("validate-with") == schema, version


def test_pcs_style_ids(compile_text):
    _, root = cib(compile_text, "property stonith-enabled=false\nresource vip ocf:heartbeat:IPaddr2 { ip=10.0.0.100; meta target-role=Started\n"
                                " op monitor interval=10s timeout=20s; op start timeout=30s }")
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    for expected in ("cib-bootstrap-options", "cib-bootstrap-options-stonith-enabled", "vip-instance_attributes",
                     "vip-instance_attributes-ip", "vip-meta_attributes-target-role", "vip-monitor-interval-10s",
                     "vip-start-interval-0s"):
        assert expected in ids
    assert len(ids) == len(set(ids))


def test_generated_ids_never_collide_with_names(compile_text):
    _, root = cib(compile_text, "resource vip-instance_attributes ocf:heartbeat:Dummy\nresource vip ocf:heartbeat:Dummy { ip=1 }")
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert "vip-instance_attributes-1" in ids


def test_fence_for_sets_host_list_and_keeps_device_off_its_target(compile_text):
    _, root = cib(compile_text, "fence fa stonith:fence_ipmilan for a { ip=10.0.1.1 password=secret:PW }\n"
                                "fence fb stonith:fence_ipmilan for b { pcmk_host_list=b-custom }")
    fa = root.find(".//primitive[@id='fa']")
    assert fa.find(".//nvpair[@name='pcmk_host_list']").get("value") == "a"
    assert root.find(".//primitive[@id='fb']").find(".//nvpair[@name='pcmk_host_list']").get("value") == "b-custom"
    bans = [(c.get("rsc"), c.get("node"), c.get("score")) for c in root.iter("rsc_location")]
    assert bans == [("fa", "a", "-INFINITY"), ("fb", "b", "-INFINITY")]


def test_secret_parameter_makes_the_cib_private(compile_text):
    output, root = cib(compile_text, "fence fa stonith:fence_ipmilan for a { password=secret:PW }", {"PW": "p@ss<&>"})
    assert root.find(".//nvpair[@name='password']").get("value") == "p@ss<&>"
    assert output.mode == 0o600


def test_op_attributes_and_instance_attributes(compile_text):
    _, root = cib(compile_text, "resource db ocf:heartbeat:pgsql { op monitor interval=10s role=Promoted on-fail=restart OCF_CHECK_LEVEL=10 }")
    op = root.find(".//op")
    assert (op.get("role"), op.get("on-fail")) == ("Promoted", "restart")
    assert op.find("instance_attributes/nvpair").get("name") == "OCF_CHECK_LEVEL"


def test_groups_clones_and_promotable(compile_text):
    _, root = cib(compile_text, "resource a1 ocf:heartbeat:Dummy\nresource a2 ocf:heartbeat:Dummy\ngroup g a1 a2\n"
                                "clone gc g { meta interleave=true }\nresource d ocf:pacemaker:Stateful\npromotable dc d")
    resources = root.find("configuration/resources")
    assert [e.get("id") for e in resources] == ["gc", "dc"]
    assert [e.get("id") for e in resources.find("clone/group")] == ["a1", "a2"]
    promotable = resources.find("clone[@id='dc']/meta_attributes/nvpair")
    assert (promotable.get("name"), promotable.get("value")) == ("promotable", "true")


def test_constraints(compile_text):
    _, root = cib(compile_text, """
resource x ocf:heartbeat:Dummy
resource y ocf:heartbeat:Dummy
location lx x prefers a=100 b
location ly y rule score=-INFINITY site ne dc1 and defined rack
colocation xy x with y score=500
order first-x x then y kind=Optional symmetrical=false
order sets kind=Mandatory { set x y sequential=false; set x }
""")
    constraints = root.find("configuration/constraints")
    assert [(c.get("id"), c.get("node"), c.get("score")) for c in constraints.findall("rsc_location")[:2]] == [
        ("lx-a", "a", "100"), ("lx-b", "b", "INFINITY")]
    rule = constraints.find("rsc_location[@id='ly']/rule")
    assert (rule.get("score"), rule.get("boolean-op")) == ("-INFINITY", "and")
    assert [e.get("operation") for e in rule] == ["ne", "defined"]
    assert constraints.find("rsc_colocation").attrib == {"id": "xy", "rsc": "x", "with-rsc": "y", "score": "500"}
    order = constraints.find("rsc_order[@id='first-x']")
    assert (order.get("kind"), order.get("symmetrical")) == ("Optional", "false")
    sets = constraints.findall("rsc_order[@id='sets']/resource_set")
    assert [s.get("sequential") for s in sets] == ["false", None]


@pytest.mark.skipif(not RNG.exists(), reason="Pacemaker's schemas are not installed (pacemaker-cli-utils)")
def test_valid_against_pacemakers_relax_ng_schema(compile_text):
    _, root = cib(compile_text, """
property stonith-enabled=true
fence fa stonith:fence_dummy for a
fence fb stonith:fence_dummy for b
resource x ocf:heartbeat:Dummy { op monitor interval=10s }
resource y ocf:pacemaker:Stateful
promotable yc y
location ly yc rule score=100 role=Promoted site eq dc1
colocation xy x with yc with-rsc-role=Promoted
order o yc then x first-action=promote
fencing_level a 1 fa
""")
    relaxng = etree.RelaxNG(etree.parse(str(RNG)))
    assert relaxng.validate(root), relaxng.error_log


def test_resources_serialized_one_by_one_read_as_one_pretty_printed_tree(compile_text):
    """The emitter serializes each top-level resource on its own (memory):
    the document must be exactly what pretty printing the whole tree gives,
    for primitives, groups, clones of groups, and none at all."""
    for body in (
        "resource a ocf:heartbeat:Dummy",
        "",
        ("resource a ocf:heartbeat:Dummy { op monitor interval=10s }\n"
         "resource b ocf:heartbeat:Dummy\n resource c ocf:heartbeat:Dummy\n"
         "group g b c { meta target-role=Started }\n clone cg g interleave=true\n"
         "resource d ocf:heartbeat:Dummy"),
    ):
        output, _ = cib(compile_text, body)
        content = output.content
        declaration, comment, body_text = content.split(b"\n", 2)
        assert declaration.startswith(b"<?xml") and comment.startswith(b"<!--")
        tree = etree.fromstring(body_text, etree.XMLParser(remove_blank_text=True))
        assert body_text == etree.tostring(tree, pretty_print=True, encoding="UTF-8"), body
        assert (b"<resources/>" in content) == (not body)
        assert b"hacc:resources" not in content
