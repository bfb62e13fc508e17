"""Generate docs/rules/ from the code registry: one page per code and an
index. Regenerate after changing a rule (tests fail while it is stale):

    python -m hacc.checks.docs docs/rules
"""

from __future__ import annotations

import sys
from pathlib import Path

from hacc.diagnostics.codes import RETIRED, Code, all_codes

FAMILIES = {
    "HA0": "Language and structure (HA08x: reading existing configuration files)",
    "HA1": "corosync and quorum",
    "HA2": "Pacemaker",
    "HA3": "keepalived",
    "HA4": "haproxy",
    "HA5": "Across layers",
    "HA6": "Across clusters (fleet mode)",
    "HA7": "Failure simulation (hacc simulate)",
}

BY_CONSTRUCTION = """\
## Mistakes hacc makes impossible

Some checks of the reference catalogues (`keepalived-haproxy.md`,
`pacemaker-corosync.md`) have no rule because the compiler cannot produce
the mistake: the value is derived from one declaration, or the language has
no way to write it.

| Catalogue | Mistake | Why it cannot happen |
|---|---|---|
| X12 | unicast peers asymmetric, incomplete, or listing the node itself | `unicast_src_ip` and `unicast_peer` are derived from the nodes of each instance |
| X03, X05, X06, X07, X08, X15 | VRID, password, advert interval, VIP set, VRRP version or sync-group members differing between nodes | each instance is declared once and written identically for every node; only state, priority, interface and source address differ |
| X14, K06 | `nopreempt` on only some nodes, or with state MASTER | `nopreempt` belongs to the instance; hacc starts every node as BACKUP when it is set (HA309 covers a forced MASTER) |
| X01 | two nodes deriving MASTER | the derived state gives MASTER to exactly one node (HA305 covers forced states) |
| HX01, H38, H39 | peers sections differing per node, missing or duplicating the local peer | the peers section is derived from the nodes, identical on every node, with `localpeer` set per node (HA414 covers hand-written peers) |
| HX06 | frontends differing between nodes | one haproxy declaration is written to every node |
| H22 | rules in a different order from their evaluation | hacc writes rules in evaluation order |
| H34, H35, H36 | invalid name characters, more than 64 words, empty arguments | names are checked by the schema (HA013); empty values are refused; a directive holds at most 63 arguments |
| K36, K37, K38 | extra words silently ignored, misspelt keywords, unbalanced braces | the language has a fixed shape per statement (HA010, HA012) and a real grammar (HA001) |
| K01, K02, K27, K28, K05, K14 | VRID missing or out of range, VIP invalid or missing, bad state, script weight out of range | schema (HA013, HA014) |
| K18 | scripts without `enable_script_security` | hacc writes `enable_script_security` and `script_user` whenever scripts run (HA316 covers switching it off) |
| K26, K34 | address families mixed | HA319 |
| C1, C37, C38, C39, C41 | wrong totem version, braces or inline comments in values, unknown keys, missing nodelist | hacc writes `version: 2` and the nodelist; values are checked by format; totem options are checked against corosync 3's list (HA014) |
| C11, C15, C16 | links without node names, links not starting at 0, options for missing links | node names are always written; `addr` order numbers the links from 0; HA106 covers `link N` blocks |
| C43, `secauth` | corosync 2 options | the language refuses `secauth`, `rrp_mode` and `interface` with the statement to use instead (HA010) |
| P1-P6, P41 | malformed XML, wrong `validate-with`, missing sections, duplicate or invalid ids, `crm_feature_set` | the CIB is built with lxml from a validated model; ids are unique by construction and `crm_feature_set` is left out |
| P36, P37, P38 | fencing level targets, duplicate unames, Pacemaker and corosync node names differing | `<nodes>` is derived from the same node declarations as the corosync nodelist |
| K08 | VRRP password from a secret longer than 8 characters | checked when the secret is read at build time (HA008); HA310 checks passwords written in the file |
| HX05, H14 | VIP bind without `ip_nonlocal_bind` | hacc writes `etc/sysctl.d/90-hacc.conf` (HA502 says so) |

Not checked because the language cannot express them (yet): SBD and watchdog
timeouts (P45, P46, Q14, Q15), cloud profiles (P47, P50), `bindnetaddr` with a
nodelist (C42), `rsc-pattern` (P11), tickets.
"""

