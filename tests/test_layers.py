"""The layers, enforced: the picture in README's "How it is built" stays true.

- core (everything but the front ends cli/, service/, bdd/ and the reporters) never imports
  cli, service, reporters or bdd;
- bdd uses the library, never the CLI;
- only engine/durable/ imports durable_rules, and nothing but the backend registry
  (engine/base.py) reaches into engine/durable/.
Every import is counted, including those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "regtech_engine"
FRONT_ENDS = ("cli", "service", "bdd", "reporters")


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of every module imported anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


FILES = sorted(PACKAGE.rglob("*.py"))


def _area(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _hits(imports: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(i for i in imports if any(i == p or i.startswith(p + ".") for p in prefixes))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layers(path: Path) -> None:
    imports = _imports(path)
    area = _area(path)
    if area not in (*FRONT_ENDS, "__main__"):
        assert not _hits(imports, tuple(f"regtech_engine.{f}" for f in FRONT_ENDS)), (
            "core imports a front end"
        )
    if area == "bdd":
        assert not _hits(imports, ("regtech_engine.cli", "regtech_engine.service")), (
            "the step library uses the library, not the CLI"
        )
    rel = path.relative_to(PACKAGE).as_posix()
    if not rel.startswith("engine/durable/"):
        assert not _hits(imports, ("durable", "durable_rules_engine")), "durable_rules outside"
        if rel != "engine/base.py":
            assert not _hits(imports, ("regtech_engine.engine.durable",)), (
                "reaches behind the backend interface"
            )


def test_the_scan_sees_imports() -> None:
    assert "regtech_engine.engine.durable.backend" in _imports(PACKAGE / "engine" / "base.py")
    assert any(i.startswith("regtech_engine.reporters") for i in _imports(PACKAGE / "cli" / "check_cmd.py"))
