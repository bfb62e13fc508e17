"""The VRRP election model of `hacc simulate`, rule by rule, on small
clusters. Each test names the keepalived 2.2 behaviour it encodes: a
function of keepalived/vrrp/vrrp_track.c, vrrp.c or vrrp_sync.c
(acassen/keepalived), or the words of keepalived.conf(5) as shipped with
keepalived 2.2.7 (Debian)."""

from __future__ import annotations

import pytest

from hacc.simulate import vrrp
from hacc.simulate.scenario import Scenario, parse_scenario

NODES = """
    node a { addr 10.0.0.1; interface eth0 }
    node b { addr 10.0.0.2; interface eth0 }
"""
THREE = NODES + "    node c { addr 10.0.0.3; interface eth0 }\n"


def simulate(compile_text, body: str, *fails: str, nodes: str = NODES):
    """(steady state, state after `fails`), both instance name -> outcome."""
    unit = compile_text(f"cluster t {{{nodes}\n    keepalived {{\n{body}\n    }}\n}}\n", run_checks=False)
    assert unit.cluster is not None, [d.message for d in unit.diagnostics]
    cluster = unit.cluster
    steady = vrrp.simulate(cluster, Scenario())
    before = {name: outcome.masters for name, outcome in steady.items()}
    return steady, vrrp.simulate(cluster, parse_scenario(cluster, list(fails)), before)


def test_negative_weight_counts_only_while_failing(compile_text):
    """vrrp_track.c process_script_update_priority: a negative weight is
    added while the script fails (`if (weight < 0) total_priority += weight *
    multiplier`), nothing while it succeeds."""
    body = 'script chk "/bin/true"\nvrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=90; track chk weight=-20 }'
    steady, after = simulate(compile_text, body, "a:chk")
    assert steady["v"].priorities == {"a": 100, "b": 90} and steady["v"].masters == ["a"]
    assert after["v"].priorities == {"a": 80, "b": 90} and after["v"].masters == ["b"]


def test_positive_weight_counts_only_while_succeeding(compile_text):
    """vrrp_track.c process_script_update_priority: a positive weight is
    added while the script succeeds and taken away when it fails."""
    body = 'script chk "/bin/true"\nvrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=95; track chk weight=10 }'
    steady, after = simulate(compile_text, body, "a:chk")
    assert steady["v"].priorities == {"a": 110, "b": 105}
    assert after["v"].priorities == {"a": 100, "b": 105} and after["v"].masters == ["b"]


def test_reverse_flips_the_sign(compile_text):
    """vrrp.c add_vrrp_to_interface / vrrp_track.c: `reverse` sets
    weight_multiplier to -1, and the weight counts while the check is in the
    state its sign selects (< 0: failing) times the multiplier: a failing
    check with `weight -30 reverse` raises the priority by 30.
    keepalived.conf(5): "reverse causes the direction of the adjustment of
    the priority to be reversed"."""
    body = 'script chk "/bin/true"\nvrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=90; track chk weight=-30 reverse }'
    _, after = simulate(compile_text, body, "b:chk")
    assert after["v"].priorities == {"a": 100, "b": 120} and after["v"].masters == ["b"]


def test_effective_priority_is_clamped_to_1_and_254(compile_text):
    """vrrp_track.c vrrp_set_effective_priority: total < 1 gives 1, total >=
    255 (VRRP_PRIO_OWNER) gives 254."""
    body = ('script up "/bin/true"\nscript down "/bin/true"\n'
            'vrrp v { vrid 1; vip 10.0.0.100/24; priority a=250 b=20; track up weight=50; track down weight=-100 }')
    steady, after = simulate(compile_text, body, "b:down", "b:up")
    assert steady["v"].priorities == {"a": 254, "b": 70}
    assert after["v"].priorities["b"] == 1


def test_address_owner_keeps_255_whatever_its_weights(compile_text):
    """vrrp_track.c vrrp_set_effective_priority returns early for base
    priority 255 ("Don't change priority if address owner"; vrrp.c
    vrrp_complete_instance removes an owner's weighted trackers); a weight-0
    tracker still puts it in FAULT (initialise_track_script_state checks
    weight 0 first). keepalived.conf(5): "if an instance has priority 255
    configured, the priority cannot be reduced by track_scripts"."""
    body = ('script chk "/bin/true"\nscript must "/bin/true"\n'
            'vrrp v { vrid 1; vip 10.0.0.100/24; priority a=255 b=100; track chk weight=-200; track must }')
    _, weighted = simulate(compile_text, body, "a:chk")
    assert weighted["v"].priorities["a"] == 255 and weighted["v"].masters == ["a"]
    _, fault = simulate(compile_text, body, "a:must")
    assert fault["v"].states["a"] == "FAULT" and fault["v"].masters == ["b"]


