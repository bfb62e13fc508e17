"""Write a synthetic but realistic cluster description of a given size.

    python bench/gen.py SIZE [-o FILE]

SIZE scales every layer: up to 32 nodes on two corosync links, about
10 x SIZE Pacemaker resources (groups of an address, a filesystem and a
service, clones, constraints, one fence device per node), SIZE VRRP
instances tracking haproxy's health, and haproxy with SIZE frontends and
20 x SIZE servers. The file compiles without errors or warnings, so the
benchmark measures work, not diagnostics. Output is deterministic.
"""

from __future__ import annotations

import argparse
import sys


def node_count(size: int) -> int:
    return min(32, 2 + size // 10)


def generate(size: int) -> str:
    nodes = [f"n{i + 1:02d}" for i in range(node_count(size))]
    out: list[str] = [f"# Synthetic cluster for the benchmark: SIZE={size}.", f"cluster bench{size} {{"]
    for index, node in enumerate(nodes, start=1):
        interfaces = " ".join(f"interface eth{i}" for i in range(1))
        out.append(f"    node {node} {{ id {index}; addr 10.0.{index // 250}.{index % 250 + 1}; "
                   f"addr 10.1.{index // 250}.{index % 250 + 1}; {interfaces}; attribute rack=r{index % 4} }}")
    out += corosync(nodes)
    out += pacemaker(size, nodes)
    out += keepalived(size, nodes)
    out += haproxy(size)
    out.append("}")
    return "\n".join(out) + "\n"


def corosync(nodes: list[str]) -> list[str]:
    quorum = "two_node yes" if len(nodes) == 2 else "wait_for_all yes"
    if len(nodes) % 2 == 0 and len(nodes) > 2:
        quorum += "; auto_tie_breaker yes"
    return ["    corosync {",
            "        crypto cipher=aes256 hash=sha256",
            "        token 3s",
            "        link 0 { knet_link_priority 2 }",
            "        link 1 { knet_link_priority 1 }",
            f"        quorum {{ {quorum} }}",
            "        logging { to_syslog yes }",
            "    }"]


def pacemaker(size: int, nodes: list[str]) -> list[str]:
    out = ["    pacemaker {",
           "        property stonith-enabled=true no-quorum-policy=stop"
           + (" priority-fencing-delay=10s" if len(nodes) == 2 else ""),
           "        rsc_defaults resource-stickiness=100 migration-threshold=3"]
    for index, node in enumerate(nodes, start=1):
        out.append(f"        fence ipmi-{node} stonith:fence_ipmilan for {node} {{ ip=10.9.{index // 250}.{index % 250 + 1} "
                   f"username=admin password=secret:IPMI_PASSWORD lanplus=1; op monitor interval=60s }}")
    # Each service: an address, a filesystem and a daemon in a group (3
    # resources); every third service also gets a cloned helper (1 more);
    # about 3.33 x 3 = 10 resources per SIZE unit.
    services = max(1, size * 3)
    for s in range(services):
        vip = f"10.2.{s // 250}.{s % 250 + 1}"
        out += [f"        resource vip{s} ocf:heartbeat:IPaddr2 {{ ip={vip} cidr_netmask=16; op monitor interval=10s timeout=20s }}",
                (f"        resource fs{s} ocf:heartbeat:Filesystem {{ device=/dev/vg0/lv{s} directory=/srv/s{s} fstype=xfs; "
                f"op monitor interval=20s timeout=40s; op start timeout=60s; op stop timeout=60s }}"),
                f"        resource app{s} systemd:app{s} {{ op monitor interval=30s timeout=30s; op start timeout=100s; op stop timeout=100s }}",
                f"        group svc{s} vip{s} fs{s} app{s}",
                f"        location svc{s}-home svc{s} prefers {nodes[s % len(nodes)]}=50"]
        if s % 3 == 0:
            out += [f"        resource agent{s} systemd:agent{s} {{ op monitor interval=30s timeout=30s; op start timeout=100s; op stop timeout=100s }}",
                    f"        clone agent{s}-clone agent{s} interleave=true",
                    f"        order agent{s}-first agent{s}-clone then svc{s} kind=Optional"]
        if s % 5 == 1:
            out.append(f"        colocation svc{s}-apart svc{s} with svc{s - 1} score=-100")
    out.append("    }")
    return out


def keepalived(size: int, nodes: list[str]) -> list[str]:
    out = ["    keepalived {",
           '        script chk_haproxy "/usr/bin/pidof haproxy" interval=2s timeout=1s fall=2 rise=2']
    for i in range(size):
        # 255 VRIDs per interface and family: spread instances over
        # interfaces so each (interface, vrid) pair is used once.
        interface, vrid = f"eth{i // 255}", i % 255 + 1
        first, second = nodes[i % len(nodes)], nodes[(i + 1) % len(nodes)]
        out += [f"        vrrp vi{i} {{",
                f"            vrid {vrid}",
                f"            interface {interface}",
                f"            vip 10.0.{100 + i // 250}.{i % 250 + 1}/16",
                f"            priority {first}=150 {second}=100",
                "            advert 1s",
                "            auth pass=secret:VRRP_PASSWORD",
                "            track chk_haproxy weight=-60",
                "        }"]
    out.append("    }")
    return out


def haproxy(size: int) -> list[str]:
    out = ["    haproxy {",
           "        global { maxconn 50000; log /dev/log local0 }",
           "        defaults { mode http; log global; option httplog; timeout connect 5s; timeout client 1m; timeout server 1m }"]
    for i in range(size):
        vip = f"10.0.{100 + i // 250}.{i % 250 + 1}"
        out += [f"        frontend fe{i} {{",
                f"            bind {vip}:80 transparent",
                "            acl is_api path_beg /api",
                f"            use_backend api{i} if is_api",
                f"            default_backend be{i}",
                "        }",
                f"        backend be{i} {{",
                "            balance roundrobin",
                "            option httpchk GET /health"]
        out += [f"            server s{j} 10.3.{(i * 20 + j) // 250 % 250}.{(i * 20 + j) % 250 + 1}:8080 check inter=2s"
                for j in range(15)]
        out += ["        }",
                f"        backend api{i} {{",
                "            balance leastconn"]
        out += [f"            server a{j} 10.4.{(i * 5 + j) // 250 % 250}.{(i * 5 + j) % 250 + 1}:9000 check"
                for j in range(5)]
        out.append("        }")
    out.append("    }")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int)
    parser.add_argument("-o", "--out", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    if args.size < 1:
        parser.error("SIZE must be at least 1")
    text = generate(args.size)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
