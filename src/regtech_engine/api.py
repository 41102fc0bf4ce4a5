"""The embedding API: load the rule packs once, check specs from any thread, on any date.

A pre-launch review service, a CI runner or a notebook keeps one :class:`Engine` for its
lifetime. It owns a bounded cache of compiled packs (one per set of parameter values in
force, freed when evicted), so memory stays flat however many ``as_of`` dates it sees, and
it never changes process-wide state (no signal handlers, gc thresholds or locale).
Thread-safety: one Engine may be shared by any number of threads; each compiled pack
evaluates one spec at a time under its own lock, everything else is immutable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .authoring.explain import Explanation, explain
from .check import Checker
from .engine.cache import DEFAULT_SIZE, CompileCache
from .errors import UsageError
from .findings import Report
from .gate.decision import GatedReport, Policy, apply_gate
from .language.rules import Rule, RulePack, load_pack
from .spec.loader import LoadedSpec, load_spec, load_spec_text
from .spec.models import ProductSpec
from .timezone import today_in_shanghai
from .vocabulary import Theme

SpecInput = LoadedSpec | str | Path | Mapping[str, Any]


class Engine:
    """Rule packs loaded and validated once; checks and explains specs on demand."""

    def __init__(self, pack: RulePack, *, backend: str = "durable", cache_size: int = DEFAULT_SIZE) -> None:
        self.pack = pack
        self.backend = backend
        self._cache = CompileCache(cache_size)

    @classmethod
    def load(
        cls,
        rules: Iterable[str | Path] = (),
        *,
        builtin: bool = True,
        backend: str = "durable",
        cache_size: int = DEFAULT_SIZE,
    ) -> Engine:
        """The built-in packs (unless ``builtin=False``) plus rule folders, validated.

        Raises :class:`regtech_engine.errors.RuleError` with file, line and field for any
        problem in any pack, all at once.
        """
        folders = [Path(r) for r in rules]
        if not builtin and not folders:
            raise UsageError.single("an engine without the built-in packs needs rule folders")
        return cls(load_pack(folders, builtin=builtin), backend=backend, cache_size=cache_size)

    # -- rules -----------------------------------------------------------------------------
    @property
    def rules(self) -> list[Rule]:
        return list(self.pack.rules)

    def rule(self, rule_id: str) -> Rule:
        rules = self.pack.by_id()
        if rule_id not in rules:
            from .suggest import did_you_mean

            raise UsageError.single(f"no rule `{rule_id}`", hint=did_you_mean(rule_id, rules))
        return rules[rule_id]

    # -- checking --------------------------------------------------------------------------
    def checker(
        self,
        as_of: dt.date | None = None,
        themes: Sequence[Theme | str] | None = None,
        select: Sequence[str] = (),
        skip: Sequence[str] = (),
    ) -> Checker:
        """The pack prepared for one date (compiled once per set of parameter values);
        ``select``/``skip`` are rule-id globs (a pattern matching no rule is an error)."""
        pack = self.pack.select_rules(select, skip) if select or skip else self.pack
        return Checker(
            pack,
            as_of or today_in_shanghai(),
            backend=self.backend,
            themes=list(themes) if themes else None,
            cache=self._cache,
        )

    def check(
        self,
        specs: SpecInput | Sequence[SpecInput],
        *,
        as_of: dt.date | None = None,
        themes: Sequence[Theme | str] | None = None,
        fail_on: str = "high",
        allow_undetermined: bool = False,
        select: Sequence[str] = (),
        skip: Sequence[str] = (),
    ) -> GatedReport:
        """Check one spec or several; the report carries the gate's decision (``failed``).

        A spec may be a path, YAML/JSON text, a mapping or a loaded spec. Invalid specs raise
        :class:`regtech_engine.errors.SpecError` naming file, line and field.
        """
        items = [specs] if isinstance(specs, LoadedSpec | str | Path | Mapping) else specs
        loaded = [as_spec(s, f"<spec {i + 1}>", self.pack.spec_model) for i, s in enumerate(items)]
        checker = self.checker(as_of, themes, select, skip)
        report: Report = checker.report(loaded)
        policy = Policy(fail_on=fail_on, allow_undetermined=allow_undetermined)
        return apply_gate(
            report, checker.as_of, policy=policy, waivable={r.id: r.body.waivable for r in self.pack.rules}
        )

    def explain(self, spec: SpecInput, rule_id: str, *, as_of: dt.date | None = None) -> Explanation:
        """Why ``rule_id`` fires or not on ``spec``, and the smallest change to a control."""
        return explain(self.checker(as_of), as_spec(spec, "<spec>", self.pack.spec_model), self.rule(rule_id))

    # -- resources -------------------------------------------------------------------------
    @property
    def compiled_packs(self) -> int:
        """How many compiled packs the engine holds now (at most ``cache_size``)."""
        return len(self._cache)

    def close(self) -> None:
        """Free every compiled pack (the engine stays usable: packs recompile on demand)."""
        self._cache.clear()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TransactionMonitor:
    """Transactions in, alerts out: AML monitoring embedded in a stream processor.

    Rows are mappings in the transaction contract (docs/transactions.md) and must arrive in
    business-day order (a stream processor's watermark); alerts of a business day come out
    when the first row of a later day arrives, and the rest on :meth:`close`. A row that
    breaks the contract raises :class:`regtech_engine.InputError` naming its field; nothing
    is dropped silently: repeats and conflicts are in :attr:`rejected`.
    """

    def __init__(
        self,
        rules: Iterable[str | Path] = (),
        *,
        rates: str | Path | None = None,
        holidays: str | Path | None = None,
        backend: str = "durable",
        limits: Mapping[str, int] | None = None,
    ) -> None:
        """``limits``: caps on the monitor's memory by name (``monitor.limits.Limits``, e.g.
        ``{"window_rows": 5000}``); where one was hit is in :attr:`caps`, and every alert it
        touched says so in its ``limits``."""
        from .monitor.limits import Limits
        from .monitor.loop import Monitor as _Monitor
        from .monitor.rates import Rates, load_rates
        from .monitor.rules import load_pack as load_monitoring_pack
        from .monitor.workdays import WorkdayCalendar, load_holidays

        pack = load_monitoring_pack([Path(r) for r in rules])
        pack.backend = backend
        self._rates = load_rates(Path(rates)) if rates is not None else Rates()
        calendar = WorkdayCalendar(load_holidays(Path(holidays)) if holidays else None)
        self._monitor = _Monitor(pack=pack, calendar=calendar)
        try:
            caps = Limits().with_values(f"{name}={value}" for name, value in (limits or {}).items())
        except ValueError as exc:
            raise UsageError.single(f"limits: {exc}") from None
        self._monitor.attach(pack, calendar, caps)
        self._rows = 0
        self.rejected: list[Any] = []

    def feed(self, row: Mapping[str, Any]) -> list[Any]:
        """Take one transaction; the alerts of every business day it closes."""
        from .errors import TransactionError
        from .monitor.ingest import RowError, to_tx

        self._rows += 1
        try:
            tx = to_tx(dict(row), self._rows, self._rates)
        except RowError as exc:
            raise TransactionError.single(
                str(exc), file="<stream>", line=self._rows, path=exc.field
            ) from None
        alerts, dead = self._monitor.feed(tx)
        if dead is not None:
            self.rejected.append(dead)
        return list(alerts)

    def close(self) -> list[Any]:
        """The alerts of the business days still open (the stream ended)."""
        return list(self._monitor.finish())

    @property
    def caps(self) -> dict[str, int]:
        """How often each cap of ``limits`` was hit so far (empty: none was)."""
        return dict(self._monitor.features.caps.counts)


def as_spec(spec: SpecInput, name: str, model: type[ProductSpec] = ProductSpec) -> LoadedSpec:
    """Any accepted spec input as a validated spec (``model``: the core spec with the loaded
    packs' extension fields)."""
    if isinstance(spec, LoadedSpec):
        return spec
    if isinstance(spec, Path):
        return load_spec(spec, model=model)
    if isinstance(spec, Mapping):
        import orjson

        return load_spec_text(orjson.dumps(dict(spec), default=str).decode(), name, model)
    if "\n" not in spec and Path(spec).suffix in (".yaml", ".yml", ".json"):
        return load_spec(Path(spec), model=model)
    return load_spec_text(spec, name, model)