def test_weight_zero_means_fault(compile_text):
    """keepalived.conf(5), VRRP script(s): "The default weight equals 0, which
    means that any VRRP instance monitoring the script will transition to the
    fault state"; vrrp_script: "'weight 0 reverse' will cause the vrrp
    instance to be down when the script is up, and vice versa"."""
    body = 'script chk "/bin/true"\nvrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=90; track chk }'
    _, after = simulate(compile_text, body, "a:chk")
    assert after["v"].states == {"a": "FAULT", "b": "MASTER"}
    reverse = 'script chk "/bin/true"\nvrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=90; track chk weight=0 reverse }'
    steady, after = simulate(compile_text, reverse, "a:chk")
    assert steady["v"].states == {"a": "FAULT", "b": "FAULT"} and steady["v"].masters == []
    assert after["v"].masters == ["a"]


def test_own_interface_down_is_fault_unless_dont_track_primary(compile_text):
    """vrrp.c tracks the instance's interface like a weight-0 tracker
    (add_vrrp_to_interface, weight 0), unless `dont_track_primary`;
    keepalived.conf(5): dont_track_primary "Ignore VRRP interface faults"."""
    body = 'vrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=90 }'
    _, after = simulate(compile_text, body, "a:eth0")
    assert after["v"].states["a"] == "FAULT" and after["v"].masters == ["b"]
    _, ignored = simulate(compile_text, body.replace("}", "; dont_track_primary }"), "a:eth0")
    assert ignored["v"].masters == ["a"]


def test_tracked_interface_with_weight(compile_text):
    """keepalived.conf(5) track_interface: "When a weight is specified ...
    instead of setting the vrrp instance to the FAULT state in case of
    failure, its priority will be ... decreased by the weight's absolute
    value when the interface is down (for negative weights)"."""
    body = 'vrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=90; track_interface eth1 weight=-20 }'
    _, after = simulate(compile_text, body, "a:eth1")
    assert after["v"].states["a"] == "BACKUP" and after["v"].priorities["a"] == 80 and after["v"].masters == ["b"]


def test_equal_priority_goes_to_the_higher_source_address(compile_text):
    """vrrp.c vrrp_state_master_rx: a MASTER receiving an advert of equal
    priority with `addr_cmp > 0` (vrrp_saddr_cmp: the sender's address is
    higher than its own) steps down ("Master received advert ... with same
    priority ... but higher IP address than ours"); so with no MASTER the
    higher address wins the tie. (hacc writes `state MASTER` on the first
    node of equal ones; a BACKUP never preempts at equal priority.)"""
    body = 'vrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=100 c=100 }'
    steady, after = simulate(compile_text, body, "a", nodes=THREE)
    assert steady["v"].masters == ["a"] and after["v"].masters == ["c"]
    # unicast_src overrides the link-0 address as the sender's address
    body = 'vrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=100; unicast_src a=10.0.0.200 b=10.0.0.20 }'
    steady, _ = simulate(compile_text, body)
    assert steady["v"].masters == ["a"]


def test_backup_never_preempts_at_equal_priority(compile_text):
    """vrrp.c vrrp_state_backup: an advert with `hd->priority >=
    vrrp->effective_priority` keeps it BACKUP, even when the BACKUP's
    address is higher."""
    body = 'script chk "/bin/true"\nvrrp v { vrid 1; vip 10.0.0.100/24; priority a=110 b=100; track chk weight=-10 }'
    _, after = simulate(compile_text, body, "a:chk")
    assert after["v"].priorities == {"a": 100, "b": 100} and after["v"].masters == ["a"]


def test_nopreempt_keeps_a_live_master(compile_text):
    """vrrp.c vrrp_state_backup: with `vrrp->nopreempt` a BACKUP never takes
    over from a live MASTER, even a lower one; a MASTER that dies is still
    replaced (keepalived.conf(5): "nopreempt stops the higher priority
    machine taking over the master role")."""
    body = ('script chk "/bin/true"\n'
            'vrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=90; nopreempt; track chk weight=-50 }')
    steady, after = simulate(compile_text, body, "a:chk")
    assert steady["v"].masters == ["a"], "all start BACKUP; the highest times out first"
    assert after["v"].priorities["a"] == 50 and after["v"].masters == ["a"]
    _, dead = simulate(compile_text, body, "a")
    assert dead["v"].masters == ["b"]


