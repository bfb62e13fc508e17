"""corosync.conf of every node -> the cluster name, the `corosync` section of
the JSON form, and each node's id, addresses and votes.

corosync.conf is the same file on every node: the first node's file is
imported and every other file is compared with it (HA082 per difference).
What hacc writes itself is recognised and left out (`version: 2`, the
cluster name, the votequorum provider, the default keyfile with crypto on,
`to_logfile` beside a `logfile`). corosync 2 spellings become what corosync
3 reads, each with a note: `secauth` becomes explicit crypto settings (in
corosync 3.1 `secauth: on` still implies aes256/sha256 unless those are set,
totemconfig.c totem_get_crypto()), an interface's `ringnumber` becomes
`linknumber` (corosync 3 ignores `ringnumber`), `rrp_mode` becomes
`link_mode`.
"""

from __future__ import annotations

from hacc.importing.files import NodeTable, Source
from hacc.importing.layers.corosync_compare import report_differences
from hacc.importing.layers.corosync_links import ROOT, read_links
from hacc.importing.layers.corosync_nodelist import import_nodelist
from hacc.importing.layers.corosync_sections import (
    collector,
    kinds,
    read_logging,
    read_options,
    read_quorum,
)
from hacc.importing.layers.corosync_values import REFUSED, checked, shown
from hacc.importing.log import ImportLog
from hacc.importing.readers.corosync import read_corosync, value_of
from hacc.importing.readers.tree import Item, Word
from hacc.model.corosync import TOTEM_OPTIONS
from hacc.model.formats import check_name

DEFAULT_KEYFILE = "/etc/corosync/authkey"
_NOT_MODELLED = {
    "system": "process scheduling and knet fallback settings",
    "resources": "watchdog and memory-use monitoring",
    "nozzle": "the libnozzle network device",
    "qb": "libqb IPC settings",
    "uidgid": "extra users and groups allowed to talk to corosync",
    "service": "a corosync 1 service plugin (Pacemaker runs as its own daemon since corosync 2)",
}


def import_corosync(sources: dict[str, Source], nodes: NodeTable, log: ImportLog) -> tuple[str | None, dict | None]:
    """(cluster name, the `corosync` JSON section), both None without files."""
    trees = {}
    for node, source in sources.items():
        items = read_corosync(source, log)
        if items is not None:
            trees[node] = (source, items)
    if not trees:
        return None, None
    first, (source, items) = next(iter(trees.items()))
    for other, (other_source, other_items) in list(trees.items())[1:]:
        report_differences(first, items, other, other_items, other_source.display, log)
    return _import_file(source, items, nodes, log)


def _import_file(source: Source, items: list[Item], nodes: NodeTable, log: ImportLog) -> tuple[str | None, dict]:
    out: dict = {}
    sections: dict[str, Item] = {}
    for item in items:
        if item.block is None:
            log.lost(item.span, f"`{shown(item.keyword)}` is outside any section; nothing in corosync reads it",
                     help="move it into the section it belongs to, or drop it")
        elif item.keyword in sections:
            log.lost(item.span or item.keyword_span, f"a second `{shown(item.keyword)}` section: corosync merges or "
                     "replaces the first one's keys; hacc reads only the first", help="merge the two sections")
        elif item.keyword in ("totem", "nodelist", "quorum", "logging"):
            sections[item.keyword] = item
        else:
            what = _NOT_MODELLED.get(item.keyword)
            log.lost(item.span or item.keyword_span,
                     f"the `{shown(item.keyword)}` section ({what}) has no equivalent in hacc's language" if what
                     else f"the section `{shown(item.keyword)}` is not one corosync 3 reads, and hacc has no equivalent")
    cluster = None
    if "totem" not in sections:
        log.unreadable(source.span(), "corosync refuses a file without a `totem` section holding `version: 2`",
                       help="add `totem { version: 2 ... }`")
    else:
        log.mark(ROOT, sections["totem"].keyword_span)
        cluster = _totem(sections["totem"], out, log)
    if "nodelist" in sections:
        import_nodelist(sections["nodelist"], nodes, log)
    else:
        log.lost(source.span(), "the file has no nodelist; hacc writes one from the nodes' addresses, and needs them",
                 help="list the nodes in `nodelist { node { ... } }`")
    if "quorum" in sections:
        quorum = read_quorum(sections["quorum"], ROOT + ("quorum",), log)
        if quorum:
            out["quorum"] = quorum
            log.mark(ROOT + ("quorum",), sections["quorum"].keyword_span)
    else:
        log.rewrote(source.span(), "the file has no quorum section, so corosync runs without quorum; hacc always "
                    "writes `quorum { provider: corosync_votequorum }`",
                    help="Pacemaker needs votequorum: check the quorum settings of the rebuilt file")
    if "logging" in sections:
        logging = read_logging(sections["logging"], ROOT + ("logging",), log)
        if logging:
            out["logging"] = logging
            log.mark(ROOT + ("logging",), sections["logging"].keyword_span)
    return cluster, out


class _Totem:
    """The keys of `totem` that are not plain options, gathered while reading."""

    def __init__(self, log: ImportLog) -> None:
        self.keys: list[Item] = []
        self.interfaces: list[Item] = []
        self.keep = collector(self.keys, "totem", log, section=False)
        self.interface = collector(self.interfaces, "totem", log, section=True)

    @property
    def special(self) -> dict[str, Word]:
        return {item.keyword: value_of(item) for item in self.keys}


_SPECIAL = ("version", "cluster_name", "transport", "crypto_cipher", "crypto_hash", "crypto_model", "secauth",
            "keyfile", "key", "rrp_mode", "nodeid")


