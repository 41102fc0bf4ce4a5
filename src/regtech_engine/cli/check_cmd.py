"""``regtech check``: product specs in, report out, CI-friendly exit status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..errors import InputError, Problem, SpecError, UsageError
from ..files.safeio import write_text_atomic
from ..findings import Report
from ..gate.decision import GatedReport, Policy, apply_gate
from ..language.rules import RulePack
from ..pool import check_files, duplicate_problems, prestart, read_spec, resolve_jobs, spec_files
from ..reporters import FORMATS, renderer
from ..spec.loader import LoadedSpec
from ..spec.models import ProductSpec
from ..vocabulary import Lang
from .common import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    FAIL_ON_CHOICES,
    as_of_option,
    jobs_option,
    lang_option,
    load_rules,
    rules_option,
    selection_options,
    theme_option,
)


def load_specs(
    paths: tuple[str, ...], model: type[ProductSpec] = ProductSpec
) -> tuple[list[LoadedSpec], list[Problem]]:
    """Every valid spec, held, and the problems of the invalid ones (a bad file spoils no
    other); ``model`` is the rule pack's spec model, with its packs' extension fields.
    ``regtech check`` and ``impact`` do not hold specs: they stream them (pool.py)."""
    files, problems = spec_files(paths)
    specs: list[LoadedSpec] = []
    for file in files:
        try:
            specs.append(read_spec(file, model))
        except InputError as exc:
            problems.extend(exc.problems)
    return unique_ids(specs, problems)


def unique_ids(specs: list[LoadedSpec], problems: list[Problem]) -> tuple[list[LoadedSpec], list[Problem]]:
    """Specs sharing a ``product.id`` are an input error naming every file: findings,
    waivers and baselines are keyed by it, so one would silently stand for the other."""
    duplicated, duplicates = duplicate_problems((s.id, s.path, s.line_of(("product", "id"))) for s in specs)
    return [s for s in specs if s.id not in duplicated], problems + duplicates


def apply_gate_options(
    report: Report,
    pack: RulePack,
    as_of: dt.date,
    waivers_path: Path | None,
    max_waiver_days: int,
    baseline_path: Path | None,
    policy: Policy | None = None,
) -> GatedReport:
    """Waivers (``--waivers`` or ./.regtech-waivers.yaml if present), ``--baseline`` and the
    policy: the gate's one decision, from which exit status and every count follow."""
    from ..gate.waivers import DEFAULT_FILE

    if waivers_path is None and Path(DEFAULT_FILE).is_file():
        waivers_path = Path(DEFAULT_FILE)
    rules = {r.id: r.body.waivable for r in pack.rules}
    waivers = None
    if waivers_path is not None:
        from ..gate.waivers import load_waivers

        waivers = load_waivers(waivers_path, rules, as_of, max_waiver_days)
    baseline = None
    if baseline_path is not None:
        from ..gate.baseline import load_baseline

        baseline = load_baseline(baseline_path)
    return apply_gate(
        report,
        as_of,
        waivers=waivers,
        waivers_file=str(waivers_path) if waivers_path else None,
        baseline=baseline,
        policy=policy,
        waivable=rules,
    )


def exit_status(report: GatedReport) -> int:
    return EXIT_FINDINGS if report.failed else EXIT_OK


def parse_outputs(fmt: str, output: Path | None, extra: tuple[str, ...]) -> list[tuple[str, Path | None]]:
    """``--format``/``--output`` plus every ``--output-format FORMAT=FILE``, in order."""
    outputs: list[tuple[str, Path | None]] = []
    for item in extra:
        name, sep, file = item.partition("=")
        if not sep or not file or name not in FORMATS:
            raise UsageError.single(
                f"--output-format takes FORMAT=FILE with FORMAT one of {', '.join(FORMATS)} (got `{item}`)"
            )
        outputs.append((name, Path(file)))
    outputs.insert(0, (fmt, output))  # the console summary stays, whatever else is written
    targets = [str(p) for _, p in outputs if p is not None]
    if len(set(targets)) != len(targets):
        raise UsageError.single("two outputs name the same file")
    return outputs


def write_outputs(report: Report, outputs: list[tuple[str, Path | None]], lang: Lang) -> None:
    """Render every requested format; files are replaced whole, never left half-written."""
    for name, path in outputs:
        text = renderer(name)(report, lang)
        if path is None:
            click.echo(text, nl=False)
        else:
            write_text_atomic(path, text)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report here instead of standard output.",
)
@click.option(
    "--output-format",
    "output_formats",
    multiple=True,
    metavar="FORMAT=FILE",
    help="Also write FORMAT to FILE (repeatable), e.g. sarif=out.sarif.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_CHOICES),
    default="high",
    show_default=True,
    help="Lowest severity that makes the run fail (exit 1).",
)
@click.option(
    "--allow-undetermined",
    is_flag=True,
    help="Do not fail on rules that could not be judged (recorded in the report).",
)
@as_of_option
@theme_option
@selection_options
@rules_option
@lang_option
@click.option(
    "--waivers",
    "waivers_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Waiver file (default: ./.regtech-waivers.yaml when it exists).",
)
@click.option(
    "--max-waiver-days",
    type=click.IntRange(min=0),
    default=365,
    show_default=True,
    help="Refuse waivers that expire more than this many days after --as-of.",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Fail only on findings not in this baseline (regtech baseline create).",
)
@click.option("--no-builtin", is_flag=True, help="Use only the --rules packs.")
@click.option("--backend", type=click.Choice(["durable", "reference"]), default="durable", hidden=True)
@jobs_option
def check(
    paths: tuple[str, ...],
    fmt: str,
    output: Path | None,
    output_formats: tuple[str, ...],
    fail_on: str,
    allow_undetermined: bool,
    as_of: dt.date,
    themes: tuple[str, ...],
    select_rules: tuple[str, ...],
    skip_rules: tuple[str, ...],
    rules_dirs: tuple[Path, ...],
    lang: str,
    waivers_path: Path | None,
    max_waiver_days: int,
    baseline_path: Path | None,
    no_builtin: bool,
    backend: str,
    jobs: int | None,
) -> None:
    """Check product specs (files or folders) against the rule packs."""
    if no_builtin and not rules_dirs:
        raise UsageError.single("--no-builtin needs at least one --rules folder")
    outputs = parse_outputs(fmt, output, output_formats)
    files, problems = spec_files(paths)  # paths only: each is read when it is checked
    jobs = resolve_jobs(jobs, len(files))
    prestart(jobs, len(files))  # the workers' start overlaps loading the packs
    pack = load_rules(rules_dirs, builtin=not no_builtin)
    selected = pack.select(list(themes) or None).select_rules(select_rules, skip_rules)
    # files are read, validated and checked one by one (in workers with --jobs), never all held
    checked, invalid = check_files(selected, as_of, files, backend, jobs)
    problems += invalid
    policy = Policy(fail_on=fail_on, allow_undetermined=allow_undetermined)
    report = apply_gate_options(
        checked,
        pack,
        as_of,
        waivers_path,
        max_waiver_days,
        baseline_path,
        policy,
    )
    if not checked.results:
        raise SpecError(problems)
    write_outputs(report, outputs, Lang(lang))
    if problems:
        raise SpecError(problems)
    raise click.exceptions.Exit(exit_status(report))


__all__ = ["EXIT_INPUT", "check"]
