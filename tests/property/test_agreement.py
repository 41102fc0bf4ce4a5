"""The durable_rules backend agrees with the reference evaluator on every rule of the built-in
packs, on specs steered to reach both ``fail`` and ``pass`` for each of them.

The deterministic corpus (each rule's first firing and first passing test case, every rule
evaluated on each) proves the coverage; the hypothesis test mutates those cases (values
swapped between cases, numbers and dates nudged across thresholds, fields dropped, sections
grafted, other as-of dates) and compares the two backends on each mutant.
"""

from __future__ import annotations

import random
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from regtech_engine.vocabulary import Outcome

from .corpus import Seed, builtin_pack, coverage_seeds, loaded, mutate, outcomes
from .profiles import examples


def _disagreements(a: dict[str, Outcome], b: dict[str, Outcome]) -> dict[str, object]:
    return {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}


def test_every_rule_fails_and_passes_and_the_backends_agree_on_the_corpus() -> None:
    seen: dict[str, set[Outcome]] = defaultdict(set)
    for seed in coverage_seeds():
        spec = loaded(seed.data)
        assert spec is not None, f"{seed.rule_id} [{seed.case}]: its test spec is invalid"
        durable = outcomes(spec, seed.as_of, "durable")
        reference = outcomes(spec, seed.as_of, "reference")
        assert durable == reference, (seed.rule_id, seed.case, _disagreements(durable, reference))
        assert durable[seed.rule_id] is seed.expect, (seed.rule_id, seed.case)
        for rule_id, outcome in durable.items():
            seen[rule_id].add(outcome)
    rules = [r.id for r in builtin_pack().rules]
    assert len(rules) >= 126
    never_fail = [r for r in rules if Outcome.FAIL not in seen[r]]
    never_pass = [r for r in rules if Outcome.PASS not in seen[r]]
    assert never_fail == [] and never_pass == []


_MUTANT_OUTCOMES: dict[str, set[Outcome]] = defaultdict(set)


@settings(max_examples=examples(40))
@given(seed=st.sampled_from(coverage_seeds()), rng=st.randoms(use_true_random=False), steps=st.integers(1, 4))
def test_the_backends_agree_on_mutated_rule_cases(seed: Seed, rng: random.Random, steps: int) -> None:
    data, as_of = mutate(seed.data, seed.as_of, rng, steps)
    spec = loaded(data)
    assert spec is not None  # mutate keeps only valid specs
    durable = outcomes(spec, as_of, "durable")
    reference = outcomes(spec, as_of, "reference")
    assert durable == reference, (seed.rule_id, seed.case, as_of, _disagreements(durable, reference))
    for rule_id, outcome in durable.items():
        _MUTANT_OUTCOMES[rule_id].add(outcome)


def test_mutants_still_reach_fail_and_pass_widely() -> None:
    """Mutation keeps specs near thresholds: a seeded sweep of one mutant per corpus case
    still makes most rules fail and pass somewhere (the corpus test guarantees all)."""
    seen: dict[str, set[Outcome]] = defaultdict(set)
    rng = random.Random(17)
    for seed in coverage_seeds()[::4]:
        data, as_of = mutate(seed.data, seed.as_of, rng, 2)
        spec = loaded(data)
        assert spec is not None
        for rule_id, outcome in outcomes(spec, as_of, "reference").items():
            seen[rule_id].add(outcome)
    rules = [r.id for r in builtin_pack().rules]
    both = [r for r in rules if {Outcome.FAIL, Outcome.PASS} <= seen[r]]
    assert len(both) >= len(rules) // 2, f"{len(both)} of {len(rules)}"
