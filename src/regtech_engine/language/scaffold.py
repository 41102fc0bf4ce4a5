"""A new rule file (``regtech rules new``): every required key present, a condition that
names a real field, and one firing and one non-firing test case that fail until filled in
(their base spec is a placeholder), so a half-written rule can never pass CI."""

from __future__ import annotations

from pathlib import Path

from ..packs.manifest import MANIFEST, read_manifest

PLACEHOLDER_BASE = "TODO-base-spec"


def _citation(folder: Path) -> tuple[str, str]:
    """The first instrument of the pack's manifest, else the PIPL (to be replaced)."""
    if (folder / MANIFEST).is_file():
        laws = read_manifest(folder, "folder").manifest.laws
        if laws:
            return next(iter(laws)), "1"
    return "PIPL", "1"


def new_rule(rule_id: str, theme: str, folder: Path) -> str:
    law, article = _citation(folder)
    return f"""# A new rule: replace every TODO, then run `regtech rules test {folder}`.
# The two test cases fail until their `base` names a real base spec (rules/bases/ or a
# bases/ folder in your pack) and `set` makes the rule fire (first) or not (second).
id: {rule_id}
theme: {theme}
severity: medium                    # critical | high | medium | low | info
basis: house_policy  # statute | regulation | departmental_rule | standard | practice | house_policy
title:
  en: TODO what the rule finds, in one line
  zh: TODO 规则发现的问题（一句话）
message:
  en: TODO what is wrong with this product
  zh: TODO 该产品存在的问题
remediation:
  en: TODO how to fix it
  zh: TODO 整改方法
citations:
  - {{law: {law}, article: "{article}"}}   # TODO the article the rule enforces
when:                               # TODO the condition that makes the rule fire
  {{path: product.name, eq: TODO-replace-this-condition}}
notes: >
  TODO why the cited text requires this, and how sure we are of the reading.
tests:
  - name: TODO a product that breaks the rule
    base: {PLACEHOLDER_BASE}
    set: {{}}
    as_of: 2026-01-01
    expect: fail
  - name: TODO a product that complies
    base: {PLACEHOLDER_BASE}
    set: {{}}
    as_of: 2026-01-01
    expect: pass
"""
