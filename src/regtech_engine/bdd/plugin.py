"""pytest plugin entry point (registered as `regtech_bdd`): collects .feature files."""

from __future__ import annotations
