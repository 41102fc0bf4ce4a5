"""Product-spec validation: every problem names file, line, field and a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from regtech_engine.errors import SpecError
from regtech_engine.spec.loader import load_spec, load_spec_text

from ..conftest import BASES

HEAD = "spec_version: 1\nproduct:\n  id: demo\n  name: Demo\n  category: payment\n"


def problems(text: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_spec_text(text, "p.yaml")
    return [p.render() for p in info.value.problems]


def test_the_contract_example_and_bases_are_valid() -> None:
    for path in sorted(BASES.glob("*.yaml")):
        load_spec(path)


def test_misspelt_key_names_line_and_closest_key() -> None:
    text = HEAD + ("personal_information:\n  categories:\n    - name: face\n      seperate_consent: true\n")
    assert problems(text) == [
        "p.yaml:9: personal_information.categories[0].seperate_consent: unknown key "
        "`seperate_consent` (did you mean `separate_consent`?)"
    ]


def test_a_huge_bad_value_is_cut_short_in_the_message() -> None:
    [message] = problems(HEAD.replace("category: payment", "category: " + "x" * 200_000))
    assert message.startswith("p.yaml:5: product.category: invalid value 'xxx")
    assert "(200,002 characters)" in message and len(message) < 400


def test_bad_enum_value_suggests_the_closest() -> None:
    [message] = problems(HEAD.replace("category: payment", "category: paymnt"))
    assert message.startswith("p.yaml:5: product.category: invalid value 'paymnt'")
    assert "did you mean `payment`?" in message


def test_wrong_types_are_reported_each_with_its_line() -> None:
    text = HEAD + "data_security:\n  mlps_level: high\n  encryption: {at_rest: maybe}\n"
    found = problems(text)
    assert any(m.startswith("p.yaml:7: data_security.mlps_level:") for m in found)
    assert any(m.startswith("p.yaml:8: data_security.encryption.at_rest:") for m in found)


def test_duplicate_key_is_an_error() -> None:
    with pytest.raises(Exception, match="written twice"):
        load_spec_text(HEAD + "users:\n  expected_users: 5\n  expected_users: 6\n", "p.yaml")


def test_missing_required_fields() -> None:
    [message] = problems("spec_version: 1\nproduct:\n  id: demo\n  name: Demo\n")
    assert "product.category: required field is missing" in message


def test_wrong_spec_version_and_bad_id() -> None:
    found = problems(HEAD.replace("spec_version: 1", "spec_version: 2").replace("id: demo", "id: Demo_1"))
    assert any("spec_version" in m for m in found)
    assert any("product.id" in m for m in found)


def test_share_out_of_range_and_negative_count() -> None:
    text = HEAD + (
        "operator:\n  market_share:\n    - {market: x, share: 1.5}\nusers:\n  expected_users: -1\n"
    )
    found = problems(text)
    assert any("operator.market_share[0].share" in m for m in found)
    assert any("users.expected_users" in m for m in found)


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(SpecError, match="must be a mapping"):
        load_spec(path)


def test_json_specs_keep_lines(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"spec_version": 1,\n "product": {"id": "x", "name": "y",\n "category": "pay"}}')
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.problems[0].line == 3
    assert "did you mean `payment`?" in info.value.problems[0].render()
