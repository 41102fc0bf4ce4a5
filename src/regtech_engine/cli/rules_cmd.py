"""``regtech rules``: list, show and test rule packs."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from ..authoring.ruletests import run_tests
from ..language.rules import Rule, load_pack
from ..vocabulary import Lang
from .common import (
    EXIT_FINDINGS,
    jobs_option,
    lang_option,
    load_rules,
    rules_option,
    theme_option,
)


def _citations(rule: Rule) -> str:
    cites = [f"{c.law} {c.article}" for c in rule.body.citations]
    cites += [f"[{p.param}]" for p in rule.body.cite_params]
    return "; ".join(cites)


@click.group()
def rules() -> None:
    """Inspect and test rule packs."""


@rules.command("list")
@rules_option
@theme_option
@lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def list_rules(rules_dirs: tuple[Path, ...], themes: tuple[str, ...], lang: str, fmt: str) -> None:
    """Every rule: id, theme, severity, citation."""
    pack = load_rules(rules_dirs).select(list(themes) or None)
    if fmt == "json":
        rows = [
            {
                "id": r.id,
                "theme": str(r.theme),
                "severity": r.severity.value,
                "title": r.body.title.model_dump(),
                "citations": [c.model_dump() for c in r.body.citations],
            }
            for r in pack.rules
        ]
        click.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        return
    for r in pack.rules:
        click.echo(
            f"{r.id:<48} {r.theme!s:<21} {r.severity.value:<8} {_citations(r)}"
            f"  {r.body.title.get(Lang(lang))}"
        )
    click.echo(f"{len(pack.rules)} rules")


@rules.command("show")
@click.argument("rule_id")
@rules_option
def show(rule_id: str, rules_dirs: tuple[Path, ...]) -> None:
    """A rule's full definition, as written."""
    pack = load_rules(rules_dirs)
    by_id = pack.by_id()
    if rule_id not in by_id:
        from ..errors import UsageError
        from ..suggest import did_you_mean

        raise UsageError.single(f"no rule `{rule_id}`", hint=did_you_mean(rule_id, by_id))
    rule = by_id[rule_id]
    click.echo(f"# {rule.file}")
    click.echo(Path(rule.file).read_text(encoding="utf-8"), nl=False)


@rules.command("test")
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path, file_okay=False))
@click.option("--no-builtin", is_flag=True, help="Test only the given folders' rules.")
@click.option("--backend", type=click.Choice(["durable", "reference"]), default="durable")
@jobs_option
def test(folders: tuple[Path, ...], no_builtin: bool, backend: str, jobs: int | None) -> None:
    """Run the test cases written beside the rules; exit 1 on any failure."""
    from ..pool import resolve_jobs

    pack = load_pack(list(folders), builtin=not (no_builtin or folders))
    run = run_tests(
        pack,
        list(folders),
        backend=backend,
        jobs=resolve_jobs(jobs, sum(len(r.body.tests) for r in pack.rules)),
    )
    for r in run.results:
        status = "PASS" if r.passed else "FAIL"
        detail = (
            ""
            if r.passed
            else (
                f"  (expected {r.expected.value}, got {r.actual.value if r.actual else 'error'}"
                + (f": {r.error}" if r.error else "")
                + ")"
            )
        )
        click.echo(f"{status} {r.rule_id} :: {r.name}{detail}")
    covered = len(pack.rules) - len(run.uncovered)
    pct = 100.0 * covered / len(pack.rules) if pack.rules else 100.0
    click.echo(
        f"{len(run.results) - len(run.failed)} passed, {len(run.failed)} failed; "
        f"coverage {covered}/{len(pack.rules)} rules ({pct:.0f}%) with firing and non-firing cases"
    )
    for rule_id in run.uncovered:
        click.echo(f"  no firing and non-firing cases: {rule_id}")
    if run.failed or run.uncovered:
        raise click.exceptions.Exit(EXIT_FINDINGS)


