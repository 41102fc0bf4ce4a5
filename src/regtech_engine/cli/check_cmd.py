"""``regtech check``: product specs in, report out, CI-friendly exit status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..check import Checker
from ..errors import InputError, Problem, SpecError
from ..language.rules import load_pack
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
    backend: str,
) -> None:
    """Check product specs (files or folders) against the rule packs."""
    pack = load_pack(list(rules_dirs))
    specs, problems = load_specs(paths)
    checker = Checker(pack, as_of, backend=backend, themes=[Theme(t) for t in themes])
    report = checker.report(specs)
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
