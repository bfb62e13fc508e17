"""Read a Pacemaker CIB (XML) safely, with the line and column of every
element and attribute.

lxml parses with entity expansion, DTD loading and network access off and
its size limits on; a document type declaration is refused outright, since a
CIB never has one and it is where entity tricks live. Accepted roots are a
full `<cib>` (as `cibadmin -Q` prints it, or `crm configure show xml`) and a
bare `<configuration>`. lxml only knows the line on which a start tag ends,
so `Locator` finds each start tag in the text to give diagnostics a column.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from hacc.diagnostics.model import Span
from hacc.importing.files import Source
from hacc.importing.log import ImportLog

# Same bound as every other source hacc reads.
MAX_CIB_CHARS = 16 * 1024 * 1024

WHAT_A_CIB_IS = (
    "a CIB is the XML Pacemaker keeps its configuration in: `<cib ...><configuration>` with "
    "`<crm_config>`, `<nodes>`, `<resources>` and `<constraints>` inside, as `cibadmin -Q` "
    "or `crm configure show xml` prints it; save that output and import it"
)

# Parts of the text where `<name` is not a start tag.
_NOT_MARKUP = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_DECLARATION = re.compile(r"<!(DOCTYPE|ENTITY)")
_ATTRIBUTE = re.compile(r"\s+([^\s=/>]+)\s*=\s*(\"[^\"]*\"|'[^']*')")


@dataclass
class CibDocument:
    """The parsed CIB: its `<configuration>` element and where things are."""

    source: Source
    root: object  # lxml element: <cib> or <configuration>
    configuration: object
    locator: Locator

    def span(self, element) -> Span:
        return self.locator.element_span(element)

    def attr_span(self, element, name: str) -> Span:
        return self.locator.attribute_span(element, name)


def read_cib(source: Source, log: ImportLog) -> CibDocument | None:
    """The CIB in `source`, or None after an HA083 saying why it is not one."""
    from lxml import etree

    if len(source.text) > MAX_CIB_CHARS:
        log.unreadable(source.span(), f"the file is {len(source.text)} characters long, more than hacc reads",
                       help="check that this is the CIB; a real one is far smaller")
        return None
    uncommented = _COMMENT.sub(_blank, source.text)
    declaration = _DECLARATION.search(uncommented)
    if declaration is not None:
        _refuse_doctype(source, log, uncommented.count("\n", 0, declaration.start()) + 1)
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             dtd_validation=False, encoding="utf-8")
    try:
        root = etree.fromstring(source.text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        line, col = error.position if error.position else (1, 1)
        line, col = max(line, 1), max(col, 1)
        message = str(error.msg or "not well-formed XML").split(f", line {line}")[0]
        log.unreadable(Span(source.display, line, col, line, col + 1), f"the CIB is not well-formed XML: {message}",
                       help="repair the XML (`xmllint --noout FILE` shows the same problem); " + WHAT_A_CIB_IS)
        return None
    except ValueError as error:  # lxml refuses some inputs before parsing
        log.unreadable(source.span(), f"the CIB cannot be parsed: {error}", help=WHAT_A_CIB_IS)
        return None
    if root is None:
        log.unreadable(source.span(), "the file holds no XML element", help=WHAT_A_CIB_IS)
        return None
    if root.getroottree().docinfo.doctype:
        _refuse_doctype(source, log, 1)
        return None
    locator = Locator(source, root)
    if root.tag == "cib":
        configuration = root.find("configuration")
        if configuration is None:
            log.unreadable(locator.element_span(root), "the `<cib>` has no `<configuration>` section",
                           help=WHAT_A_CIB_IS)
            return None
    elif root.tag == "configuration":
        configuration = root
    else:
        tag = etree.QName(root).localname if isinstance(root.tag, str) else "?"
        if isinstance(root.tag, str) and root.tag.startswith("{"):
            tag += f" xmlns=\"{etree.QName(root).namespace}\""
        log.unreadable(locator.element_span(root), f"the root element is `<{tag}>`, not `<cib>` or `<configuration>`: "
                       "this is not a Pacemaker CIB", help=WHAT_A_CIB_IS)
        configuration = _salvage(root)
        if configuration is None:
            return None
    return CibDocument(source, root, configuration, locator)


# The sections a fragment may hold that hacc can still check.
_SALVAGEABLE = ("crm_config", "nodes", "resources", "constraints", "rsc_defaults", "op_defaults", "fencing-topology")


def _salvage(root):
    """A stand-in `<configuration>` holding the CIB sections found inside a
    fragment that is not a CIB (an article's `<crm_config><cluster>
    <resources>...`), so `hacc audit` can still check the resources. The
    file stays refused (HA083): `hacc import` writes nothing from it."""
    from lxml import etree

    found = [element for element in root.iter() if element is not root and isinstance(element.tag, str)
             and element.tag in _SALVAGEABLE and not _inside_section(element, root)]
    if not found:
        return None
    configuration = etree.Element("configuration")
    configuration.sourceline = root.sourceline
    for element in found:
        configuration.append(element)
    return configuration


def _inside_section(element, root) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not root:
        if parent.tag in _SALVAGEABLE:
            return True
        parent = parent.getparent()
    return False


def _blank(match) -> str:
    """A comment replaced by as many newlines, so offsets keep their line."""
    return "\n" * match.group().count("\n")


def _refuse_doctype(source: Source, log: ImportLog, line: int) -> None:
    log.unreadable(source.span(line), "the file has a document type declaration, which a CIB never has",
                   help="remove the `<!DOCTYPE ...>` and any entity declarations; " + WHAT_A_CIB_IS)


class Locator:
    """Spans of elements and attributes: lxml gives the line where a start
    tag ends; the tag itself is found by scanning the markup in order."""

    def __init__(self, source: Source, root) -> None:
        self.display = source.display
        text = source.text
        self._text = text
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        skipped = [(m.start(), m.end()) for m in _NOT_MARKUP.finditer(text)]
        skipped_starts = [a for a, _ in skipped]
        # Keeping the elements referenced keeps lxml's proxies (and so their
        # identity, the dictionary key) alive.
        self._elements = [e for e in root.iter() if isinstance(e.tag, str)]
        self._offsets: dict = {}
        cursor = 0
        for element in self._elements:
            found = _find_start_tag(text, element.tag, cursor, skipped, skipped_starts)
            if found is None or self._line(found) > (element.sourceline or 0):
                continue
            self._offsets[element] = found
            cursor = found + 1

    def _line(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    def _point(self, offset: int) -> tuple[int, int]:
        line = self._line(offset)
        return line, offset - self._line_starts[line - 1] + 1

    def _span(self, start: int, end: int) -> Span:
        line, col = self._point(start)
        end_line, end_col = self._point(max(end, start + 1))
        return Span(self.display, line, col, end_line, end_col)

    def element_span(self, element) -> Span:
        """`<tag` of the element's start tag (its line only if not found)."""
        offset = self._offsets.get(element)
        if offset is None:
            line = max(getattr(element, "sourceline", None) or 1, 1)
            return Span(self.display, line, 1, line, 2)
        tag = element.tag if isinstance(element.tag, str) else ""
        return self._span(offset, offset + 1 + len(tag))

    def attribute_span(self, element, name: str) -> Span:
        """The value of attribute `name` (without its quotes), else the
        element's own span."""
        match = self._attribute(element, name)
        if match is None:
            return self.element_span(element)
        return self._span(match.start(2) + 1, match.end(2) - 1)

    def attribute_name_span(self, element, name: str) -> Span:
        match = self._attribute(element, name)
        if match is None:
            return self.element_span(element)
        return self._span(match.start(1), match.end(1))

    def _attribute(self, element, name: str) -> re.Match | None:
        """The `name="value"` match inside the element's start tag."""
        offset = self._offsets.get(element)
        if offset is None:
            return None
        position = offset + 1 + len(element.tag)
        while True:
            match = _ATTRIBUTE.match(self._text, position)
            if match is None or match.group(1) == name:
                return match
            position = match.end()

    def node_span(self, node) -> Span:
        """Any node lxml reports a line for: comments, processing instructions."""
        line = max(getattr(node, "sourceline", None) or 1, 1)
        return Span(self.display, line, 1, line, 2)


def _find_start_tag(text: str, tag: str, start: int, skipped: list[tuple[int, int]], starts: list[int]) -> int | None:
    pattern = _tag_pattern(tag)
    position = start
    while True:
        match = pattern.search(text, position)
        if match is None:
            return None
        index = bisect.bisect_right(starts, match.start()) - 1
        if index < 0 or skipped[index][1] <= match.start():
            return match.start()
        position = skipped[index][1]


@functools.lru_cache(maxsize=256)
def _tag_pattern(tag: str) -> re.Pattern:
    return re.compile(r"<" + re.escape(tag) + r"(?=[\s/>])")
