"""``regtech init``: a starting spec for a product category, every in-scope section present."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..errors import UsageError
from ..files.safeio import write_text_atomic
from .common import as_of_option, load_rules, rules_option


@click.command()
@click.option(
    "--category",
    required=True,
    metavar="CATEGORY",
    help="The product category (spec `product.category`), e.g. consumer_credit.",
)
@click.option("--id", "product_id", default="my-product", show_default=True, help="The product id to write.")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the spec here (refused if it exists) instead of standard output.",
)
@as_of_option
@rules_option
def init(
    category: str, product_id: str, output: Path | None, as_of: dt.date, rules_dirs: tuple[Path, ...]
) -> None:
    """Write a starting product spec: the sections the category brings into scope, with
    every field listed as a comment."""
    from ..spec.models import Category
    from ..spec.scaffold import in_scope_sections, starting_spec
    from ..suggest import did_you_mean

    categories = [c.value for c in Category]
    if category not in categories:
        raise UsageError.single(
            f"unknown category `{category}`",
            hint=did_you_mean(category, categories) or "one of " + ", ".join(categories),
        )
    pack = load_rules(rules_dirs)
    text = starting_spec(pack.spec_model, category, in_scope_sections(pack, category, as_of), product_id)
    if output is None:
        click.echo(text, nl=False)
        return
    if output.exists():
        raise UsageError.single("exists already; not overwritten", file=str(output))
    write_text_atomic(output, text)
    click.echo(f"wrote {output}", err=True)
