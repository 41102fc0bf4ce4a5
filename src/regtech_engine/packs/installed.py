"""Packs installed as Python distributions, found through the ``regtech_engine.packs`` entry
point group without ``--rules``.

The entry point's value names the package folder that holds the pack (``pack.yaml`` and its
rules), e.g. ``acme = acme_house_pack`` in ``[project.entry-points."regtech_engine.packs"]``.
The folder is located from the distribution's files: nothing of the package is imported, so
a pack stays data.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from ..errors import Problem, RuleError

GROUP = "regtech_engine.packs"


@dataclass(frozen=True)
class InstalledPack:
    entry: str  # the entry point's name
    folder: Path
    source: str  # installed (distribution version)


def _folder(ep: EntryPoint) -> Path | None:
    relative = ep.value.split(":", 1)[0].strip().replace(".", "/")
    dist = ep.dist
    if dist is not None:
        located = Path(str(dist.locate_file(relative)))
        if located.is_dir():
            return located
    top = ep.value.split(":", 1)[0].strip().split(".", 1)[0]
    spec = importlib.util.find_spec(top) if top.isidentifier() else None  # does not import
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidate = Path(location).parent / relative
            if candidate.is_dir():
                return candidate
    return None


def installed_packs() -> list[InstalledPack]:
    """Every installed pack, sorted by entry point name (the same distribution seen twice on
    sys.path counts once)."""
    found: dict[tuple[str, str], InstalledPack] = {}
    problems = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: (e.name, e.value)):
        dist = ep.dist
        label = f"{dist.metadata['Name']} {dist.version}" if dist is not None else ep.value
        folder = _folder(ep)
        if folder is None:
            problems.append(
                Problem(
                    f"installed pack `{ep.name}` ({label}): entry point value `{ep.value}` names"
                    " no package folder",
                    hint="the value is the package holding pack.yaml",
                )
            )
            continue
        found.setdefault(
            (ep.name, str(folder.resolve())), InstalledPack(ep.name, folder, f"installed ({label})")
        )
    if problems:
        raise RuleError(problems)
    return list(found.values())
