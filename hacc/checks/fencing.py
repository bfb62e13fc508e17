"""HA205-HA209, HA221, HA226: fencing. A cluster that cannot fence a lost
node must choose between data corruption and downtime; these rules catch
the configurations that make that choice for the operator."""

from __future__ import annotations

from collections.abc import Iterator

from hacc.checks.helpers import fencing_enabled, property_of, quorum_device, truthy
from hacc.checks.registry import Finding, rule
from hacc.diagnostics.model import Label, Severity
from hacc.model.pacemaker import Location
from hacc.model.values import Duration


def _fence_span(pacemaker):
    name, _ = property_of(pacemaker, "stonith-enabled")
    return pacemaker.span_of("properties", name) if name else pacemaker.span


@rule("HA205", "no-fence-devices", Severity.ERROR, layer="pacemaker")
def no_fence_devices(cluster) -> Iterator[Finding]:
    """Fencing is enabled but no fence device is configured.

    ## What it checks
    With `stonith-enabled` true (Pacemaker's default), at least one `fence`
    device (a resource of class `stonith`) exists.

    ## Why it matters
    Pacemaker refuses to start any resource: "Resource start-up disabled
    since no STONITH resources have been defined". The cluster looks healthy
    and runs nothing.

    ## Example
    ```
    pacemaker {
        resource vip ocf:heartbeat:IPaddr2 { ip=10.0.0.100 }
    }
    ```

    ## Fix
    Add a fence device per node, e.g.
    `fence fence-a stonith:fence_ipmilan for a { ip=... }`.

    ## References
    crm_verify ("no STONITH resources have been defined"); Pacemaker
    Explained, "Fencing".
    """
    pacemaker = cluster.pacemaker
    if fencing_enabled(pacemaker) and not pacemaker.fence_devices() and pacemaker.resources:
        yield Finding(_fence_span(pacemaker), "fencing is enabled but no fence device is configured",
                      help="add a `fence NAME stonith:AGENT for NODE { ... }` for each node",
                      path=pacemaker.path_of())


@rule("HA206", "fencing-disabled", Severity.WARNING, layer="pacemaker")
def fencing_disabled(cluster) -> Iterator[Finding]:
    """Fencing is switched off.

    ## What it checks
    `stonith-enabled` (`fencing-enabled` from Pacemaker 3.0.2) is not false.

    ## Why it matters
    Without fencing, a node that stops answering is assumed dead. If it is
    only cut off, both sides run the resources: a split brain that corrupts
    shared data. The seed article's setup has no fencing at all.

    ## Example
    ```
    property stonith-enabled=false
    ```

    ## Fix
    Configure fence devices and remove the property. For a test cluster,
    suppress this finding with a reason.

    ## References
    crm_verify -VV ("Blind faith: not fencing unseen nodes"); crmsh issue
    #2057; Trento check 205AF7.
    """
    pacemaker = cluster.pacemaker
    name, value = property_of(pacemaker, "stonith-enabled")
    if name and not truthy(value):
        yield Finding(pacemaker.span_of("properties", name), "fencing is disabled: a node that is only cut off is assumed dead",
                      help="configure fence devices and remove `stonith-enabled=false`",
                      path=pacemaker.path_of("properties", name))


def _host_list(device) -> list[str]:
    hosts = str(device.params.get("pcmk_host_list", "")).replace(",", " ").split()
    hosts += [entry.split(":")[0] for entry in str(device.params.get("pcmk_host_map", "")).replace(",", ";").split(";") if ":" in entry]
    return hosts


