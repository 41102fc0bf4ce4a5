"""``regtech monitor``: transaction monitoring (contracts/transactions.md).

``regtech monitor PATH|- [options]`` runs the monitor (the ``run`` subcommand, implied when
the first argument is not a subcommand); ``generate``, ``evaluate`` and ``alerts`` help test
it and work with its output. Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import UsageError
from .common import EXIT_INPUT, EXIT_OK

EXIT_REJECTED = 1  # the run completed, but more rows were rejected than --max-rejected allows
T = TypeVar("T")

SUBCOMMANDS = ("run", "generate", "evaluate", "alerts")


class _MonitorGroup(click.Group):
    """``regtech monitor PATH`` means ``regtech monitor run PATH``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_MonitorGroup)
def monitor() -> None:
    """Monitor transactions: large-value reports and suspicious-pattern alerts.

    regtech monitor PATH|- [--rates FILE] [--output FILE] [--dead-letter FILE]
    [--checkpoint DIR] [--resume] [--rules DIR]... [--holidays FILE] [--store FILE]
    [--max-rejected N] [--max-lateness 1h] [--sort-buffer ROWS] [--limit NAME=VALUE]...

    Exit status: 0 the run completed with at most --max-rejected rows rejected; 1 more rows
    were rejected (the summary on standard error says how many, by reason); 2 the run could
    not be done (bad arguments, unreadable rules, rates, holidays or checkpoint).
    """


