"""The install (issue #17 item 8): our C shim only where it is needed, and a clear message
with advice, never ``internal error: ImportError``, when the shim or the engine cannot load.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import subprocess
import sys
import types

import pytest

from tests.conftest import FIXTURES, REPO

_SETUP = REPO / "setup.py"


class _Extension:
    def __init__(self, name: str, sources: list[str]) -> None:
        self.name, self.sources = name, sources


def _setup_module(monkeypatch: pytest.MonkeyPatch) -> object:
    """setup.py's helpers without running setup(): its source up to the call, with a
    stand-in for setuptools (a venv of Python 3.12 and later has none)."""
    stub = types.ModuleType("setuptools")
    stub.Extension = _Extension  # type: ignore[attr-defined]
    stub.find_packages = lambda *a: []  # type: ignore[attr-defined]
    stub.setup = lambda **kw: None  # type: ignore[attr-defined]
    dist = types.ModuleType("setuptools.dist")
    dist.Distribution = object  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "setuptools", stub)
    monkeypatch.setitem(sys.modules, "setuptools.dist", dist)
    source = _SETUP.read_text(encoding="utf-8").split("\nsetup(", 1)[0]
    namespace: dict[str, object] = {"__name__": "regtech_setup"}
    exec(compile(source, str(_SETUP), "exec"), namespace)
    return namespace["ext_modules"]


def test_the_shim_is_built_only_from_python_3_13(monkeypatch: pytest.MonkeyPatch) -> None:
    ext_modules = _setup_module(monkeypatch)
    assert callable(ext_modules)
    assert ext_modules((3, 11)) == [] and ext_modules((3, 12)) == []
    [shim] = ext_modules((3, 13))
    assert shim.name == "regtech_engine.engine.durable._pycallobject"
    assert [e.name for e in ext_modules((3, 14))] == [shim.name]


def test_an_installed_wheel_has_a_compiled_file_only_where_needed() -> None:
    """In CI the package is installed from its wheel: on 3.11 and 3.12 it holds no compiled
    file of ours (installable without a C compiler), on 3.13 exactly the shim."""
    dist = importlib.metadata.distribution("regtech-engine")
    files = [str(f) for f in dist.files or []]
    if not any(f.startswith("regtech_engine/") for f in files):
        pytest.skip("an editable install: no wheel contents to inspect")
    compiled = sorted(f for f in files if f.endswith((".so", ".pyd")))
    if sys.version_info >= (3, 13):
        assert len(compiled) == 1 and "_pycallobject" in compiled[0], compiled
    else:
        assert compiled == []


_FAIL_ENGINE = "import sys; sys.modules['durable_rules_engine'] = None\n"
_FAIL_SHIM = (
    "import sys; sys.modules['regtech_engine.engine.durable._pycallobject'] = None\n"
    "from regtech_engine.engine.durable import _loader; _loader.NEEDS_SHIM = True\n"
)
_FAIL_SHIM_LOAD = (
    "from regtech_engine.engine.durable import _loader; _loader.NEEDS_SHIM = True\n"
    "_loader.shim_path = lambda: '/nonexistent/_pycallobject.so'\n"
)


@pytest.mark.parametrize(
    ("prelude", "said"),
    [
        (_FAIL_ENGINE, "the durable_rules C engine cannot be loaded"),
        (_FAIL_SHIM, "installed without its Python"),
        (_FAIL_SHIM_LOAD, "/nonexistent/_pycallobject.so cannot be loaded"),
    ],
    ids=["engine", "shim-missing", "shim-unloadable"],
)
def test_an_engine_that_cannot_load_is_explained(prelude: str, said: str) -> None:
    code = prelude + "from regtech_engine.cli.main import entry; entry()\n"
    spec = FIXTURES / "face-pay.yaml"
    proc = subprocess.run(
        [sys.executable, "-c", code, "check", str(spec)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert said in proc.stderr
    assert "reinstall" in proc.stderr and "--backend reference" in proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    # the advice works: the reference backend needs neither the shim nor the engine
    proc = subprocess.run(
        [sys.executable, "-c", code, "check", str(spec), "--backend", "reference", "--fail-on", "never"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def test_the_shim_source_is_shipped_where_setup_py_expects_it() -> None:
    assert (REPO / "src/regtech_engine/engine/durable/_pycallobject.c").is_file()
    assert importlib.util.find_spec("regtech_engine.engine.durable._loader") is not None


def test_readme_install_notes_give_the_tested_recipe() -> None:
    """The recipe .ci/run builds durable-rules with under GCC-14-like strictness is the one
    the README documents."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    recipe = "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject"
    assert recipe in readme
    assert recipe.split("=", 1)[1] in ci
    assert "-Werror=implicit-function-declaration" in ci and "-Werror=int-conversion" in ci
