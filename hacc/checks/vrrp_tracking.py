"""HA313-HA316, HA320, HA322, HA323: health checks that should move a VIP:
tracker weights against priorities, sync groups and script hygiene."""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity


def _weight(cluster, tracker, is_script: bool) -> int:
    if tracker.weight is not None:
        return tracker.weight
    if is_script:
        script = cluster.keepalived.script(tracker.name)
        if script is not None and script.weight is not None:
            return script.weight
    return 0


def _trackers(cluster, instance):
    """(tracker, weight, is_script) for an instance's own trackers."""
    for tracker in instance.track_scripts:
        yield tracker, _weight(cluster, tracker, True), True
    for tracker in instance.track_interfaces:
        yield tracker, _weight(cluster, tracker, False), False


def _master_and_next(cluster, instance):
    names = instance.node_names(cluster.node_names)
    if len(names) < 2:
        return None
    ranked = sorted(names, key=lambda n: -instance.priority_of(n, cluster.node_names))
    master, backup = ranked[0], ranked[1]
    return (master, instance.priority_of(master, cluster.node_names)), (backup, instance.priority_of(backup, cluster.node_names))


@rule("HA313", "tracker-cannot-fail-over", Severity.ERROR, layer="keepalived")
def tracker_cannot_fail_over(cluster) -> Iterator[Finding]:
    """A negative tracker weight too small to ever move the VIP.

    ## What it checks
    For each tracker with a negative weight, the master's priority plus that
    weight is below the next node's priority: P_master + weight < P_backup.
    A tie keeps the VIP where it is, so equality is not enough.

    ## Why it matters
    HAProxy dies on the master, the check fails, the master's priority drops
    from 100 to 95 - still above the backup's 90. The VIP stays on a node
    that serves nothing. This is the most common keepalived mistake.

    ## Example
    ```
    priority lb1=100 lb2=90
    track chk_haproxy weight=-5
    ```

    ## Fix
    Make the weight larger than the gap (keepalived's manual suggests 50
    more): `weight=-20` for priorities 100 and 90.

    ## References
    keepalived.conf(5) `priority`, `track_script`; acassen/keepalived#942,
    #2108; tcomerma/ansible-keepalived#4.
    """
    for instance in cluster.keepalived.instances:
        ranking = _master_and_next(cluster, instance)
        if ranking is None or instance.priority_of(ranking[0][0], cluster.node_names) == 255:
            continue
        (master, p_master), (backup, p_backup) = ranking
        for tracker, weight, _ in _trackers(cluster, instance):
            if weight < 0 and not tracker.reverse and p_master + weight >= p_backup:
                yield Finding(tracker.span, f"when `{tracker.name}` fails, `{master}` drops to {p_master + weight}, not below `{backup}`'s {p_backup}: the VIP stays",
                              labels=(Label(instance.span_of("priority", master), f"`{master}` starts at {p_master}"),) if instance.priority else (),
                              help=f"use a weight below {p_backup - p_master} (e.g. weight={p_backup - p_master - 10})",
                              path=tracker.path_of())


@rule("HA314", "positive-weight-cannot-fail-over", Severity.WARNING, layer="keepalived")
def positive_weight_cannot_fail_over(cluster) -> Iterator[Finding]:
    """A positive tracker weight too small to move the VIP.

    ## What it checks
    For each tracker with a positive weight (a bonus while healthy), a
    master that loses the bonus falls below a healthy backup:
    P_master < P_backup + weight.

    ## Why it matters
    With the bonus gone the master still outranks the backup, so the failure
    never moves the VIP.

    ## Example
    ```
    priority lb1=150 lb2=100
    track chk_haproxy weight=20
    ```

    ## Fix
    Raise the weight above the priority gap, or use a negative weight.

    ## References
    keepalived.conf(5) `track_script` weight text.
    """
    for instance in cluster.keepalived.instances:
        ranking = _master_and_next(cluster, instance)
        if ranking is None:
            continue
        (master, p_master), (backup, p_backup) = ranking
        for tracker, weight, _ in _trackers(cluster, instance):
            if weight > 0 and not tracker.reverse and p_master >= p_backup + weight:
                yield Finding(tracker.span, f"when `{tracker.name}` fails on `{master}` ({p_master}), `{backup}` reaches only {p_backup + weight}: the VIP stays",
                              help=f"use a weight above {p_master - p_backup}", path=tracker.path_of())


@rule("HA315", "sync-group-member-weights", Severity.ERROR, layer="keepalived")
def sync_group_member_weights(cluster) -> Iterator[Finding]:
    """Weighted trackers on an instance that belongs to a sync group.

    ## What it checks
    Instances in a `sync_group` carry no weighted trackers, unless the group
    sets `tracking_weight yes`.

    ## Why it matters
    keepalived ignores a weighted track script on a sync group member ("ignoring
    tracked script with weights due to SYNC group"): the health check the
    operator relies on never moves the VIP. A weighted tracked interface
    loses its weight instead, so the interface going down puts the whole
    group in FAULT rather than lowering its priority. Track on the sync
    group, which moves all its instances together.

    ## Example
    ```
    vrrp a { track chk weight=-50 }
    sync_group g a b
    ```

    ## Fix
    Move the `track` into the `sync_group` block.

    ## References
    keepalived.conf(5) `vrrp_sync_group`; acassen/keepalived#2105; what
    keepalived 2.2.7 `-t` prints for such a configuration.
    """
    keepalived = cluster.keepalived
    for group in keepalived.sync_groups:
        if group.tracking_weight:
            continue
        for member in group.members:
            instance = keepalived.instance(member)
            if instance is None:
                continue
            for tracker, weight, is_script in _trackers(cluster, instance):
                if weight != 0:
                    what = ("keepalived ignores this weighted script" if is_script else
                            "keepalived ignores this weight: the interface going down puts the group in FAULT")
                    yield Finding(tracker.span, f"`{instance.name}` is in sync group `{group.name}`: {what}",
                                  labels=(Label(group.span, "the sync group"),),
                                  help="track in the `sync_group` block, or add `tracking_weight yes` to it",
                                  path=tracker.path_of())