def test_preempt_delay_only_delays(compile_text):
    """keepalived.conf(5) preempt_delay: "Since it is a delay, it cannot speed
    up taking over as master": the higher BACKUP takes over in the end."""
    body = ('script chk "/bin/true"\n'
            'vrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=90; preempt_delay 30s; track chk weight=-50 }')
    _, after = simulate(compile_text, body, "a:chk")
    assert after["v"].masters == ["b"]


def test_nopreempt_is_ignored_on_a_master_by_configuration(compile_text):
    """vrrp.c vrrp_complete_instance: "Warning - nopreempt will not work with
    initial state MASTER - clearing"; that node preempts. A MASTER steps
    down to any higher advert whatever its own nopreempt
    (vrrp_state_master_rx does not look at it)."""
    body = ('script chk "/bin/true"\n'
            'vrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=90; nopreempt; state a=BACKUP b=MASTER; track chk weight=-20 }')
    steady, _ = simulate(compile_text, body)
    assert steady["v"].masters == ["b"], "b starts MASTER and a, nopreempt, does not take over"
    _, after = simulate(compile_text, body.replace("track chk weight=-20", "track chk weight=20"), "b:chk")
    assert after["v"].masters == ["b"]


def test_a_cut_off_node_becomes_master_too(compile_text):
    """RFC 5798 6.4.2: a BACKUP that hears no advert for Master_Down_Interval
    becomes MASTER. A node whose VRRP network is cut (interface still up)
    does, while the others keep their MASTER: the VIP is on two nodes."""
    body = 'vrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=90 c=80 }'
    _, after = simulate(compile_text, body, "c:link0", nodes=THREE)
    assert after["v"].masters == ["a", "c"]
    _, cut_master = simulate(compile_text, body, "a:link0", nodes=THREE)
    assert cut_master["v"].masters == ["a", "b"]


def test_adverts_off_the_cut_link_still_arrive(compile_text):
    """Adverts go from the instance's source address: one that is not on the
    failed corosync link is not cut off."""
    body = 'vrrp v { vrid 1; vip 10.9.0.100/24; priority a=100 b=90; unicast_src a=10.9.0.1 b=10.9.0.2 }'
    _, after = simulate(compile_text, body, "a:link0")
    assert after["v"].masters == ["a"]


SYNC = """
        script chk "/bin/true"
        vrrp x { vrid 1; vip 10.0.0.100/24; priority a=100 b=90; interface eth1 }
        vrrp y { vrid 2; vip 10.0.0.101/24; priority a=100 b=90 }
        sync_group g x y { track chk }
"""


def test_sync_group_fault_moves_every_member(compile_text):
    """vrrp_track.c down_instance calls vrrp_sync_fault: a member going to
    FAULT takes the group to FAULT on that node ("Syncing instances to FAULT
    state"), so all members move."""
    _, after = simulate(compile_text, SYNC, "a:eth1")
    assert after["x"].states["a"] == after["y"].states["a"] == "FAULT"
    assert after["x"].masters == after["y"].masters == ["b"]


def test_sync_group_trackers_apply_to_every_member(compile_text):
    """keepalived.conf(5): sync group track_script "will update the
    status/priority of all VRRP instances which are members"."""
    _, after = simulate(compile_text, SYNC, "a:chk")
    assert after["x"].masters == after["y"].masters == ["b"]


def test_sync_group_member_weights_are_dropped(compile_text):
    """vrrp.c vrrp_complete_instance: without sync_group_tracking_weight a
    member's weighted track script is removed ("ignoring tracked script ...
    with weights due to SYNC group", free_track_script) and never run,
    although keepalived.conf(5) says the weights are "set to zero"
    (acassen/keepalived#2105, keepalived 2.2.4)."""
    body = SYNC.replace("priority a=100 b=90 }", "priority a=100 b=90; track chk weight=-50 }", 1)
    body = body.replace("sync_group g x y { track chk }", "sync_group g x y")
    assert "track chk weight=-50" in body
    _, after = simulate(compile_text, body, "a:chk")
    assert after["y"].priorities["a"] == 100 and after["x"].masters == after["y"].masters == ["a"]
    # With the weight kept, the priority drops, yet the group stays: x still
    # prefers a, and b may not go MASTER for y alone (man page: "This
    # probably WON'T WORK").
    weighted = body.replace("sync_group g x y", "sync_group g x y { tracking_weight yes }")
    _, after = simulate(compile_text, weighted, "a:chk")
    assert after["y"].priorities["a"] == 50 and after["x"].masters == after["y"].masters == ["a"]


