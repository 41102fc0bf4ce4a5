"""The durable_rules backend agrees with the reference evaluator on specs generated from the
spec model (tests/property/test_agreement.py steers generation from the rules' test cases so
that every built-in rule fails and passes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import Phase, given, settings

from regtech_engine.check import Checker
from regtech_engine.engine.values import spec_values
from regtech_engine.language.rules import RulePack, load_pack
from regtech_engine.spec.models import ProductSpec

from ..conftest import DATA
from ..property.profiles import examples
from .strategies import as_of_dates, specs

_checkers: dict[tuple[str, dt.date, str], Checker] = {}


def _checker(pack: RulePack, name: str, as_of: dt.date, backend: str) -> Checker:
    key = (name, as_of, backend)
    if key not in _checkers:
        _checkers[key] = Checker(pack, as_of, backend=backend)
    return _checkers[key]


@pytest.fixture(scope="module")
def packs() -> dict[str, RulePack]:
    return {
        "builtin": load_pack(),
        "oracle": load_pack([DATA / "oracle_rules"], builtin=False),
    }


@settings(max_examples=examples(60))
@given(data=specs, as_of=as_of_dates)
def test_backends_agree(packs: dict[str, RulePack], data: dict[str, Any], as_of: dt.date) -> None:
    model = ProductSpec.model_validate(data)
    values = spec_values(model)
    for name, pack in packs.items():
        durable = _checker(pack, name, as_of, "durable").outcomes(values)
        reference = _checker(pack, name, as_of, "reference").outcomes(values)
        assert durable == reference, {
            k: (durable[k], reference[k]) for k in durable if durable[k] != reference[k]
        }


def test_oracle_pack_reaches_every_outcome(packs: dict[str, RulePack]) -> None:
    """The generated specs are not trivial: the oracle rules see all four outcomes."""
    from hypothesis import find

    seen: set[str] = set()

    def records(data: dict[str, Any]) -> bool:
        values = spec_values(ProductSpec.model_validate(data))
        outcomes = _checker(packs["oracle"], "oracle", dt.date(2026, 11, 25), "reference").outcomes(values)
        seen.update(o.value for o in outcomes.values())
        return len(seen) == 4

    # no shrinking: the first example that completes the set is enough (it was the cost)
    find(specs, records, settings=settings(max_examples=500, phases=[Phase.generate]))
    assert seen == {"fail", "pass", "not_applicable", "insufficient_evidence"}