@rule("HA207", "fence-device-on-target", Severity.WARNING, layer="pacemaker")
def fence_device_on_target(cluster) -> Iterator[Finding]:
    """A fence device may run on the node it fences.

    ## What it checks
    A device that fences exactly one node (its `pcmk_host_list` or
    `pcmk_host_map`) is kept off that node, by `for NODE` (hacc then writes the ban) or by a
    `location ... avoids NODE`.

    ## Why it matters
    A node cannot fence itself once it is in trouble; if the device for
    node1 runs on node1, fencing node1 waits for a device that is gone.

    ## Example
    ```
    fence fence-a stonith:fence_ipmilan { ip=10.0.1.1 pcmk_host_list=a }
    ```

    ## Fix
    Write `fence fence-a stonith:fence_ipmilan for a { ... }`.

    ## References
    pcs (creates the same ban); Pacemaker Explained, "Fencing".
    """
    pacemaker = cluster.pacemaker
    for device in pacemaker.fence_devices():
        banned = set(getattr(device, "fence_for", []))
        for constraint in pacemaker.constraints:
            if isinstance(constraint, Location) and constraint.resource == device.name:
                banned |= {node for node, score in constraint.node_scores() if score.startswith("-")}
        hosts = _host_list(device)
        # A device for several nodes (a PDU) must run somewhere; only a
        # device dedicated to one node can and should avoid that node.
        if len(hosts) != 1:
            continue
        for host in hosts:
            if host not in banned and cluster.node(host) is not None:
                yield Finding(device.span_of("name"), f"fence device `{device.name}` fences `{host}` and may run on it",
                              help=f"write `for {host}` after the agent, so hacc keeps the device off `{host}`",
                              path=device.path_of())


def _delays(device) -> list[tuple[str, Duration]]:
    out = []
    for key in ("pcmk_delay_base", "pcmk_delay_max"):
        value = device.params.get(key)
        if isinstance(value, str):
            for part in value.split(";"):
                text = part.split(":")[-1].strip()
                text = text + "s" if text.isdigit() else text
                try:
                    out.append((key, Duration.parse(text)))
                except ValueError:
                    pass
    return out


@rule("HA208", "two-node-fence-race", Severity.WARNING, layer="pacemaker")
def two_node_fence_race(cluster) -> Iterator[Finding]:
    """A two-node cluster without a fence delay.

    ## What it checks
    In a cluster of two nodes without a quorum device, at least one fence
    device has `pcmk_delay_base` or `pcmk_delay_max`, or the cluster sets
    `priority-fencing-delay`.

    ## Why it matters
    When the link between the nodes breaks, each keeps quorum (`two_node`)
    and each fences the other at the same moment: both go down. A delay on
    one side decides the race.

    ## Example
    ```
    fence fence-a stonith:fence_ipmilan for a { ip=10.0.1.1 }
    fence fence-b stonith:fence_ipmilan for b { ip=10.0.1.2 }
    ```

    ## Fix
    Add `pcmk_delay_base=10s` to the device that fences the node that should
    survive, or `pcmk_delay_max=15s` to both, or set
    `property priority-fencing-delay=20s`.

    ## References
    crmsh `bootstrap.adjust_pcmk_delay_max`; ClusterLabs/fence-agents#494;
    Pacemaker Explained, `priority-fencing-delay`.
    """
    pacemaker = cluster.pacemaker
    devices = pacemaker.fence_devices()
    if len(cluster.nodes) != 2 or quorum_device(cluster) is not None or not devices or not fencing_enabled(pacemaker):
        return
    if property_of(pacemaker, "priority-fencing-delay")[0] or any(_delays(d) for d in devices):
        return
    yield Finding(devices[0].span_of("name"), "two nodes can fence each other at the same moment: no fence device has a delay",
                  help="add `pcmk_delay_base=10s` to the device that fences the node that should lose, or set `property priority-fencing-delay=20s`",
                  path=devices[0].path_of())