def test_sync_group_holds_a_node_that_wins_only_some_members(compile_text):
    """vrrp_sync.c vrrp_sync_can_goto_master: a member may go MASTER only if
    every other member of the group can; a node that wins one member but
    hears a better MASTER for another stays BACKUP in all."""
    body = """
        vrrp x { vrid 1; vip 10.9.0.100/24; priority a=100 b=90; unicast_src a=10.9.0.1 b=10.9.0.2 }
        vrrp y { vrid 2; vip 10.0.0.101/24; priority a=100 b=90 }
        sync_group g x y
    """
    _, after = simulate(compile_text, body, "a:link0")
    assert after["y"].masters == ["a"], "b is cut off for y but hears a for x: held BACKUP"
    assert any("held BACKUP" in note for note in after["y"].notes)


def test_down_node_has_no_priority(compile_text):
    body = 'vrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=90 }'
    _, after = simulate(compile_text, body, "a")
    assert after["v"].priorities == {"a": None, "b": 90} and after["v"].states == {"a": "DOWN", "b": "MASTER"}


@pytest.mark.parametrize("weight, moves", [(-5, False), (-10, False), (-11, True)])
def test_gap_and_weight(compile_text, weight, moves):
    """The failover condition HA313 checks: P_master + weight < P_backup; a
    tie keeps the VIP where it is."""
    body = f'script chk "/bin/true"\nvrrp v {{ vrid 1; vip 10.0.0.100/24; priority a=100 b=90; track chk weight={weight} }}'
    _, after = simulate(compile_text, body, "a:chk")
    assert after["v"].masters == (["b"] if moves else ["a"])


def test_sync_group_member_weighted_interface_goes_to_fault(compile_text):
    """vrrp.c vrrp_complete_instance: without sync_group_tracking_weight a
    member's weighted track_interface keeps being tracked with weight 0
    (`tip->weight = 0`), so its failure is a FAULT that moves the group.
    keepalived 2.2.7 `keepalived -t` says "(x) ignoring ifb0 tracked
    interface weight due to SYNC group". With the weight kept, -5 does not
    close the gap of 10."""
    body = """
        vrrp x { vrid 1; vip 10.0.0.100/24; priority a=100 b=90; track_interface eth1 weight=-5 }
        vrrp y { vrid 2; vip 10.0.0.101/24; priority a=100 b=90 }
        sync_group g x y
    """
    _, after = simulate(compile_text, body, "a:eth1")
    assert after["x"].states["a"] == after["y"].states["a"] == "FAULT"
    assert after["x"].masters == after["y"].masters == ["b"]
    assert any("ignores its weight" in note for note in after["x"].notes)
    _, kept = simulate(compile_text, body.replace("sync_group g x y", "sync_group g x y { tracking_weight yes }"), "a:eth1")
    assert kept["x"].priorities["a"] == 95 and kept["x"].masters == kept["y"].masters == ["a"]


def test_sync_group_weights_become_fault_where_a_member_is_owner(compile_text):
    """vrrp.c sync_group_tracking_init: "Cannot have weighted track script
    ... with member having priority 255 - clearing weight": on the node
    where a member is address owner the group's weighted script is a
    weight-0 tracker (FAULT); elsewhere its weight still counts."""
    body = """
        script chk "/bin/true"
        vrrp x { vrid 1; vip 10.0.0.100/24; priority a=255 b=90 }
        vrrp y { vrid 2; vip 10.0.0.101/24; priority a=100 b=90 }
        sync_group g x y { track chk weight=-50 }
    """
    _, on_owner = simulate(compile_text, body, "a:chk")
    assert on_owner["x"].states["a"] == on_owner["y"].states["a"] == "FAULT"
    assert on_owner["x"].masters == on_owner["y"].masters == ["b"]
    _, elsewhere = simulate(compile_text, body, "b:chk")
    assert elsewhere["y"].states["b"] == "BACKUP" and elsewhere["y"].priorities["b"] == 40


def test_strict_mode_starts_only_the_owner_as_master(compile_text):
    """vrrp.c vrrp_complete_instance: with vrrp_strict "State MASTER must
    match being address owner", so a written `state MASTER` below 255 starts
    BACKUP, and `nopreempt` then stays in force (it is cleared only on an
    initial MASTER). All start BACKUP: the higher priority wins."""
    body = ('global { vrrp_strict yes }\n'
            'vrrp v { vrid 1; vip 10.0.0.100/24; priority a=100 b=90; nopreempt; state a=BACKUP b=MASTER }')
    steady, _ = simulate(compile_text, body)
    assert steady["v"].masters == ["a"]
    lax, _ = simulate(compile_text, body.replace("global { vrrp_strict yes }", ""))
    assert lax["v"].masters == ["b"], "without strict mode b starts MASTER and nopreempt a leaves it there"
