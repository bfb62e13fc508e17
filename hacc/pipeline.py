"""The compiler's stages, chained: source -> parse -> model -> checks.

`compile_file` runs everything up to the checks and returns a Compilation;
the CLI then either reports (lint) or emits and writes (build). Each stage
stops the chain when it found errors the next stage cannot work around: the
schema is not run on a file that did not parse, and the typed model is not
built from JSON the schema rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hacc.config import Config, config_for
from hacc.diagnostics.model import Diagnostic, Severity, Span
from hacc.source.files import SourceMap, read_source


@dataclass
class Compilation:
    """The result of compiling one input: model, diagnostics and sources."""

    path: Path
    display: str
    sources: SourceMap = field(default_factory=SourceMap)
    files: list[tuple[str, Path]] = field(default_factory=list)
    data: dict | None = None
    spans: dict[tuple, Span] = field(default_factory=dict)
    cluster: object | None = None  # hacc.model.cluster.Cluster once bound
    incomplete: set[tuple] = field(default_factory=set)
    config: Config = field(default_factory=Config)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    def sorted_diagnostics(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=Diagnostic.sort_key)

    def finish(self, extra: list[Diagnostic] = ()) -> list[Diagnostic]:
        """Apply the configuration and the suppression comments to what the
        stages found (plus `extra`, e.g. findings across clusters); the
        result replaces `diagnostics` and is returned."""
        from hacc.checks.policy import finish

        self.diagnostics = finish(self.diagnostics + list(extra), self.config, self.sources.comments)
        return self.diagnostics


def compile_file(path: Path, display: str | None = None, *, config: Config | None = None,
                 run_checks: bool = True, finish: bool = True) -> Compilation:
    """Run the stages on one file. With `finish` (the default) the
    configuration and suppressions are applied; callers that add findings
    of their own (fleet checks) pass False and call `unit.finish(extra)`."""
    unit = Compilation(path, display or str(path))
    unit.config = config if config is not None else config_for(path)
    if unit.config.source:
        _remember_config(unit)
    try:
        _front_end(unit)
        if unit.data is not None:
            _model(unit)
        if run_checks and unit.cluster is not None:
            from hacc.checks import run_checks as run

            unit.diagnostics.extend(run(unit.cluster))
    except RecursionError:
        unit.diagnostics.append(_too_deep(unit))
    if finish:
        unit.finish()
    return unit


def compile_data(data: dict, spans: dict[tuple, Span], sources: SourceMap, display: str, *,
                 config: Config, diagnostics: list[Diagnostic] = (), run_checks: bool = True) -> Compilation:
    """Run the model and check stages on a JSON form built elsewhere (by
    `hacc import`), whose spans point into the files it was read from."""
    unit = Compilation(Path(display), display, sources=sources, data=data, spans=spans, config=config)
    if config.source:
        _remember_config(unit)
    try:
        _model(unit)
        if run_checks and unit.cluster is not None:
            from hacc.checks import run_checks as run

            unit.diagnostics.extend(run(unit.cluster))
    except RecursionError:
        unit.diagnostics.append(_too_deep(unit))
    # Added last: an import error about one file (a CIB that is not a CIB)
    # must not stop the checks of what the other files hold.
    unit.diagnostics.extend(diagnostics)
    unit.finish()
    return unit


def _remember_config(unit: Compilation) -> None:
    """Keep the config file's text so its diagnostics show a snippet."""
    # read_source, not read_text: a FIFO or /dev/zero named by --config must
    # not hang or exhaust memory here (its HA022 says why it was not read).
    text, _ = read_source(Path(unit.config.source), unit.config.source)
    if text is not None:
        unit.sources.add(unit.config.source, text)


def _front_end(unit: Compilation) -> None:
    """Source and parse: `.json` is the model's JSON form, anything else is
    the `.ha` language."""
    if unit.path.suffix == ".json":
        from hacc.parse.json_source import read_json

        text, problem = read_source(unit.path, unit.display)
        if problem:
            unit.diagnostics.append(problem)
            return
        unit.sources.add(unit.display, text)
        unit.files.append((unit.display, unit.path))
        unit.data, unit.spans, diagnostics = read_json(text, unit.display)
        unit.diagnostics.extend(diagnostics)
        return
    from hacc.model.lower import lower
    from hacc.parse.includes import load_statements

    statements, diagnostics, unit.files = load_statements(unit.path, unit.display, unit.sources)
    unit.diagnostics.extend(diagnostics)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return
    lowered = lower(statements, unit.display)
    unit.data, unit.spans, unit.incomplete = lowered.data, lowered.spans, lowered.incomplete
    unit.diagnostics.extend(lowered.diagnostics)


def _model(unit: Compilation) -> None:
    """Validate the JSON form, then build the typed model from it."""
    from hacc.model.bind import Binder
    from hacc.model.cluster import Cluster
    from hacc.model.validate import validate

    problems = validate(unit.data, unit.spans, unit.incomplete)
    unit.diagnostics.extend(problems)
    if not unit.has_errors:
        unit.cluster = Binder(unit.spans).bind(Cluster, unit.data)
        unit.cluster.targets = unit.config.targets


def _too_deep(unit: Compilation) -> Diagnostic:
    from hacc.parse.syntax_errors import SYNTAX

    return SYNTAX.at(
        Span.point(unit.display),
        "the input nests too deeply to process",
        help="cluster descriptions never need more than a few levels of nesting; check the file",
    )
