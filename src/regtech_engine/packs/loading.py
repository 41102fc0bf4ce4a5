"""Gathering the packs of a run: built-in, installed and given folders, with their laws and
themes, refusing two packs that claim one name, namespace, theme or law code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InputError, Problem, RuleError
from ..findings import Text
from ..vocabulary import Theme
from . import builtin_root
from .manifest import LAWS_FILE, Pack, engine_problem, read_manifest

BUILTIN_SOURCE = "built-in"


@dataclass
class Gathered:
    """The packs of a run in load order, and everything they declare, merged."""

    packs: list[Pack]
    laws: dict[str, Any]  # code -> law.Law
    themes: dict[str, Text]  # every theme rules may use, built-in first
    declarations: dict[str, tuple[str, Any]]  # namespace -> (pack name, fields)


def _with_laws(pack: Pack) -> Pack:
    """Attach the pack's instruments: its laws.yaml and its manifest's ``laws``."""
    from ..law.registry import laws_from, load_laws

    laws: dict[str, Any] = {}
    file = pack.folder / LAWS_FILE
    if file.is_file():  # read afresh: a long-lived process may see the pack change
        laws.update(load_laws.__wrapped__(file))
    if pack.manifest.laws and pack.document is not None:
        declared = laws_from(pack.document, pack.manifest.laws, pack.folder, ("laws",))
        both = sorted(set(declared) & set(laws))
        if both:
            raise RuleError(
                [
                    Problem(
                        f"law `{code}` is declared both here and in {file}",
                        pack.file,
                        pack.line_of("laws", code),
                        f"laws.{code}",
                    )
                    for code in both
                ]
            )
        laws.update(declared)
    return replace(pack, laws=laws)


def _installed(which: bool | Sequence[str]) -> list[Pack]:
    from .installed import installed_packs

    if which is False:
        return []
    packs = []
    for found in installed_packs():
        pack = read_manifest(found.folder, found.source)
        if which is True or found.entry in which or pack.name in which:
            packs.append(pack)
    return packs


def gather(
    extra_dirs: Sequence[Path], builtin: bool = True, installed: bool | Sequence[str] = True
) -> Gathered:
    """Read every pack's manifest and laws. With ``builtin`` false the built-in instruments
    stay citable unless a given folder declares the same code (a checkout of rules/)."""
    from ..law.registry import load_laws

    problems: list[Problem] = []
    candidates: list[Pack] = []
    if builtin:
        candidates.append(read_manifest(builtin_root(), BUILTIN_SOURCE))
    try:
        candidates += _installed(installed)
    except InputError as exc:
        problems += exc.problems
    for folder in extra_dirs:
        if not Path(folder).is_dir():
            raise RuleError.single("rules folder does not exist", file=str(folder))
        try:
            candidates.append(read_manifest(Path(folder), "folder"))
        except InputError as exc:
            problems += exc.problems
    packs: list[Pack] = []
    for pack in candidates:
        try:
            packs.append(_with_laws(pack))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise RuleError(problems)

    builtin_themes = {t.value for t in Theme}
    from ..themes import builtin_themes as labels

    themes: dict[str, Text] = dict(labels())
    laws: dict[str, Any] = {} if builtin else dict(load_laws())
    declared: dict[str, dict[str, Pack]] = {"name": {}, "namespace": {}, "theme": {}, "law": {}}
    declarations: dict[str, tuple[str, Any]] = {}

    def claim(kind: str, key: str, pack: Pack, *at: str | int) -> bool:
        other = declared[kind].get(key)
        if other is not None:
            problems.append(
                Problem(
                    f"{kind} `{key}` is declared by pack `{pack.name}` ({pack.file}) and by pack"
                    f" `{other.name}` ({other.file})",
                    pack.file,
                    pack.line_of(*at) if at else None,
                )
            )
            return False
        declared[kind][key] = pack
        return True

    for pack in packs:
        problem = engine_problem(pack, __version__)
        if problem is not None:
            problems.append(problem)
        claim("name", pack.name, pack, "name")
        ns = pack.manifest.namespace
        if ns is not None and claim("namespace", ns, pack, "namespace") and pack.manifest.fields:
            declarations[ns] = (pack.name, pack.manifest.fields)
        for theme, label in pack.theme_labels().items():
            if pack.source == BUILTIN_SOURCE and theme in builtin_themes:
                continue
            if theme in builtin_themes:
                problems.append(
                    Problem(
                        f"theme `{theme}` is a built-in theme",
                        pack.file,
                        pack.line_of("themes", theme),
                        f"themes.{theme}",
                    )
                )
            elif claim("theme", theme, pack, "themes", theme):
                themes[theme] = label
        for code, law in pack.laws.items():
            if claim("law", code, pack, "laws", code):
                laws[code] = law
    if problems:
        raise RuleError(problems)
    return Gathered(packs, laws, themes, declarations)
