"""``regtech impact``: what a rule change would do to existing specs, before publishing it.

The base and the changed pack are each the built-in packs plus the given folders, like
``regtech check --rules``. To compare two versions of the built-in packs themselves (a pull
request on this repository's ``rules/``), pass both trees whole with ``--no-builtin``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import click

from ..errors import SpecError, UsageError
from ..gate.impact import impact_of
from ..language.rules import select_ids
from ..pool import impact_files, prestart, resolve_jobs, spec_files
from ..reporters.impact import IMPACT_FORMATS, render_impact
from ..vocabulary import Lang
from .check_cmd import load_specs
from .common import (
    as_of_option,
    jobs_option,
    lang_option,
    load_rules,
    selection_options,
    theme_option,
)

_DIRS = click.Path(path_type=Path, file_okay=False)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--base-rules",
    "base_dirs",
    multiple=True,
    type=_DIRS,
    help="Rule folder(s) as published now (repeatable; default: none extra).",
)
@click.option(
    "--rules", "new_dirs", multiple=True, type=_DIRS, help="Rule folder(s) as changed (repeatable)."
)
@click.option(
    "--no-builtin", is_flag=True, help="Compare only the given folders (e.g. two checkouts of rules/)."
)
@click.option("--format", "fmt", type=click.Choice(IMPACT_FORMATS), default="text", show_default=True)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the result here instead of standard output.",
)
@as_of_option
@theme_option
@selection_options
@lang_option
@click.option("--backend", type=click.Choice(["durable", "reference"]), default="durable", hidden=True)
@jobs_option
def impact(
    paths: tuple[str, ...],
    base_dirs: tuple[Path, ...],
    new_dirs: tuple[Path, ...],
    no_builtin: bool,
    fmt: str,
    output: Path | None,
    as_of: dt.date,
    themes: tuple[str, ...],
    select_rules: tuple[str, ...],
    skip_rules: tuple[str, ...],
    lang: str,
    backend: str,
    jobs: int | None,
) -> None:
    """List, per spec, the findings a rule change would add, remove or re-grade."""
    if not base_dirs and not new_dirs:
        raise UsageError.single(
            "give the changed rules with --rules (and the current ones with --base-rules)"
        )
    files, problems = spec_files(paths)  # paths only: each is read when it is checked
    jobs = resolve_jobs(jobs, len(files))
    prestart(jobs, len(files))  # the workers' start overlaps loading the packs
    base = load_rules(base_dirs, builtin=not no_builtin)
    new = load_rules(new_dirs, builtin=not no_builtin)
    try:
        # a pattern need match a rule of one side only (a rule added or removed by the change)
        base, new = base.select(list(themes) or None), new.select(list(themes) or None)
        chosen = select_ids(sorted({r.id for p in (base, new) for r in p.rules}), select_rules, skip_rules)
    except UsageError:
        # invalid specs are reported before a bad selection, as when specs were read first
        problems = load_specs(paths, new.spec_model)[1]
        if problems:
            raise SpecError(problems) from None
        raise
    base, new = (replace(p, rules=[r for r in p.rules if r.id in chosen]) for p in (base, new))
    # files are read, validated (new.spec_model) and checked under both packs one by one
    pairs, invalid = impact_files(base, new, as_of, files, backend, jobs)
    if problems or invalid:
        raise SpecError(problems + invalid)
    result = impact_of(base, new, pairs, as_of)
    text = render_impact(result, fmt, Lang(lang))
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
