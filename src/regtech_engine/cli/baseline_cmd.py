"""``regtech baseline create``: record today's findings so only new ones fail a check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..check import Checker
from ..errors import SpecError, UsageError
from ..files.safeio import write_text_atomic
from ..gate.baseline import left_out, render_baseline
from .check_cmd import load_specs
from .common import as_of_option, load_rules, rules_option, theme_option


@click.group()
def baseline() -> None:
    """Baselines of accepted findings (used by `regtech check --baseline`)."""


@baseline.command("create")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Baseline file to write (JSON).",
)
@as_of_option
@theme_option
@rules_option
@click.option("--no-builtin", is_flag=True, help="Use only the --rules packs.")
def create(
    paths: tuple[str, ...],
    output: Path,
    as_of: dt.date,
    themes: tuple[str, ...],
    rules_dirs: tuple[Path, ...],
    no_builtin: bool,
) -> None:
    """Write every current finding of the specs to a baseline file."""
    if no_builtin and not rules_dirs:
        raise UsageError.single("--no-builtin needs at least one --rules folder")
    pack = load_rules(rules_dirs, builtin=not no_builtin)
    specs, problems = load_specs(paths, pack.spec_model)
    if problems:  # a baseline of half the specs would silently accept the rest's findings
        raise SpecError(problems)
    report = Checker(pack, as_of, themes=list(themes)).report(specs)
    waivable = {r.id: r.body.waivable for r in pack.rules}
    write_text_atomic(output, render_baseline(report, waivable))
    refused = left_out(report, waivable)
    count = len(report.all_findings()) - len(refused)
    click.echo(
        f"wrote {output}: {count} finding{'s' if count != 1 else ''} in"
        f" {len(report.results)} spec{'s' if len(report.results) != 1 else ''}",
        err=True,
    )
    if refused:
        where = {f.fingerprint: r.spec.path for r in report.results for f in r.findings}
        click.echo(
            f"left out {len(refused)} finding{'s' if len(refused) != 1 else ''} of rules"
            " that may not be waived (they stay open):",
            err=True,
        )
        for f in refused:
            click.echo(f"  {f.rule_id} on {where[f.fingerprint]}", err=True)