@rule("HA316", "script-security-disabled", Severity.WARNING, layer="keepalived")
def script_security_disabled(cluster) -> Iterator[Finding]:
    """Script security switched off.

    ## What it checks
    `global { enable_script_security no }` is not set while scripts run.

    ## Why it matters
    keepalived runs its scripts as root; with security off it also runs
    scripts that any user can edit, which gives that user root.

    ## Example
    ```
    global { enable_script_security no }
    ```

    ## Fix
    Remove the setting; make the scripts root-owned and not writable by
    others.

    ## References
    keepalived.conf(5) `enable_script_security`; acassen/keepalived#901.
    """
    settings = cluster.keepalived.global_
    if settings and settings.enable_script_security is False and cluster.keepalived.scripts:
        yield Finding(settings.span_of("enable_script_security"), "keepalived would run scripts that other users can modify",
                      help="remove `enable_script_security no`", path=settings.path_of("enable_script_security"))


@rule("HA320", "unused-script", Severity.WARNING, layer="keepalived")
def unused_script(cluster) -> Iterator[Finding]:
    """A track script that no instance or sync group tracks.

    ## What it checks
    Every `script` is named by some `track`.

    ## Why it matters
    keepalived only runs tracked scripts: the health check exists on paper
    and never influences the VIP. Usually the `track` line is missing or
    misspelt.

    ## Example
    ```
    script chk_haproxy "/usr/bin/pidof haproxy"
    vrrp V { vrid 51; vip 10.0.0.100/24 }
    ```

    ## Fix
    Add `track chk_haproxy weight=-20` to the instance, or remove the script.

    ## References
    keepalived vrrp.c (unused script warning).
    """
    keepalived = cluster.keepalived
    tracked = {t.name for owner in list(keepalived.instances) + list(keepalived.sync_groups) for t in owner.track_scripts}
    for script in keepalived.scripts:
        if script.name not in tracked:
            yield Finding(script.span_of("name"), f"script `{script.name}` is never tracked, so keepalived never runs it",
                          help=f"add `track {script.name} weight=-20` to an instance, or remove the script",
                          path=script.path_of())


@rule("HA322", "script-path-not-absolute", Severity.WARNING, layer="keepalived")
def script_path_not_absolute(cluster) -> Iterator[Finding]:
    """A script or notify command that does not start with an absolute path.

    ## What it checks
    The first word of every `script`, `notify` and `check misc` command is
    an absolute path.

    ## Why it matters
    keepalived searches PATH at run time and, with script security, refuses
    a command it cannot resolve to a secure file: the check silently never
    runs ("Disabling track script ... since not found").

    ## Example
    ```
    script chk_haproxy "pidof haproxy"
    ```

    ## Fix
    Write the full path: `"/usr/bin/pidof haproxy"`.

    ## References
    keepalived vrrp.c; acassen/keepalived#842.
    """
    keepalived = cluster.keepalived
    commands = [(s, "command", s.command) for s in keepalived.scripts]
    for owner in list(keepalived.instances) + list(keepalived.sync_groups):
        commands += [(owner, ("notify", event), command) for event, command in owner.notify.items()]
    for element, key, command in commands:
        first = command.split()[0] if command.split() else ""
        if not first.startswith("/"):
            span = element.span_of(*key) if isinstance(key, tuple) else element.span_of(key)
            yield Finding(span, f"`{first}` is not an absolute path", help=f"write the full path, e.g. `/usr/bin/{first}`",
                          path=element.path_of())


@rule("HA323", "tracker-puts-instance-in-fault", Severity.NOTE, layer="keepalived")
def tracker_puts_instance_in_fault(cluster) -> Iterator[Finding]:
    """A tracker without a weight: its failure puts the instance in FAULT.

    ## What it checks
    Reports trackers whose weight is 0 (written, inherited from the script,
    or keepalived's default).

    ## Why it matters
    This is often what is wanted (the node gives the VIP up entirely), but it
    differs from what most guides describe: no priority arithmetic, and the
    instance leaves FAULT only after `rise` successes. This note makes the
    behaviour visible.

    ## Example
    ```
    track chk_haproxy
    ```

    ## Fix
    Nothing, if FAULT is intended; otherwise give the tracker a weight.

    ## References
    keepalived.conf(5) "The default weight equals 0"; acassen/keepalived#484.
    """
    for instance in cluster.keepalived.instances:
        for tracker, weight, _ in _trackers(cluster, instance):
            if weight == 0:
                yield Finding(tracker.span, f"when `{tracker.name}` fails, `{instance.name}` goes to FAULT on that node",
                              help="give it a weight if the priority should drop instead", path=tracker.path_of())