@rules.command("lint")
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path, file_okay=False))
@click.option("--no-builtin", is_flag=True, help="Lint only the given folders' rules.")
def lint_cmd(folders: tuple[Path, ...], no_builtin: bool) -> None:
    """Duplicate ids, dead rules, unknown laws, unused or undefined parameters."""
    from ..authoring.lint import lint

    result = lint(list(folders), builtin=not (no_builtin or folders))
    for problem in result.problems:
        click.echo(problem.render())
    count = len(result.pack.rules) if result.pack else 0
    click.echo(f"{len(result.problems)} problems in {count} rules")
    if result.problems:
        raise click.exceptions.Exit(EXIT_FINDINGS)


@rules.command("coverage")
@rules_option
@click.option("--all-laws", is_flag=True, help="Also list laws no rule cites.")
def coverage_cmd(rules_dirs: tuple[Path, ...], all_laws: bool) -> None:
    """Per shipped law: the duty articles rules enforce (%); then every cited article."""
    from ..authoring.coverage import duty_coverage, law_coverage

    pack = load_rules(rules_dirs)
    for law_duties in duty_coverage(pack):
        if not law_duties.duties:
            continue
        click.echo(
            f"{law_duties.law}: {law_duties.covered}/{len(law_duties.duties)} duty articles"
            f" enforced ({law_duties.percent:.0f}%); not yet: "
            + (", ".join(d.article for d in law_duties.duties if not d.rules) or "none")
        )
    click.echo("")
    for law, articles in law_coverage(pack).items():
        if not articles:
            if all_laws:
                click.echo(f"{law}: no rules")
            continue
        total = len({r for a in articles for r in a.rules})
        click.echo(f"{law} ({pack.laws[law].name.en}): {len(articles)} articles, {total} rules")
        for a in articles:
            click.echo(
                f"  Art. {a.article:<14} {len(a.rules):>3} rules {a.cases:>4} cases  " + ", ".join(a.rules)
            )


@rules.command("docs")
@rules_option
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False))
def docs_cmd(rules_dirs: tuple[Path, ...], output: Path | None) -> None:
    """Write the rule reference (markdown) generated from the rule files."""
    from ..authoring.refdocs import rules_markdown

    text = rules_markdown(load_rules(rules_dirs))
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@rules.command("packs")
@rules_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def packs_cmd(rules_dirs: tuple[Path, ...], fmt: str) -> None:
    """The packs loaded: name, version, source (built-in, installed, folder), rule count."""
    pack = load_rules(rules_dirs)
    counts = {p.name: 0 for p in pack.packs}
    for name in pack.pack_of.values():
        counts[name] = counts.get(name, 0) + 1
    rows = [
        {
            "name": p.name,
            "version": p.manifest.version,
            "source": p.source,
            "path": str(p.folder),
            "namespace": p.manifest.namespace,
            "rules": counts.get(p.name, 0),
        }
        for p in pack.packs
    ]
    if fmt == "json":
        click.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        return
    for r in rows:
        click.echo(f"{r['name']:<24} {r['version']:<10} {r['rules']:>4} rules  {r['source']}  {r['path']}")


@rules.command("new")
@click.argument("rule_id")
@click.option("--theme", required=True, help="The rule's theme (built-in or a pack's).")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="The pack folder; the rule is written to DIR/THEME/RULE_ID.yaml.",
)
def new_cmd(rule_id: str, theme: str, folder: Path) -> None:
    """Write a new rule file with firing and non-firing test stubs that fail until filled
    in (`regtech rules test DIR` says what is left)."""
    from ..errors import UsageError
    from ..language.scaffold import new_rule

    target = folder / theme / f"{rule_id}.yaml"
    if target.exists():
        raise UsageError.single("exists already; not overwritten", file=str(target))
    text = new_rule(rule_id, theme, folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(
        f"wrote {target}: fill in its condition and tests, then `regtech rules test {folder}`", err=True
    )
