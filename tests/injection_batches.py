"""The places user values reach an output (`Site`s), grouped into cluster
files (`Batch`es), one value per site and slot, so a few builds cover
everything: the CIB's attribute values, haproxy words (passthrough
arguments, ACLs, conditions, bind and server options, userlist passwords,
stick-table fields, resolvers and peers directives), keepalived commands
(scripts, notify, sync groups, MISC_CHECK), passwords, LVS fields and
labels, every kind of name and interface, the corosync values a cluster
holds once, and secret values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from injection_values import (
    CORPUS,
    command,
    host,
    interface,
    name,
    pacemaker_id,
    path,
    secret_value,
    text,
    url_path,
    vip_label,
    vrrp_password,
)

# -- sites: the places values reach ------------------------------------------------------


@dataclass
class Site:
    """One place a value reaches. `lines` maps insertion points of the
    batch skeleton to statements; `{k}` is the slot's number within the site,
    `{n}` its number in the batch, `@V@` the value (also its span). `wrap`
    embeds the corpus value in what is written (`/bin/echo {}`)."""

    name: str
    lines: dict[str, str]
    accepts: Callable[[str], bool]
    wrap: str = "{}"
    codes: frozenset = frozenset({"HA013"})
    secret: bool = False
    plain: str = "{}"  # how a placeholder is written where a bare word would not do
    fallback: dict[str, str] = field(default_factory=dict)  # written instead of a refused value

    def expected(self, value: str) -> bool:
        if self.secret:
            return secret_value(value) and self.accepts(value)
        return self.accepts(self.wrap.format(value))


@dataclass
class Batch:
    name: str
    skeleton: str
    sites: list[Site]
    judge: str | tuple | None = None  # the output types whose real checker runs on the accepted values
    corpus: dict[str, str] = field(default_factory=lambda: dict(CORPUS))
    singleton: bool = False  # one value per build: the sites take one value per cluster


def _secret_site(name: str, lines: dict[str, str], accepts=lambda value: True) -> Site:
    return Site(name, lines, accepts, codes=frozenset({"HA008"}), secret=True)


NODES = """
    node n1 { id 1; addr 10.0.0.1; interface eth0; attribute site=dc1
<<node>>
    }
    node n2 { id 2; addr 10.0.0.2; interface eth0; attribute site=dc2 }
