"""Reading the outputs back the way each daemon does, and checking a batch.

Every output of both builds (hostile values, and plain placeholders in the
same places) is read back with the daemon's own rules
(hacc.importing.readers: haproxy's parse_line, keepalived's read_line and
its re-reading of commands, corosync's coroparse; lxml for the CIB). The
readers must report nothing, both readings must have the same sections,
directives and words, and each word that held a placeholder must hold
exactly the hostile value. A refused value must carry its site's code and a
help, and render without raw control or invisible characters.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from injection_batches import Batch
from injection_build import Outcome, Slot, placeholder, settle

from hacc.diagnostics.render import render_concise, render_text

# -- reading the outputs back the way each daemon does ----------------------------------------


def read_back(output) -> tuple:
    """The output as its daemon tokenizes it: nested (keyword, words, block)."""
    from hacc.importing.files import Files, Source
    from hacc.importing.log import ImportLog

    text = output.content.decode("utf-8")  # strict: every output is UTF-8
    log = ImportLog()
    source = Source(output.path, Path(output.path), text)
    if output.kind == "cib":
        tree = _xml(output.content)
    elif output.kind == "haproxy":
        from hacc.importing.readers.haproxy import read_haproxy

        parsed = read_haproxy(source, log)
        assert not parsed.preamble
        tree = tuple((s.keyword, tuple(s.texts()), tuple((line.keyword, tuple(line.texts()), line.variables)
                                                         for line in s.block)) for s in parsed.sections)
    elif output.kind == "keepalived":
        from hacc.importing.readers.keepalived import read_keepalived

        items = read_keepalived(source, Files(log), log, config_id=output.node)
        assert items is not None, log.diagnostics
        tree = _items(items, keepalived=True)
    elif output.kind == "corosync":
        from hacc.importing.readers.corosync import read_corosync

        items = read_corosync(source, log)
        assert items is not None, log.diagnostics
        tree = _items(items)
    else:
        tree = tuple(line for line in text.split("\n") if not line.startswith("#"))
    assert not log.diagnostics, [(d.span, d.message) for d in log.diagnostics]
    return tree


_COMMAND_KEYWORDS = {"script", "misc_path", "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop"}


def _items(items, keepalived=False) -> tuple:
    from hacc.importing.readers.keepalived import quoted_escaped_words

    out = []
    for item in items:
        entry = (item.keyword, tuple(item.texts()), None if item.block is None else _items(item.block, keepalived))
        if keepalived and item.keyword in _COMMAND_KEYWORDS:
            # keepalived re-reads a command's line with quotes and escapes
            entry += (tuple(quoted_escaped_words(item.line) or ("<unreadable>",)),)
        out.append(entry)
    return tuple(out)


def _xml(content: bytes) -> tuple:
    from lxml import etree

    root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))

    def walk(element) -> tuple:
        if not isinstance(element.tag, str):  # a comment: the generated header
            return ("<comment>", element.text)
        assert not (element.text or "").strip() and not (element.tail or "").strip()
        return (element.tag, tuple(sorted(element.attrib.items())), tuple(walk(child) for child in element))

    return walk(root)


def compare(plain, hostile, values: dict[str, str], seen: set[str], where: str) -> None:
    """`hostile` must be `plain` with each placeholder replaced by its value."""
    if isinstance(plain, str):
        pattern = _alternatives(tuple(values))
        seen.update(pattern.findall(plain))
        expected = pattern.sub(lambda m: values[m.group()], plain)
        assert hostile == expected, f"{where}: read back {hostile!r}, wrote {expected!r}"
        return
    if plain is None or isinstance(plain, (int, bool)):
        assert hostile == plain, where
        return
    assert isinstance(hostile, tuple) and len(hostile) == len(plain), \
        f"{where}: a value changed the structure:\n{plain!r}\nbecame\n{hostile!r}"
    head = plain[0] if plain and isinstance(plain[0], str) else ""
    for index, (a, b) in enumerate(zip(plain, hostile)):
        compare(a, b, values, seen, f"{where}/{head}[{index}]")


@functools.lru_cache(maxsize=8)
def _alternatives(words: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)")


def check_refusal(slot: Slot, found: list) -> None:
    for diagnostic, unit in found:
        assert diagnostic.code in slot.site.codes, (slot.site.name, slot.label, diagnostic.code, diagnostic.message)
        assert diagnostic.help, (slot.site.name, slot.label, diagnostic)
        # Rendered, the diagnostic shows no raw control or invisible character.
        rendered = render_text([diagnostic], unit.sources) + render_concise([diagnostic])
        hostile = [c for c in rendered if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")]
        assert not hostile, (slot.site.name, slot.label, rendered)


def check_batch(batch: Batch, tmp: Path) -> list[tuple[list[Slot], Outcome]]:
    """The corpus test of one batch; a `singleton` batch builds each value
    on its own (its sites take one value per cluster)."""
    corpora = [{label: value} for label, value in batch.corpus.items()] if batch.singleton else [batch.corpus]
    return [check_corpus(batch, tmp, corpus) for corpus in corpora]


def check_corpus(batch: Batch, tmp: Path, corpus: dict[str, str]) -> tuple[list[Slot], Outcome]:
    slots, outcome = settle(batch, tmp, corpus)
    wrong = [(s.site.name, s.label, "refused" if s.n in outcome.refused else "accepted")
             for s in slots if (s.n not in outcome.refused) != s.site.expected(s.value)]
    assert not wrong, f"unexpected outcomes: {wrong}"
    for slot in slots:
        if slot.n in outcome.refused:
            check_refusal(slot, outcome.refused[slot.n])
    if outcome.plain is None:
        return slots, outcome
    # Accepted: read back, the hostile build is the plain build with the values in place.
    accepted = {s.site.plain.format(placeholder(s.n)): s.value for s in slots if s.n not in outcome.refused}
    seen: set[str] = set()
    plain = {}
    for output in outcome.plain.outputs:  # a node's name is part of its files' paths
        mapped = _alternatives(tuple(accepted)).sub(lambda m: accepted[m.group()], output.path)
        seen.update(_alternatives(tuple(accepted)).findall(output.path))
        plain[mapped] = output
    hostile = {o.path: o for o in outcome.hostile.outputs}
    assert sorted(plain) == sorted(hostile)
    for path_, output in plain.items():
        compare(read_back(output), read_back(hostile[path_]), accepted, seen, path_)
    assert set(accepted) <= seen, f"values that reached no output: {sorted(set(accepted) - seen)}"
    return slots, outcome


_OUTCOMES: dict[str, list] = {}
