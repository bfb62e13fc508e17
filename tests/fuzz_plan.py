"""The state a valid cluster is drawn with.

A cluster is drawn as a plan first (nodes and their addresses, then each
layer choosing among what the earlier choices allow), and written out as
statements with a random but valid layout. The plan keeps the invariants
hacc's error-level rules and the daemons demand, so no example is thrown
away: unique names, ids, addresses, VRIDs, VIPs, ports and priorities;
references that resolve; one address family per corosync link and per
VRRP instance; tracker weights that can move a VIP; order constraints that
follow one topological order; modes that agree along every route.

`Plan` holds the pools of unique values and the choices (`pick`, `maybe`,
`some`); `Context` what the layers drawn so far decided (nodes, address
families, VIPs, VRIDs, proxy modes); `Node` and `Generated` what a drawn
cluster is.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field

from hypothesis import strategies as st


@dataclass
class Node:
    name: str
    id: int | None
    addrs: list[str]
    interface: str
    attributes: dict[str, str]
    unicast_src: str | None = None
    votes: int | None = None
    router_id: str | None = None


@dataclass
class Generated:
    text: str
    secrets: dict[str, str]
    nodes: list[Node]
    layers: tuple[str, ...]
    files: dict[str, str] = field(default_factory=dict)  # included files, by path

    def __repr__(self) -> str:  # Hypothesis prints this for a failing example
        included = "".join(f"--- {name}\n{text}" for name, text in self.files.items())
        return f"Generated(layers={self.layers}, secrets={self.secrets!r})\n{self.text}{included}"


# Names built from character strategies: st.from_regex draws the same
# shapes at several times the cost, and generation is most of a run's time.
_LOWER, _DIGITS = "abcdefghijklmnopqrstuvwxyz", "0123456789"
NODE_NAME = st.builds(lambda head, body, tail: head + body + (f"-{tail}" if tail else ""),
                      st.sampled_from(_LOWER), st.text(_LOWER + _DIGITS, max_size=5),
                      st.text(_LOWER + _DIGITS, max_size=3))  # [a-z][a-z0-9]{0,5}(-[a-z0-9]{1,3})?
_IDENT = st.builds(str.__add__, st.sampled_from(_LOWER + _LOWER.upper() + "_"),
                   st.text(_LOWER + _LOWER.upper() + _DIGITS + "_", max_size=6))  # [A-Za-z_][A-Za-z0-9_]{0,6}
CLUSTER_NAME = st.builds(str.__add__, st.sampled_from(_LOWER), st.text(_LOWER + _DIGITS + "_-", max_size=14))
IFACES = ["eth0", "eth1", "ens3", "bond0", "enp1s0", "br-lan", "vlan.10"]


class Names:
    """Unique names, drawn from a strategy, across one namespace."""

    def __init__(self, draw, strategy=_IDENT) -> None:
        self.draw, self.strategy, self.used = draw, strategy, set()

    def __call__(self, prefix: str = "") -> str:
        base = prefix + self.draw(self.strategy)
        name, n = base, 1
        while name.lower() in self.used:
            n += 1
            name = f"{base}{n}"
        self.used.add(name.lower())
        return name


_TWENTIETHS = st.sampled_from(range(20))


@functools.cache
def _index(length: int) -> st.SearchStrategy[int]:
    """A uniform choice among `length` (one strategy per length: building
    and validating a new sampled_from for each pick was a tenth of the time)."""
    return st.sampled_from(range(length))


class Plan:
    """The state a cluster is drawn with: pools of unique values."""

    def __init__(self, draw, rich: bool | None = None) -> None:
        self.draw = draw
        # Layout and shuffles come from a seeded generator (shrinks to seed 0);
        # optional features from `maybe`, which shrinks towards "leave it out".
        self.rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
        self.secrets: dict[str, str] = {}
        self.ids = Names(draw)  # Pacemaker ids, VRRP names, proxy names: one pool is simplest
        self.ports: set[int] = set()
        self.octets: set[int] = set()
        # One cluster in three is "rich": each optional feature gets a
        # second chance, so features nested under several optional ones
        # (a weighted track in a sync group with tracking_weight) turn up
        # within a few hundred clusters rather than thousands.
        self.rich = draw(_index(3)) == 2 if rich is None else rich

    def pick(self, items):
        items = list(items)
        return items[self.draw(_index(len(items)))]

    def maybe(self, p: float = 0.5) -> bool:
        # Probabilities are multiples of 5 %. A choice among 20 is drawn
        # uniformly, where st.integers(0, 999) leans towards small values and
        # made a `maybe(0.3)` come true one time in seven; it still shrinks
        # towards 0, "leave it out".
        threshold = round(20 * (1 - p))
        return self.draw(_TWENTIETHS) >= threshold or (self.rich and self.draw(_TWENTIETHS) >= threshold)

    def some(self, items, max_size: int) -> list:
        """A few of `items`, none twice; in a rich cluster, any number."""
        items = list(items)
        return self.draw(st.lists(st.sampled_from(items), max_size=len(items) if self.rich else max_size, unique=True))

    def port(self) -> int:
        port = self.draw(st.integers(1024, 65000).filter(lambda p: p not in self.ports))
        self.ports.add(port)
        return port

    def octet(self) -> int:
        value = self.draw(st.integers(1, 250).filter(lambda o: o not in self.octets))
        self.octets.add(value)
        return value

    def secret(self, prefix: str, value: str) -> str:
        name = f"{prefix}_{len(self.secrets) + 1}"
        self.secrets[name] = value
        return f"secret:{name}"


def host_address(family: int, octet: int, host: int) -> str:
    return f"10.{octet}.0.{host}" if family == 4 else f"fd{octet:02x}::{host:x}"


@dataclass
class Context:
    plan: Plan
    nodes: list[Node]
    families: list[int]
    octets: list[int]
    transport: str
    layers: set
    vips: list[str] = field(default_factory=list)  # keepalived VIPs (address only)
    pcmk_ips: list[str] = field(default_factory=list)
    vip_host: int = 100
    pcmk_host: int = 200
    vrids: set = field(default_factory=set)
    strict: bool = False
    proxy_modes: list = field(default_factory=list)
    logging: bool = False

    @property
    def names(self) -> list[str]:
        return [n.name for n in self.nodes]

    def new_vip(self, family: int) -> str:
        self.vip_host += 1
        return host_address(family, self.octets[0] if family == self.families[0] else self.plan.octet(), self.vip_host)

    def new_pcmk_ip(self) -> str:
        self.pcmk_host += 1
        self.pcmk_ips.append(host_address(self.families[0], self.octets[0], self.pcmk_host))
        return self.pcmk_ips[-1]
