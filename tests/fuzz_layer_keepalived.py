"""The `keepalived` block of a generated cluster: global settings, track
scripts, VRRP instances (unique VRIDs, priorities, trackers whose weights can
move a VIP), sync groups and LVS virtual servers."""

from __future__ import annotations

from dataclasses import dataclass

from fuzz_plan import IFACES, Context, host_address
from fuzz_render import S, q
from hypothesis import strategies as st

EXECUTABLES = ["/usr/bin/pidof haproxy", "/bin/true", "/usr/bin/test -e /run/haproxy.pid",
               "/usr/bin/killall -0 haproxy", "/bin/true --check=1,2 a:b"]


@dataclass
class Script:
    name: str
    weight: int | None


def _vrrp_secret(ctx: Context) -> str:
    value = ctx.plan.draw(st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+@%",
                                  min_size=1, max_size=8))
    return ctx.plan.secret("VRRP", value)


def keepalived_block(ctx: Context) -> S:
    plan, rnd = ctx.plan, ctx.plan.rnd
    block: list[S] = []
    global_version = plan.pick([None, None, 2, 3])
    strict = plan.maybe(0.1)
    ctx.strict = strict
    global_opts = []
    if global_version:
        global_opts.append(S("vrrp_version", [str(global_version)]))
    if strict:
        global_opts.append(S("vrrp_strict", ["yes"]))
    if plan.maybe(0.2):
        # Only root: keepalived 2.2.7 -t kills itself after checking a script
        # as another user (it resets PR_SET_PDEATHSIG and then sees a parent
        # pid it never recorded), so other users cannot be judged here.
        global_opts.append(S("script_user", ["root"]))
    if plan.maybe(0.2):
        # `no` is HA316 (a warning), and keepalived -t then fails with a SECURITY VIOLATION
        global_opts.append(S("enable_script_security", ["yes"]))
    if global_opts or plan.maybe(0.1):
        block.append(S("global", [], global_opts))
    scripts: list[Script] = []
    for _ in range(plan.pick(range(4))):
        script = Script(ctx.plan.ids("chk_"), plan.pick([None, None, -100, -253]))
        options = []
        for key, values in (("interval", ["2s", "1s", "5s"]), ("timeout", ["1s", "3s"]), ("rise", ["2", "3"]),
                            ("fall", ["2", "3"]), ("user", ["root"])):
            if plan.maybe(0.4):
                options.append(f"{key}={plan.pick(values)}")
        if script.weight is not None:
            options.append(f"weight={script.weight}")
        rnd.shuffle(options)
        block.append(S("script", [script.name, q(plan.pick(EXECUTABLES))] + options))
        scripts.append(script)
    instances = []
    # uniform counts (st.integers leans to the small end): sync groups need two instances
    for _ in range(plan.pick(range(0 if plan.maybe(0.2) else 1, 5))):
        instances.append(ctx.plan.ids("VI_"))
    # sync groups first: members must not carry weighted trackers unless tracking_weight
    groups: list[tuple[str, list[str], bool]] = []
    pool = list(instances)
    rnd.shuffle(pool)
    while len(pool) >= 2 and plan.maybe(0.4):
        members = pool[: plan.draw(st.integers(2, len(pool)))]
        pool = pool[len(members):]
        groups.append((ctx.plan.ids("SG_"), members, plan.maybe(0.3)))
    unweighted = {m for _, members, weighted in groups if not weighted for m in members}
    # the instances of a sync group run on the same nodes (else a node would
    # get a group of one, which keepalived -t reports)
    runs_on = {}
    for _, members, _ in groups:
        nodes = _members(ctx)
        runs_on.update({m: nodes for m in members})
    for name in instances:
        block.append(_instance(ctx, name, scripts, global_version, strict, name in unweighted,
                               runs_on.get(name) or _members(ctx)))
    for name, members, weighted in groups:
        inner = []
        if weighted:
            inner.append(S("tracking_weight", ["yes"]))
        for event in plan.some(["master", "backup", "fault", "stop", "any"], 3):
            inner.append(S("notify", [event, q(f"{plan.pick(EXECUTABLES)} {event}")]))
        if scripts and plan.maybe(0.6):
            words = [plan.pick(scripts).name]
            if weighted and plan.maybe():  # a weight moves the whole group only with tracking_weight
                words.append(f"weight=-{plan.draw(st.integers(1, 253))}")
            if plan.maybe(0.2):
                words.append("reverse")
            inner.append(S("track", words))
        block.append(S("sync_group", [name] + members, inner or None))
    for _ in range(plan.pick(range(1, 3)) if plan.maybe(0.4) else 0):
        block.append(_virtual_server(ctx))
    if plan.maybe(0.2):
        rnd.shuffle(block)
    return S("keepalived", [], block)


