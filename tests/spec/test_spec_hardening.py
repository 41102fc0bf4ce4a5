"""Issue #17, specs and waivers: lax types, sexagesimal numbers, dates, symlinks, devices,
identities spelt two ways."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from regtech_engine.errors import SpecError, WaiverError, YamlError
from regtech_engine.gate.waivers import identity, load_waivers
from regtech_engine.spec.loader import find_spec_files, load_spec, load_spec_text

SPEC = (Path(__file__).parents[2] / "fixtures" / "products" / "face-pay.yaml").read_text(encoding="utf-8")


def _line(text: str) -> int:
    return SPEC[: SPEC.index(text)].count("\n") + 1


@pytest.mark.parametrize(
    ("value", "needle"),
    [("true", "valid integer"), ("1:20", "'1:20'"), ("1.0", "valid integer"), ("'12'", "valid integer")],
)
def test_counts_are_strict(value: str, needle: str) -> None:
    with pytest.raises(SpecError) as info:
        load_spec_text(SPEC.replace("individuals: 2000000", f"individuals: {value}"), "s.yaml")
    problem = info.value.problems[0]
    assert (problem.line, problem.path) == (_line("individuals: 2000000"), "personal_information.individuals")
    assert needle in problem.render()


def test_an_impossible_date_names_its_field() -> None:
    with pytest.raises(YamlError) as info:
        load_spec_text(SPEC.replace("launch_date: 2026-03-01", "launch_date: 2024-02-30"), "s.yaml")
    line = _line("launch_date: 2026-03-01")
    assert info.value.problems[0].render().startswith(f"s.yaml:{line}: product.launch_date:")


def test_symlinks_out_of_a_spec_folder_are_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:$6$hash:19000:0:99999:7:::\n", encoding="utf-8")
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "x.yaml").symlink_to(secret)
    [(path, name)] = find_spec_files([str(folder)])
    with pytest.raises(SpecError) as info:
        load_spec(path, name)
    message = str(info.value)
    assert "outside" in message and "root:" not in message


def test_devices_and_fifos_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "f.yaml"
    import os

    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(YamlError, match="not a regular file"):
            load_spec(path)


def test_an_approver_spelt_with_a_zero_width_space_is_the_requester(tmp_path: Path) -> None:
    assert identity("ann\u200b@example.com") == identity("ann@example.com")
    assert identity("ＡＮＮ@Example.com") == identity("ann@example.com")
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "waivers:\n  - rule_id: R-1\n    spec: '*'\n    justification: x\n"
        '    requester: ann@example.com\n    approver: "ann\\u200b@example.com"\n'
        "    expires: 2026-01-31\n",
        encoding="utf-8",
    )
    with pytest.raises(WaiverError, match="also the requester"):
        load_waivers(waivers, {"R-1": True}, dt.date(2026, 1, 1), 365)
