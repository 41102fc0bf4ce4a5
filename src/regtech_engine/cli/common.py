"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..vocabulary import Lang, Severity, Theme

SHANGHAI = dt.timezone(dt.timedelta(hours=8))  # China has no daylight saving time

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


def today_in_shanghai() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date:
    if value is None:
        return today_in_shanghai()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


as_of_option = click.option(
    "--as-of", "as_of", callback=parse_date, metavar="YYYY-MM-DD",
    help="Evaluate the law as in force on this date (default: today in Asia/Shanghai).",
)
rules_option = click.option(
    "--rules", "rules_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False),
    help="Add rule packs from this folder (repeatable).",
)
theme_option = click.option(
    "--theme", "themes", multiple=True, type=click.Choice([t.value for t in Theme]),
    help="Only rules of this theme (repeatable).",
)
lang_option = click.option(
    "--lang", type=click.Choice([lang.value for lang in Lang]), default="en", show_default=True,
    help="Language of texts in text output.",
)
FAIL_ON_CHOICES = [s.value for s in Severity] + ["never"]
