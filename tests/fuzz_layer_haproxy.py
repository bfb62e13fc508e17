"""The `haproxy` block of a generated cluster: global, defaults, peers,
userlists, resolvers, backends, frontends and listen sections whose modes
agree along every route."""

from __future__ import annotations

from fuzz_plan import Context, Plan
from fuzz_render import S, q
from hypothesis import strategies as st

ACLS = {
    "http": [["path_beg", "/api", "/v2"], ["path_end", ".jpg", ".png"], ["hdr(host)", "-i", "example.com"],
             ["method", "GET", "POST"], ["src", "10.0.0.0/8"], ["always_true"], ["ssl_fc"],
             ["hdr_sub(user-agent)", "-i", "bot"], ["path", "-m", "beg", q("/a b")]],
    "tcp": [["src", "10.0.0.0/8", "192.168.0.0/16"], ["dst_port", "80"], ["always_true"], ["src_port", "1024:65535"]],
}
TIMEOUTS = ["client", "connect", "server"]
# A self-signed certificate that the fuzz tests create before judging (`ssl crt=`).
CERTIFICATE = "/tmp/hacc-fuzz/site.pem"
# A SHA-512 crypt(3) hash (of "fuzzpw"), as haproxy's `password` wants.
PASSWORD_HASH = "$6$fuzzsalt$O3L/zCRRbq9wwVFSC38/QMZ27Sunfq1tv3Cb13IHcaa6pUsV/PZOJq4X3eq6GpsSAFEgSaKvloXN7eNSi0bVj1"