@rule("HA209", "priority-fencing-delay-too-short", Severity.WARNING, layer="pacemaker")
def priority_fencing_delay_too_short(cluster) -> Iterator[Finding]:
    """`priority-fencing-delay` is not longer than the fence devices' delays.

    ## What it checks
    `priority-fencing-delay` is at least twice the largest `pcmk_delay_base`
    or `pcmk_delay_max` of any fence device.

    ## Why it matters
    The priority delay must outlast the random device delays, or the node
    running the important resources can still lose the race.

    ## Example
    ```
    property priority-fencing-delay=5s
    fence f stonith:fence_ipmilan for a { pcmk_delay_max=15s }
    ```

    ## Fix
    Raise `priority-fencing-delay` to twice the longest device delay.

    ## References
    Pacemaker `lib/common/options.c` ("significantly greater than, safely
    twice, the maximum pcmk_delay_base/max"); crmsh bootstrap.
    """
    pacemaker = cluster.pacemaker
    name, value = property_of(pacemaker, "priority-fencing-delay")
    if not name:
        return
    try:
        priority = Duration.parse(str(value) + ("s" if str(value).isdigit() else ""))
    except ValueError:
        return
    delays = [(device, key, delay) for device in pacemaker.fence_devices() for key, delay in _delays(device)]
    if not delays:
        return
    device, key, longest = max(delays, key=lambda item: item[2])
    if priority.ms < 2 * longest.ms:
        yield Finding(pacemaker.span_of("properties", name),
                      f"priority-fencing-delay {priority} is less than twice {key} {longest} of `{device.name}`",
                      labels=(Label(device.span_of("params", key), f"{key} {longest}"),),
                      help=f"raise priority-fencing-delay to at least {Duration(2 * longest.ms)}",
                      path=pacemaker.path_of("properties", name))


@rule("HA221", "fence-action-parameter", Severity.WARNING, layer="pacemaker")
def fence_action_parameter(cluster) -> Iterator[Finding]:
    """A fence device sets the `action` parameter.

    ## What it checks
    Fence devices do not set `action` (nor `method=cycle`).

    ## Why it matters
    Pacemaker chooses the action itself; a fixed `action` makes every
    request, including "on" and "status", perform that action. Use
    `pcmk_reboot_action` or `pcmk_off_action` to map one action to another.

    ## Example
    ```
    fence f stonith:fence_ipmilan for a { action=off }
    ```

    ## Fix
    Remove `action`; set `property stonith-action=off` or
    `pcmk_reboot_action=off` instead.

    ## References
    pcs `status.py` (stonith warnings).
    """
    for device in cluster.pacemaker.fence_devices():
        for key in ("action", "method"):
            value = device.params.get(key)
            if value is None or (key == "method" and value != "cycle"):
                continue
            yield Finding(device.span_of("params", key), f"fence device `{device.name}` sets `{key}={value}`",
                          help="remove it; use `pcmk_reboot_action` or `property stonith-action` to choose the action",
                          path=device.path_of("params", key))


@rule("HA226", "fencing-timeout-too-short", Severity.WARNING, layer="pacemaker")
def fencing_timeout_too_short(cluster) -> Iterator[Finding]:
    """`stonith-timeout` is shorter than corosync needs to notice a failure.

    ## What it checks
    An explicit `stonith-timeout` is at least 60s + token + consensus
    (crmsh's rule; token and consensus as corosync computes them).

    ## Why it matters
    A fencing action that times out is retried or reported failed while the
    membership is still settling, and resources stay stopped meanwhile.

    ## Example
    ```
    property stonith-timeout=30s
    corosync { token 10s }
    ```

    ## Fix
    Raise `stonith-timeout` to the value the message gives.

    ## References
    crmsh `bootstrap.get_fencing_timeout_generally_expected`; Trento 373DB8.
    """
    pacemaker = cluster.pacemaker
    name, value = property_of(pacemaker, "stonith-timeout")
    if not name:
        return
    try:
        timeout = Duration.parse(str(value) + ("s" if str(value).isdigit() else ""))
    except ValueError:
        return
    token_ms = 3000
    consensus_ms = None
    if cluster.corosync:
        token = cluster.corosync.timing("token")
        token_ms = token.ms if token else 3000
        if len(cluster.nodes) > 2:
            coefficient = cluster.corosync.timing("token_coefficient")
            token_ms += (len(cluster.nodes) - 2) * (coefficient.ms if coefficient else 650)
        consensus = cluster.corosync.timing("consensus")
        consensus_ms = consensus.ms if consensus else None
    needed = 60_000 + token_ms + (consensus_ms if consensus_ms is not None else int(1.2 * token_ms))
    if timeout.ms < needed:
        yield Finding(pacemaker.span_of("properties", name),
                      f"stonith-timeout {timeout} is shorter than 60s + token + consensus ({needed / 1000:g}s)",
                      help=f"raise it to at least {-(-needed // 1000)}s", path=pacemaker.path_of("properties", name))

