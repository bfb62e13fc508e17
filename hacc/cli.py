"""The command line: `hacc build` and `hacc lint`.

This module only parses options, runs the pipeline stages and maps results
to output and exit codes: 0 success (warnings allowed), 1 errors in the
input (or a stale `--check`, or warnings under `--strict`), 2 usage errors.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from hacc import __version__
from hacc.diagnostics.model import Diagnostic, Severity

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github", "concise")
FILE_KINDS = {"corosync": "corosync", "keepalived": "keepalived", "haproxy": "haproxy", "sysctl": "sysctl", "cib": "cib"}


def _use_color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never" or "NO_COLOR" in os.environ:
        return False
    return stream.isatty()


def _format(fmt: str | None) -> str:
    """The output format: as asked, else GitHub annotations under GitHub
    Actions, else text."""
    if fmt:
        return fmt
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def report(diagnostics: list[Diagnostic], sources, fmt: str | None, stream, color: str) -> None:
    from hacc.diagnostics import render

    fmt = _format(fmt)
    if fmt == "json":
        stream.write(render.render_json(diagnostics))
        return
    if fmt == "sarif":
        from hacc.diagnostics.sarif import render_sarif

        stream.write(render_sarif(diagnostics))
        return
    if fmt == "github":
        from hacc.diagnostics.github import render_github

        stream.write(render_github(diagnostics))
        return
    if fmt == "concise":
        stream.write(render.render_concise(diagnostics))
        return
    if diagnostics:
        stream.write(render.render_text(diagnostics, sources, color=_use_color(color, stream)))
        summary = render.summary_line(diagnostics)
        if summary:
            stream.write(f"{summary}\n")


def _errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


source_argument = click.argument(
    "source", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
)
format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                             help="How to print diagnostics (default: text; github under GitHub Actions).")
config_option = click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                             help="Lint configuration to use instead of the nearest .hacc.toml or pyproject.toml.")
target_option = click.option("--target", "targets", multiple=True, metavar="DAEMON=VERSION",
                             help="Daemon version the files are for, e.g. pacemaker=3.0 (repeatable).")


def _config(source: Path, config_file: Path | None, targets: tuple[str, ...]):
    """The configuration for `source`, with --target overrides applied."""
    from dataclasses import replace

    from hacc.config import config_for

    config = config_for(source, config_file)
    chosen = config.targets
    for spec in targets:
        daemon, sep, version = spec.partition("=")
        if not sep:
            raise click.UsageError(f"--target takes DAEMON=VERSION, not `{spec}`")
        try:
            chosen = chosen.with_version(daemon.strip(), version.strip())
        except ValueError as exc:
            raise click.UsageError(f"--target: {exc}") from None
    return replace(config, targets=chosen) if chosen is not config.targets else config
color_option = click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
                            show_default=True, help="Colour diagnostics (auto: on a terminal, never with NO_COLOR).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hacc")
def main() -> None:
    """hacc, the high-availability cluster compiler: one cluster.ha in,
    corosync.conf, the Pacemaker CIB, keepalived.conf and haproxy.cfg out."""
    # A compile builds a large graph of objects that live until the process
    # exits and holds almost no reference cycles. The cyclic collector would
    # rescan that graph again and again as it grows (a third of the time on
    # a big cluster); collect rarely instead.
    import gc

    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    _utf8_streams()


def _utf8_streams() -> None:
    """Diagnostics quote the input, which may be any Unicode: under a locale
    whose encoding is ASCII (LC_ALL=C without Python's UTF-8 mode) printing
    it would fail. hacc writes UTF-8, as its output files are, whatever the
    locale says."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8")
            except (ValueError, OSError):  # a stream that cannot change (already written to, detached)
                pass


@main.command()
@source_argument
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Directory to write the files to (replaced atomically).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and list the files when OUTPUT is stale.")
@click.option("--stdout", "stdout_spec", metavar="NODE:FILE",
              help="Print one file instead of writing: NODE:corosync, NODE:keepalived, NODE:haproxy or cib.")
