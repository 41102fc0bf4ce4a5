"""One module per typology, each with its own state and docstring; the feature layer
(``monitor/features.py``) calls them for every transaction in a fixed order.

Shared state lives beside them: window lengths, flows and evidence in ``monitor/windows.py``;
the relationship graph (new relationships, parties, hubs) in ``_graph.py``, searched once
per new transfer for cycle and layering.

A new typology = a module here (a class with ``observe`` and, if it keeps windowed state,
``sweep``), a field and a call in ``features.Features``, its rule file in the pack, the
feature fields it writes in ``documents.TransactionFeatures``, and its tests. A class that
holds state must also be listed in ``checkpoint.STATE_MODULES`` (a checkpoint rebuilds only
the classes listed there), with ``checkpoint.VERSION`` bumped.
"""

from __future__ import annotations

# the typologies a monitoring rule may name (`typology:`), in the feature layer's order
TYPOLOGIES = (
    "structuring",
    "rapid_in_out",
    "fan_in",
    "fan_out",
    "cycle",
    "layering",
    "scatter_gather",
    "dormant_reactivation",
    "high_risk_country",
    "sanctions_match",
)

__all__ = ["TYPOLOGIES"]
