"""What an import found, kept as data: spans, losses, rewrites, secrets.

Every layer importer records into one ImportLog: the span in the original
file of every JSON value it produces (so `hacc audit` reports at the real
line), what it could not carry over (HA080), what it changed on the way
(HA081), where nodes disagree on what must be equal (HA082), and what it
could not read (HA083). Secret values are replaced by `secret:NAME`
references and collected here, to be written to a separate secrets file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hacc.diagnostics.codes import define
from hacc.diagnostics.model import Diagnostic, Label, Severity, Span

LOSS = define(
    "HA080",
    "import-loss",
    Severity.WARNING,
    """
    Something in an imported file has no equivalent in the `.ha` language.

    ## What it checks
    `hacc import` and `hacc audit` carry every setting they understand into
    the model, and pass haproxy directives through as written. A setting
    that neither applies (a keepalived keyword hacc does not model, a CIB
    element such as a ticket or an ACL) is listed with its file and line.

    ## Why it matters
    A setting dropped silently would vanish from the cluster at the next
    `hacc build`. `hacc import` exits with 1 while anything was lost, unless
    `--allow-loss` says the loss is understood.

    ## Example
    ```
    vrrp_instance VI_1 {
        smtp_alert
    }
    ```

    ## Fix
    Decide whether the setting is still needed. If it is, keep managing
    that part by hand, or ask for the language to grow it.
    """,
)

REWRITE = define(
    "HA081",
    "import-rewrite",
    Severity.NOTE,
    """
    An imported setting was changed on the way into the model.

    ## What it checks
    Settings written in an older or equivalent form are mapped to the form
    hacc writes: corosync 2's `interface` blocks, `ring0_addr` and `secauth`
    become corosync 3 links and crypto settings; a password becomes a
    `secret:NAME` reference. Each change is reported where it was made.

    ## Why it matters
    The rebuilt file differs from the original there; the note says how and
    why, so the change can be reviewed before the new files are deployed.

    ## Example
    ```
    totem {
        secauth: on
    }
    ```

    ## Fix
    Nothing to fix: read the note and check the rebuilt file.
    """,
)

NODES_DISAGREE = define(
    "HA082",
    "nodes-disagree",
    Severity.WARNING,
    """
    Per-node files disagree on a setting that must be the same on every node.

    ## What it checks
    keepalived and haproxy files are read from every node and merged. What
    may differ per node (priority, state, interface, source address,
    router_id) becomes a per-node value. What must be equal (a VRID, an
    authentication password, an advert interval, the VIP set, haproxy
    sections, the corosync nodelist) is taken from the first node that has
    it, and each different value is reported.

    ## Why it matters
    Two nodes with different VRIDs or passwords for one instance both
    become MASTER: a split brain on a healthy network. Different haproxy
    configurations serve different traffic depending on which node holds
    the VIP.

    ## Example
    ```
    # lb1: virtual_router_id 51
    # lb2: virtual_router_id 52
    ```

    ## Fix
    Decide which value is right; the imported `.ha` file holds one value for
    every node.
    """,
)

UNREADABLE = define(
    "HA083",
    "unreadable-config",
    Severity.ERROR,
    """
    An imported file cannot be read as the format it should have.

    ## What it checks
    corosync.conf, keepalived.conf and haproxy.cfg are read with each
    daemon's own rules (sections, braces, quotes, comments); the CIB must
    be well-formed XML with a `<cib>` or `<configuration>` root.

    ## Why it matters
    The daemon would refuse the file too, or read something other than what
    it seems to say.

    ## Example
    ```
    totem {
        version: 2
    # the closing brace is missing
    ```

    ## Fix
    Repair the file (the daemon's own checker shows the same problem), then
    import again.
    """,
    fixed=True,
)

_SECRET_NAME = re.compile(r"[^A-Z0-9_]+")
def _clip(message: str) -> str:
    """Messages quote values in backticks; a value read from a hostile file
    may be megabytes long, and is shown by its first 57 characters."""
    parts = message.split("`")
    # Odd parts sit between a pair of backticks: those are the quoted values.
    return "`".join(f"{part[:57]}..." if i % 2 and len(part) > 60 else part for i, part in enumerate(parts))


@dataclass
class ImportLog:
    """Collects what the importers learn besides the model itself."""

    spans: dict[tuple, Span] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)
    # Where each secret value was read, to hide it from snippets (SourceMap.redact).
    secret_spans: list[Span] = field(default_factory=list)

    def mark(self, path: tuple, span: Span | None) -> None:
        """Remember where the value at JSON `path` came from."""
        if span is not None:
            self.spans[path] = span

    def lost(self, span: Span, message: str, help: str | None = None) -> None:
        self.diagnostics.append(LOSS.at(span, _clip(message), help=help or "manage this setting by hand, or drop it"))

    def rewrote(self, span: Span, message: str, help: str | None = None) -> None:
        self.diagnostics.append(REWRITE.at(span, _clip(message), help=help))

    def disagree(self, span: Span, message: str, first: Span | None = None, first_label: str = "the value kept",
                 help: str | None = None) -> None:
        labels = (Label(first, first_label),) if first is not None else ()
        self.diagnostics.append(NODES_DISAGREE.at(span, _clip(message), labels=labels,
                                                  help=help or "make the files agree; the imported value is the first one"))

    def unreadable(self, span: Span, message: str, help: str | None = None) -> None:
        self.diagnostics.append(UNREADABLE.at(span, _clip(message), help=help or "repair the file and import again"))

    def secret(self, hint: str, value: str, span: Span | None = None) -> dict:
        """Replace a secret value by a reference; equal values share a name."""
        if span is not None:
            self.secret_spans.append(span)
        for name, known in self.secrets.items():
            if known == value:
                return {"secret": name}
        base = _SECRET_NAME.sub("_", hint.upper()).strip("_") or "SECRET"
        name, counter = base, 1
        while name in self.secrets:
            counter += 1
            name = f"{base}_{counter}"
        self.secrets[name] = value
        if span is not None:
            self.secret_spans.append(span)
            self.rewrote(span, f"the secret value became `secret:{name}`",
                         help="the value is written to the secrets file beside the .ha file, not into it")
        return {"secret": name}

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def losses(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.code == LOSS.code]

NOT_WRITABLE = define(
    "HA084",
    "import-not-writable",
    Severity.ERROR,
    """
    The imported model could not be written as a `.ha` file that reads back
    the same.

    ## What it checks
    Before `hacc import` writes the `.ha` file, it compiles the text it is
    about to write and compares the result with the model it imported.

    ## Why it matters
    A `.ha` file that means something other than what the nodes run would
    change the cluster at the next `hacc build`. This is a bug in hacc, not
    in the imported files.

    ## Example
    ```
    (no example: the files are valid; hacc failed to write them)
    ```

    ## Fix
    Report the bug with the files that trigger it; meanwhile, `hacc audit`
    still checks the files.
    """,
    fixed=True,
)
