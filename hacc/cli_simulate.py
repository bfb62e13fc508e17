"""`hacc simulate`: where every VIP and resource goes when something fails.
Registered on the main group by hacc.cli.

Exit codes: 0 when no finding is an error, 1 when one is (or the input has
errors: they are printed as `hacc build` prints them and nothing is
simulated), 2 for usage errors such as a `--fail` naming nothing.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from hacc.cli import (
    EXIT_ERRORS,
    EXIT_OK,
    _config,
    _errors,
    _use_color,
    color_option,
    config_option,
    main,
    report,
    source_argument,
    target_option,
)
from hacc.diagnostics.model import Severity


@main.command("simulate")
@source_argument
@click.option("--fail", "fails", multiple=True, metavar="NODE[:LINK|:SCRIPT|:IFACE]",
              help="What fails: a node, `node:link1`, a tracked script `lb1:chk_haproxy` or an interface `lb1:eth1` "
                   "(repeatable; applied in order).")
@click.option("--scenarios", type=click.Choice(["all-single"]),
              help="all-single: the steady state and every single failure, in one table.")
@click.option("--scores", is_flag=True, help="Show Pacemaker's allocation scores (crm_simulate -s).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A readable table, or JSON for scripts.")
@color_option
@config_option
@target_option
def simulate_command(source: Path, fails: tuple[str, ...], scenarios: str | None, scores: bool, fmt: str, color: str,
                     config_file: Path | None, targets: tuple[str, ...]) -> None:
    """Simulate failures of SOURCE: for each VRRP instance the MASTER and
    its effective priority, for each Pacemaker resource its node (by
    crm_simulate, when installed), for each HAProxy frontend the nodes where
    its bind address is live, and whether quorum holds.

    Without --fail or --scenarios, the steady state. Nothing is written but
    temporary files in a private directory, removed afterwards."""
    from hacc.checks.policy import finish
    from hacc.pipeline import compile_file
    from hacc.simulate import ScenarioError, all_single, parse_scenario, run
    from hacc.simulate import render as simulation_render

    if fails and scenarios:
        raise click.UsageError("give either --fail or --scenarios, not both")
    config = _config(source, config_file, targets)
    unit = compile_file(source, str(source), config=config)
    diagnostics = unit.sorted_diagnostics()
    # Input that cannot be compiled stops here, as in `hacc build`. Lint
    # errors do not: simulating their consequence (HA313 -> HA705) is the
    # point; `hacc lint` reports them.
    broken = [d for d in diagnostics if d.severity is Severity.ERROR and not d.suppressible]
    if broken or unit.cluster is None:
        report(diagnostics, unit.sources, "json" if fmt == "json" else None, sys.stderr, color)
        click.echo("nothing simulated: fix the errors above first", err=True)
        sys.exit(EXIT_ERRORS)
    if _errors(diagnostics) and fmt == "text":
        codes = ", ".join(dict.fromkeys(d.code for d in diagnostics if d.severity is Severity.ERROR))
        click.echo(f"note: `hacc lint` reports errors in {source} ({codes}); simulating anyway", err=True)
    cluster = unit.cluster
    try:
        chosen = all_single(cluster) if scenarios else [parse_scenario(cluster, list(fails))]
    except ScenarioError as exc:
        raise click.UsageError(str(exc)) from None
    result = run(cluster, chosen, scores=scores)
    # The configuration selects, ignores and re-ranks HA7xx like any code;
    # suppression comments are lint's (a comment silencing HA702 would be
    # reported by `hacc lint` as suppressing nothing).
    quiet = replace(config, diagnostics=[])
    result.diagnostics = finish(result.diagnostics, quiet, {})
    for scenario in result.scenarios:
        scenario.findings = finish(scenario.findings, quiet, {})
    if fmt == "json":
        sys.stdout.write(simulation_render.render_json(cluster, result))
    else:
        sys.stdout.write(simulation_render.render_text(cluster, result, unit.sources, _use_color(color, sys.stdout)))
    findings = result.diagnostics + [d for s in result.scenarios for d in s.findings]
    sys.exit(EXIT_ERRORS if _errors(findings) else EXIT_OK)
