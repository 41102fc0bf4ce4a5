"""``regtech check``: product specs in, report out, CI-friendly exit status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..check import Checker
from ..errors import InputError, Problem, SpecError, UsageError
from ..findings import Report
from ..language.rules import RulePack, load_pack
from ..reporters import FORMATS, renderer
from ..spec.loader import LoadedSpec, find_spec_files, load_spec
from ..vocabulary import Lang, Severity, Theme
from .common import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    FAIL_ON_CHOICES,
    as_of_option,
    lang_option,
    rules_option,
    theme_option,
)


def load_specs(paths: tuple[str, ...]) -> tuple[list[LoadedSpec], list[Problem]]:
    """Every valid spec, and the problems of the invalid ones (a bad file spoils no other)."""
    specs: list[LoadedSpec] = []
    problems: list[Problem] = []
    for path, name in find_spec_files(list(paths)):
        if not path.exists():
            problems.append(Problem("no such file or folder", file=name))
            continue
        try:
            specs.append(load_spec(path, name))
        except InputError as exc:
            problems.extend(exc.problems)
    if not specs and not problems:
        problems.append(Problem("no product spec files (.yaml, .yml, .json) found",
                                file=" ".join(paths)))
    return specs, problems


def apply_gate_options(
    report: Report,
    pack: RulePack,
    as_of: dt.date,
    waivers_path: Path | None,
    max_waiver_days: int,
    baseline_path: Path | None,
) -> Report:
    """Waivers (``--waivers`` or ./.regtech-waivers.yaml if present) and ``--baseline``."""
    from ..waivers import DEFAULT_FILE

    if waivers_path is None and Path(DEFAULT_FILE).is_file():
        waivers_path = Path(DEFAULT_FILE)
    if waivers_path is None and baseline_path is None:
        return report
    from ..baseline import load_baseline
    from ..gate import apply_gate
    from ..waivers import load_waivers

    waivers = None
    if waivers_path is not None:
        rules = {r.id: r.body.waivable for r in pack.rules}
        waivers = load_waivers(waivers_path, rules, as_of, max_waiver_days)
    baseline = load_baseline(baseline_path) if baseline_path is not None else None
    return apply_gate(report, as_of, waivers=waivers,
                      waivers_file=str(waivers_path) if waivers_path else None,
                      baseline=baseline)


def exit_status(worst: Severity | None, fail_on: str) -> int:
    if fail_on == "never" or worst is None:
        return EXIT_OK
    return EXIT_FINDINGS if worst.at_least(Severity(fail_on)) else EXIT_OK


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report here instead of standard output.")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="high", show_default=True,
              help="Lowest severity that makes the run fail (exit 1).")
@as_of_option
@theme_option
@rules_option
@lang_option
@click.option("--waivers", "waivers_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Waiver file (default: ./.regtech-waivers.yaml when it exists).")
@click.option("--max-waiver-days", type=click.IntRange(min=0), default=365, show_default=True,
              help="Refuse waivers that expire more than this many days after --as-of.")
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Fail only on findings not in this baseline (regtech baseline create).")
@click.option("--no-builtin", is_flag=True, help="Use only the --rules packs.")
@click.option("--backend", type=click.Choice(["durable", "reference"]), default="durable",
              hidden=True)
def check(
    paths: tuple[str, ...],
    fmt: str,
    output: Path | None,
    fail_on: str,
    as_of: dt.date,
    themes: tuple[str, ...],
    rules_dirs: tuple[Path, ...],
    lang: str,
    waivers_path: Path | None,
    max_waiver_days: int,
    baseline_path: Path | None,
    no_builtin: bool,
    backend: str,
) -> None:
    """Check product specs (files or folders) against the rule packs."""
    if no_builtin and not rules_dirs:
        raise UsageError.single("--no-builtin needs at least one --rules folder")
    pack = load_pack(list(rules_dirs), builtin=not no_builtin)
    specs, problems = load_specs(paths)
    checker = Checker(pack, as_of, backend=backend, themes=[Theme(t) for t in themes])
    report = checker.report(specs)
    report = apply_gate_options(report, pack, as_of, waivers_path, max_waiver_days,
                                baseline_path)
    text = renderer(fmt)(report, Lang(lang))
    if not specs:
        raise SpecError(problems)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if problems:
        raise SpecError(problems)
    code = exit_status(report.worst(), fail_on)
    raise click.exceptions.Exit(code)


__all__ = ["EXIT_INPUT", "check"]
