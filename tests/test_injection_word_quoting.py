"""Word quoting, beyond the corpus: Hypothesis (derandomized, 300 examples
each) on the two quoting rules. Any text a position accepts is exactly one
haproxy word, and any command exactly one keepalived word, as each daemon
splits its lines.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from injection_values import command, text

# -- word quoting, beyond the corpus ------------------------------------------------------------

@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_any_text_is_exactly_one_haproxy_word(value):
    from hacc.emit.quoting import haproxy_word
    from hacc.importing.readers.haproxy import split_line

    if not text(value):
        return
    words, variables = split_line("    keyword " + haproxy_word(value) + " last")
    assert [w[0] for w in words] == ["keyword", value, "last"]
    assert not variables


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_any_command_is_exactly_one_keepalived_word(value):
    from hacc.emit.keepalived import quoted
    from hacc.importing.files import Source
    from hacc.importing.log import ImportLog
    from hacc.importing.readers.keepalived import quoted_escaped_words
    from hacc.importing.readers.keepalived_lines import LineReader, split_words

    if not command(value):
        return
    log = ImportLog()
    line = "    notify_master " + quoted(value) + "\n"
    lines = list(LineReader(log, "n1", lambda source: None).read(Source("k.conf", Path("k.conf"), line)))
    assert not log.diagnostics and len(lines) == 1
    assert [w.text for w in split_words(lines[0], log)] == ["notify_master", value]
    assert quoted_escaped_words(lines[0].text) == ["notify_master", value]
