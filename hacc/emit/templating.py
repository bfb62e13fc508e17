"""The Jinja2 environment shared by the text emitters.

Every value printed by a template passes through a guard for its target
format. Values were validated long before, so the guard never fires on
valid input; it is the last line of defence that keeps a value from breaking
out of its directive if a validation rule ever has a hole.
"""

from __future__ import annotations

import functools
import re

_NEVER = re.compile("[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]")

# Characters that end or open a directive, per target, when they appear
# outside the quoting the emitter applied itself.
_TARGET_FORBIDDEN = {
    "corosync": re.compile("[{}\t]"),
    "keepalived": re.compile("[{}]"),
    "haproxy": re.compile(""),
}


class UnsafeValue(AssertionError):
    """A value reached a template that would break the file's syntax."""


def _guard(target: str):
    forbidden = _TARGET_FORBIDDEN[target]

    def finalize(value):
        if value is None:
            raise UnsafeValue("a template printed None")
        text = str(value)
        if _NEVER.search(text) or (forbidden.pattern and forbidden.search(text)):
            raise UnsafeValue(f"unsafe value for {target}: {text!r}")
        return text

    return finalize


@functools.cache
def environment(target: str):
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("hacc.emit", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        finalize=_guard(target),
    )


def render(target: str, template: str, **context) -> str:
    return environment(target).get_template(template).render(**context)