@click.option("--emit", type=click.Choice(["json"]), help="Print the model's JSON form and write nothing.")
@click.option("--secrets", "secrets_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File of NAME=value lines for secret:NAME references (else the environment is used).")
@format_option
@color_option
@config_option
@target_option
def build(source: Path, out: Path, check: bool, stdout_spec: str | None, emit: str | None, secrets_file: Path | None,
          fmt: str | None, color: str, config_file: Path | None, targets: tuple[str, ...]) -> None:
    """Compile SOURCE (a .ha file, or its .json form) into every config file."""
    from hacc.pipeline import compile_file

    unit = compile_file(source, str(source), config=_config(source, config_file, targets))
    diagnostics = unit.sorted_diagnostics()
    if _errors(diagnostics):
        report(diagnostics, unit.sources, fmt, sys.stderr, color)
        _refuse(out, fmt, check or emit or stdout_spec)
    if emit == "json":
        report(diagnostics, unit.sources, fmt, sys.stderr, color)
        sys.stdout.write(json.dumps(unit.data, indent=2, ensure_ascii=False) + "\n")
        sys.exit(EXIT_OK)
    # The JSON form and the spans of its values served to build the model;
    # on a big cluster they are a third of the memory, and emitting needs
    # neither.
    unit.data = unit.spans = None
    kinds, wanted = _parse_stdout_spec(stdout_spec, unit.cluster)
    store, secret_diagnostics = _secrets(secrets_file)
    from hacc.emit import emit_all

    # --check can judge files whose secrets are not available by the
    # manifest (see compare_tree), so it does not require every secret.
    outputs, emit_diagnostics = emit_all(unit.cluster, store, source.name, kinds, lenient=check)
    diagnostics = diagnostics + secret_diagnostics + emit_diagnostics
    report(diagnostics, unit.sources, fmt, sys.stderr, color)
    if _errors(diagnostics):
        _refuse(out, fmt, check or wanted)
    if wanted is not None:
        _print_one(outputs, wanted)
        return
    from hacc.output.manifest import build_manifest
    from hacc.output.tree import OutputError, compare_tree, write_tree

    outputs.append(build_manifest(unit.cluster.name, outputs, unit.files, source))
    if check:
        problems = compare_tree(out, outputs)
        for line in problems:
            click.echo(f"{out}/: {line}", err=True)
        if problems:
            click.echo(f"{out}/ is stale: run `hacc build {source} -o {out}`", err=True)
            sys.exit(EXIT_ERRORS)
        click.echo(f"{out}/ is up to date", err=True)
        return
    try:
        write_tree(out, outputs)
    except (OutputError, OSError) as exc:
        click.echo(f"error: cannot write {out}/: {exc}", err=True)
        sys.exit(EXIT_USAGE if isinstance(exc, OutputError) else EXIT_ERRORS)
    click.echo(f"wrote {len(outputs)} files to {out}/", err=True)


def _refuse(out: Path, fmt: str | None, writes_nothing_anyway) -> None:
    """Exit on errors, saying plainly that the output tree was not touched."""
    if not writes_nothing_anyway and fmt in (None, "text", "concise"):
        click.echo(f"nothing written to {out}/: fix the errors above first", err=True)
    sys.exit(EXIT_ERRORS)


def _parse_stdout_spec(spec: str | None, cluster):
    """(kinds to emit, (node, kind) to print) for `--stdout`."""
    from hacc.emit.context import KINDS

    if spec is None:
        return KINDS, None
    node, _, kind = spec.rpartition(":")
    if spec == "cib":
        node, kind = "", "cib"
    if kind not in FILE_KINDS or (kind != "cib" and not node):
        raise click.UsageError(f"--stdout takes NODE:corosync, NODE:keepalived, NODE:haproxy, NODE:sysctl or cib, not `{spec}`")
    if kind != "cib" and cluster.node(node) is None:
        raise click.UsageError(f"--stdout: the cluster has no node `{node}` (nodes: {', '.join(cluster.node_names)})")
    return (FILE_KINDS[kind],), (node or None, kind)


