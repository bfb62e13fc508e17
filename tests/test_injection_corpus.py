"""No value of the adversarial corpus can smuggle a directive into a
generated file.

Every place a user value reaches an output (the `Site`s of
tests/injection_batches.py) gets every value of the corpus
(tests/injection_values.py), one build per batch of sites. Each value must
end one of two ways:

- refused: an error whose code is the site's, with a help text, whose span
  starts exactly at the value in the source; rendered (text and concise) it
  shows no raw control, format or separator character. A refused value alone
  in an otherwise valid file makes `hacc build` exit 1, print where, and not
  create the output directory.
- accepted: the batch is built twice, with the hostile values and with plain
  placeholders (`pvhq`) in the same places, and every output of both builds
  is read back with the daemon's own rules (tests/injection_read_back.py).
  The readers must report nothing, both readings must have the same
  sections, directives and words, and each word that held a placeholder must
  hold exactly the hostile value: no extra line or word, no comment cut, no
  variable expanded.

Which values are refused is stated independently of hacc, so a value
wrongly refused fails as surely as one that breaks out. The real checkers
(tests/judges.py: crm_verify, haproxy -c, keepalived -t, corosync -t) run on
the files holding the accepted values, one per output type.
"""

from __future__ import annotations

import judges
import pytest
from injection_batches import BATCHES, Batch
from injection_build import (
    Outcome,
    Slot,
    assemble,
    placeholder,
    render_slots,
    run_cli,
    write_source,
)
from injection_read_back import check_batch
from injection_values import CORPUS, SECRET_ONLY

_OUTCOMES: dict[str, list] = {}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Each batch is checked once; the real checkers reuse its builds."""

    def get(batch: Batch) -> list[tuple[list[Slot], Outcome]]:
        if batch.name not in _OUTCOMES:
            _OUTCOMES[batch.name] = check_batch(batch, tmp_path_factory.mktemp(batch.name))
        return _OUTCOMES[batch.name]

    return get


@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: b.name)
def test_every_value_is_refused_at_its_span_or_read_back_exactly(batch, outcomes):
    outcomes(batch)


_JUDGES = {
    "cib": ("crm_verify", lambda path, node: judges.crm_verify(path)),
    "haproxy": ("haproxy", lambda path, node: judges.haproxy(path)),
    "keepalived": ("keepalived", lambda path, node: judges.keepalived(path)),
    "corosync": ("corosync", lambda path, node: judges.corosync(path, node)),
}
# The builds of the `once` batch the checkers judge: names, paths and hosts
# that are accepted, one build each.
_ONCE_JUDGED = ("xml-comment", "dotted", "double-dash", "secret-prefix")


@pytest.mark.parametrize("batch", [b for b in BATCHES if b.judge], ids=lambda b: b.name)
def test_real_checkers_accept_the_files_holding_the_accepted_values(batch, outcomes, require_tool, tmp_path):
    """One cluster file per output type holds every accepted value; the
    daemon's own checker must accept what hacc wrote (node n1's copy: the
    nodes' files differ only in node-specific settings)."""
    kinds = (batch.judge,) if isinstance(batch.judge, str) else batch.judge
    for kind in kinds:
        require_tool(_JUDGES[kind][0])
    judged = 0
    for slots, outcome in outcomes(batch):
        if batch.singleton and slots[0].label not in _ONCE_JUDGED:
            continue
        for output in outcome.hostile.outputs:
            if output.kind in kinds and output.node in (None, "n1"):
                target = tmp_path / slots[0].label / output.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(output.content)
                verdict = _JUDGES[output.kind][1](target, output.node)
                assert verdict.ok, f"{output.path} ({slots[0].label}):\n{verdict.output[-3000:]}"
                judged += 1
    assert judged >= len(kinds)


# One refused value per output type and value class, alone in an otherwise
# valid file (the placeholder build).
_REFUSED_ALONE = [
    ("cib", "resource parameter", "newline"),
    ("cib", "secret parameter", "escape-sequence"),
    ("haproxy", "directive argument", "nul"),
    ("haproxy", "secret userlist password", "undecodable"),
    ("keepalived", "track script command", "open-brace"),
    ("keepalived", "notify command", "long-cjk"),
    ("keepalived", "VIP label", "hash"),
    ("keepalived", "secret auth pass", "long-keepalived"),
    ("names", "haproxy section name", "space"),
    ("structure", "use_backend target", "rlo"),
    ("once", "corosync logfile", "trailing-newline"),
    ("once", "qdevice host", "carriage-return"),
]


def test_a_refused_value_alone_makes_build_exit_1_and_write_nothing(outcomes, tmp_path):
    batches = {b.name: b for b in BATCHES}
    for batch_name, site_name, label in _REFUSED_ALONE:
        batch = batches[batch_name]
        runs = outcomes(batch)
        if batch.singleton:
            runs = [run for run in runs if run[0][0].label == "dotted"]  # a build whose values were all accepted
        slots, outcome = runs[0]
        values = dict(CORPUS, **SECRET_ONLY)
        chosen = next(s for s in slots if s.site.name == site_name and (s.label == label or batch.singleton))
        hostile = values[label]
        assert not chosen.site.expected(hostile)

        def value(slot, chosen=chosen, hostile=hostile):
            return hostile if slot.n == chosen.n else slot.site.plain.format(placeholder(slot.n))

        refused = set(outcome.refused) - {chosen.n}
        template, written, secrets = render_slots(batch, slots, value, refused)
        source, where = assemble(template, written)
        path = write_source(tmp_path / f"{batch_name}-{label}.ha", source)
        out = tmp_path / f"out-{batch_name}-{label}"
        run = run_cli(["build", str(path), "-o", str(out)], secrets)
        where_text = f"{batch_name}/{site_name}/{label}"
        assert run.exit_code == 1, (where_text, run.output)
        assert not out.exists(), where_text
        assert "nothing written" in run.stderr, (where_text, run.stderr)
        line, col = next(position for position, n in where.items() if n == chosen.n)
        assert f"{path.name}:{line}:{col}\n" in run.stderr, (where_text, line, col, run.stderr)
