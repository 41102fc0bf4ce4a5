"""pytest plugin entry point (registered as ``regtech_bdd``): collects our ``.feature`` files.

Installing regtech-engine (with the ``bdd`` extra) is enough for a compliance team: pytest
finds their ``.feature`` files by itself and every step of the library is available. It
collects only features meant for it (lane.py): tagged ``@regtech``, under a folder named in
the ``regtech_bdd_paths`` ini option, or written only with our steps; a project's own
pytest-bdd features and test modules run exactly as without it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_HAVE_BDD = importlib.util.find_spec("pytest_bdd") is not None

# Step libraries registered as plugins beside this one. Other step modules (e.g. the
# transaction-monitoring steps in monitor_steps.py) join here once they exist.
_STEP_MODULES = (
    "regtech_engine.bdd.fixtures",
    "regtech_engine.bdd.steps",
    "regtech_engine.bdd.monitor_steps",
)

pytest_plugins = [name for name in _STEP_MODULES if _HAVE_BDD and importlib.util.find_spec(name) is not None]

COLLECT_OPTION = "regtech_bdd_collect"
PATHS_OPTION = "regtech_bdd_paths"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        COLLECT_OPTION,
        type="bool",
        default=True,
        help="regtech-engine: collect .feature files meant for it without a test module "
        "(turn off if your own test modules call pytest-bdd's scenarios() on them).",
    )
    parser.addini(
        PATHS_OPTION,
        type="linelist",
        default=[],
        help="regtech-engine: collect only .feature files under these folders (relative to "
        "the rootdir); by default, features tagged @regtech or written only with its steps.",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix != ".feature" or not parent.config.getini(COLLECT_OPTION):
        return None
    if not _HAVE_BDD:
        return None  # without pytest-bdd no feature can be ours to run
    from .lane import meant_for_us

    if not meant_for_us(file_path, parent.config.getini(PATHS_OPTION), parent.config.rootpath):
        return None
    from .collect import FeatureFile

    return FeatureFile.from_parent(parent, path=file_path)
