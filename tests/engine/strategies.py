"""Hypothesis strategies that build product specs from the spec model itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

from regtech_engine.spec.models import ProductSpec
from regtech_engine.spec.schema import FieldType, fields_of

_NUMBERS = st.one_of(
    st.integers(0, 12),
    st.sampled_from(
        [
            364,
            365,
            366,
            999,
            1000,
            9_999,
            10_000,
            99_999,
            100_000,
            999_999,
            1_000_000,
            9_999_999,
            10_000_000,
            50_000,
            200_000,
            500_000,
            2_000_000,
            400_000_000,
            800_000_000,
            2_000_000_000,
            4_000_000_000,
            12_000_000_000,
        ]
    ),
    st.integers(0, 10**11),
)
_DATES = st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))
_TEXT = st.sampled_from(["face image", "mobile number", "SmartPay", "pay", "x", "Merchant"])
_COUNTRIES = st.sampled_from(["CN", "SG", "US", "HK", "DE"])


def value_for(name: str, ftype: FieldType) -> st.SearchStrategy[Any]:
    if ftype.kind == "bool":
        return st.booleans()
    if ftype.kind == "int":
        if name == "spec_version":
            return st.just(1)
        if name in ("highest_data_level", "mlps_level"):
            return st.integers(1, 5)
        return _NUMBERS
    if ftype.kind == "float":
        return st.sampled_from([0.0, 0.1, 0.099999, 0.1000001, 1 / 3, 0.5, 0.4999999, 2 / 3, 0.75, 1.0])
    if ftype.kind == "str":
        if name in ("destination",):
            return _COUNTRIES
        if name == "id":
            return st.sampled_from(["p-1", "demo", "x9"])
        return _TEXT
    if ftype.kind == "enum":
        return st.sampled_from(ftype.enum_values)
    if ftype.kind == "date":
        return _DATES
    if ftype.kind == "model" and ftype.model is not None:
        return model_data(ftype.model)
    if ftype.kind == "list" and ftype.item is not None:
        if ftype.item.kind == "str" and name in ("regions", "storage_regions"):
            return st.lists(_COUNTRIES, max_size=3)
        return st.lists(value_for(name, ftype.item), max_size=3)
    raise AssertionError(ftype)


def model_data(model: type[BaseModel], required_only: bool = False) -> st.SearchStrategy[Any]:
    fields = fields_of(model)
    required = {(info.alias or name) for name, info in model.model_fields.items() if info.is_required()}
    parts = {}
    for name, ftype in fields.items():
        strategy = value_for(name, ftype)
        parts[name] = strategy if name in required else st.one_of(st.none(), strategy)
    return st.fixed_dictionaries(parts).map(lambda d: {k: v for k, v in d.items() if v is not None})


specs = model_data(ProductSpec)
as_of_dates = st.sampled_from(
    [
        dt.date(2021, 6, 1),
        dt.date(2024, 3, 21),
        dt.date(2024, 3, 22),
        dt.date(2025, 1, 1),
        dt.date(2026, 11, 25),
    ]
)
