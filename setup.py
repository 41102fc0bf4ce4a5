"""Builds the one C extension, and only where it is needed: a shim that lets durable-rules
2.0.28 load on Python 3.13 and later.

durable-rules calls ``PyEval_CallObject``, which CPython 3.13 removed from its C API; the shim
re-exports it as a call to ``PyObject_CallObject``. On 3.11 and 3.12 nothing is compiled, so
installing regtech-engine itself needs no C compiler there (durable-rules still does, unless a
wheel of it is at hand: see README, "Installing"). Everything else is in pyproject.toml.
"""

import sys

from setuptools import Extension, find_packages, setup
from setuptools.dist import Distribution

SHIM = Extension(
    "regtech_engine.engine.durable._pycallobject",
    sources=["src/regtech_engine/engine/durable/_pycallobject.c"],
)


def ext_modules(version: "tuple[int, int]") -> "list[Extension]":
    """The C extensions to build for an interpreter of this (major, minor) version."""
    return [SHIM] if version >= (3, 13) else []


class PerInterpreter(Distribution):
    """The wheel is tagged for the interpreter that built it (cp311-cp311-<platform>), even
    without a compiled file: a wheel built on 3.11 has no shim, so it must never be taken
    from pip's cache for a 3.13 install."""

    def has_ext_modules(self) -> bool:
        return True


setup(
    packages=[*find_packages("src"), "regtech_engine.builtin_rules"],
    ext_modules=ext_modules(sys.version_info[:2]),
    distclass=PerInterpreter,
)
