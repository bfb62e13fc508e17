"""Map one parsed haproxy.cfg to the `haproxy` section of the JSON form.

Sections hacc has (global, defaults, frontend, backend, listen, peers,
userlist, resolvers) keep their order; the keywords the model structures
become fields, every other directive a `{keyword, args}` entry exactly as
haproxy read it. Sections hacc has no place for (cache, mailers, program,
ring, http-errors, ...) are reported (HA080) with the lines that refer to
them, so the rebuilt file does not name a section that is gone. Proxies are
mapped by haproxy_proxy; `peers` sections are written here in their
explicit form (`peer` lines), and the caller may turn them into the derived
form.
"""

from __future__ import annotations

from hacc.diagnostics.model import Span
from hacc.importing.layers import haproxy_values as values
from hacc.importing.layers.haproxy_proxy import map_proxy
from hacc.importing.layers.haproxy_values import secret_hint, secret_positions, span_of
from hacc.importing.log import ImportLog
from hacc.importing.readers.haproxy import HaproxyFile, Line
from hacc.importing.readers.tree import Word
from hacc.model.values import Endpoint

ROOT = ("haproxy",)
PROXY_TYPES = ("defaults", "frontend", "backend", "listen")
NAMED_SECTIONS = ("frontend", "backend", "listen", "peers", "userlist", "resolvers")
# Lines that name a section of a kind hacc cannot write: (keyword, position
# of the section name) for each way of naming one.
_REFERENCES = {
    "cache": (("http-request", "cache-use"), ("http-response", "cache-store"), ("filter", "cache")),
    "http-errors": (("errorfiles",),),
    "mailers": (("email-alert", "mailers"),),
    "fcgi-app": (("use-fcgi-app",), ("filter", "fcgi-app")),
}