def _totem(section: Item, out: dict, log: ImportLog) -> str | None:
    found = _Totem(log)
    handlers = {key: found.keep for key in _SPECIAL}
    handlers["interface"] = found.interface
    options = read_options(section, kinds(TOTEM_OPTIONS, "yes-no"), "totem", ROOT + ("totem",), log, handlers)
    special = found.special
    version = special.get("version")
    if version is None or version.text != "2":
        log.unreadable(version.span if version else section.keyword_span,
                       "corosync 3 refuses a totem section without `version: 2`", help="write `version: 2`")
    if "key" in special:
        # The value is a secret: never repeat it in a message.
        log.lost(special["key"].span, "a key written inside corosync.conf cannot be imported: hacc keeps keys out of "
                 "the files it writes", help="move the key to a file (corosync-keygen) and name it with `keyfile`")
    if "nodeid" in special:
        log.lost(special["nodeid"].span, "`totem.nodeid` is the corosync 1 way to set the local node id; hacc sets ids "
                 "in the nodelist", help="give each nodelist node its `nodeid`")
    transport = _transport(special.get("transport"), out, log)
    _crypto(special, transport, out, log)
    _rrp_mode(special.get("rrp_mode"), options, log)
    if options:
        out["totem"] = options
        log.mark(ROOT + ("totem",), section.keyword_span)
    links = read_links(found.interfaces, transport, log)
    if links:
        out["links"] = links
    return _cluster_name(special.get("cluster_name"), log)


def _cluster_name(word: Word | None, log: ImportLog) -> str | None:
    if word is None:
        return None
    try:
        check_name(word.text)
    except ValueError as problem:
        log.lost(word.span, f"the cluster name cannot be imported: {problem}",
                 help="cluster names are letters, digits, `_`, `.` and `-`")
        return None
    if ("cluster",) not in log.spans:
        log.mark(("cluster",), word.span)
    return word.text


def _transport(word: Word | None, out: dict, log: ImportLog) -> str:
    if word is None:
        return "knet"  # corosync 3's default, and hacc's
    value = checked("corosync", "transport", word.text, word.span, log)
    if value is REFUSED:
        return "knet"
    out["transport"] = value
    log.mark(ROOT + ("transport",), word.span)
    return value


def _crypto(special: dict[str, Word], transport: str, out: dict, log: ImportLog) -> None:
    crypto: dict = {}
    for field in ("cipher", "hash", "model"):
        word = special.get(f"crypto_{field}")
        if word is not None:
            value = checked("corosync/properties/crypto", field, word.text, word.span, log)
            if value is not REFUSED:
                crypto[field] = value
                log.mark(ROOT + ("crypto", field), word.span)
    secauth = special.get("secauth")
    if secauth is not None:
        _secauth(secauth, crypto, log)
    enabled = crypto.get("cipher", "none") != "none" or crypto.get("hash", "none") != "none"
    if enabled and transport != "knet":
        span = (special.get("crypto_cipher") or special.get("crypto_hash") or secauth).span
        log.lost(span, f"corosync 3 encrypts and signs only over knet, and refuses crypto with transport {transport}; "
                 f"hacc keeps transport {transport} without crypto",
                 help="switch to `transport: knet` to keep the traffic encrypted")
        crypto = {}
        for field in ("cipher", "hash", "model"):
            log.spans.pop(ROOT + ("crypto", field), None)
    if crypto:
        out["crypto"] = crypto
        log.mark(ROOT + ("crypto",), (special.get("crypto_cipher") or special.get("crypto_hash") or secauth
                                      or special["crypto_model"]).span)
    keyfile = special.get("keyfile")
    if keyfile is not None and not (enabled and crypto and keyfile.text == DEFAULT_KEYFILE):
        value = checked("corosync", "keyfile", keyfile.text, keyfile.span, log)
        if value is not REFUSED:
            out["keyfile"] = value
            log.mark(ROOT + ("keyfile",), keyfile.span)


def _secauth(secauth: Word, crypto: dict, log: ImportLog) -> None:
    if secauth.text != "on":
        log.rewrote(secauth.span, f"`secauth: {shown(secauth.text)}` leaves crypto as corosync 3's default (off); hacc "
                    "drops the corosync 2 key", help="crypto is set with crypto_cipher and crypto_hash in corosync 3")
        return
    implied = [field for field in ("cipher", "hash") if field not in crypto]
    if not implied:
        log.rewrote(secauth.span, "`secauth: on` has no effect here: crypto_cipher and crypto_hash are both set; hacc "
                    "drops the corosync 2 key", help="corosync 3 reads crypto_cipher and crypto_hash")
        return
    defaults = {"cipher": "aes256", "hash": "sha256"}
    for field in implied:
        crypto[field] = defaults[field]
        log.mark(ROOT + ("crypto", field), secauth.span)
    written = " and ".join(f"`crypto_{f}: {defaults[f]}`" for f in implied)
    log.rewrote(secauth.span, f"`secauth: on` becomes {written}: what corosync 3 reads it as; hacc writes the "
                "explicit settings instead of the corosync 2 key", help="the rebuilt file encrypts as this one does")


def _rrp_mode(word: Word | None, options: dict, log: ImportLog) -> None:
    if word is None:
        return
    if "link_mode" in options or word.text not in ("passive", "active"):
        log.rewrote(word.span, f"`rrp_mode: {shown(word.text)}` is the corosync 2 redundant-ring setting, which "
                    "corosync 3 ignores; hacc drops it", help="corosync 3 sets how links are used with `link_mode`")
        return
    options["link_mode"] = word.text
    log.mark(ROOT + ("totem", "link_mode"), word.span)
    log.rewrote(word.span, f"`rrp_mode: {word.text}` (corosync 2's redundant rings, ignored by corosync 3) becomes "
                f"`link_mode: {word.text}`", help="corosync 3 runs several knet links instead of redundant rings")
