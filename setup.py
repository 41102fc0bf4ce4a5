"""Builds the one C extension: a shim that lets durable-rules 2.0.28 load on Python 3.13.

durable-rules calls ``PyEval_CallObject``, which CPython 3.13 removed from its C API; the shim
re-exports it as a call to ``PyObject_CallObject``. Everything else is in pyproject.toml.
"""

from setuptools import Extension, find_packages, setup

setup(
    packages=[*find_packages("src"), "regtech_engine.builtin_rules"],
    ext_modules=[
        Extension(
            "regtech_engine.engine.durable._pycallobject",
            sources=["src/regtech_engine/engine/durable/_pycallobject.c"],
        )
    ]
)
