"""The commands that bring existing clusters in: `hacc import`, `hacc audit`
and `hacc fmt`. Registered on the main group by hacc.cli."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hacc.cli import (
    EXIT_ERRORS,
    EXIT_OK,
    _config,
    _errors,
    color_option,
    config_option,
    format_option,
    main,
    report,
    target_option,
)
from hacc.diagnostics.model import Severity


def _node_spec(value: str, what: str) -> tuple[str, Path]:
    from hacc.model.formats import check_name

    name, sep, path = value.partition("=")
    if not sep or not name or not path:
        raise click.BadParameter(f"expected NODE={what}, not `{value}`")
    try:
        check_name(name)
    except ValueError as exc:
        raise click.BadParameter(f"{exc}: node names are host names") from None
    return name, Path(path)


def _request(nodes, cib, corosync, keepalived, haproxy, name):
    from hacc.importing.assemble import ImportRequest

    request = ImportRequest(cib=cib, corosync=corosync, name=name)
    for spec in nodes:
        node, path = _node_spec(spec, "DIR")
        if not path.is_dir():
            raise click.BadParameter(f"`{path}` is not a directory", param_hint="--node")
        request.nodes[node] = path
    for option, table in (("--keepalived", request.keepalived), ("--haproxy", request.haproxy)):
        for spec in keepalived if option == "--keepalived" else haproxy:
            node, path = _node_spec(spec, "FILE")
            table[node] = path
    if name is not None:
        from hacc.model.formats import check_name

        try:
            check_name(name)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--name") from None
    if not request.node_names and corosync is None and cib is None:
        raise click.UsageError("name what to read: --node NAME=DIR (repeat per node), or single files")
    return request


def import_options(function):
    """The options `hacc import` and `hacc audit` share."""
    for option in reversed((
        click.option("--node", "nodes", multiple=True, metavar="NAME=DIR",
                     help="A node and the root of its files (DIR/etc/corosync/corosync.conf, ...); repeat per node."),
        click.option("--cib", type=click.Path(dir_okay=False, path_type=Path),
                     help="The CIB, as `cibadmin -Q` or `crm configure show xml` prints it."),
        click.option("--corosync", type=click.Path(dir_okay=False, path_type=Path),
                     help="corosync.conf, when it is not under a node directory."),
        click.option("--keepalived", multiple=True, metavar="NAME=FILE", help="A node's keepalived.conf."),
        click.option("--haproxy", multiple=True, metavar="NAME=FILE", help="A node's haproxy.cfg."),
        click.option("--name", help="The cluster's name (default: corosync's cluster_name)."),
    )):
        function = option(function)
    return function


def _read(request):
    from hacc.importing.assemble import import_cluster

    imported = import_cluster(request)
    if imported.read_nothing and not imported.log.diagnostics:
        raise click.UsageError("found no corosync.conf, keepalived.conf, haproxy.cfg or CIB to read "
                               "(a node directory holds etc/corosync/corosync.conf, etc/keepalived/keepalived.conf, "
                               "etc/haproxy/haproxy.cfg)")
    return imported


@main.command("import")
@import_options
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .ha file to write (`-` prints it).")
@click.option("--allow-loss", is_flag=True, help="Write the file even though some settings could not be carried over.")
@format_option
@color_option
def import_command(nodes, cib, corosync, keepalived, haproxy, name, out: Path, allow_loss: bool,
                   fmt: str | None, color: str) -> None:
    """Read what each node runs today and write one .ha file.

    Passwords found in the files become secret:NAME references; their values
    are written to OUT with the suffix .secrets (mode 0600), for
    `hacc build --secrets`. Nothing is written while anything could not be
    read, or (without --allow-loss) could not be carried over."""
    from hacc.importing.output import render_import

    request = _request(nodes, cib, corosync, keepalived, haproxy, name)
    imported = _read(request)
    _hide_secrets(imported)
    result = render_import(imported, out.name if str(out) != "-" else "cluster.ha")
    diagnostics = sorted(result.diagnostics, key=lambda d: d.sort_key())
    if str(out) == "-" and result.secrets:
        diagnostics = [_no_secrets_file(d) for d in diagnostics]
    report(diagnostics, imported.sources, fmt, sys.stderr, color)
    losses = [d for d in diagnostics if d.code == "HA080"]
    if losses and fmt in (None, "text", "concise"):
        click.echo(f"\n{len(losses)} setting(s) could not be carried over:", err=True)
        for loss in losses:
            click.echo(f"  {loss.span}: {loss.message}", err=True)
    if _errors(diagnostics) or result.text is None:
        click.echo("nothing written: fix the errors above first", err=True)
        sys.exit(EXIT_ERRORS)
    if losses and not allow_loss:
        click.echo("nothing written: pass --allow-loss to write the file without them", err=True)
        sys.exit(EXIT_ERRORS)
    if str(out) == "-":
        sys.stdout.write(result.text)
        if result.secrets:
            count = len(imported.log.secrets)
            click.echo(f"{count} secret value(s) were not written: `-o -` prints the .ha file only; "
                       "import with `-o FILE` to get them in FILE's .secrets (mode 0600)", err=True)
    else:
        from hacc.output.atomic import write_atomically

        secrets_path = out.with_name(out.name + ".secrets") if out.suffix != ".ha" else out.with_suffix(".secrets")
        if result.secrets:
            write_atomically(secrets_path, result.secrets.encode(), mode=0o600)
        write_atomically(out, result.text.encode())
        wrote = f"wrote {out}" + (f" and {secrets_path} (mode 0600)" if result.secrets else "")
        click.echo(wrote, err=True)
    sys.exit(EXIT_ERRORS if losses and not allow_loss else EXIT_OK)


@main.command()
@import_options
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@format_option
@color_option
@config_option
@target_option
def audit(nodes, cib, corosync, keepalived, haproxy, name, strict: bool, fmt: str | None, color: str,
          config_file: Path | None, targets: tuple[str, ...]) -> None:
    """Import in memory and run every lint rule on what the nodes run today.

    Diagnostics point at the original files and lines; nothing is written."""
    from hacc.pipeline import compile_data

    request = _request(nodes, cib, corosync, keepalived, haproxy, name)
    imported = _read(request)
    _hide_secrets(imported)
    anchor = next(iter(request.nodes.values()), Path.cwd()) / "audit"
    config = _config(anchor, config_file, targets)
    if imported.data is None:
        diagnostics = imported.log.diagnostics
    else:
        unit = compile_data(imported.data, imported.spans, imported.sources, "audit", config=config,
                            diagnostics=imported.log.diagnostics)
        diagnostics = unit.sorted_diagnostics()
    report(diagnostics, imported.sources, fmt, sys.stdout, color)
    failing = _errors(diagnostics) or (strict and any(d.severity is Severity.WARNING for d in diagnostics))
    sys.exit(EXIT_ERRORS if failing else EXIT_OK)


def _no_secrets_file(diagnostic):
    """The notes on secrets say where the values go; with `-o -`, nowhere."""
    import dataclasses

    if diagnostic.code == "HA081" and diagnostic.message.startswith("the secret value became"):
        return dataclasses.replace(diagnostic, help="`-o -` writes no secrets file: import with `-o FILE` for the values")
    return diagnostic


def _hide_secrets(imported) -> None:
    """Diagnostics show the lines they point at, and the imported files hold
    passwords in clear: hide those before anything is reported."""
    imported.sources.redact(imported.log.secrets.values(), imported.log.secret_spans)


@main.command("fmt")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; list the files that would change and exit 1 if any would.")
@click.option("--diff", is_flag=True, help="Write nothing; print a unified diff of what would change.")
def fmt_command(files: tuple[Path, ...], check: bool, diff: bool) -> None:
    """Rewrite each .ha FILE (or every .ha file under a directory) in hacc's
    canonical layout, in place and atomically.

    Includes are not followed: name every file to format. A file that cannot
    be read or does not parse is left untouched and reported. Exit 1 when a
    file could not be formatted, or (with --check) when one would change."""
    from hacc.cli import _expand
    from hacc.format.files import format_paths

    paths = _expand(files)
    if not paths:
        raise click.UsageError("no .ha files found")
    sys.exit(format_paths(paths, check=check, diff=diff, stdout=sys.stdout, stderr=sys.stderr))
