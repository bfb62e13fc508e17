"""HA701-HA709: what `hacc simulate` finds. HA7xx is reserved for failure
simulation; these codes never come from `hacc lint`."""

from __future__ import annotations

from hacc.diagnostics.codes import define
from hacc.diagnostics.model import Severity

VIP_UNHELD = define("HA701", "simulated-vip-unheld", Severity.ERROR, """
    In a simulated scenario no node holds a VRRP instance's virtual IPs.

    ## What it checks
    After the scenario's failures, at least one node of every VRRP instance
    is MASTER: up, not in FAULT, and not held BACKUP by its sync group.

    ## Why it matters
    Clients of the VIP get no answer at all. The usual causes: the only
    node left tracks a failing check with weight 0 (FAULT), every node of
    the instance is down, or a sync group whose members prefer different
    nodes holds every node BACKUP.

    ## Example
    ```
    vrrp web { vrid 61; vip 10.1.0.100/24; priority lb1=150 }   # one node
    # hacc simulate --fail lb1
    ```

    ## Fix
    Run the instance on a second node, or give the FAULT tracker a weight,
    or give the sync group's members the same preferred node.

    ## References
    keepalived.conf(5) `vrrp_sync_group`, `track_script`; keepalived vrrp_sync.c.
    """)

VIP_TWICE = define("HA702", "simulated-vip-on-two-nodes", Severity.ERROR, """
    In a simulated scenario two nodes hold the same virtual IPs.

    ## What it checks
    After the scenario's failures, at most one node of every VRRP instance is
    MASTER.

    ## Why it matters
    When the network that carries a node's VRRP adverts fails but the
    interface stays up, each side stops hearing the other and becomes
    MASTER: both answer ARP for the VIP, and clients flap between them.

    ## Example
    ```
    node lb1 { addr 10.1.0.11; interface eth0 }   # adverts on link 0
    # hacc simulate --fail lb1:link0
    ```

    ## Fix
    Send VRRP over a network that fails with the service network, track the
    uplink (`track_interface`) or a reachability check so the cut-off node
    goes to FAULT, or accept the risk knowingly.

    ## References
    RFC 5798 section 6.4; keepalived vrrp.c `vrrp_state_backup`.
    """)

RESOURCE_STOPPED = define("HA703", "simulated-resource-stopped", Severity.ERROR, """
    In a simulated scenario a Pacemaker resource has nowhere to run.

    ## What it checks
    Every resource that runs in the steady state (or should run there) runs
    somewhere after the scenario's failures, as Pacemaker's scheduler
    (crm_simulate) decides while quorum holds. Fence devices are not
    counted: Pacemaker fences with a device that is not running.

    ## Why it matters
    Location constraints, colocations or bans that leave a resource a
    single node turn that node's failure into an outage that no failover
    can fix.

    ## Example
    ```
    location db-only-on-a db avoids b=INFINITY
    # hacc simulate --fail a
    ```

    ## Fix
    Let the resource run on another node (a finite score instead of
    INFINITY), or accept the outage and say so with a comment.

    ## References
    Pacemaker Explained, "Resource Constraints"; crm_simulate(8).
    """)

QUORUM_LOST = define("HA704", "simulated-quorum-lost", Severity.ERROR, """
    A single failure leaves no partition with quorum.

    ## What it checks
    After any one failure (a node, a link, a check), some partition of a
    cluster of two or more nodes still has quorum, by votequorum's rules
    (two_node, auto_tie_breaker, last_man_standing, the quorum device).

    ## Why it matters
    A cluster of several nodes is built to survive one failure. Without
    quorum, `no-quorum-policy` (stop by default) stops every resource: one
    failure takes the whole service down.

    ## Example
    ```
    node a { id 1; addr 10.0.0.1 }
    node b { id 2; addr 10.0.0.2 }
    corosync { transport knet }       # no two_node, no qdevice
    ```

    ## Fix
    Add `quorum { two_node yes }` with fencing for two nodes, a third node,
    or a `qdevice`.

    ## References
    votequorum(5); corosync votequorum.c `calculate_quorum`.
    """)

