"""``regtech law show CODE ARTICLE`` and ``regtech law search WORDS``: read the shipped texts."""

from __future__ import annotations

import datetime as dt

import click

from ..law.browse import search, show
from ..law.cite import format_citation
from ..law.registry import load_laws
from ..vocabulary import Lang
from .common import as_of_option, lang_option

_SNIPPET = 70


@click.group("law")
def law() -> None:
    """Read the official texts shipped with the engine, as in force on a date."""


@law.command("show")
@click.argument("code")
@click.argument("article")
@as_of_option
@lang_option
def show_cmd(code: str, article: str, as_of: dt.date, lang: str) -> None:
    """Print an article (29), a paragraph (13 para 2) or an item (38(1)) of law CODE."""
    laws = load_laws()
    shown = show(code, article, as_of, laws)
    heading = format_citation(code, article, lang, laws)
    if Lang(lang) is Lang.EN:
        heading += f": {shown.law.name.en} ({shown.law.name.zh})"
    click.echo(heading)
    click.echo(("版本" if Lang(lang) is Lang.ZH else "version") + f": {shown.version.label()}")
    if shown.version.derived and shown.version.note:
        click.echo(f"note: {' '.join(shown.version.note.split())}")
    click.echo("")
    click.echo(shown.text)


@law.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option("--law", "code", metavar="CODE", help="Only this law.")
@as_of_option
@lang_option
def search_cmd(words: tuple[str, ...], code: str | None, as_of: dt.date, lang: str) -> None:
    """List the articles holding every one of WORDS (Chinese substring search)."""
    laws = load_laws()
    hits = search(list(words), as_of, laws, code)
    for hit in hits:
        snippet = " ".join(hit.text.split())
        if len(snippet) > _SNIPPET:
            snippet = snippet[:_SNIPPET] + "…"
        click.echo(f"{format_citation(hit.law.code, str(hit.article), lang, laws)}  {snippet}")
    if not hits:
        click.echo(f"no article in force on {as_of} holds {' '.join(words)}", err=True)