"""

CIB = Batch(
    "cib",
    "cluster inj {" + NODES + """
    corosync { quorum { two_node yes } }
    pacemaker {
        property stonith-enabled=false
<<pacemaker>>
        resource r ocf:heartbeat:Dummy {
            op monitor interval=10s
<<resource>>
        }
    }
}
""",
    [
        Site("node attribute", {"node": "attribute a{k}=@V@"}, text),
        Site("resource parameter", {"resource": "p{k}=@V@"}, text),
        Site("meta attribute", {"resource": "meta m{k}=@V@"}, text),
        Site("op description", {"resource": "op monitor interval={k}m description=@V@"}, text),
        Site("op instance attribute", {"resource": "op monitor interval={k}h X_{k}=@V@"}, text),
        Site("rule value", {"pacemaker": "location l{k} r rule score=1 site eq @V@"}, text),
        Site("rsc_defaults", {"pacemaker": "rsc_defaults d{k}=@V@"}, text),
        Site("op_defaults", {"pacemaker": "op_defaults o{k}=@V@"}, text),
        _secret_site("secret parameter", {"resource": "s{k}=@V@"}),
    ],
    judge="cib",
)

HAPROXY = Batch(
    "haproxy",
    """cluster inj {
    node n1 { addr 10.0.0.1 }
    node n2 { addr 10.0.0.2 }
    haproxy {
        global {
            maxconn 100
<<global>>
        }
        defaults { mode http; timeout connect 5s; timeout client 30s; timeout server 30s }
        userlist ul {
            user base insecure-password=x
<<userlist>>
        }
        frontend fe {
            bind *:80
<<frontend>>
            default_backend be
        }
        backend be {
            server s1 10.0.0.11:80 check
<<backend>>
        }
    }
}
""",
    [
        Site("global directive argument", {"global": "presetenv HACC_{k} @V@"}, text),
        Site("userlist password", {"userlist": "user u{k} insecure-password=@V@"}, text),
        Site("directive argument", {"frontend": "http-request set-header X-I{k} @V@"}, text),
        Site("acl argument", {"frontend": "acl a{k} path_beg -- @V@"}, text),
        Site("bind option", {"frontend": "bind *:{port} name=@V@"}, text),
        Site("server option", {"backend": "server r{k} 10.0.0.11:80 redir=@V@"}, text),
        _secret_site("secret userlist password", {"userlist": "user k{k} insecure-password=@V@"}),
        _secret_site("secret directive argument", {"frontend": "http-request set-header X-S{k} @V@"}),
    ],
    judge="haproxy",
)

KEEPALIVED = Batch(
    "keepalived",
    """cluster inj {
    node n1 { addr 10.0.0.1; interface eth0 }
    node n2 { addr 10.0.0.2; interface eth0 }
    keepalived {
<<keepalived>>
        vrrp VT {
            vrid 250
            vip 10.0.250.1/24
            priority n1=100 n2=90
<<track>>
<<vips>>
        }
        virtual_server 10.0.250.1:80 {
            real_server 10.0.0.11:80 {
                check tcp
<<checks>>
            }
        }
    }
}
""",
    [
        Site("track script command", {"keepalived": "script s{k} @V@ interval=2s", "track": "track s{k} weight=-20"},
             command, wrap="/bin/echo {}"),
        Site("notify command", {"keepalived": "vrrp N{k} { vrid {vrid}; vip 10.1.{k}.1/24; priority n1=100 n2=90; "
                                              "notify {event} @V@ }"}, command, wrap="/bin/echo {}"),
        Site("sync group notify command", {"keepalived": "vrrp G{k}a { vrid {vrid}; vip 10.2.{k}.1/24; priority n1=100 n2=90; "
                                                         "interface eth3 }\n"
                                                         "vrrp G{k}b { vrid {vrid2}; vip 10.2.{k}.2/24; priority n1=100 n2=90; "
                                                         "interface eth3 }\n"
                                                         "sync_group G{k} G{k}a G{k}b { notify {event} @V@ }"},
             command, wrap="/bin/echo {}"),
        Site("LVS misc check command", {"checks": "check misc @V@"}, command, wrap="/bin/echo {}"),
        Site("LVS http path", {"checks": "check http path=@V@"}, url_path, wrap="/{}"),
        Site("LVS virtualhost", {"checks": "check http path=/h virtualhost=@V@"}, host),
        Site("VIP label", {"vips": "vip 10.0.250.{octet}/24 label=@V@"}, vip_label, wrap="eth0:{}"),
        Site("auth pass", {"keepalived": "vrrp A{k} { vrid {vrid}; vip 10.3.{k}.1/24; priority n1=100 n2=90; "
                                         "interface eth1; auth pass=@V@ }"}, vrrp_password, codes=frozenset({"HA013", "HA310"})),
        _secret_site("secret auth pass", {"keepalived": "vrrp B{k} { vrid {vrid}; vip 10.4.{k}.1/24; "
                                                        "priority n1=100 n2=90; interface eth2; auth pass=@V@ }"},
                     vrrp_password),
    ],
    judge="keepalived",
)

# The skeleton of the batches below: every layer, with insertion points.
LAYERS = (
    """cluster inj {""" + NODES + """
    corosync { quorum { two_node yes } }
    pacemaker {
        property stonith-enabled=false
        resource ra ocf:heartbeat:Dummy
<<pacemaker>>
    }
    keepalived {
<<keepalived>>
        vrrp VT {
            vrid 250
            vip 10.0.250.1/24
            priority n1=100 n2=90
<<track>>
        }
        virtual_server 10.0.250.1:80 {
            real_server 10.0.0.11:80 {
                check tcp
<<checks>>
            }
        }
    }
    haproxy {
        defaults { mode http; timeout connect 5s; timeout client 30s; timeout server 30s }
        userlist ul {
            group g
            user base insecure-password=x
<<userlist>>
        }
        resolvers dns {
            nameserver ns1 10.0.0.53:53
<<resolvers>>
        }
        peers mesh {
            port 10000
<<peers>>
        }
        frontend fe {
            bind *:80
            acl a_base path_beg /a
<<frontend>>
            default_backend be
        }
        backend be {
            server s1 10.0.0.11:80 check
<<backend>>
        }
<<haproxy>>
    }
}
"""
)

# Names and other words of a fixed shape. Names are defined here, so the
# references to them (use_backend, conditions) are tested in STRUCTURE.
NAMES = Batch(
    "names",
    LAYERS,
    [
        Site("resource name", {"pacemaker": "resource @V@ ocf:heartbeat:Dummy"}, pacemaker_id),
        Site("vrrp instance name", {"keepalived": "vrrp @V@ { vrid {vrid}; vip 10.5.{k}.1/24; priority n1=100 n2=90 }"}, name),
        Site("track script name", {"keepalived": "script @V@ \"/bin/true\"", "track": "track @V@ weight=-20"}, name),
        Site("haproxy section name", {"haproxy": "backend @V@ { server s 10.0.0.11:80 }"}, name),
        Site("haproxy server name", {"backend": "server @V@ 10.0.0.12:80"}, name),
        Site("acl name", {"frontend": "acl @V@ path_beg /x"}, name),
    ],
)

# Interfaces, patterns and references, and haproxy words that haproxy itself
# would reject as configuration (so no real checker here).
STRUCTURE = Batch(
    "structure",
    LAYERS,
    [
        Site("rule attribute", {"pacemaker": "location la{k} ra rule score=1 @V@ eq x"},
             lambda v: re.fullmatch(r"#?[A-Za-z_][A-Za-z0-9_.-]*", v) is not None),
        Site("vrrp interface", {"keepalived": "vrrp I{k} { vrid {vrid}; vip 10.6.{k}.1/24; priority n1=100 n2=90; "
                                              "interface @V@ }"}, interface),
        Site("track script user", {"keepalived": "script u{k} \"/bin/true\" user=@V@", "track": "track u{k} weight=-20"},
             name),
        Site("track_interface", {"track": "track_interface @V@ weight=-20"}, name),  # a tracker name
        Site("VIP dev", {"track": "vip 10.0.250.{octet}/24 dev=@V@"}, interface),
        Site("LVS status", {"checks": "check http path=/h status=@V@"}, lambda v: False),
        Site("LVS digest", {"checks": "check http path=/h digest=@V@"}, lambda v: False),
        Site("acl criterion", {"frontend": "acl c{k} @V@ /x"}, text),
        # A backend named at run time is not checked; any other must exist.
        Site("use_backend target", {"frontend": "use_backend @V@ if a_base"}, lambda v: text(v) and "%[" in v,
             codes=frozenset({"HA013", "HA402"}), plain="%[{}]"),
        # A condition names ACLs, and none of the corpus is one.
        Site("condition", {"frontend": "use_backend be if @V@"}, lambda v: False, codes=frozenset({"HA013", "HA403"})),
        Site("balance argument", {"haproxy": "backend bl{k} { balance url_param @V@; server s 10.0.0.11:80 }"}, text),
        Site("balance algorithm", {"haproxy": "backend ba{k} { balance @V@; server s 10.0.0.11:80 }"},
             lambda v: re.fullmatch(r"[a-z_-]+(\([A-Za-z0-9_.-]*\))?", v) is not None),
        Site("stick-table store", {"haproxy": "backend st{k} { stick-table type=ip size=1k store=@V@; server s 10.0.0.11:80 }"},
             text),
        Site("stick-table size", {"haproxy": "backend sz{k} { stick-table type=ip size=@V@; server s 10.0.0.11:80 }"},
             lambda v: re.fullmatch(r"[0-9]+[kmg]?", v) is not None),
        Site("userlist groups", {"userlist": "user g{k} insecure-password=x groups=@V@"},
             lambda v: re.fullmatch(r"[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*", v) is not None),
        Site("resolvers directive argument", {"resolvers": "hold valid @V@"}, text),
        Site("peers directive argument", {"peers": "table t{k} type string len @V@ size 1k"}, text),
        Site("server option", {"backend": "server o{k} 10.0.0.11:80 inter=@V@"}, text),
    ],
)

# Settings a cluster holds once: each value is built on its own.
ONCE = Batch(
    "once",
    """cluster <<cluster>> {
    node n1 { id 1; addr 10.0.0.1; interface <<interface>>; <<router_id>> }
    node n2 { id 2; addr 10.0.0.2; interface eth0 }
    node <<node>> { id 3; addr 10.0.0.3 }
    corosync {
        <<totem>>
        quorum { qdevice { algorithm lms; <<qdevice>> } }
        logging { to_syslog yes; <<logging>> }
    }
    pacemaker { property stonith-enabled=false; <<pacemaker>> }
    keepalived {
        global { vrrp_version 2; <<global>> }
        script chk "/bin/true" interval=2s
        vrrp V { vrid 1; vip 10.0.0.100/24; priority n1=100 n2=90; track chk weight=-20 }
    }
    haproxy {
        defaults { mode http; timeout connect 5s; timeout client 30s; timeout server 30s }
        peers mesh { port 10000 }
        frontend fe { bind *:80; default_backend be }
        backend be { stick-table type=ip size=1k peers=mesh; server s1 10.0.0.11:80 check }
    }
}
""",
    [
        Site("cluster name", {"cluster": "@V@"}, name, fallback={"cluster": "inj"}),
        # A node's name is also its directory in the output tree, its CIB
        # uname and its haproxy peer name.
        Site("node name", {"node": "@V@"}, name, fallback={"node": "n3"}),
        Site("node interface", {"interface": "@V@"}, interface, fallback={"interface": "eth0"}),
        Site("keepalived router_id", {"router_id": "router_id @V@"}, name),
        Site("totem option", {"totem": "token @V@"}, lambda v: False),
        Site("qdevice host", {"qdevice": "host @V@"}, host, fallback={"qdevice": "host qnetd.example.com"}),
        Site("qdevice tie_breaker", {"qdevice": "tie_breaker @V@"}, lambda v: False),
        Site("corosync logfile", {"logging": "logfile @V@"}, path, wrap="/var/log/hacc/{}.log"),
        Site("cluster property", {"pacemaker": "property no-quorum-policy=@V@"}, lambda v: False,
             codes=frozenset({"HA013", "HA220"})),
        Site("keepalived script_user", {"global": "script_user @V@"}, name),
    ],
    # (keepalived -t is killed here when script_user is not root, whatever
    # its name: the script_user values are proven by reading back only.)
    judge="corosync",
    singleton=True,
)

BATCHES = [CIB, HAPROXY, KEEPALIVED, NAMES, STRUCTURE, ONCE]
# VRIDs are unique per interface: eth0 (notify), eth1, eth2 and eth3 (sync groups, two per group).
VRID_BASE = {"notify command": 1, "sync group notify command": 1, "auth pass": 1, "secret auth pass": 1,
              "vrrp instance name": 1, "vrrp interface": 100}
EVENTS = ("master", "backup", "fault", "stop", "any")
