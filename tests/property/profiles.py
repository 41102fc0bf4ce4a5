"""Hypothesis profiles for the whole suite, loaded by tests/conftest.py.

``ci`` (the default): derandomized (a fixed seed: the same examples on every run and
machine), no deadline, no shrinking (a failure is reported as found, with its seed blob;
rerun it under ``long`` to shrink it), bounded examples. ``long``: random seeds, shrinking,
every test's example budget times ``LONG_FACTOR``::

    HYPOTHESIS_PROFILE=long python -m pytest tests/property tests/engine tests/monitor
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

LONG_FACTOR = 20
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=50,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
    print_blob=True,
    suppress_health_check=_SLOW_OK,
)
settings.register_profile(
    "long",
    deadline=None,
    max_examples=50 * LONG_FACTOR,
    print_blob=True,
    suppress_health_check=_SLOW_OK,
)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """A test's example budget: ``n`` in CI, ``n * LONG_FACTOR`` under the long profile."""
    return n * LONG_FACTOR if PROFILE == "long" else n
