"""The `pacemaker` block of a generated cluster: properties and defaults,
fence devices, primitives of many agents, groups, clones and promotable
clones, and constraints (locations, rules, colocations and orders, sets)
that follow one topological order, and a fencing topology."""

from __future__ import annotations

from dataclasses import dataclass, field

from fuzz_plan import Context
from fuzz_render import S, dur, q
from hypothesis import strategies as st

# agent -> (parameter makers, promotable). Makers take (ctx, index).
AGENTS = {
    "ocf:heartbeat:IPaddr2": (lambda ctx, i: {"ip": ctx.new_pcmk_ip(), "cidr_netmask": "24" if ctx.families[0] == 4 else "64"}, False),
    "ocf:heartbeat:Dummy": (lambda ctx, i: {"state": f"/run/resource-agents/dummy-{i}.state"} if ctx.plan.maybe() else {}, False),
    "ocf:pacemaker:Dummy": (lambda ctx, i: {}, False),
    "ocf:heartbeat:Filesystem": (lambda ctx, i: {"device": f"/dev/vg0/lv{i}", "directory": f"/srv/data{i}",
                                                  "fstype": ctx.plan.pick(["xfs", "ext4"])}, False),
    "ocf:heartbeat:apache": (lambda ctx, i: {"configfile": f"/etc/apache2/site{i}.conf"} if ctx.plan.maybe() else {}, False),
    "ocf:heartbeat:nginx": (lambda ctx, i: {}, False),
    "ocf:pacemaker:ping": (lambda ctx, i: {"host_list": q("10.99.0.1 10.99.0.2"), "multiplier": "1000"}, False),
    "ocf:pacemaker:Stateful": (lambda ctx, i: {}, True),
    "ocf:heartbeat:pgsql": (lambda ctx, i: {}, True),
    "ocf:heartbeat:mysql": (lambda ctx, i: {}, True),
    "systemd:haproxy": (lambda ctx, i: {}, False),
    "systemd:postfix@-": (lambda ctx, i: {}, False),
    "lsb:cron": (lambda ctx, i: {}, False),
    "service:rsyslog": (lambda ctx, i: {}, False),
}
FENCE_AGENTS = {
    "stonith:fence_ipmilan": lambda ctx, node, i: {"ip": f"10.98.0.{i + 1}", "username": "admin",
                                                   "password": ctx.plan.secret("IPMI", _fence_password(ctx)),
                                                   "lanplus": "1"},
    "stonith:fence_xvm": lambda ctx, node, i: {"port": node or "vm"},
    "stonith:fence_sbd": lambda ctx, node, i: {"devices": "/dev/disk/by-id/sbd0"},
    "stonith:fence_apc_snmp": lambda ctx, node, i: {"ip": f"10.98.1.{i + 1}",
                                                    "pcmk_host_map": q(";".join(f"{n}:{k + 1}" for k, n in enumerate(ctx.names)))},
}
META = {
    "target-role": ["Started", "Stopped"],
    "migration-threshold": ["3", "1000000"],
    "resource-stickiness": ["100", "0", "INFINITY"],
    "failure-timeout": ["60s", "5m"],
    "priority": ["10", "0"],
    "is-managed": ["true", "false"],
}


def _fence_password(ctx: Context) -> str:
    return ctx.plan.draw(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), min_size=1, max_size=24)
                         | st.sampled_from(["hunter2", "p@ss w0rd", "<&>\"'", "é€ü"]))


@dataclass
class Resource:
    name: str
    kind: str  # primitive, fence, group, clone
    promotable: bool = False  # a primitive that can be promoted, or a promotable clone
    members: list[str] = field(default_factory=list)


def _ops(ctx: Context, promotable: bool) -> list[S]:
    plan, rnd = ctx.plan, ctx.plan.rnd
    ops = []
    if promotable:
        if plan.maybe(0.8):
            ops.append(S("op", ["monitor", f"interval={dur(15000, rnd)}", "role=Promoted", f"timeout={dur(60000, rnd)}"]))
            ops.append(S("op", ["monitor", f"interval={dur(16000, rnd)}", "role=Unpromoted", f"timeout={dur(60000, rnd)}"]))
    elif plan.maybe(0.8):
        attrs = [f"interval={dur(plan.pick([10000, 30000, 60000]), rnd)}", f"timeout={dur(plan.pick([20000, 60000]), rnd)}"]
        if plan.maybe(0.2):
            attrs.append(f"on-fail={plan.pick(['restart', 'block', 'ignore', 'stop'])}")
        if plan.maybe(0.1):
            attrs.append("OCF_CHECK_LEVEL=10")
        if plan.maybe(0.1):
            attrs.append(f"description={q('check it; {now} # really')}")
        for key, values in (("enabled", ["true", "false"]), ("record-pending", ["true"])):
            if plan.maybe(0.1):
                attrs.append(f"{key}={plan.pick(values)}")
        if plan.maybe(0.2):  # Pacemaker's schema takes one of the two (HA013)
            attrs.append(plan.pick(["start-delay=5s", "start-delay=0", "interval-origin=2024-01-01T03:00:00Z"]))
        ops.append(S("op", ["monitor"] + attrs))
    for action in ("start", "stop"):
        if plan.maybe(0.3):
            ops.append(S("op", [action, f"interval={plan.pick(['0', '0s'])}", f"timeout={dur(120000, rnd)}"]))
    return ops