class SectionMapper:
    """Maps one file; the diagnostics it reports point into that file."""

    def __init__(self, log: ImportLog) -> None:
        self.log = log
        self.out: dict = {"sections": []}
        self.lost_sections: dict[str, set[str]] = {}
        self.peers: dict[int, Line] = {}  # sections index of each peers section -> its head line
        self.defaults_name: str | None = None
        self._global_span: Span | None = None
        self._seen: dict[tuple, Span] = {}  # (path, key) -> the line that set it

    def map(self, file: HaproxyFile) -> dict:
        for section in file.sections:
            if section.keyword not in ("global",) + PROXY_TYPES + ("peers", "userlist", "resolvers"):
                self.lost_sections.setdefault(section.keyword, set()).update(section.texts()[:1])
        for section in file.sections:
            if section.variables:
                continue  # reported by the reader
            kind = section.keyword
            if kind == "global":
                self._global(section)
            elif kind not in PROXY_TYPES + ("peers", "userlist", "resolvers"):
                self.lost(section.head_span, f"hacc has no `{kind}` section; its {len(section.block)} line(s) "
                          "were not imported", f"keep managing the `{kind}` section by hand")
            elif self._head_ok(section):
                path = ROOT + ("sections", len(self.out["sections"]))
                item: dict = {"type": kind}
                self.mark(path, section.head_span)
                self.mark(path + ("type",), section.keyword_span)
                if section.args:
                    item["name"] = section.args[0].text
                    self.mark(path + ("name",), section.args[0].span)
                if kind in PROXY_TYPES:
                    map_proxy(self, section, item, path)
                    if kind == "defaults":
                        self.defaults_name = item.get("name")
                elif kind == "peers":
                    self.peers[len(self.out["sections"])] = section
                    self._lines(section, item, path, {"peer": self._peer})
                elif kind == "userlist":
                    self._lines(section, item, path, {"user": self._user, "group": self._group}, passthrough=False)
                else:
                    self._lines(section, item, path, {"nameserver": self._nameserver})
                self.out["sections"].append(item)
        return self.out

    # -- reporting -----------------------------------------------------------

    def mark(self, path: tuple, span: Span | None) -> None:
        self.log.mark(path, span)

    def lost(self, span: Span, message: str, help: str | None = None) -> None:
        self.log.lost(span, message, help)

    def lost_line(self, line: Line, reason: str, help: str | None = None) -> None:
        self.lost(line.head_span, f"`{line.keyword}` was not imported: {reason}", help)

    # -- sections --------------------------------------------------------------

    def _head_ok(self, section: Line) -> bool:
        """The section's name, and what follows it (`from DEFAULTS`)."""
        kind, words = section.keyword, list(section.args)
        lines = f"{len(section.block)} line(s)"
        if kind in NAMED_SECTIONS and not words:
            self.lost(section.head_span, f"this `{kind}` has no name (haproxy refuses it); its {lines} were not imported")
            return False
        if words:
            try:
                values.name(words[0].text)
            except ValueError as exc:
                self.lost(words[0].span, f"{exc}: this `{kind}` and its {lines} were not imported",
                          "rename it with letters, digits, `_`, `.` and `-`")
                return False
        extra = words[1:]
        if kind in PROXY_TYPES and len(extra) == 2 and extra[0].text == "from":
            # a proxy takes the defaults section above it anyway; a defaults
            # section starts afresh, so its `from` always matters
            if kind != "defaults" and extra[1].text == self.defaults_name:
                self.log.rewrote(span_of(extra, section.head_span), f"`from {extra[1].text}` is dropped: it names the "
                                 "defaults section just above, which haproxy uses anyway")
            else:
                self.lost(span_of(extra, section.head_span), f"`from {extra[1].text}` was not imported: hacc has no "
                          "named defaults, so this proxy takes the defaults section written above it",
                          "move the proxy below the defaults section it should use")
        elif extra:
            self.lost(span_of(extra, section.head_span), "these words after the section name were not imported")
        return True

    def _global(self, section: Line) -> None:
        path = ROOT + ("global",)
        if self._global_span is None:
            self._global_span = section.head_span
            self.out["global"] = {}
            self.mark(path, section.head_span)
        else:
            self.log.rewrote(section.head_span, "this `global` section is merged into the first one",
                             help="haproxy reads every `global` section as one")
        settings = self.out["global"]
        for line in self.lines(section):
            if line.keyword == "localpeer":
                continue  # each node names itself: read by the caller
            if line.keyword == "maxconn":
                number = self.single_value(line, lambda text: values.integer(text, 1))
                if number is not None:
                    self.override(settings, "maxconn", number, line, path)
            else:
                self.directive(line, settings, path, "global")

    def _lines(self, section: Line, item: dict, path: tuple, handlers: dict, passthrough: bool = True) -> None:
        for line in self.lines(section):
            handler = handlers.get(line.keyword)
            if handler is not None:
                handler(line, item, path)
            elif passthrough and line.keyword not in ("port",):
                self.directive(line, item, path, section.keyword, item.get("name"))
            else:
                self.lost_line(line, f"hacc has no place for it in a `{section.keyword}` section")

    def lines(self, section: Line):
        """The lines hacc maps: conditional blocks, messages and lines with
        environment variables were reported by the reader; lines that name
        a lost section are reported here."""
        for line in section.block:
            if line.keyword.startswith(".") or line.variables:
                continue
            lost = self._names_lost_section(line)
            if lost:
                self.lost_line(line, f"it refers to the {lost}, which hacc cannot write")
                continue
            yield line

    def _names_lost_section(self, line: Line) -> str | None:
        texts = [line.keyword] + line.texts()
        for kind, forms in _REFERENCES.items():
            lost = self.lost_sections.get(kind, set())
            for form in forms:
                if lost and tuple(texts[:len(form)]) == form and len(texts) > len(form) and texts[len(form)] in lost:
                    return f"`{kind} {texts[len(form)]}` section"
        if "mailers" in self.lost_sections and line.keyword == "email-alert":
            return "`mailers` section"
        rings = self.lost_sections.get("ring", set())
        if line.keyword == "log" and line.args and line.args[0].text.startswith("ring@") and line.args[0].text[5:] in rings:
            return f"`ring {line.args[0].text[5:]}` section"
        return None

    # -- one line ----------------------------------------------------------------

    def words(self, line: Line) -> list[Word]:
        """The arguments as haproxy 2.6 uses them: an empty word ends the list."""
        for index, word in enumerate(line.args):
            if word.text == "":
                rest = line.args[index + 1:]
                if rest:
                    self.lost(span_of(rest, word.span), "haproxy ignores the words after an empty word (`\"\"`); "
                              "they were not imported", "remove the empty word")
                else:
                    self.log.rewrote(word.span, "the trailing empty word is dropped (haproxy ignores it)")
                return line.args[:index]
        return list(line.args)

    def single_value(self, line: Line, read):
        """`keyword VALUE` with one value read by `read` (None if lost)."""
        words = self.words(line)
        if len(words) != 1:
            self.lost_line(line, f"hacc reads `{line.keyword} VALUE` with exactly one value")
            return None
        try:
            return read(words[0].text)
        except ValueError as exc:
            self.lost_line(line, str(exc))
            return None

    def override(self, obj: dict, key: str, value, line: Line, path: tuple, value_span: Span | None = None) -> None:
        """A setting haproxy keeps the last value of."""
        seen = self._seen
        earlier = seen.get((path, key))
        if earlier is not None:
            self.log.rewrote(earlier, f"replaced by line {line.keyword_span.line}: haproxy keeps the last "
                             f"`{line.keyword}`, and so does hacc")
        seen[(path, key)] = line.head_span
        obj[key] = value
        self.mark(path + (key,), value_span or (line.args[0].span if line.args else line.head_span))

    def directive(self, line: Line, obj: dict, path: tuple, section: str, name: str | None = None,
                  words: list[Word] | None = None) -> None:
        """A directive hacc does not structure, kept as haproxy read it;
        `section` is the section's kind and `name` its name."""
        try:
            values.keyword(line.keyword)
        except ValueError as exc:
            self.lost_line(line, str(exc))
            return
        words = self.words(line) if words is None else words
        secrets = secret_positions(section, line.keyword, [w.text for w in words])
        args: list = []
        for index, word in enumerate(words):
            try:
                values.text(word.text)
            except ValueError as exc:
                self.lost_line(line, f"argument {index + 1}: {exc}")
                return
            if index in secrets:
                hint = secret_hint(name or section, line.keyword, words[0].text)
                args.append(self.log.secret(hint, word.text, word.span))
            else:
                args.append(word.text)
        entries = obj.setdefault("directives", [])
        entry_path = path + ("directives", len(entries))
        self.mark(path + ("directives",), line.head_span)
        self.mark(entry_path, line.head_span)
        self.mark(entry_path + ("keyword",), line.keyword_span)
        self.mark(entry_path + ("args",), line.head_span)
        for index, word in enumerate(words):
            self.mark(entry_path + ("args", index), word.span)
        entries.append({"keyword": line.keyword, "args": args})

    # -- peers, userlist, resolvers ---------------------------------------------------

    def _named_endpoint(self, key: str, line: Line, item: dict, path: tuple) -> None:
        words = self.words(line)
        if len(words) != 2:
            self.lost_line(line, f"hacc reads `{line.keyword} NAME ADDRESS:PORT` and nothing more")
            return
        try:
            values.name(words[0].text)
            address, rewritten = values.endpoint(words[1].text)
        except ValueError as exc:
            self.lost_line(line, str(exc))
            return
        if rewritten:
            self.log.rewrote(words[1].span, f"`{words[1].text}` is written `{_written(address)}`")
        entries = item.setdefault(key, [])
        entry_path = path + (key, len(entries))
        self.mark(path + (key,), line.head_span)
        self.mark(entry_path, line.head_span)
        self.mark(entry_path + ("name",), words[0].span)
        self.mark(entry_path + ("address",), words[1].span)
        entries.append({"name": words[0].text, "address": address})

    def _peer(self, line: Line, item: dict, path: tuple) -> None:
        self._named_endpoint("peers", line, item, path)

    def _nameserver(self, line: Line, item: dict, path: tuple) -> None:
        self._named_endpoint("nameservers", line, item, path)

    def _user(self, line: Line, item: dict, path: tuple) -> None:
        self._userlist_entry("users", line, item, path, {"password": None, "insecure-password": None, "groups": values.names})

    def _group(self, line: Line, item: dict, path: tuple) -> None:
        self._userlist_entry("groups", line, item, path, {"users": values.names})

    def _userlist_entry(self, key: str, line: Line, item: dict, path: tuple, options: dict) -> None:
        words = self.words(line)
        if not words:
            self.lost_line(line, "it has no name")
            return
        entry: dict = {"name": words[0].text}
        marks = {("name",): words[0].span}
        try:
            values.name(words[0].text)
            pairs = words[1:]
            if len(pairs) % 2:
                raise ValueError(f"`{pairs[-1].text}` has no value")
            for option, value in zip(pairs[::2], pairs[1::2]):
                if option.text not in options or option.text in entry:
                    raise ValueError(f"`{option.text}` is not an option hacc reads here (or is given twice)")
                check = options[option.text]
                entry[option.text] = check(value.text) if check else values.text(value.text)
                marks[(option.text,)] = value.span
        except ValueError as exc:
            self.lost_line(line, str(exc))
            return
        if key == "users" and not ("password" in entry) ^ ("insecure-password" in entry):
            self.lost_line(line, "hacc needs exactly one of `password` and `insecure-password`")
            return
        for secret in ("password", "insecure-password"):
            if secret in entry:
                hint = secret_hint(item.get("name", "userlist"), entry["name"], "password")
                entry[secret] = self.log.secret(hint, entry[secret], marks[(secret,)])
        entries = item.setdefault(key, [])
        entry_path = path + (key, len(entries))
        self.mark(path + (key,), line.head_span)
        self.mark(entry_path, line.head_span)
        for field_path, span in marks.items():
            self.mark(entry_path + field_path, span)
        entries.append(entry)


def _written(address: str) -> str:
    return str(Endpoint.parse(address))