CONFIGURATION = """\
## Configuration

`.hacc.toml`, or `[tool.hacc]` in `pyproject.toml` (the nearest one above the
linted file wins; `--config FILE` chooses one):

```toml
[tool.hacc]
select = ["HA1", "HA3"]     # code prefixes to report (default: all)
ignore = ["HA109"]          # code prefixes to leave out
profile = "default"         # default | strict (warnings become errors) | relaxed (errors only)

[tool.hacc.severity]
HA109 = "error"             # error | warning | note | off

[tool.hacc.target]          # the daemon versions the files are for
corosync = "3.1"
pacemaker = "2.1"           # "3.0" switches to Pacemaker 3's names and schema
keepalived = "2.2"
haproxy = "2.6"
```

`hacc lint --target pacemaker=3.0` overrides a target for one run. Codes
marked *fixed* report input that cannot be compiled: they cannot be ignored,
downgraded or suppressed, and `hacc build` refuses to write while any error
remains.

## Suppressing a finding

Write `# hacc: ignore[HA303] reason` at the end of the line the finding
points at, or alone on the line just above it. Several codes:
`# hacc: ignore[HA303, HA313] reason`. The reason is required; a suppression
of an unknown or fixed code is reported (HA020), and so is one that
suppresses nothing (HA021).
"""


def page(entry: Code) -> str:
    fixed = " It reports input that cannot be compiled: it cannot be suppressed, ignored or downgraded." if entry.fixed else ""
    body = entry.doc.split("\n\n", 1)[1].strip() if "\n\n" in entry.doc else ""
    return (
        f"# {entry.code} {entry.name}\n\n"
        f"{entry.summary}\n\n"
        f"Default severity: **{entry.severity}**.{fixed}\n\n"
        f"{body}\n"
    )


def index(codes: dict[str, Code]) -> str:
    lines = ["# hacc rules", "", "Generated from the code registry by `python -m hacc.checks.docs docs/rules`;",
             "`hacc rule CODE` prints one page, `hacc rules` lists them.", ""]
    for prefix, title in FAMILIES.items():
        members = [c for c in codes.values() if c.code.startswith(prefix)]
        if not members:
            continue
        lines += [f"## {prefix}xx {title}", "", "| Code | Name | Severity | Summary |", "|---|---|---|---|"]
        for entry in members:
            severity = f"{entry.severity} (fixed)" if entry.fixed else str(entry.severity)
            lines.append(f"| [{entry.code}]({entry.code}.md) | `{entry.name}` | {severity} | {entry.summary} |")
        lines.append("")
    if RETIRED:
        lines += ["## Retired codes", "", "| Code | Now |", "|---|---|"]
        lines += [f"| {old} | {new or 'no longer reported'} |" for old, new in sorted(RETIRED.items())]
        lines.append("")
    return "\n".join(lines) + "\n" + BY_CONSTRUCTION + "\n" + CONFIGURATION


def generate() -> dict[str, str]:
    """File name -> content for docs/rules/."""
    codes = all_codes()
    files = {f"{code}.md": page(entry) for code, entry in codes.items()}
    files["index.md"] = index(codes)
    return files


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")
    target.mkdir(parents=True, exist_ok=True)
    files = generate()
    for stale in target.glob("HA*.md"):
        if stale.name not in files:
            stale.unlink()
    for name, content in files.items():
        (target / name).write_text(content, encoding="utf-8")


if __name__ == "__main__":
    main()
