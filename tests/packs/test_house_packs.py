"""House packs from the user's side: manifests, themes, laws, extension fields, installed
packs, conflicts, rule selection (issue #14)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, FIXTURES

PACK = DATA / "house_pack"
RULE = "ACME-POL7-003-APR-NOT-DISCLOSED"
AS_OF = "--as-of=2026-01-01"


def _spec(tmp_path: Path, acme: str, name: str = "loan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(
        "spec_version: 1\n"
        "product: {id: loan, name: Loan, category: consumer_credit}\n"
        f"extensions:\n  acme: {acme}\n",
        encoding="utf-8",
    )
    return path


def test_house_pack_fires_with_its_law_theme_and_field(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = _spec(tmp_path, "{apr_disclosed: false, apr_percent: 23.9}")
    result = cli(
        "check", str(spec), "--rules", str(PACK), "--theme", "lending_conduct", "--format", "json", AS_OF
    )
    assert result.code == 1, result.err
    assert f'"rule_id": "{RULE}"' in result.out
    assert '"theme": "lending_conduct"' in result.out
    assert '"law": "ACME-POL-7"' in result.out
    assert '"path": "extensions.acme.apr_disclosed"' in result.out
    assert '"line": 4' in result.out
    text = cli(
        "check",
        str(spec),
        "--rules",
        str(PACK),
        "--theme",
        "lending_conduct",
        "--format",
        "markdown",
        "--lang",
        "zh",
        AS_OF,
    )
    assert "在借款人签约前的借款页面展示年化利率" in text.out


def test_house_pack_passes_a_compliant_spec(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = _spec(tmp_path, "{apr_disclosed: true}")
    result = cli("check", str(spec), "--rules", str(PACK), "--select-rule", "ACME-*", AS_OF)
    assert result.code == 0, result.out + result.err
    assert "1 rules evaluated" in result.out


def test_absent_extension_field_is_insufficient_evidence(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = _spec(tmp_path, "{apr_percent: 12.0}")
    result = cli("check", str(spec), "--rules", str(PACK), "--select-rule", RULE, "--format", "json", AS_OF)
    assert '"missing": [\n            "extensions.acme.apr_disclosed"' in result.out


def test_misspelt_extension_field_exits_2_with_did_you_mean(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = _spec(tmp_path, "{apr_disclosd: true, channel: mobile, apr_percent: high}")
    result = cli("check", str(spec), "--rules", str(PACK), AS_OF)
    assert result.code == 2
    assert "loan.yaml:4: extensions.acme.apr_disclosd: unknown key" in result.err
    assert "did you mean `apr_disclosed`?" in result.err
    assert "extensions.acme.channel: invalid value 'mobile'; expected one of: app, web, branch" in result.err
    assert "extensions.acme.apr_percent" in result.err
    assert "Traceback" not in result.err


def test_undeclared_namespace_exits_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = _spec(tmp_path, "{apr_disclosed: true}")
    result = cli("check", str(spec), AS_OF)
    assert result.code == 2
    assert (
        "loan.yaml:4: extensions.acme: no loaded pack declares the extension namespace `acme`" in result.err
    )
    assert "--rules" in result.err


def test_rule_of_unknown_theme_or_field_is_located(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    rule = pack / "lending_conduct" / f"{RULE}.yaml"
    text = rule.read_text(encoding="utf-8")
    rule.write_text(
        text.replace("theme: lending_conduct", "theme: lending_conduct_x").replace(
            "path: extensions.acme.apr_disclosed", "path: extensions.acme.apr"
        ),
        encoding="utf-8",
    )
    result = cli("rules", "list", "--rules", str(pack))
    assert result.code == 2
    assert "unknown theme `lending_conduct_x`" in result.err
    assert "did you mean `lending_conduct`?" in result.err
    assert "did you mean `apr_percent`?" in result.err or "extensions.acme.apr" in result.err


def test_laws_yaml_in_a_pack_is_read(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    (pack / "laws.yaml").write_text("ACME-POL-9: {zh: 制度, en: Policy nine}\n", encoding="utf-8")
    rule = pack / "lending_conduct" / f"{RULE}.yaml"
    rule.write_text(
        rule.read_text(encoding="utf-8").replace("law: ACME-POL-7", "law: ACME-POL-9"), encoding="utf-8"
    )
    assert cli("rules", "test", str(pack)).code == 0
    (pack / "laws.yaml").write_text("ACME-POL-7: {zh: 制度, en: Policy}\n", encoding="utf-8")
    result = cli("rules", "list", "--rules", str(pack))
    assert result.code == 2 and "law `ACME-POL-7` is declared both here and in" in result.err


def test_manifest_requires_and_bad_fields_are_located(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text(
        "name: p\nnamespace: p\nversion: 1.0\nrequires: '>=99'\n"
        "fields:\n  x: {type: enumm}\n  y: {type: enum}\n",
        encoding="utf-8",
    )
    result = cli("rules", "list", "--rules", str(pack))
    assert result.code == 2
    assert "pack.yaml:6: fields.x.type" in result.err and "did you mean `enum`?" in result.err
    assert "a field of type `enum` needs `values`" in result.err
    (pack / "pack.yaml").write_text("name: p\nversion: 1.0\nrequires: '>=99'\n", encoding="utf-8")
    result = cli("rules", "list", "--rules", str(pack))
    assert result.code == 2 and "pack.yaml:3: requires: pack `p` requires regtech-engine >=99" in result.err


def _conflicting(tmp_path: Path, name: str) -> Path:
    other = tmp_path / name
    shutil.copytree(PACK, other)
    return other


def test_conflicting_packs_exit_2_naming_both(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = _conflicting(tmp_path, "other")
    manifest = other / "pack.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("name: acme-house", "name: acme-other"), encoding="utf-8"
    )
    result = cli("rules", "list", "--rules", str(PACK), "--rules", str(other))
    assert result.code == 2
    for kind in ("namespace `acme`", "theme `lending_conduct`", "law `ACME-POL-7`"):
        assert f"{kind} is declared by pack `acme-other`" in result.err, kind
        assert "and by pack `acme-house`" in result.err
    # only the rule id in common
    manifest.write_text("name: acme-other\nversion: 1.0\n", encoding="utf-8")
    rule = other / "lending_conduct" / f"{RULE}.yaml"
    rule.write_text(
        rule.read_text(encoding="utf-8")
        .replace("theme: lending_conduct", "theme: personal_information")
        .replace("law: ACME-POL-7", "law: PIPL")
        .replace("path: extensions.acme.apr_disclosed, eq: false", "path: product.name, present: false")
        .replace(" ({extensions.acme.apr_percent}%)", "")
        .replace("（{extensions.acme.apr_percent}%）", ""),
        encoding="utf-8",
    )
    result = cli("rules", "list", "--rules", str(PACK), "--rules", str(other))
    assert result.code == 2
    assert f"duplicate rule id `{RULE}` in pack `acme-other`" in result.err
    assert "of pack `acme-house`" in result.err


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The house pack as an installed distribution: a package folder and its dist-info."""
    site = tmp_path / "site"
    shutil.copytree(PACK, site / "acme_house_pack")
    info = site / "acme_house_pack-1.2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-house-pack\nVersion: 1.2.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[regtech_engine.packs]\nacme = acme_house_pack\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    return site


