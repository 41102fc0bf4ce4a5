"""`python -m regtech_engine` runs the CLI."""

from regtech_engine.cli.main import entry

entry()