def _members(ctx: Context) -> list[str]:
    plan = ctx.plan
    if plan.maybe(0.7):
        return ctx.names
    return plan.draw(st.lists(st.sampled_from(ctx.names), min_size=1, max_size=len(ctx.names), unique=True))


def _instance(ctx: Context, name: str, scripts: list[Script], global_version, strict: bool, in_group: bool,
              members: list[str]) -> S:
    plan, rnd = ctx.plan, ctx.plan.rnd
    family = ctx.families[0]
    version = global_version
    block: list[S] = [S("vrid", [str(plan.draw(st.integers(1, 255).filter(lambda v: v not in ctx.vrids)))])]
    ctx.vrids.add(int(block[0].args[0]))
    if family == 6 and version != 3:
        version = 3
        block.append(S("version", ["3"]))
    elif version is None and plan.maybe(0.2):
        version = plan.pick([2, 3])
        block.append(S("version", [str(version)]))
    version = version or 2
    if strict and family == 6:  # strict mode: an IPv6 instance's first VIP is link-local (HA324)
        block.append(S("vip", [f"fe80::1:{len(ctx.vrids):x}/64"]))
    for _ in range(plan.draw(st.integers(1, 3))):
        vip = ctx.new_vip(family)
        ctx.vips.append(vip)
        prefix = plan.pick(["", "/24", "/32"] if family == 4 else ["", "/64", "/128"])
        options = []
        if plan.maybe(0.15):
            dev = plan.pick(IFACES[:4])
            options.append(f"dev={dev}")
            if family == 4 and plan.maybe():
                options.append(f"label={dev}:{plan.pick(['vip', 'web', '1'])}")
        block.append(S("vip", [vip + prefix] + options))
    # who runs it, and with which priority
    priorities: dict[str, int]
    if members == ctx.names and len(members) <= 10 and plan.maybe(0.2):
        priorities = {n: 100 - 10 * i for i, n in enumerate(members)}  # the derived default
    else:
        values = plan.draw(st.lists(st.integers(1, 254), min_size=len(members), max_size=len(members), unique=True))
        priorities = dict(zip(members, values))
        block.append(S("priority", [f"{n}={p}" for n, p in priorities.items()]))
    ranked = sorted(priorities, key=lambda n: -priorities[n])
    gap = priorities[ranked[0]] - priorities[ranked[1]] if len(ranked) > 1 else 0
    auth = plan.pick(["pass", "ah"]) if version == 2 and not strict and plan.maybe(0.4) else None
    delayed = plan.maybe(0.2)
    if delayed:
        block.append(plan.pick([S("nopreempt"), S("preempt", ["no"])]
                               + ([] if strict else [S("preempt_delay", [plan.pick(["30s", "5s"])])])))
    if plan.maybe(0.2):
        if delayed or strict or auth == "ah":  # no MASTER there (HA309, HA324)
            block.append(S("state", ["BACKUP"]))
        elif len(members) == 1:
            block.append(S("state", [plan.pick(["MASTER", "BACKUP"])]))
        else:
            block.append(S("state", [f"{n}={'MASTER' if n == ranked[0] and plan.maybe() else 'BACKUP'}" for n in members]))
    if plan.maybe(0.2):
        block.append(S("interface", [plan.pick(IFACES[:4])]))
    elif plan.maybe(0.1):
        block.append(S("interface", [f"{n}={plan.pick(IFACES[:4])}" for n in members]))
    multicast = strict or plan.maybe(0.15)
    if multicast:
        block.append(S("multicast"))
    elif plan.maybe(0.15):
        octet = plan.octet()
        block.append(S("unicast_src", [f"{n}={host_address(family, octet, 11 + ctx.names.index(n))}" for n in members]))
    advert = plan.pick(["1s", "2s", "3s"] + (["500ms", "1500ms", "250ms"] if version == 3 else []))
    if plan.maybe(0.6):
        block.append(S("advert", [advert]))
    if auth:
        block.append(S("auth", [f"{auth}={_vrrp_secret(ctx)}"]))
    # trackers: a negative weight must be able to move the VIP (HA313)
    for script in plan.draw(st.lists(st.sampled_from(scripts), max_size=2, unique_by=lambda s: s.name)) if scripts else []:
        words = [script.name]
        weight = None
        if in_group:
            if script.weight is not None:
                continue
        else:
            form = plan.pick(["inherit", "negative", "negative", "positive"])
            if form == "negative" and gap < 253:
                weight = -plan.draw(st.integers(gap + 1, 253))
            elif form == "positive":
                weight = plan.draw(st.integers(1, 253))
            if weight is not None:
                words.append(f"weight={weight}")
        effective = script.weight if weight is None else weight
        if (effective is not None and effective < 0 and -effective <= gap) or plan.maybe(0.05):
            words.append("reverse")
        block.append(S("track", words))
    if plan.maybe(0.2):
        # not an interface the instance runs on: keepalived ignores (and -t fails on) its own
        words = [plan.pick(IFACES[4:])]
        if not in_group and gap < 253 and plan.maybe():
            words.append(f"weight=-{plan.draw(st.integers(gap + 1, 253))}")
        if len(words) == 1 and plan.maybe(0.3):  # down means FAULT either way; reversed, up does
            words.append("reverse")
        block.append(S("track_interface", words))
    for event in plan.some(["master", "backup", "fault", "stop", "any"], 2):
        block.append(S("notify", [event, q(f"{plan.pick(EXECUTABLES)} {name} {event}")]))
    extras = {
        # `accept no` drops traffic to the VIPs, which haproxy may serve (HA507)
        # and strict mode resets `accept` (keepalived -t warns; hacc does not check it)
        "accept": lambda: S("accept", [plan.pick(["yes", "no"] if "haproxy" not in ctx.layers else ["yes"])]),
        "dont_track_primary": lambda: S("dont_track_primary"),
        "garp_master_delay": lambda: S("garp_master_delay", [plan.pick(["5s", "1s"])]),
        "garp_master_refresh": lambda: S("garp_master_refresh", [plan.pick(["60s", "0"])]),
    }
    if strict:
        del extras["accept"]
    for key in plan.some(sorted(extras), 2):
        block.append(extras[key]())
    head, rest = block[0], block[1:]
    vips = iter([s for s in rest if s.keyword == "vip"])
    rnd.shuffle(rest)  # order carries no meaning, but among the VIPs (the first is the primary)
    return S("vrrp", [name], [head] + [next(vips) if s.keyword == "vip" else s for s in rest])