def _endpoint(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _timeouts(plan: Plan, names=TIMEOUTS) -> list[S]:
    return [S("timeout", [name, plan.pick(["5s", "30s", "1m", "50000ms"])]) for name in names]


def _condition(plan: Plan, acls: list[str]) -> list[str]:
    first = plan.pick(acls)
    words = [plan.pick(["if", "if", "unless"]), ("!" if plan.maybe(0.2) else "") + first]
    if len(acls) > 1 and plan.maybe(0.4):
        words += [plan.pick(["", "||", "or"]), ("!" if plan.maybe(0.2) else "") + plan.pick(acls)]
    return [w for w in words if w]


def haproxy_block(ctx: Context) -> S:
    plan, rnd = ctx.plan, ctx.plan.rnd
    block: list[S] = []
    # Every proxy runs the defaults' mode unless the cluster mixes modes; an
    # HTTP-only option in the defaults would then reach a TCP proxy, and a log
    # format needs a `log` line (haproxy warns about both).
    default_mode = plan.pick(["http", "http", "tcp"])
    mixed = plan.maybe(0.3)
    logging = plan.maybe(0.5)
    ctx.proxy_modes = ["http", "tcp"] if mixed else [default_mode]
    ctx.logging = logging
    glob = [S("log", ["/dev/log", plan.pick(["local0", "local1"])] + (["notice"] if plan.maybe() else []))] if logging else []
    options = {
        "maxconn": lambda: S("maxconn", [str(plan.pick([2000, 20000, 50000]))]),
        "user": lambda: S("user", ["haproxy"]),
        "group": lambda: S("group", ["haproxy"]),
        "stats": lambda: S("stats", ["socket", "/run/haproxy-admin.sock", "mode", "660", "level", "admin"]),
        "nbthread": lambda: S("nbthread", [str(plan.pick([1, 2]))]),
        # a secret as a pass-through argument, or text with the characters haproxy would split on
        "description": lambda: S("description", [plan.secret("DESC", "edge proxies; #1") if plan.maybe() else
                                                 plan.pick([q("edge; proxies"), q("a # b"), q("x=y {z}"), q("é"),
                                                            '"caf\\u{e9} \\x41B"', '"say \\"hi\\""'])]),
        "tune.bufsize": lambda: S("tune.bufsize", ["16384"]),
        "ssl-default-bind-ciphers": lambda: S("ssl-default-bind-ciphers", [q("ECDHE+AESGCM:!aNULL")]),
    }
    for key in plan.some(sorted(options), 5):
        glob.append(options[key]())
    if glob or plan.maybe(0.3):
        plan.rnd.shuffle(glob)
        block.append(S("global", [], glob))
    # defaults
    current = {"mode": "tcp", "timeouts": False, "log": False}
    if plan.maybe(0.85) or not mixed:
        inner = [S("mode", [default_mode])] + _timeouts(plan)
        extras = ["option dontlognull", "retries 3", "option redispatch", "timeout queue 30s", "timeout check 5s",
                  "timeout tunnel 1h", "timeout client-fin 5s", "timeout server-fin 5s"]
        if logging:
            inner.append(S("log", ["global"]))
            if not mixed:
                extras.append("option httplog" if default_mode == "http" else "option tcplog")
        if default_mode == "http" and not mixed:
            extras += ["option forwardfor", "timeout http-request 10s", "option http-server-close",
                       "timeout http-keep-alive 2s", "timeout tarpit 15s"]
        inner += [S(w.split()[0], w.split()[1:]) for w in plan.some(extras, 3)]
        rnd.shuffle(inner)
        block.append(S("defaults", [plan.ids("dflt_")] if plan.maybe(0.3) else [], inner))
        current = {"mode": default_mode, "timeouts": True, "log": logging}
    # peers, userlists, resolvers
    peers = []
    if plan.maybe(0.3):
        name = plan.ids("peers_")
        port = plan.port()
        if plan.pick([True, False]):  # hacc lists the nodes, or the file does
            block.append(S("peers", [name], [S("port", [str(port)])]))
        else:
            block.append(S("peers", [name], [S("peer", [n.name, _endpoint(n.addrs[0], port)]) for n in ctx.nodes]))
        peers.append(name)
    userlists = []
    if plan.maybe(0.3):
        name = plan.ids("ul_")
        inner = []
        group = plan.ids("grp_") if plan.maybe(0.4) else None
        listed = group is not None and plan.maybe()  # `group G users=...` rather than `user U groups=G`
        users = []
        for _ in range(plan.draw(st.integers(1, 2))):
            user = plan.ids("u_")
            if plan.pick([True, False]):  # a hash or a plain password, even in a rich cluster
                words = [user, f"password={plan.secret('HASH', PASSWORD_HASH)}"]
            else:
                pw = plan.draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12))
                words = [user, f"insecure-password={plan.secret('PW', pw) if plan.maybe() else pw}"]
            if group and not listed:
                words.append(f"groups={group}")
            inner.append(S("user", words))
            users.append(user)
        if group:
            inner.insert(0, S("group", [group] + ([f"users={','.join(users)}"] if listed else [])))
        block.append(S("userlist", [name], inner))
        userlists.append(name)
    resolvers = None
    if plan.maybe(0.2):
        resolvers = plan.ids("dns_")
        inner = [S("nameserver", ["ns1", "10.0.0.53:53"])]
        for words in plan.draw(st.lists(st.sampled_from(["resolve_retries 3", "timeout resolve 1s", "timeout retry 1s",
                                                          "hold valid 10s", "accepted_payload_size 8192"]),
                                        max_size=3, unique=True)):
            inner.append(S(words.split()[0], words.split()[1:]))
        block.append(S("resolvers", [resolvers], inner))
    # backends, each with its mode; frontends route only to backends of theirs
    proxies: list[S] = []
    backends: dict[str, list[str]] = {"http": [], "tcp": []}
    for _ in range(plan.pick(range(5))):
        mode = plan.pick(ctx.proxy_modes)
        name = plan.ids("be_")
        proxies.append(_backend(ctx, name, mode, current, peers, resolvers))
        backends[mode].append(name)
    for _ in range(plan.draw(st.integers(1, 3))):  # haproxy will not start without a listener
        mode = plan.pick(ctx.proxy_modes)
        proxies.append(_frontend(ctx, plan.ids("fe_"), mode, current, backends[mode]))
    for _ in range(plan.draw(st.integers(0, 2))):
        proxies.append(_listen(ctx, plan.ids("ls_"), current, userlists, resolvers))
    rnd.shuffle(proxies)
    block += proxies
    return S("haproxy", [], block)


def _mode_and_timeouts(plan: Plan, mode: str, current: dict, names=TIMEOUTS) -> list[S]:
    inner = []
    if mode != current["mode"] or plan.maybe(0.2):
        inner.append(S("mode", [mode]))
    if not current["timeouts"]:
        inner += _timeouts(plan, names)
    return inner


