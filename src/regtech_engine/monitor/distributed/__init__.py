"""Monitoring on Ray: the same alerts as one process, the work spread over actors.

Only this package imports ray, and only when a distributed run starts (``pip install
'regtech-engine[distributed]'``). docs/scale-out.md describes the design; in short:

- the driver reads, validates and orders the input as the single-process runner does, and a
  *sequencer* (a Monitor that keeps only the de-duplication and day-closing state) decides
  which rows are transactions and when each business day closes;
- a **graph actor** sees every transaction that can change the typologies that follow money
  across customers (fan-in, fan-out, cycle, layering, scatter-gather, and any rule of a
  typology not known to be per-customer) and computes only those;
- **customer partitions** (``--workers N``), chosen by a stable hash of the customer id,
  evaluate the per-customer rules (large-value totals, structuring, rapid in-and-out,
  dormancy, high-risk countries, sanctions);
- every actor gets the same day-close markers at the same points of the stream, so each
  closes its days exactly when the single process would.
"""

from __future__ import annotations

from .engine import (
    CROSS_CUSTOMER,
    PER_CUSTOMER,
    DistributedMonitor,
    RayOptions,
    partition_of,
    run_distributed,
    split_pack,
)

__all__ = [
    "CROSS_CUSTOMER",
    "PER_CUSTOMER",
    "DistributedMonitor",
    "RayOptions",
    "partition_of",
    "run_distributed",
    "split_pack",
]