def _virtual_server(ctx: Context) -> S:
    plan = ctx.plan
    address = plan.pick(ctx.vips) if ctx.vips and ctx.families[0] == 4 and plan.maybe() else f"172.31.{plan.octet()}.1"
    port = ctx.plan.port()
    protocol = plan.pick(["TCP", "TCP", "UDP"])
    block = [S("protocol", [protocol])] if plan.maybe(0.7) else []
    options = {
        "lvs_sched": lambda: plan.pick(["rr", "wrr", "lc", "wlc", "sh"]),
        "lvs_method": lambda: plan.pick(["DR", "NAT", "TUN"]),
        "delay_loop": lambda: plan.pick(["5s", "10s"]),
        "persistence_timeout": lambda: plan.pick(["5m", "300s"]),
        "connect_timeout": lambda: plan.pick(["3s", "5s"]),
        "retry": lambda: str(plan.pick([1, 3])),
        "delay_before_retry": lambda: plan.pick(["2s", "3s"]),
        "quorum": lambda: "1",
        "sorry_server": lambda: f"172.30.{plan.octet()}.9:{port}",
    }
    for key in plan.some(sorted(options), 7):
        block.append(S(key, [options[key]()]))
    octet = plan.octet()
    for index in range(plan.draw(st.integers(1, 3))):
        inline = []
        if plan.maybe(0.5):
            inline.append(f"weight={plan.pick([1, 100])}")
        if plan.maybe(0.2):
            inline.append("inhibit_on_failure=yes")
        checks = []
        for key, values in (("connect_timeout", ["3s", "5s"]), ("retry", ["2"]), ("delay_before_retry", ["1s"])):
            if plan.maybe(0.15):  # inline or a statement of its block
                value = plan.pick(values)
                if plan.maybe():
                    inline.append(f"{key}={value}")
                else:
                    checks.append(S(key, [value]))
        for _ in range(plan.pick(range(3))):
            kind = plan.pick(["tcp", "http", "https", "misc"] if protocol == "TCP" else ["misc"])
            words = [kind]
            if kind in ("http", "https"):
                words.append(f"path={plan.pick(['/', '/healthz', q('/a/b?c=d')])}")
                if plan.maybe():
                    words.append(f"status={plan.pick(['200', '200-299'])}")
                if plan.maybe(0.2):
                    words.append("digest=0123456789abcdef0123456789abcdef")
                if plan.maybe(0.3):
                    words.append("virtualhost=www.example.com")
            if kind == "misc":
                words.append(q(f"{plan.pick(EXECUTABLES)} 172.31.{octet}.{index + 10}"))
                if plan.maybe(0.3):
                    words.append(f"timeout={plan.pick(['5s', '10s'])}")
                if plan.maybe(0.3):
                    words.append("dynamic")
            else:
                for key, values in (("connect_timeout", ["3s"]), ("connect_port", [str(port), "8080"]),
                                    ("retry", ["2"]), ("delay_before_retry", ["2s"]), ("delay_loop", ["10s"]),
                                    ("connect_ip", [f"172.31.{octet}.{index + 10}"])):
                    if plan.maybe(0.3):
                        words.append(f"{key}={plan.pick(values)}")
            checks.append(S("check", words))
        block.append(S("real_server", [f"172.31.{octet}.{index + 10}:{port}"] + inline, checks or None))
    return S("virtual_server", [f"{address}:{port}"], block)