def _params(ctx: Context, params: dict[str, str], inline: bool) -> tuple[list[str], list[S]]:
    pairs = [f"{k}={v}" for k, v in params.items()]
    if inline or not pairs:
        return pairs, []
    return [], [S(None, pairs)] if ctx.plan.maybe() else [S(None, [p]) for p in pairs]


def _meta(ctx: Context, promotable_clone: bool = False, clone: bool = False) -> dict[str, str]:
    plan = ctx.plan
    chosen = {}
    for key in plan.some(sorted(META), 2):
        chosen[key] = plan.pick(META[key])
    if clone:
        if plan.maybe(0.5):
            chosen["interleave"] = plan.pick(["true", "false"])
        if plan.maybe(0.3):
            chosen["clone-max"] = str(plan.pick(range(1, len(ctx.nodes) + 1)))
        if plan.maybe(0.3):
            chosen["notify"] = "true"
        if promotable_clone and plan.maybe(0.5):
            chosen["promoted-max"] = "1"
    return chosen


def pacemaker_block(ctx: Context) -> S:
    plan, rnd = ctx.plan, ctx.plan.rnd
    block: list[S] = []
    resources: list[Resource] = []
    fencing = plan.maybe(0.6)
    properties = {"stonith-enabled": "true" if fencing else "false"}
    extra = {
        "no-quorum-policy": ["stop", "freeze", "demote"] + (["ignore"] if len(ctx.nodes) != 2 else []),
        "symmetric-cluster": ["true", "false"],
        "cluster-recheck-interval": ["15min", "5m"],
        "start-failure-is-fatal": ["true", "false"],
        "maintenance-mode": ["false"],
        "placement-strategy": ["default", "utilization", "balanced"],
        "batch-limit": ["0", "30"],
    }
    if fencing:
        extra["stonith-timeout"] = ["60s", "120s"]
    for key in plan.some(sorted(extra), 3):
        properties[key] = plan.pick(extra[key])
    pairs = [f"{k}={v}" for k, v in properties.items()]
    if plan.maybe(0.3) and len(pairs) > 1:
        block += [S("property", [p]) for p in pairs]
    else:
        block.append(S("property", pairs))
    if plan.maybe(0.4):
        block.append(S("rsc_defaults", [f"resource-stickiness={plan.pick(['100', '0'])}"]
                       + ([f"migration-threshold={plan.pick(['3', '5'])}"] if plan.maybe() else [])))
    if plan.maybe(0.3):
        block.append(S("op_defaults", [f"timeout={plan.pick(['60s', '2m'])}"] + (["record-pending=true"] if plan.maybe() else [])))
    # fence devices
    devices: list[str] = []
    if fencing:
        per_node = plan.maybe(0.7)
        targets = [[node.name] for node in ctx.nodes] if per_node else [ctx.names]
        for index, target in enumerate(targets):
            agent = plan.pick(sorted(FENCE_AGENTS))
            name = ctx.plan.ids("fence-")
            devices.append(name)
            params = FENCE_AGENTS[agent](ctx, target[0] if per_node else None, index)
            if len(ctx.nodes) == 2 and index == 0 and plan.maybe(0.7):
                params["pcmk_delay_base"] = plan.pick(["5s", "10s"])
            args, inner = _params(ctx, params, plan.maybe(0.3))
            head = [name, agent] + (["for"] + target if plan.maybe(0.9) else []) + args
            if plan.maybe(0.2):
                inner.append(S("op", ["monitor", f"interval={dur(60000, rnd)}"]))
            block.append(S("fence", head, inner if inner or plan.maybe(0.3) else None))
            resources.append(Resource(name, "fence"))
    # primitives
    primitives: list[Resource] = []
    for index in range(plan.draw(st.integers(0 if fencing else 1, 6))):
        # promotable agents a quarter of the time: role options need them
        agent = plan.pick(sorted(a for a, (_, p) in AGENTS.items() if p) if plan.maybe(0.25) else sorted(AGENTS))
        maker, promotable = AGENTS[agent]
        name = ctx.plan.ids()
        params = maker(ctx, index)
        args, inner = _params(ctx, params, plan.maybe(0.4))
        meta = _meta(ctx)
        if meta:
            inner.append(S("meta", [f"{k}={v}" for k, v in meta.items()]))
        inner += _ops(ctx, promotable)
        if plan.maybe(0.2):
            rnd.shuffle(inner)
        block.append(S("resource", [name, agent] + args, inner if inner or plan.maybe(0.2) else None))
        resource = Resource(name, "primitive", promotable)
        primitives.append(resource)
        resources.append(resource)
    # groups, clones, promotable clones: each primitive in at most one container
    free = [r for r in primitives]
    rnd.shuffle(free)
    tops: list[Resource] = []
    while free:
        # a promotable agent is mostly run as a promotable clone, which role options need
        choice = "clone" if free[0].promotable and plan.maybe(0.7) else plan.pick(["top", "top", "group", "clone"])
        if choice == "group":
            members = free[: plan.draw(st.integers(1, min(3, len(free))))]
            free = free[len(members):]
            name = ctx.plan.ids("g-")
            meta = {"target-role": "Started"} if plan.maybe(0.2) else {}
            pairs = [f"{k}={v}" for k, v in meta.items()]
            inline = plan.maybe()
            group = S("group", [name] + [m.name for m in members] + (pairs if inline else []),
                      [S("meta", pairs)] if pairs and not inline else None)
            block.append(group)
            item = Resource(name, "group", members=[m.name for m in members])
            if plan.maybe(0.3):  # a cloned group
                item = _clone(ctx, block, item, promotable=False)
            tops.append(item)
        elif choice == "clone":
            inner = free.pop(0)
            tops.append(_clone(ctx, block, inner, promotable=inner.promotable and plan.maybe(0.8)))
        else:
            tops.append(free.pop(0))
    _constraints(ctx, block, tops, devices)
    return S("pacemaker", [], block)


