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
FORMATS = ("text", "json", "concise")
FILE_KINDS = {"corosync": "corosync", "keepalived": "keepalived", "haproxy": "haproxy", "sysctl": "sysctl", "cib": "cib"}


def _use_color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never" or "NO_COLOR" in os.environ:
        return False
    return stream.isatty()


def report(diagnostics: list[Diagnostic], sources, fmt: str, stream, color: str) -> None:
    from hacc.diagnostics import render

    if fmt == "json":
        stream.write(render.render_json(diagnostics))
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
format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                             help="How to print diagnostics.")
color_option = click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
                            show_default=True, help="Colour diagnostics (auto: on a terminal, never with NO_COLOR).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hacc")
def main() -> None:
    """hacc, the high-availability cluster compiler: one cluster.ha in,
    corosync.conf, the Pacemaker CIB, keepalived.conf and haproxy.cfg out."""


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
def build(source: Path, out: Path, check: bool, stdout_spec: str | None, emit: str | None, secrets_file: Path | None,
          fmt: str, color: str) -> None:
    """Compile SOURCE (a .ha file, or its .json form) into every config file."""
    from hacc.pipeline import compile_file

    unit = compile_file(source, str(source))
    diagnostics = unit.sorted_diagnostics()
    if _errors(diagnostics):
        report(diagnostics, unit.sources, fmt, sys.stderr, color)
        sys.exit(EXIT_ERRORS)
    if emit == "json":
        report(diagnostics, unit.sources, fmt, sys.stderr, color)
        sys.stdout.write(json.dumps(unit.data, indent=2, ensure_ascii=False) + "\n")
        sys.exit(EXIT_OK)
    kinds, wanted = _parse_stdout_spec(stdout_spec, unit.cluster)
    store, secret_diagnostics = _secrets(secrets_file)
    from hacc.emit import emit_all

    outputs, emit_diagnostics = emit_all(unit.cluster, store, source.name, kinds)
    diagnostics = diagnostics + secret_diagnostics + emit_diagnostics
    report(diagnostics, unit.sources, fmt, sys.stderr, color)
    if _errors(diagnostics):
        sys.exit(EXIT_ERRORS)
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


@main.command()
@click.argument("sources", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@format_option
@color_option
def lint(sources: tuple[Path, ...], strict: bool, fmt: str, color: str) -> None:
    """Check SOURCES without writing anything (and without secret values)."""
    from hacc.pipeline import compile_file
    from hacc.source.files import SourceMap

    everything: list[Diagnostic] = []
    merged = SourceMap()
    for source in sources:
        unit = compile_file(source, str(source))
        everything.extend(unit.sorted_diagnostics())
        for name in unit.sources.names():
            merged.add(name, unit.sources.text(name))
    report(everything, merged, fmt, sys.stdout, color)
    failing = _errors(everything) or (strict and any(d.severity is Severity.WARNING for d in everything))
    sys.exit(EXIT_ERRORS if failing else EXIT_OK)
