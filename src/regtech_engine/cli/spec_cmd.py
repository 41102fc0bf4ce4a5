"""``regtech spec schema``: the JSON Schema of the spec format, for editors and CI."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from ..files.safeio import write_text_atomic
from .common import load_rules, rules_option


@click.group()
def spec() -> None:
    """The product spec format."""


@spec.command("schema")
@rules_option
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the schema here instead of standard output.",
)
def schema(rules_dirs: tuple[Path, ...], output: Path | None) -> None:
    """The JSON Schema of specs: the core format plus the loaded packs' extension fields.

    Point the YAML language server at it with a first line in the spec:
    `# yaml-language-server: $schema=./regtech-spec.schema.json`
    """
    from ..spec.jsonschema import spec_json_schema

    pack = load_rules(rules_dirs)
    text = (
        orjson.dumps(
            spec_json_schema(pack.spec_model), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
        ).decode()
        + "\n"
    )
    if output is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(output, text)