def test_installed_pack_is_found_by_entry_point(cli, installed: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("rules", "packs")
    assert result.code == 0, result.err
    line = next(x for x in result.out.splitlines() if x.startswith("acme-house"))
    assert "1.2.0" in line and "installed (acme-house-pack 1.2.0)" in line and "1 rules" in line
    spec = _spec(tmp_path, "{apr_disclosed: false}")
    checked = cli("check", str(spec), "--select-rule", "ACME-*", AS_OF)
    assert checked.code == 1 and RULE in checked.out
    assert "acme_house_pack" not in sys.modules  # a pack is data: nothing was imported
    # the same pack again as a folder conflicts with the installed one
    clash = cli("rules", "list", "--rules", str(PACK))
    assert clash.code == 2 and "pack `acme-house`" in clash.err


def test_skip_and_select_rule_in_check_and_impact(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    face_pay = str(FIXTURES / "face-pay.yaml")
    full = cli("check", face_pay, "--format", "json", AS_OF)
    skipped = cli("check", face_pay, "--format", "json", "--skip-rule", "PIPL-*", AS_OF)
    assert '"rule_id": "PIPL-' in full.out and '"rule_id": "PIPL-' not in skipped.out
    selected = cli("check", face_pay, "--format", "json", "--select-rule", "PIPL-029-*", AS_OF)
    ids = {line.split('"')[3] for line in selected.out.splitlines() if '"rule_id"' in line}
    assert ids and all(i.startswith("PIPL-029-") for i in ids)
    nothing = cli("check", face_pay, "--select-rule", "PIPL-O29-*", AS_OF)
    assert nothing.code == 2 and "--select-rule `PIPL-O29-*` matches no rule" in nothing.err
    impact = cli(
        "impact", face_pay, "--rules", str(PACK), "--select-rule", "ACME-*", "--skip-rule", RULE, AS_OF
    )
    assert impact.code == 0, impact.err
    bad = cli("impact", face_pay, "--rules", str(PACK), "--skip-rule", "NOPE-*", AS_OF)
    assert bad.code == 2 and "--skip-rule `NOPE-*` matches no rule" in bad.err


def test_configuration_precedence(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    shutil.copytree(PACK, project / "acme-pack")
    _spec(project, "{apr_disclosed: false}")
    (project / "pyproject.toml").write_text(
        '[tool.regtech]\nrules = ["acme-pack"]\nfail-on = "critical"\n'
        'select-rules = ["ACME-*"]\nas-of = 2026-01-01\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(project / "sub")  # found by walking up
    assert cli("check", "../loan.yaml").code == 0  # high finding, fail-on critical
    assert cli("check", "../loan.yaml", "--fail-on", "high").code == 1  # flag wins
    (project / "regtech.yaml").write_text(
        "rules: [acme-pack]\nfail-on: high\nselect-rules: ['ACME-*']\n", encoding="utf-8"
    )
    assert cli("check", "../loan.yaml", AS_OF).code == 1  # regtech.yaml beats pyproject
    shown = cli("config", "show")
    assert "fail-on       high  [" + str(project / "regtech.yaml") + ":2]" in shown.out
    assert "lang          en  [default]" in shown.out
    (project / "regtech.yaml").write_text("fail_on: high\n", encoding="utf-8")
    bad = cli("check", "../loan.yaml")
    assert bad.code == 2 and "regtech.yaml:1: fail_on: unknown setting" in bad.err
    assert "did you mean `fail-on`?" in bad.err


def test_rules_new_writes_stubs_that_fail_until_filled_in(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    made = cli("rules", "new", "ACME-POL7-004-FEES-HIDDEN", "--theme", "lending_conduct", "--dir", str(pack))
    assert made.code == 0, made.err
    assert (pack / "lending_conduct" / "ACME-POL7-004-FEES-HIDDEN.yaml").is_file()
    tested = cli("rules", "test", str(pack))
    assert tested.code == 1
    assert tested.out.count("FAIL ACME-POL7-004-FEES-HIDDEN") == 2
    assert (
        cli(
            "rules", "new", "ACME-POL7-004-FEES-HIDDEN", "--theme", "lending_conduct", "--dir", str(pack)
        ).code
        == 2
    )
