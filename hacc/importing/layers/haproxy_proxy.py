"""Map one `defaults`, `frontend`, `backend` or `listen` section.

The keywords the model structures (mode, maxconn, bind, timeout, balance,
stick-table, acl, use_backend, default_backend, server) become fields; a
value the model cannot hold is reported (HA080) rather than passed through,
since a `.ha` file reads those keywords as the structured statement. Other
directives pass through as written.

Anonymous ACLs (`if { ssl_fc }`) cannot be written in a `.ha` file. hacc
writes `acl` lines before the rules that use them (`http-request`,
`redirect`, `use_backend`, ...), so there an anonymous ACL becomes a named
one, declared in the same section, which haproxy evaluates the same way
(HA081). Where hacc would write the rule above its `acl` lines (`stats`,
`stick`, a `defaults` section) it is reported (HA080), as is such a rule
naming a declared ACL, which haproxy would not find in the rebuilt file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hacc.importing.layers import haproxy_values as values
from hacc.importing.layers.haproxy_values import secret_hint, span_of
from hacc.importing.readers.haproxy import Line
from hacc.importing.readers.tree import Word
from hacc.model.lower.haproxy import SERVER_OPTION_KINDS
from hacc.model.values import Duration, Endpoint

if TYPE_CHECKING:
    from hacc.importing.layers.haproxy_sections import SectionMapper

# What haproxy refuses in each proxy type, which the schema refuses too.
_FORBIDDEN = {
    "defaults": {"bind", "server", "acl", "use_backend", "stick-table"},
    "frontend": {"server", "balance"},
    "backend": {"bind", "use_backend", "default_backend"},
    "listen": set(),
}
_STICK_TABLE = {"type": 1, "len": 1, "size": 1, "expire": 1, "peers": 1, "store": 1, "nopurge": 0}
_CONDITION = ("if", "unless")


def map_proxy(mapper: SectionMapper, section: Line, item: dict, path: tuple) -> None:
    _Proxy(mapper, section, item, path).run()


class _Proxy:
    def __init__(self, mapper: SectionMapper, section: Line, item: dict, path: tuple) -> None:
        self.mapper, self.section, self.item, self.path = mapper, section, item, path
        self.log = mapper.log
        self.kind, self.name = section.keyword, item.get("name")
        self.acl_names = {line.args[0].text for line in section.block if line.keyword == "acl" and line.args}
        self.anonymous: dict[tuple[str, ...], str] = {}
        self.servers: list[str] = []

    def run(self) -> None:
        handlers = {
            "mode": self._mode, "maxconn": self._maxconn, "default_backend": self._default_backend,
            "timeout": self._timeout, "balance": self._balance, "bind": self._bind, "server": self._server,
            "acl": self._acl, "use_backend": self._use_backend, "stick-table": self._stick_table,
        }
        for line in self.mapper.lines(self.section):
            handler = handlers.get(line.keyword)
            if handler is None:
                self._directive(line)
            elif line.keyword in _FORBIDDEN[self.kind]:
                self.mapper.lost_line(line, f"haproxy does not take `{line.keyword}` in a `{self.kind}` section")
            else:
                handler(line)

    def lost(self, line: Line, reason: str, help: str | None = None) -> None:
        self.mapper.lost_line(line, reason, help)

    # -- single settings -------------------------------------------------------------

    def _mode(self, line: Line) -> None:
        def read(text: str) -> str:
            if text not in ("http", "tcp"):
                raise ValueError(f"hacc writes `mode http` or `mode tcp`, not `{text}`")
            return text

        value = self.mapper.single_value(line, read)
        if value is not None:
            self.mapper.override(self.item, "mode", value, line, self.path)

    def _maxconn(self, line: Line) -> None:
        value = self.mapper.single_value(line, lambda text: values.integer(text, 1))
        if value is not None:
            self.mapper.override(self.item, "maxconn", value, line, self.path)

    def _default_backend(self, line: Line) -> None:
        value = self.mapper.single_value(line, values.name)
        if value is not None:
            self.mapper.override(self.item, "default_backend", value, line, self.path)

    def _timeout(self, line: Line) -> None:
        words = self.mapper.words(line)
        if len(words) != 2:
            self.lost(line, "hacc reads `timeout NAME DURATION`")
            return
        name, value = words
        if name.text not in values.PROXY_TIMEOUTS:
            self.lost(line, f"hacc has no `timeout {name.text}`", "hacc knows " + ", ".join(values.PROXY_TIMEOUTS))
            return
        try:
            duration, rewritten = values.duration(value.text)
        except ValueError as exc:
            self.lost(line, str(exc))
            return
        if rewritten:
            self.log.rewrote(value.span, f"`{value.text}` is written `{_duration_text(duration)}`")
        timeouts = self.item.setdefault("timeouts", {})
        self.mapper.mark(self.path + ("timeouts",), line.head_span)
        self.mapper.override(timeouts, name.text, duration, line, self.path + ("timeouts",), value.span)
        self.mapper.mark(self.path + ("timeouts", name.text, "<key>"), name.span)

    def _balance(self, line: Line) -> None:
        words = self.mapper.words(line)
        try:
            if not words:
                raise ValueError("it names no algorithm")
            balance = {"algorithm": values.balance_algorithm(words[0].text),
                       "args": [values.text(word.text) for word in words[1:]]}
        except ValueError as exc:
            self.lost(line, str(exc))
            return
        self.mapper.override(self.item, "balance", balance, line, self.path, line.head_span)
        self.mapper.mark(self.path + ("balance", "algorithm"), words[0].span)
        for index, word in enumerate(words[1:]):
            self.mapper.mark(self.path + ("balance", "args", index), word.span)

    # -- bind, server ----------------------------------------------------------------------

    def _address(self, line: Line, word: Word) -> tuple[str, bool] | None:
        try:
            return values.endpoint(word.text)
        except ValueError as exc:
            self.lost(line, str(exc))
            return None

    def _note_address(self, word: Word, address: tuple[str, bool]) -> None:
        if address[1]:
            self.log.rewrote(word.span, f"`{word.text}` is written `{Endpoint.parse(address[0])}`")

    def _bind(self, line: Line) -> None:
        words = self.mapper.words(line)
        if not words:
            self.lost(line, "it has no address")
            return
        address = self._address(line, words[0])
        options = None if address is None else self._options(line, words[1:], values.BIND_OPTIONS, {})
        if options is None:
            return
        binds = self.item.setdefault("binds", [])
        bind_path = self.path + ("binds", len(binds))
        self._mark_entry("binds", bind_path, line, {("address",): words[0].span}, options)
        self._note_address(words[0], address)
        binds.append({"address": address[0], "options": options[0]})

    def _server(self, line: Line) -> None:
        words = self.mapper.words(line)
        if len(words) < 2:
            self.lost(line, "hacc reads `server NAME ADDRESS [OPTIONS]`")
            return
        try:
            values.name(words[0].text)
        except ValueError as exc:
            self.lost(line, str(exc))
            return
        address = self._address(line, words[1])
        options = None if address is None else self._options(line, words[2:], values.SERVER_OPTIONS, SERVER_OPTION_KINDS)
        if options is None:
            return
        servers = self.item.setdefault("servers", [])
        server_path = self.path + ("servers", len(servers))
        self._mark_entry("servers", server_path, line, {("name",): words[0].span, ("address",): words[1].span}, options)
        self._note_address(words[1], address)
        servers.append({"name": words[0].text, "address": address[0], "options": options[0]})
        self.servers.append(words[0].text)

    def _mark_entry(self, key: str, entry_path: tuple, line: Line, fields: dict, options) -> None:
        self.mapper.mark(self.path + (key,), line.head_span)
        self.mapper.mark(entry_path, line.head_span)
        for field, span in fields.items():
            self.mapper.mark(entry_path + field, span)
        spans, option_words = options[1], options[2]
        if option_words:
            self.mapper.mark(entry_path + ("options",), span_of(option_words, line.head_span))
        for mark, span in spans.items():
            self.mapper.mark(entry_path + ("options",) + mark, span)

    def _options(self, line: Line, words: list[Word], table: dict, kinds: dict):
        """`keyword [value]` options: (options, spans, words), or None after
        reporting the line as lost."""
        options: dict = {}
        spans: dict[tuple, object] = {}
        index = 0
        while index < len(words):
            key = words[index]
            arity = table.get(key.text)
            if arity is None:
                self.lost(line, f"`{key.text}` is not a `{line.keyword}` option hacc knows")
                return None
            used = words[index:index + 1 + arity]
            if len(used) <= arity:
                self.lost(line, f"`{key.text}` needs a value")
                return None
            index += 1 + arity
            value = True
            if arity:
                try:
                    text = values.text(used[1].text)
                    value = values.integer(text) if kinds.get(key.text) == "int" else text
                except ValueError as exc:
                    self.lost(line, f"`{key.text}`: {exc}")
                    return None
                if key.text == "source" and index < len(words) and words[index].text in ("usesrc", "interface"):
                    self.lost(line, "hacc reads `source ADDRESS` without `usesrc` or `interface`")
                    return None
            if key.text in options:
                self.mapper.lost(span_of(used, key.span), f"`{key.text}` is given twice on this line; hacc keeps "
                                 "the first one", "point it at a directory or a crt-list instead")
                continue
            options[key.text] = value
            spans[(key.text,)] = used[-1].span
            spans[(key.text, "<key>")] = key.span
        for key in values.SECRET_OPTIONS & options.keys():
            options[key] = self.log.secret(secret_hint(self.name or self.kind, key), options[key], spans[(key,)])
        return options, spans, words

    # -- acl, use_backend, stick-table -----------------------------------------------------------

    def _acl(self, line: Line) -> None:
        words = self.mapper.words(line)
        try:
            if len(words) < 2:
                raise ValueError("hacc reads `acl NAME CRITERION [ARGUMENTS]`")
            values.name(words[0].text)
            acl = {"name": words[0].text, "criterion": values.text(words[1].text),
                   "args": [values.text(word.text) for word in words[2:]]}
        except ValueError as exc:
            self.lost(line, str(exc))
            return
        self._add_acl(acl, line.head_span, words)

    def _add_acl(self, acl: dict, span, words: list[Word]) -> None:
        acls = self.item.setdefault("acls", [])
        acl_path = self.path + ("acls", len(acls))
        self.mapper.mark(self.path + ("acls",), span)
        self.mapper.mark(acl_path, span)
        self.mapper.mark(acl_path + ("name",), words[0].span)
        self.mapper.mark(acl_path + ("criterion",), words[1].span)
        for index, word in enumerate(words[2:]):
            self.mapper.mark(acl_path + ("args", index), word.span)
        acls.append(acl)

    def _use_backend(self, line: Line) -> None:
        words = self._conditions(line, self.mapper.words(line))
        if words is None:
            return
        try:
            if not words:
                raise ValueError("it names no backend")
            rule: dict = {"backend": values.text(words[0].text)}
            condition = words[1:]
            if condition and (condition[0].text not in _CONDITION or len(condition) < 2):
                raise ValueError("hacc reads `use_backend NAME [if|unless CONDITION]`")
            if condition:
                rule[condition[0].text] = [values.text(word.text) for word in condition[1:]]
        except ValueError as exc:
            self.lost(line, str(exc))
            return
        rules = self.item.setdefault("use_backends", [])
        rule_path = self.path + ("use_backends", len(rules))
        self.mapper.mark(self.path + ("use_backends",), line.head_span)
        self.mapper.mark(rule_path, line.head_span)
        self.mapper.mark(rule_path + ("backend",), words[0].span)
        if condition:
            self.mapper.mark(rule_path + (condition[0].text,), span_of(condition[1:], line.head_span))
            for index, word in enumerate(condition[1:]):
                self.mapper.mark(rule_path + (condition[0].text, index), word.span)
        rules.append(rule)

    def _stick_table(self, line: Line) -> None:
        if "stick_table" in self.item:
            self.lost(line, "haproxy takes one `stick-table` per section")
            return
        table: dict = {}
        spans: dict = {}
        words = self.mapper.words(line)
        try:
            index = 0
            while index < len(words):
                key = words[index].text
                if key not in _STICK_TABLE:
                    raise ValueError(f"hacc has no stick-table option `{key}`")
                if key == "nopurge":
                    table["nopurge"], spans["nopurge"] = True, words[index].span
                    index += 1
                    continue
                if index + 1 >= len(words):
                    raise ValueError(f"`{key}` needs a value")
                value = words[index + 1]
                self._stick_table_option(table, key, value)
                spans[key] = value.span
                index += 2
            if "type" not in table or "size" not in table:
                raise ValueError("a stick-table needs `type` and `size`")
        except ValueError as exc:
            self.lost(line, str(exc))
            return
        self.item["stick_table"] = table
        self.mapper.mark(self.path + ("stick_table",), line.head_span)
        for key, span in spans.items():
            self.mapper.mark(self.path + ("stick_table", key), span)

    def _stick_table_option(self, table: dict, key: str, word: Word) -> None:
        text = word.text
        if key in table and key != "store":
            raise ValueError(f"`{key}` is given twice")
        if key == "type":
            if text not in values.STICK_TABLE_TYPES:
                raise ValueError(f"hacc has no stick-table type `{text}`")
            table[key] = text
        elif key == "len":
            table[key] = values.integer(text, 1)
        elif key == "peers":
            table[key] = values.name(text)
        elif key == "store":
            values.text(text)
            if key in table:
                self.log.rewrote(word.span, "the `store` lists of this stick-table are written as one")
            table[key] = f"{table[key]},{text}" if key in table else text
        else:
            converted, rewritten = values.size(text) if key == "size" else values.duration(text)
            if rewritten:
                shown = converted if key == "size" else _duration_text(converted)
                self.log.rewrote(word.span, f"`{text}` is written `{shown}`")
            table[key] = converted

    # -- directives and their conditions ----------------------------------------------------------

    def _directive(self, line: Line) -> None:
        words = self._conditions(line, self.mapper.words(line))
        if words is None:
            return
        if line.keyword == "default-server" and self.servers:
            self.mapper.lost(line.head_span, "hacc writes `default-server` above every `server` line, so after a "
                             f"rebuild it also applies to {', '.join(f'`{s}`' for s in self.servers)}, declared above it",
                             "move this line above the servers, or write the options on each server")
        self.mapper.directive(line, self.item, self.path, self.kind, self.name, words=words)

    def _conditions(self, line: Line, words: list[Word]) -> list[Word] | None:
        """The words with each anonymous ACL replaced by a named one, or
        None after reporting the line as lost."""
        start = next((i for i, word in enumerate(words) if word.text in _CONDITION), None)
        if start is None or not any(word.text.lstrip("!") == "{" for word in words[start + 1:]):
            return words
        out = words[:start + 1]
        index = start + 1
        while index < len(words):
            word = words[index]
            close = next((k for k in range(index + 1, len(words)) if words[k].text == "}"), None)
            if word.text.lstrip("!") != "{" or close is None or close == index + 1:
                out.append(word)
                index += 1
                continue
            if self.kind == "defaults":
                self.lost(line, "its anonymous ACL (`{ ... }`) cannot be written in a .ha file, and a `defaults` "
                          "section cannot declare a named one", "move the rule into the proxies that need it")
                return None
            content = words[index + 1:close]
            try:
                name = self._anonymous_acl(content)
            except ValueError as exc:
                self.lost(line, str(exc))
                return None
            span = span_of(words[index:close + 1], word.span)
            written = " ".join(w.text for w in content)
            self.log.rewrote(span, f"the anonymous ACL `{{ {written} }}` became `acl {name} {written}` in this section",
                             help="a .ha file cannot hold braces in a condition; haproxy evaluates the named ACL the same way")
            out.append(Word("!" * (len(word.text) - 1) + name, span))
            index = close + 1
        return out

    def _anonymous_acl(self, content: list[Word]) -> str:
        key = tuple(word.text for word in content)
        if key in self.anonymous:
            return self.anonymous[key]
        acl = {"criterion": values.text(content[0].text), "args": [values.text(word.text) for word in content[1:]]}
        base = "anon_" + "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_"
                                 for c in content[0].text.split("(")[0]).strip("_")[:50]
        name, counter = base, 1
        while name in self.acl_names:
            counter += 1
            name = f"{base}_{counter}"
        self.acl_names.add(name)
        self.anonymous[key] = name
        self._add_acl({"name": name, **acl}, span_of(content, content[0].span), [content[0]] + content)
        return name


def _duration_text(spelled: str) -> str:
    return Duration.parse(spelled).text()