def _servers(ctx: Context, mode: str, resolvers: str | None, count: int) -> list[S]:
    plan = ctx.plan
    octet = plan.octet()
    port = plan.pick([80, 8080, 9000, 5432])
    ids = plan.draw(st.lists(st.integers(1, 1000), min_size=count, max_size=count, unique=True))
    servers = []
    for index in range(count):
        if resolvers and plan.maybe(0.3):
            address = f"app{index}.internal:{port}"
            # `init-addr none`: haproxy -c warns when a libc lookup at start fails
            tail = [f"resolvers={resolvers}", "init-addr=none"]
        else:
            address = _endpoint(f"10.{octet}.1.{index + 10}" if plan.maybe(0.8) else f"fd{octet:02x}:1::{index + 10:x}", port)
            tail = []
        words = [plan.ids("srv"), address]
        words += plan.draw(st.lists(st.sampled_from(["check", "backup", "send-proxy", "disabled"]), max_size=2, unique=True))
        for key, values in (("inter", ["2s", "500ms"]), ("rise", ["2"]), ("fall", ["3"]), ("weight", ["10", "100", "0"]),
                            ("maxconn", ["100"]), ("id", [str(ids[index])]), ("port", [str(port + 1)])):
            if plan.maybe(0.15):
                words.append(f"{key}={plan.pick(values)}")
        servers.append(S("server", words + tail))
    return servers


def _backend(ctx: Context, name: str, mode: str, current: dict, peers: list[str], resolvers) -> S:
    plan, rnd = ctx.plan, ctx.plan.rnd
    inner = _mode_and_timeouts(plan, mode, current, ["connect", "server"])
    algorithms = ["roundrobin", "leastconn", "source", "first", "static-rr"] + (["uri", "hdr(host)"] if mode == "http" else [])
    if plan.maybe(0.6):
        inner.append(S("balance", [plan.pick(algorithms)]))
    if mode == "http" and plan.maybe(0.4):
        inner.append(S("option", ["httpchk", "GET", "/health"]))
        if plan.maybe():
            inner.append(S("http-check", ["expect", "status", "200"]))
    if mode == "http" and plan.maybe(0.3):
        inner.append(S("http-request", ["set-header", "X-Backend", name]))
    if plan.maybe(0.5):
        keyed = plan.pick(["type=ip", "type=ipv6", "type=string len=32", "type=binary len=16", "type=integer"]).split()
        options = keyed + [f"size={plan.pick(['100k', '1m', '200'])}"]
        if plan.maybe():
            options.append(f"expire={plan.pick(['30m', '10s'])}")
        if peers and plan.maybe():
            options.append(f"peers={plan.pick(peers)}")
        if plan.maybe(0.3):
            options.append(f"store={plan.pick(['conn_cur', 'http_req_rate(10s)' if mode == 'http' else 'conn_rate(10s)'])}")
        if plan.maybe(0.1):
            options.append("nopurge")
        inner.append(S("stick-table", options))
        inner.append(S("stick", ["on", "src_port" if options[0] == "type=integer" else "src"]))
    for words in plan.draw(st.lists(st.sampled_from(["option redispatch", "retries 3", "default-server inter 3s fall 3 rise 2"]),
                                    max_size=2, unique=True)):
        inner.append(S(words.split()[0], words.split()[1:]))
    servers = _servers(ctx, mode, resolvers, plan.draw(st.integers(0, 3)))
    if mode == "http" and servers and plan.maybe(0.2):  # sticky sessions, the cookie value from a secret
        inner.append(S("cookie", ["SERVERID", "insert", "indirect", "nocache"]))
        for server in servers:
            server.args.append(f"cookie={plan.secret('COOKIE', server.args[0] + '-c')}")
    inner += servers
    rnd.shuffle(inner)
    return S("backend", [name], inner)


def _binds(ctx: Context, mode: str) -> list[S]:
    plan = ctx.plan
    binds = []
    for _ in range(plan.draw(st.integers(1, 2))):
        port = plan.port()
        # with vrrp_strict keepalived drops traffic to its VIPs (HA507): a wildcard would serve them
        candidates = ([] if ctx.strict else ["*", ""] + ctx.vips) + ctx.pcmk_ips + [n.addrs[0] for n in ctx.nodes]
        address = plan.pick(candidates)
        words = [f"*:{port}" if address == "*" else f":{port}" if not address else _endpoint(address, port)]
        words += plan.draw(st.lists(st.sampled_from(["accept-proxy", "defer-accept", "transparent"]), max_size=1))
        for key, values in (("maxconn", ["100", "5000"]), ("backlog", ["1024"]), ("name", ["b1", "public", None])):
            if plan.maybe(0.15):
                value = plan.pick(values)
                words.append(f"{key}={plan.secret('BIND', 'public') if value is None else value}")
        if mode == "http" and plan.maybe(0.15):  # the judges' host holds this certificate (tests/test_fuzz_generated.py)
            words += ["ssl", f"crt={CERTIFICATE}"] + (["alpn=h2,http/1.1"] if plan.maybe() else [])
        binds.append(S("bind", words))
    return binds


