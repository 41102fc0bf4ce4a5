"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..timezone import today_in_shanghai
from ..vocabulary import Lang, Severity, Theme

if TYPE_CHECKING:
    from ..config import ProjectConfig
    from ..language.rules import RulePack


EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date:
    if value is None:
        return today_in_shanghai()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


as_of_option = click.option(
    "--as-of",
    "as_of",
    callback=parse_date,
    metavar="YYYY-MM-DD",
    help="Evaluate the law as in force on this date (default: today in Asia/Shanghai).",
)
rules_option = click.option(
    "--rules",
    "rules_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Add rule packs from this folder (repeatable).",
)
theme_option = click.option(
    "--theme",
    "themes",
    multiple=True,
    metavar="THEME",
    help="Only rules of this theme (repeatable): "
    + ", ".join(t.value for t in Theme)
    + " or a theme a loaded pack declares.",
)
lang_option = click.option(
    "--lang",
    type=click.Choice([lang.value for lang in Lang]),
    default="en",
    show_default=True,
    help="Language of the report's texts (titles, messages, remediation, citations) in every"
    " format; JSON and SARIF carry both languages whatever this is.",
)


jobs_option = click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Worker processes (default: one per core above 8 inputs, else 1); the output is"
    " the same whatever N.",
)


def selection_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--select-rule`` and ``--skip-rule``: rule ids or glob patterns, repeatable."""
    function = click.option(
        "--skip-rule",
        "skip_rules",
        multiple=True,
        metavar="ID",
        help="Do not evaluate rules matching this id or glob pattern (repeatable).",
    )(function)
    return click.option(
        "--select-rule",
        "select_rules",
        multiple=True,
        metavar="ID",
        help="Evaluate only rules matching this id or glob pattern (repeatable).",
    )(function)


# command and group names below the root: the project configuration reaches them all
_COMMAND_NAMES = frozenset(
    {
        "check",
        "impact",
        "explain",
        "baseline",
        "rules",
        "law",
        "monitor",
        "config",
        "spec",
        "init",
        "list",
        "show",
        "test",
        "lint",
        "coverage",
        "docs",
        "new",
        "packs",
        "create",
        "schema",
    }
)


class _ConfigDefaults(dict[str, Any]):
    """A click ``default_map`` giving the same defaults to every (sub)command."""

    def get(self, key: str, default: Any = None) -> Any:
        if key in _COMMAND_NAMES:
            return self
        return super().get(key, default)


def apply_config(ctx: click.Context) -> None:
    """Read the project configuration once; its values become every command's defaults."""
    from ..config import load_config

    config = load_config()
    ctx.obj = config
    ctx.default_map = _ConfigDefaults(config.command_defaults())


def project_config() -> ProjectConfig:
    """The configuration read by the root command (none when a command runs on its own)."""
    from ..config import ProjectConfig

    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return obj if isinstance(obj, ProjectConfig) else ProjectConfig()


def load_rules(rules_dirs: Sequence[Path] = (), builtin: bool = True) -> RulePack:
    """The rule pack of a command: built-in, installed (``packs`` of the configuration, or
    every one) and the given folders."""
    from ..language.rules import load_pack

    packs = project_config().value("packs")
    installed: bool | list[str] = builtin if packs is None else list(packs)
    return load_pack(list(rules_dirs), builtin=builtin, installed=installed)


FAIL_ON_CHOICES = [s.value for s in Severity] + ["never"]
