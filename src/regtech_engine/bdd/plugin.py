"""pytest plugin entry point (registered as ``regtech_bdd``): collects ``.feature`` files.

Installing regtech-engine is enough for a compliance team: pytest finds ``.feature`` files
by itself and every step of the library (``steps.py``) is available to them.
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

pytest_plugins = [
    name for name in _STEP_MODULES if _HAVE_BDD and importlib.util.find_spec(name) is not None
]

COLLECT_OPTION = "regtech_bdd_collect"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        COLLECT_OPTION,
        type="bool",
        default=True,
        help="regtech-engine: collect .feature files without a test module "
        "(turn off if your own test modules call pytest-bdd's scenarios()).",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix != ".feature" or not parent.config.getini(COLLECT_OPTION):
        return None
    if not _HAVE_BDD:
        raise pytest.UsageError(
            f"{file_path}: running .feature files needs pytest-bdd (pip install pytest-bdd)"
        )
    from .collect import FeatureFile

    return FeatureFile.from_parent(parent, path=file_path)
