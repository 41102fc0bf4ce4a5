"""``regtech``: entry point and the one handler that maps problems to exit codes."""

from __future__ import annotations

import sys
from typing import ClassVar

import click

from .. import __version__
from ..errors import EngineUnavailable, InputError
from .common import EXIT_INPUT


class _Group(click.Group):
    """Subcommands are imported only when used, so ``regtech check`` starts fast."""

    _commands: ClassVar[dict[str, tuple[str, str]]] = {
        "check": ("regtech_engine.cli.check_cmd", "check"),
        "rules": ("regtech_engine.cli.rules_cmd", "rules"),
        "explain": ("regtech_engine.cli.explain_cmd", "explain"),
        "monitor": ("regtech_engine.cli.monitor_cmd", "monitor"),
        "baseline": ("regtech_engine.cli.baseline_cmd", "baseline"),
        "impact": ("regtech_engine.cli.impact_cmd", "impact"),
        "serve": ("regtech_engine.cli.serve_cmd", "serve"),
        "law": ("regtech_engine.cli.law_cmd", "law"),
        "config": ("regtech_engine.cli.config_cmd", "config"),
        "spec": ("regtech_engine.cli.spec_cmd", "spec"),
        "init": ("regtech_engine.cli.init_cmd", "init"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self._commands)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self._commands:
            return None
        import importlib

        module, attr = self._commands[name]
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="regtech")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Compliance checks of fintech product specs under mainland China's rules.

    Settings shared by every command of a project live in regtech.yaml or [tool.regtech] in
    pyproject.toml (found from the working directory up); flags override them.
    """
    from .common import apply_config

    apply_config(ctx)


def main(argv: list[str] | None = None) -> int:
    try:
        result = cli.main(args=argv, prog_name="regtech", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_INPUT
    except click.Abort:
        click.echo("aborted", err=True)
        return 130
    except InputError as exc:
        click.echo(str(exc), err=True)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file we were told to read or write: the run could not be done
        where = exc.filename if exc.filename is not None else "<output>"
        click.echo(f"{where}: {exc.strerror or exc}", err=True)
        return EXIT_INPUT
    except EngineUnavailable as exc:  # an install problem: say what to do
        click.echo(f"regtech: {exc}", err=True)
        return 3
    except Exception as exc:  # never a traceback for users; say what and where to report
        click.echo(f"regtech: internal error: {type(exc).__name__}: {exc}", err=True)
        return 3
    return result if isinstance(result, int) else 0


def entry() -> None:
    sys.exit(main())