def _acls(plan: Plan, mode: str) -> tuple[list[S], list[str]]:
    statements, names = [], []
    for _ in range(plan.draw(st.integers(0, 3))):
        name = plan.ids("is_")
        if mode == "http" and plan.maybe(0.1):
            statements.append(S("acl", [name, "req.hdr(x-api-key)", "-m", "str", plan.secret("APIKEY", "k3y-" + name)]))
        else:
            statements.append(S("acl", [name] + plan.pick(ACLS[mode])))
        names.append(name)
    return statements, names


def _frontend(ctx: Context, name: str, mode: str, current: dict, backends: list[str]) -> S:
    plan, rnd = ctx.plan, ctx.plan.rnd
    inner = _mode_and_timeouts(plan, mode, current, ["client"]) + _binds(ctx, mode)
    acls, names = _acls(plan, mode)
    inner += acls
    if names and backends:
        for _ in range(plan.draw(st.integers(0, 2))):
            inner.append(S("use_backend", [plan.pick(backends)] + _condition(plan, names)))
    if backends and plan.maybe(0.8):
        inner.append(S("default_backend", [plan.pick(backends)]))
    passthrough = {
        "http": [["option", "forwardfor"], ["http-request", "set-header", "X-Forwarded-Proto", "https"],
                 ["http-response", "set-header", "Strict-Transport-Security", q("max-age=31536000; includeSubDomains")],
                 ["capture", "request", "header", "Host", "len", "32"], ["http-request", "deny"],
                 ["http-request", "add-header", "X-Note", q("a # b")], ["redirect", "prefix", "/new"]],
        "tcp": [["tcp-request", "inspect-delay", "5s"]] + ([["option", "tcplog"]] if ctx.logging else []),
    }[mode]
    for words in plan.draw(st.lists(st.sampled_from(passthrough), max_size=3, unique_by=lambda w: " ".join(w[:2]))):
        if words[-1] in ("deny", "/new"):
            if not names:
                continue
            words = words + _condition(plan, names)
        inner.append(S(words[0], words[1:]))
    if any(s.args == ["tcplog"] for s in inner) and not current["log"]:
        inner.append(S("log", ["global"]))  # a log format needs a log target
    if names and mode == "tcp" and plan.maybe(0.3):
        inner.append(S("tcp-request", ["connection", "reject"] + _condition(plan, names)))
    if plan.maybe(0.2):
        inner.append(S("maxconn", [str(plan.pick([1000, 10000]))]))
    rnd.shuffle(inner)
    return S("frontend", [name], inner)


def _listen(ctx: Context, name: str, current: dict, userlists: list[str], resolvers) -> S:
    plan, rnd = ctx.plan, ctx.plan.rnd
    if "http" in ctx.proxy_modes and plan.maybe(0.5):  # a statistics page
        inner = _mode_and_timeouts(plan, "http", current, TIMEOUTS) + _binds(ctx, "http")
        inner += [S("stats", ["enable"]), S("stats", ["uri", plan.pick(["/stats", "/haproxy?stats"])])]
        if plan.maybe(0.3):
            inner.append(S("stats", ["refresh", "10s"]))
        if plan.maybe(0.3):
            inner.append(S("stats", ["auth", plan.secret("STATS", "admin:" + plan.draw(st.text("abcdefgh0123456789", min_size=1, max_size=10)))]))
        if userlists and plan.maybe(0.7):
            acl = plan.ids("auth_")
            inner.append(S("acl", [acl, f"http_auth({plan.pick(userlists)})"]))
            inner.append(S("http-request", ["auth", "realm", "stats", "unless", acl]))
        return S("listen", [name], inner)
    mode = plan.pick(ctx.proxy_modes)
    inner = _mode_and_timeouts(plan, mode, current, TIMEOUTS) + _binds(ctx, mode)
    if plan.maybe(0.5):
        inner.append(S("balance", [plan.pick(["roundrobin", "leastconn"])]))
    inner += _servers(ctx, mode, resolvers, plan.draw(st.integers(1, 3)))
    rnd.shuffle(inner)
    return S("listen", [name], inner)
