"""Rule packs: where the built-in ones live, their manifests (pack.yaml) and installed packs.

This module stays import-light (the law registry imports it); the manifest model lives in
``packs.manifest`` and discovery of installed packs in ``packs.installed``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def builtin_root() -> Path:
    """The folder holding laws.yaml, parameters/ and the theme packs.

    In a wheel the repository's ``rules/`` is installed as ``regtech_engine.builtin_rules``;
    an editable install maps the same package name onto the checkout's ``rules/``.
    """
    import importlib.util

    spec = importlib.util.find_spec("regtech_engine.builtin_rules")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if (Path(location) / "laws.yaml").is_file():
                return Path(location)
    checkout = Path(__file__).resolve().parents[3] / "rules"
    if (checkout / "laws.yaml").is_file():
        return checkout
    raise FileNotFoundError("built-in rule packs not found; reinstall regtech-engine")