FAILOVER_MISSED = define("HA705", "simulated-failover-missed", Severity.ERROR, """
    A failing check does not move the VIP away from the node it fails on.

    ## What it checks
    When a script or interface tracked by a VRRP instance fails on its
    MASTER, another node takes the instance over.

    ## Why it matters
    The check exists to move the VIP off a node that can no longer serve.
    It cannot when its weight is smaller than the priority gap (HA313,
    HA314), when the other nodes are `nopreempt` (a BACKUP never preempts a
    live MASTER), or when keepalived removes the tracker (a weighted track
    script on a sync group member, HA315; a weighted track interface there
    is kept with weight 0 instead, so its failure is a FAULT).

    ## Example
    ```
    priority lb1=100 lb2=90
    track chk_haproxy weight=-5
    # hacc simulate --fail lb1:chk_haproxy
    ```

    ## Fix
    Use a weight larger than the gap, or weight 0 (FAULT), or move the
    tracker to the sync group.

    ## References
    keepalived.conf(5) `track_script`, `nopreempt`; keepalived vrrp.c
    `vrrp_state_backup`; acassen/keepalived#942.
    """)

SPLIT_BRAIN = define("HA706", "simulated-split-brain", Severity.ERROR, """
    In a simulated scenario a resource runs in two partitions at once.

    ## What it checks
    After the scenario's failures, no Pacemaker resource runs on nodes of
    two partitions that cannot see each other.

    ## Why it matters
    Two copies of a database or a file server write the same data without
    knowing of each other. It happens when both halves keep quorum (or
    ignore its loss) and nothing fences the other half.

    ## Example
    ```
    property stonith-enabled=false
    quorum { two_node yes }
    # hacc simulate --fail a:link0
    ```

    ## Fix
    Enable fencing, and do not combine `no-quorum-policy=ignore` with a
    cluster that can split.

    ## References
    Pacemaker Explained, "Fencing"; votequorum(5) `two_node`.
    """)

FENCE_RACE = define("HA707", "simulated-fence-race", Severity.WARNING, """
    In a simulated split both halves may fence each other at the same time.

    ## What it checks
    When a scenario leaves two partitions that both may fence (two_node
    after a link failure), a fence delay (`pcmk_delay_base` on the devices,
    or `priority-fencing-delay`) decides which one survives.

    ## Why it matters
    Without a delay both shots can land: both nodes reboot and the service
    is down until they return. Which half survives is left to chance; the
    simulation shows one of the outcomes.

    ## Example
    ```
    fence fence-a stonith:fence_ipmilan for a { ip=10.0.1.1 }
    fence fence-b stonith:fence_ipmilan for b { ip=10.0.1.2 }
    # hacc simulate --fail a:link0
    ```

    ## Fix
    Add `pcmk_delay_base=10s` to the device that fences the node that should
    survive, or set `property priority-fencing-delay=20s`.

    ## References
    Pacemaker Explained, `priority-fencing-delay`, `pcmk_delay_base`; HA208.
    """)

PACEMAKER_SKIPPED = define("HA708", "simulation-pacemaker-skipped", Severity.NOTE, """
    Pacemaker was not simulated: crm_simulate is not installed.

    ## What it checks
    `hacc simulate` runs Pacemaker's scheduler offline with `crm_simulate`
    (Debian package pacemaker-cli-utils) to place resources.

    ## Why it matters
    Without it only keepalived and quorum are simulated; resource
    placements are left out of the output.

    ## Example
    ```
    hacc simulate cluster.ha      # on a host without pacemaker-cli-utils
    ```

    ## Fix
    Install pacemaker-cli-utils (or set HACC_CRM_SIMULATE to the binary).

    ## References
    crm_simulate(8).
    """)

PACEMAKER_FAILED = define("HA709", "simulation-pacemaker-failed", Severity.WARNING, """
    crm_simulate failed on the generated CIB.

    ## What it checks
    `crm_simulate -x cib.xml -S` runs and prints a cluster status for the
    steady state and for each scenario.

    ## Why it matters
    Resource placements are missing from the output: hacc reports the run
    instead of trusting it. Usual causes: a Pacemaker 3 target
    (`pacemaker-4.0` schema) simulated by Pacemaker 2.1, or an ordering loop
    (`crm_simulate -R` looks normal, `-S` reports "An invalid transition was
    produced").

    ## Example
    ```
    # .hacc.toml: [tool.hacc.target] pacemaker = "3.0", with crm_simulate 2.1
    ```

    ## Fix
    Read the message; `crm_verify` on the built CIB usually says more.

    ## References
    pacemaker-corosync.md section 3.4; crm_simulate(8).
    """)
