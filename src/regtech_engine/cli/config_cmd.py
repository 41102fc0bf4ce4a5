"""``regtech config show``: the project configuration in effect, and where each value came
from (regtech.yaml or pyproject.toml, found from the working directory up, or the default)."""

from __future__ import annotations

import click
import orjson

from ..config import DEFAULTS
from .common import project_config


@click.group()
def config() -> None:
    """The project configuration (regtech.yaml or [tool.regtech] in pyproject.toml)."""


@config.command("show")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show(fmt: str) -> None:
    """Every setting in effect and its source; command-line flags override these."""
    cfg = project_config()
    rows = []
    for key, default in DEFAULTS.items():
        setting = cfg.settings.get(key)
        if setting is None:
            rows.append({"key": key, "value": default, "source": "default"})
        else:
            value = setting.value
            rows.append(
                {
                    "key": key,
                    "value": value.isoformat() if key == "as-of" else value,
                    "source": setting.source,
                }
            )
    if fmt == "json":
        doc = {"file": str(cfg.file) if cfg.file else None, "settings": rows}
        click.echo(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
        return
    click.echo(
        f"configuration: {cfg.file}"
        if cfg.file
        else "configuration: none found (regtech.yaml or [tool.regtech] in pyproject.toml,"
        " from the working directory up)"
    )
    for row in rows:
        value = row["value"]
        shown = (
            ", ".join(f"{k}={v}" for k, v in value.items())
            if isinstance(value, dict)
            else (", ".join(value) if isinstance(value, list) else str(value))
        )
        click.echo(f"  {row['key']:<13} {shown or '(empty)'}  [{row['source']}]")
    click.echo("command-line flags override these values")