def _limits(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> Any:
    """--limit NAME=VALUE pairs over the default caps (monitor/limits.py)."""
    from ..monitor.limits import Limits

    try:
        return Limits().with_values(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _duration(ctx: click.Context, param: click.Parameter, value: str) -> int:
    from ..monitor.clock import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


class _Progress:
    """Throughput on a terminal (standard error), at most twice a second."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.last = 0.0
        self.enabled = sys.stderr.isatty()

    def __call__(self, stats: Any) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < 0.5:
            return
        self.last = now
        rate = stats.rows / max(now - self.start, 1e-9)
        click.echo(f"\r{stats.rows:,} rows  {rate:,.0f} rows/s  {stats.alerts:,} alerts", err=True, nl=False)

    def done(self) -> None:
        if self.enabled and self.last:
            click.echo("", err=True)


@monitor.command("run")
@click.argument("source", metavar="PATH|-")
@click.option(
    "--rates",
    type=click.Path(path_type=Path, dir_okay=False),
    help="YAML: {USD: {cny: 7.10, usd: 1}, ...}; CNY needs no entry.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Alerts as JSONL (default: standard output).",
)
@click.option(
    "--dead-letter",
    "dead_letter",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Rejected rows as JSONL with line number and reason.",
)
@click.option(
    "--checkpoint",
    type=click.Path(path_type=Path, file_okay=False),
    help="Save progress in this folder (needs --output).",
)
@click.option("--resume", is_flag=True, help="Continue from the checkpoint in --checkpoint.")
@click.option(
    "--rules",
    "rules_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Add monitoring rules, parameters and lists from this folder (repeatable).",
)
@click.option(
    "--holidays",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Official holidays and adjusted working days for years the installed calendar does not cover.",
)
@click.option(
    "--store",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also keep alerts in this SQLite file (see `regtech monitor alerts`).",
)
@click.option(
    "--checkpoint-every",
    type=click.IntRange(min=1),
    default=50_000,
    show_default=True,
    help="Rows between checkpoints.",
)
@click.option(
    "--max-rejected",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Rows that may be rejected (bad, late) before the exit status is 1.",
)
@click.option(
    "--max-lateness",
    default="1h",
    show_default=True,
    callback=_duration,
    help="Standard input: how far (10m, 2h, 1d) a row may trail the newest row seen "
    "and still be put in order; later rows are rejected as late.",
)
@click.option(
    "--sort-buffer",
    type=click.IntRange(min=1),
    default=200_000,
    show_default=True,
    help="A file out of time order is sorted with this many rows "
    "in memory at most; beyond, in runs on temporary files.",
)
@click.option(
    "--max-future",
    default="366d",
    show_default=True,
    callback=_duration,
    help="A row more than this far ahead of the newest row accepted so far is "
    "rejected (reason future): one absurd timestamp must not close every "
    "business day before it.",
)
@click.option(
    "--limit",
    "limits",
    multiple=True,
    metavar="NAME=VALUE",
    callback=_limits,
    help="Set one of the monitor's memory caps (repeatable; names and defaults in "
    "docs/monitoring.md, e.g. day_rows_in_memory=200000). A cap that drops data is "
    "reported in the summary and in the alerts it touched.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="ray: spread the work over Ray actors (pip install "
    "'regtech-engine[distributed]'; docs/scale-out.md), same alerts.",
)
@click.option(
    "--address", default=None, help="With --engine ray: an existing Ray cluster (default: start a local one)."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="With --engine ray: customer partitions (a graph actor comes on top).",
)
@click.option(
    "--ray-checkpoint",
    "ray_checkpoint",
    type=click.Path(path_type=Path, file_okay=False),
    help="With --engine ray: write each actor's checkpoint to this folder.",
)
def run_command(
    source: str,
    rates: Path | None,
    output: Path | None,
    dead_letter: Path | None,
    checkpoint: Path | None,
    resume: bool,
    rules_dirs: tuple[Path, ...],
    holidays: Path | None,
    store: Path | None,
    checkpoint_every: int,
    max_rejected: int,
    max_lateness: int,
    sort_buffer: int,
    max_future: int,
    limits: Any,
    engine: str,
    address: str | None,
    workers: int,
    ray_checkpoint: Path | None,
) -> int:
    """Monitor the transactions in PATH (JSONL or CSV, .gz allowed; `-` = standard input).

    A file is processed in event-time order whatever the order of its rows; standard input
    through a reorder buffer of --max-lateness. Exit 1 when more than --max-rejected rows
    were rejected, 2 when the run could not be done.
    """
    from ..monitor.rates import Rates, load_rates
    from ..monitor.rules import load_pack
    from ..monitor.runner import RunOptions, run
    from ..monitor.workdays import WorkdayCalendar, load_holidays

    queued = source.startswith("kafka://")  # monitor/queue.py reads it
    if source != "-" and not queued and not Path(source).exists():
        raise click.BadParameter(f"{source}: no such file", param_hint="PATH")
    if source != "-" and not queued and not Path(source).is_file():
        raise click.BadParameter(
            f"{source}: not a regular file (a folder, FIFO or device); "
            "give a file, or `-` to read standard input",
            param_hint="PATH",
        )
    options = RunOptions(
        source=source,
        pack=load_pack(list(rules_dirs)),
        rates=load_rates(rates) if rates else Rates(),
        calendar=WorkdayCalendar(load_holidays(holidays) if holidays else None),
        output=output,
        dead_letter=dead_letter,
        checkpoint=checkpoint,
        resume=resume,
        store=store,
        checkpoint_every=checkpoint_every,
        max_lateness=max_lateness,
        sort_buffer=sort_buffer,
        max_future=max_future,
        limits=limits,
    )
    progress = _Progress()
    if engine == "ray":
        result = with_rare_gc(lambda: _on_ray(options, address, workers, ray_checkpoint, progress))
    else:
        result = with_rare_gc(lambda: run(options, progress=progress))
    progress.done()
    stats = result.stats
    if result.resumed_from:
        click.echo(f"resumed after row {result.resumed_from:,}", err=True)
    for row in result.dead_sample:
        field = f", {row.field}" if row.field else ""
        click.echo(f"{source}:{row.line}: rejected ({row.reason}{field}): {row.message}", err=True)
    where = f" (see {dead_letter})" if dead_letter else ""
    why = ", ".join(f"{reason} {count:,}" for reason, count in result.rejected.items())
    click.echo(
        f"{stats.rows:,} rows: {stats.transactions:,} transactions, {stats.duplicates:,} "
        f"repeated tx_id, {stats.dead:,} rejected{f' ({why})' if why else ''}{where}; "
        f"{stats.alerts:,} alerts",
        err=True,
    )
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    _report_limits(result)
    if stats.due_errors:
        click.echo(
            f"{stats.due_errors:,} large-value alerts have no report_due: their year is "
            "not in the working-day calendar (pass --holidays FILE)",
            err=True,
        )
    if stats.dead > max_rejected:
        click.echo(
            f"error: {stats.dead:,} rows rejected, more than --max-rejected "
            f"{max_rejected:,}: exit {EXIT_REJECTED}",
            err=True,
        )
        return EXIT_REJECTED
    return EXIT_OK


def _report_limits(result: Any) -> None:
    """The summary's "limits" section: each cap hit, how often, examples, what it means."""
    from ..monitor.limits import describe

    lines = describe(result.caps, result.limits)
    if lines:
        click.echo("limits (caps hit; docs/monitoring.md, --limit NAME=VALUE):", err=True)
        for line in lines:
            click.echo(f"  {line}", err=True)


def _on_ray(options: Any, address: str | None, workers: int, folder: Path | None, progress: Any) -> Any:
    """The run on Ray (imported only here: the command line never loads ray otherwise)."""
    try:
        from ..monitor.distributed import RayOptions, run_distributed
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise UsageError.single(
            f"--engine ray needs Ray: pip install 'regtech-engine[distributed]' ({exc})"
        ) from None
    result, figures = run_distributed(
        options, RayOptions(address=address, workers=workers, checkpoint=folder), progress=progress
    )
    if figures["restarts"]:
        click.echo(
            f"{figures['restarts']} actor(s) were lost and restarted from their "
            "checkpoints; the input since was replayed to them (no alert lost or "
            "doubled)",
            err=True,
        )
    return result


@monitor.command("generate")
@click.argument("out_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--n",
    "n",
    type=click.IntRange(min=100),
    default=10_000,
    show_default=True,
    help="About how many transactions to write.",
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--plants",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Planted instances per typology and large-value category.",
)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option(
    "--start", default="2025-09-15", show_default=True, help="First business day with planted typologies."
)
@click.option(
    "--days",
    type=click.IntRange(min=7),
    default=30,
    show_default=True,
    help="Business days with planted typologies.",
)
@click.option(
    "--history-days",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="Days of ordinary traffic before --start (the monitor needs history to "
    "tell new payers and quiet accounts).",
)
@click.option(
    "--population",
    type=click.Choice(["planted", "realistic"]),
    default="planted",
    show_default=True,
    help="realistic: merchants, brokers, escrow and retail "
    "spending with planted laundering, to measure alert volume and lift.",
)
@click.option(
    "--customers",
    type=click.IntRange(min=50),
    default=5_000,
    show_default=True,
    help="Customers of the realistic population.",
)
def generate_command(
    out_dir: Path,
    n: int,
    seed: int,
    plants: int,
    fmt: str,
    start: str,
    days: int,
    history_days: int,
    population: str,
    customers: int,
) -> int:
    """Write transactions.<fmt>, labels.csv and rates.yaml with planted typologies."""
    import datetime as dt

    from ..monitor.generate import GeneratorConfig, write_dataset

    try:
        first = dt.date.fromisoformat(start)
    except ValueError:
        raise click.BadParameter(f"{start!r} is not a date", param_hint="--start") from None
    files = write_dataset(
        out_dir,
        GeneratorConfig(
            n=n,
            seed=seed,
            plants=plants,
            start=first,
            days=days,
            history_days=history_days,
            population=population,
            customers=customers,
        ),
        fmt,
    )
    for file in files:
        click.echo(str(file))
    return EXIT_OK


@monitor.command("evaluate")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--labels",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Labels file (default: labels.csv beside the transactions).",
)
@click.option(
    "--alerts",
    "alerts_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Score these alerts (JSONL) instead of running the monitor.",
)
@click.option("--rates", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--rules", "rules_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--save-alerts",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the alerts raised to this JSONL file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate_command(
    path: Path,
    labels: Path | None,
    alerts_file: Path | None,
    rates: Path | None,
    rules_dirs: tuple[Path, ...],
    save_alerts: Path | None,
    as_json: bool,
) -> int:
    """Per-typology precision and recall at the alert level.

    PATH is a generated transactions file (labels.csv beside it) or an AMLSim folder
    (transactions.csv.gz, labels.csv, alerts.csv), scored as its README says.
    """
    import json

    from ..monitor import scoring as ev

    if not path.exists():
        click.echo(f"{path}: not found. {ev.WHERE_TO_GET_DATA}", err=True)
        return EXIT_INPUT
    scores = ev.evaluate_path(
        path,
        labels=labels,
        alerts_file=alerts_file,
        rates=rates,
        rules=list(rules_dirs),
        save_alerts=save_alerts,
    )
    if as_json:
        click.echo(json.dumps(scores.to_json(), indent=2))
    else:
        click.echo(scores.render())
    return EXIT_OK


@monitor.group("alerts")
def alerts_group() -> None:
    """List and mark alerts kept in an SQLite store (--store of a run)."""


@alerts_group.command("list")
@click.option("--store", required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--status", default=None)
@click.option("--kind", type=click.Choice(["large_value", "suspicious"]), default=None)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv"]),
    default="table",
    show_default=True,
    help="csv: one line per transaction of each alert.",
)
@click.option("--details", is_flag=True, help="Table: each alert's narrative and transactions under it.")
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the narrative in the table (CSV has both).",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file instead of standard output.",
)
def alerts_list(
    store: Path, status: str | None, kind: str | None, fmt: str, details: bool, lang: str, output: Path | None
) -> int:
    """Alerts as a table (id, status, kind, typology or category, customer, account, date,
    direction, amount, currency, transactions, report_due, thresholds) or CSV."""
    from ..files.safeio import write_text_atomic
    from ..monitor.alert_table import render_csv, render_table
    from ..monitor.sinks import AlertStore

    db = AlertStore(store)
    try:
        items = db.list(status, kind)
    finally:
        db.close()
    text = render_csv(items) if fmt == "csv" else render_table(items, details, lang)
    if output is not None:
        write_text_atomic(output, text)
        click.echo(f"{len(items):,} alerts written to {output}", err=True)
    else:
        click.echo(text, nl=False)
    return EXIT_OK


@alerts_group.command("mark")
@click.argument("alert_id")
@click.argument("status", type=click.Choice(["new", "reviewing", "reported", "dismissed"]))
@click.option("--store", required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--note", default=None)
def alerts_mark(alert_id: str, status: str, store: Path, note: str | None) -> int:
    """Set an alert's status (and an optional note)."""
    from ..monitor.sinks import AlertStore

    db = AlertStore(store)
    try:
        if not db.mark(alert_id, status, note):
            click.echo(f"no alert {alert_id} in {store}", err=True)
            return EXIT_INPUT
    finally:
        db.close()
    return EXIT_OK


GC_THRESHOLD = 200_000


def with_rare_gc(job: Callable[[], T]) -> T:
    """Run ``job`` with the cyclic collector run rarely, as the CLI may (a library may not
    change process-wide state). The monitor's windows hold many small long-lived objects; at
    the default thresholds the collector rescans them every few thousand rows (a third of
    the run time, measured), and the monitor's state makes no reference cycles."""
    import gc

    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, 50, 100)
    try:
        return job()
    finally:
        gc.set_threshold(*thresholds)