def _clone(ctx: Context, block: list[S], inner: Resource, promotable: bool) -> Resource:
    plan = ctx.plan
    name = ctx.plan.ids("c-")
    meta = _meta(ctx, promotable_clone=promotable, clone=True)
    pairs = [f"{k}={v}" for k, v in meta.items()]
    inline = plan.maybe()
    block.append(S("promotable" if promotable else "clone", [name, inner.name] + (pairs if inline else []),
                   [S("meta", pairs)] if pairs and not inline else None))
    return Resource(name, "clone", promotable)


def _score(ctx: Context, positive: bool = True) -> str:
    value = ctx.plan.pick(["INFINITY", "100", "50", "+10", "1000"])
    return value if positive else "-" + value.lstrip("+")


def _constraints(ctx: Context, block: list[S], tops: list[Resource], devices: list[str]) -> None:
    plan, rnd = ctx.plan, ctx.plan.rnd
    constraints: list[S] = []
    order = list(tops)
    rnd.shuffle(order)  # every order constraint follows this order: no cycle
    rank = {r.name: i for i, r in enumerate(order)}
    names = [r.name for r in tops]
    attributes = sorted({k for node in ctx.nodes for k in node.attributes})
    colocated: set[frozenset] = set()
    for _ in range(plan.draw(st.integers(0, 6)) if tops else 0):
        kind = plan.pick(["prefers", "avoids", "rule", "colocation", "order", "colocation-set", "order-set"])
        name = ctx.plan.ids("con-")
        resource = plan.pick(tops)
        if kind in ("prefers", "avoids"):
            targets = plan.draw(st.lists(st.sampled_from(ctx.names), min_size=1, max_size=2, unique=True))
            words = [t if plan.maybe() else f"{t}={_score(ctx).lstrip('+')}" for t in targets]
            options = [f"resource-discovery={plan.pick(['always', 'never', 'exclusive'])}"] if plan.maybe(0.2) else []
            if resource.promotable and plan.maybe(0.4):
                options.append(f"role={plan.pick(['Promoted', 'Unpromoted'])}")
            constraints.append(S("location", [name, resource.name, kind] + words + options))
        elif kind == "rule":
            expressions = []
            for _ in range(plan.draw(st.integers(1, 3))):
                form = plan.pick(["uname", "unary"] + (["attr"] * 2 if attributes else []))
                if form == "uname":
                    expressions.append([q("#uname"), plan.pick(["eq", "ne"]), plan.pick(ctx.names)])
                elif form == "unary":
                    expressions.append([plan.pick(["defined", "not_defined"]), plan.pick(attributes or ["pingd"])])
                else:
                    attr = plan.pick(attributes)
                    values = sorted({n.attributes.get(attr, "x") for n in ctx.nodes})
                    expressions.append([attr, plan.pick(["eq", "ne", "lt", "gt", "lte", "gte"]), plan.pick(values)])
            joiner = plan.pick(["and", "or"])
            words = expressions[0]
            for expression in expressions[1:]:
                words = words + [joiner] + expression
            options = [f"score={_score(ctx, plan.maybe())}"] if plan.maybe(0.8) else []
            if resource.promotable and plan.maybe(0.3):
                options.append("role=Promoted")
            constraints.append(S("location", [name, resource.name, "rule"] + options + words))
        elif kind == "colocation" and len(tops) > 1:
            other = plan.pick([r for r in tops if r is not resource])
            pair = frozenset((resource.name, other.name))
            if pair in colocated:
                continue
            colocated.add(pair)
            options = [f"score={_score(ctx, plan.maybe(0.8))}"] if plan.maybe() else []
            if other.promotable and plan.maybe(0.5):
                options.append("with-rsc-role=Promoted")
            if resource.promotable and plan.maybe(0.5):
                options.append("rsc-role=Promoted")
            if plan.maybe(0.2):
                options.append(f"influence={plan.pick(['true', 'false'])}")
            if attributes and plan.maybe(0.1):
                options.append(f"node-attribute={plan.pick(attributes)}")
            constraints.append(S("colocation", [name, resource.name, "with", other.name] + options))
        elif kind == "order" and len(tops) > 1:
            first, then = sorted(plan.draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True)),
                                 key=rank.get)
            options = []
            order_kind = plan.pick(["Mandatory", "Optional", "Serialize", None])
            if order_kind:
                options.append(f"kind={order_kind}")
            if order_kind != "Serialize" and plan.maybe(0.2):
                options.append(f"symmetrical={plan.pick(['true', 'false'])}")
            by_name = {r.name: r for r in tops}
            if by_name[first].promotable and plan.maybe(0.6):
                options += ["first-action=promote", "then-action=start"]
            constraints.append(S("order", [name, first, "then", then] + options))
        elif kind in ("colocation-set", "order-set") and len(tops) > 1:
            chosen = sorted(plan.draw(st.lists(st.sampled_from(names), min_size=2, max_size=min(4, len(names)),
                                               unique=True)), key=rank.get)
            if kind == "colocation-set":
                if any(frozenset(p) in colocated for p in _pairs(chosen)):
                    continue
                colocated.update(frozenset(p) for p in _pairs(chosen))
            cut = plan.draw(st.integers(1, len(chosen) - 1)) if plan.maybe() else len(chosen)
            sets = [chosen[:cut], chosen[cut:]] if cut < len(chosen) else [chosen]
            lines = []
            by_name = {r.name: r for r in tops}
            for members in sets:
                options = []
                if plan.maybe(0.3):
                    options.append(f"sequential={plan.pick(['true', 'false'])}")
                if kind == "order-set" and plan.maybe(0.2):
                    options.append(f"require-all={plan.pick(['true', 'false'])}")
                promotable = all(by_name[m].promotable for m in members)
                if kind == "order-set" and plan.maybe(0.2):
                    options.append(f"action={plan.pick(['start', 'stop'] + (['promote', 'demote'] if promotable else []))}")
                if promotable and kind == "colocation-set" and plan.maybe(0.6):
                    options.append(f"role={plan.pick(['Promoted', 'Unpromoted'])}")
                if plan.maybe(0.1):
                    options.append(f"ordering={plan.pick(['group', 'listed'])}")
                lines.append(S("set", members + options))
            head = [name] + ([f"score={_score(ctx)}"] if kind == "colocation-set" and plan.maybe() else [])
            if kind == "order-set" and plan.maybe(0.3):
                head.append(f"kind={plan.pick(['Mandatory', 'Optional'])}")
            constraints.append(S(kind.split("-")[0], head, lines))
    # fencing topology
    if devices and plan.maybe(0.4):
        for node in ctx.nodes:
            for index in plan.draw(st.lists(st.integers(1, 9), min_size=1, max_size=2, unique=True)):
                chosen = plan.draw(st.lists(st.sampled_from(devices), min_size=1, max_size=2, unique=True))
                constraints.append(S("fencing_level", [node.name, str(index)] + chosen))
    block += constraints


def _pairs(items: list[str]):
    return [(a, b) for i, a in enumerate(items) for b in items[i + 1:]]
