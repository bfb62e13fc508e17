"""The `corosync` block of a generated cluster: transport, crypto, totem
timings consistent with each other, links, quorum (two_node, qdevice or
votequorum options) and logging."""

from __future__ import annotations

from fuzz_plan import Context
from fuzz_render import S, dur, q


def corosync_block(ctx: Context) -> S:
    plan, rnd, n = ctx.plan, ctx.plan.rnd, len(ctx.nodes)
    block: list[S] = []
    knet = ctx.transport == "knet"
    if ctx.transport != "knet" or plan.maybe(0.3):
        block.append(S("transport", [ctx.transport]))
    if knet and plan.maybe(0.6):
        cipher = plan.pick(["aes256", "aes192", "aes128", "none"])
        hash_ = plan.pick(["sha256", "sha384", "sha512", "sha1"] + (["none", "md5"] if cipher == "none" else []))
        pairs = [f"cipher={cipher}", f"hash={hash_}"]
        if plan.maybe(0.3):
            pairs.append(f"model={plan.pick(['nss', 'openssl'])}")
        rnd.shuffle(pairs)
        block.append(S("crypto", pairs))
        if plan.maybe(0.3):
            block.append(S("keyfile", [plan.pick(["/etc/corosync/authkey", q("/etc/corosync/keys/cluster.key")])]))
    # totem timings, consistent with each other (corosync's own rules)
    token = plan.pick([1000, 3000, 5000, 10000]) if plan.maybe(0.6) else None
    coefficient = plan.pick([0, 650, 1000]) if plan.maybe(0.3) else None
    join = plan.pick([50, 60, 100]) if plan.maybe(0.3) else None
    effective = (token or 3000) + max(0, n - 2) * (650 if coefficient is None else coefficient)
    if token is not None:
        block.append(S("token", [dur(token, rnd)]))
    if coefficient is not None:
        block.append(S("token_coefficient", [dur(coefficient, rnd)]))
    if join is not None:
        block.append(S("join", [dur(join, rnd)]))
    if plan.maybe(0.3):
        block.append(S("consensus", [dur(int(effective * 1.2) // 100 * 100 + 100 * plan.pick([1, 5, 10]), rnd)]))
    simple = {
        "token_retransmits_before_loss_const": lambda: str(plan.pick([4, 10])),
        "merge": lambda: dur(plan.pick([200, 400]), rnd),
        "downcheck": lambda: dur(1000, rnd),
        "fail_recv_const": lambda: str(plan.pick([2500, 5000])),
        "seqno_unchanged_const": lambda: str(30),
        "max_network_delay": lambda: dur(50, rnd),
        "window_size": lambda: str(plan.pick([50, 100])),
        "max_messages": lambda: str(plan.pick([17, 20])),
        "miss_count_const": lambda: str(5),
        "send_join": lambda: dur(plan.pick([0, 10]), rnd),
        "clear_node_high_bit": lambda: plan.pick(["yes", "no"]),
        "block_unlisted_ips": lambda: plan.pick(["yes", "no", "on", "off"]),
        "cancel_token_hold_on_retransmit": lambda: plan.pick(["yes", "no"]),
        "config_version": lambda: str(plan.pick([1, 7, 2000])),
        "token_warning": lambda: str(plan.pick([75, 50])),
        "heartbeat_failures_allowed": lambda: str(plan.pick([0, 3])),
        "hold": lambda: dur(plan.pick([180, 200]), rnd),
        "token_retransmit": lambda: dur(plan.pick([250, 300]), rnd),
    }
    if knet:
        simple.update({
            "link_mode": lambda: plan.pick(["passive", "active", "rr"]),
            "knet_pmtud_interval": lambda: dur(plan.pick([30000, 60000]), rnd),
            "knet_compression_model": lambda: plan.pick(["zlib", "lz4"]),
            "ip_version": lambda: plan.pick(["ipv4-6", "ipv6-4"]),
            "knet_compression_threshold": lambda: str(plan.pick([100, 1000])),
            "knet_compression_level": lambda: str(plan.pick([1, 5])),
            "knet_mtu": lambda: str(plan.pick([1397, 1400])),
        })
    else:
        simple["netmtu"] = lambda: str(plan.pick([1500, 1400]))
        fam = ctx.families[0]
        simple["ip_version"] = lambda: "ipv4" if fam == 4 else "ipv6"
    for key in plan.some(sorted(simple), 5):
        block.append(S(key, [simple[key]()]))
    # links
    for number in range(len(ctx.families)):
        if not plan.maybe(0.35):
            continue
        options: list[S] = []
        if knet:
            if plan.maybe():
                options.append(S("knet_link_priority", [str(plan.pick([0, 1, 2, 10]))]))
            if plan.maybe():
                options.append(S("knet_ping_interval", [dur(500, rnd)]))
                options.append(S("knet_ping_timeout", [dur(2000, rnd)]))
            if plan.maybe(0.3):
                options.append(S("knet_ping_precision", [str(2048)]))
            if plan.maybe(0.3):
                options.append(S("knet_pong_count", [str(2)]))
            if plan.maybe(0.3):
                options.append(S("knet_transport", [plan.pick(["udp", "sctp"])]))
        else:
            if plan.maybe():
                options.append(S("mcastport", [str(plan.pick([5405, 5407]))]))
            if ctx.transport == "udp" and plan.maybe(0.3):
                options.append(S("broadcast", [plan.pick(["yes", "on"])]))  # instead of a multicast group
            elif ctx.transport == "udp" and plan.maybe():
                options.append(S("mcastaddr", [plan.pick(["239.255.1.1", "239.192.10.10"])]))
            if ctx.transport == "udp" and plan.maybe(0.4):
                options.append(S("ttl", [str(plan.pick([1, 4]))]))
            if ctx.transport == "udp" and plan.maybe(0.4):
                options.append(S("bindnetaddr", [f"10.{ctx.octets[0]}.0.0"]))
        block.append(S("link", [str(number)], options))
    # quorum
    quorum: list[S] = []
    two_node = n == 2 and plan.maybe(0.7)
    qdevice = not two_node and n >= 2 and plan.maybe(0.2)
    if two_node:
        quorum.append(S("two_node", [plan.pick(["yes", "true", "on"])]))
        if plan.maybe(0.3):
            quorum.append(S("wait_for_all", ["yes"]))
    elif qdevice:
        algorithm = plan.pick(["ffsplit", "lms"])
        device = [S("algorithm", [algorithm]), S("host", [plan.pick(["qnetd.example.com", "10.99.0.1", "qnetd"])])]
        options = {
            "model": lambda: "net",
            "port": lambda: str(plan.pick([5403, 5404])),
            "tls": lambda: plan.pick(["on", "off", "required"]),
            "tie_breaker": lambda: plan.pick(["lowest", "highest"]),
            "timeout": lambda: dur(plan.pick([10000, 20000]), rnd),
            "sync_timeout": lambda: dur(30000, rnd),
            "connect_timeout": lambda: dur(8000, rnd),
            "force_ip_version": lambda: plan.pick(["0", "4", "6"]),
            "votes": lambda: "1" if algorithm == "ffsplit" else str(n - 1),
        }
        for key in plan.some(sorted(options), 5):
            device.append(S(key, [options[key]()]))
        rnd.shuffle(device)
        quorum.append(S("qdevice", [], device))
        if plan.maybe(0.3):
            quorum.append(S("wait_for_all", ["yes"]))
    else:
        wait = plan.maybe(0.5)
        if wait:
            quorum.append(S("wait_for_all", ["yes"]))
        if plan.maybe(0.3):
            quorum.append(S("last_man_standing", ["yes"]))
            if plan.maybe():
                quorum.append(S("last_man_standing_window", [dur(plan.pick([10000, 20000]), rnd)]))
        if n != 2 and (wait or n % 2 == 0) and plan.maybe(0.3):
            quorum.append(S("auto_tie_breaker", ["yes"]))
            if plan.maybe():
                ids = [str(node.id) for node in ctx.nodes if node.id is not None]
                choice = plan.pick(["lowest", "highest"] + ([" ".join(ids[:2])] if ids else []))
                quorum.append(S("auto_tie_breaker_node", choice.split()))
        if plan.maybe(0.2):
            quorum.append(S("allow_downscale", ["yes"]))
    if plan.maybe(0.2):
        quorum.append(S("expected_votes", [str(sum(node.votes or 1 for node in ctx.nodes))]))
    if quorum or plan.maybe(0.2):
        block.append(S("quorum", [], quorum))
    # logging
    if plan.maybe(0.5):
        logging: list[S] = []
        options = {
            "to_syslog": lambda: plan.pick(["yes", "no"]),
            "to_stderr": lambda: plan.pick(["yes", "no"]),
            "logfile": lambda: plan.pick(["/var/log/corosync/corosync.log", q("/var/log/cluster/corosync.log")]),
            "timestamp": lambda: plan.pick(["on", "off", "hires"]),
            "debug": lambda: plan.pick(["on", "off", "trace"]),
            "fileline": lambda: plan.pick(["on", "off", "yes", "no"]),
            "function_name": lambda: plan.pick(["on", "off"]),
            "blackbox": lambda: plan.pick(["on", "off"]),
            "syslog_facility": lambda: plan.pick(["daemon", "local0", "local7"]),
            "syslog_priority": lambda: plan.pick(["info", "warning", "debug"]),
            "logfile_priority": lambda: plan.pick(["info", "err", "notice"]),
        }
        chosen = plan.some(sorted(options), 6)
        for key in chosen:
            logging.append(S(key, [options[key]()]))
        if plan.maybe(0.3):  # on needs a file to write to; off may stand beside a named one
            logging.append(S("to_logfile", ["no" if "logfile" not in chosen or plan.maybe() else "yes"]))
        block.append(S("logging", [], logging))
    rnd.shuffle(block) if plan.maybe(0.2) else None
    return S("corosync", [], block)
