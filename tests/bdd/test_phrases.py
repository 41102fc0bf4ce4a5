"""The English and Chinese phrase tables describe the same steps, and each is bound to code."""

from __future__ import annotations

import re

import pytest

from regtech_engine.bdd import steps
from regtech_engine.bdd.phrases import PARAMS, PHRASES, Phrase, compile_template
from regtech_engine.vocabulary import Lang


@pytest.mark.parametrize("phrase", PHRASES, ids=lambda p: p.key)
def test_both_wordings_take_the_same_slots(phrase: Phrase) -> None:
    assert sorted(phrase.slots(Lang.EN)) == sorted(phrase.slots(Lang.ZH))
    assert set(phrase.slots(Lang.EN)) <= PARAMS.keys()
    assert phrase.help_en and phrase.help_zh


def test_every_phrase_has_step_code_and_keys_are_unique() -> None:
    keys = [p.key for p in PHRASES]
    assert len(keys) == len(set(keys))
    assert set(keys) == steps.BOUND


@pytest.mark.parametrize("lang", list(Lang))
def test_each_sample_matches_its_own_phrase_only(lang: Lang) -> None:
    for phrase in PHRASES:
        text = phrase.sample(lang)
        matching = [
            (p.key, other)
            for p in PHRASES
            for other in Lang
            if p.kind == phrase.kind and re.fullmatch(p.pattern(other), text)
        ]
        assert matching == [(phrase.key, lang)], text


def test_chinese_wording_tolerates_spaces_and_chinese_quotes() -> None:
    pattern = compile_template('基础产品规格"{base}"，修改以下字段：', Lang.ZH)
    m = re.fullmatch(pattern, " 基础产品规格 “payment-compliant”, 修改以下字段:")
    assert m is not None and m.group("base") == "payment-compliant"
    assert re.fullmatch(compile_template("规则{rule}触发", Lang.ZH), "规则 A-B 不触发") is None