def _print_one(outputs, wanted) -> None:
    node, kind = wanted
    for output in outputs:
        if output.kind == kind and output.node == node:
            sys.stdout.buffer.write(output.content)
            sys.stdout.flush()
            return
    raise click.UsageError(f"the cluster has no {kind} configuration" + (f" for `{node}`" if node else ""))


def _secrets(path: Path | None):
    from hacc.emit.secrets import SecretStore, load_secrets_file

    if path is None:
        return SecretStore(), []
    values, diagnostics = load_secrets_file(path, str(path))
    return SecretStore(values), diagnostics


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given, and the `.ha` files under each directory."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.ha") if p.is_file()))
        else:
            files.append(path)
    return files


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, readable=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@format_option
@color_option
@config_option
@target_option
def lint(sources: tuple[Path, ...], strict: bool, fmt: str | None, color: str, config_file: Path | None,
         targets: tuple[str, ...]) -> None:
    """Check SOURCES (files or directories) without writing anything and
    without secret values. Several clusters are also checked against each
    other (shared VRIDs, VIPs, nodes, names, ports)."""
    from hacc.checks import run_fleet
    from hacc.pipeline import compile_file
    from hacc.source.files import SourceMap

    files = _expand(sources)
    if not files:
        raise click.UsageError("no .ha files found")
    units = [compile_file(path, str(path), config=_config(path, config_file, targets), finish=False) for path in files]
    clusters = [unit.cluster for unit in units if unit.cluster is not None]
    across: dict[str, list[Diagnostic]] = {}
    if len(clusters) > 1:
        for diagnostic in run_fleet(clusters):
            across.setdefault(diagnostic.span.file, []).append(diagnostic)
    everything: list[Diagnostic] = []
    merged = SourceMap()
    for unit in units:
        everything.extend(unit.finish(across.get(unit.display, [])))
        for name in unit.sources.names():
            merged.add(name, unit.sources.text(name))
    report(everything, merged, fmt, sys.stdout, color)
    failing = _errors(everything) or (strict and any(d.severity is Severity.WARNING for d in everything))
    sys.exit(EXIT_ERRORS if failing else EXIT_OK)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(fmt: str) -> None:
    """List every diagnostic code."""
    from hacc.diagnostics.codes import all_codes

    codes = all_codes()
    if fmt == "json":
        listing = [{"code": c.code, "name": c.name, "severity": str(c.severity), "fixed": c.fixed, "summary": c.summary}
                   for c in codes.values()]
        click.echo(json.dumps(listing, indent=2))
        return
    for entry in codes.values():
        click.echo(f"{entry.code}  {entry.name:<36} {entry.severity!s:<8} {entry.summary}")


@main.command("rule")
@click.argument("code")
def rule_page(code: str) -> None:
    """Print the documentation page of one code (e.g. `hacc rule HA313`)."""
    from hacc.checks.docs import page
    from hacc.diagnostics.codes import RETIRED, all_codes

    codes = all_codes()
    wanted = code.upper()
    if wanted in RETIRED:
        if RETIRED[wanted] is None:
            raise click.UsageError(f"{wanted} was retired and is no longer reported")
        click.echo(f"{wanted} was renamed {RETIRED[wanted]}.\n", err=True)
        wanted = RETIRED[wanted]
    by_name = {c.name: c for c in codes.values()}
    entry = codes.get(wanted) or by_name.get(code)
    if entry is None:
        raise click.UsageError(f"unknown code `{code}`; `hacc rules` lists them")
    click.echo(page(entry), nl=False)


# The adoption commands (import, audit, fmt) and `simulate` live in modules
# of their own; importing them registers them on `main`.
from hacc import (
    cli_adopt,  # noqa: F401
    cli_simulate,  # noqa: F401
)
