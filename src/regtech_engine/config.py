"""Project configuration: ``regtech.yaml`` or ``[tool.regtech]`` in ``pyproject.toml``.

Found by walking up from the working directory, so every CI command of a repository shares
one set of rule folders, packs, gate and output settings instead of repeating its flags.
Command-line flags override it. Relative paths are relative to the configuration file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError

from .datamodel import Frozen
from .errors import InputError, Problem
from .files.yamlio import Document, format_path
from .suggest import did_you_mean
from .vocabulary import Lang, Severity

CONFIG_FILE = "regtech.yaml"
PYPROJECT = "pyproject.toml"

FailOn = Literal["critical", "high", "medium", "low", "info", "never"]


class ConfigError(InputError):
    """A project configuration file that is not acceptable."""


class ConfigFile(Frozen):
    """The keys a project configuration may set (YAML and TOML alike)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[str] = Field(default_factory=list, description="rule folders (--rules)")
    packs: list[str] | None = Field(
        None, description="installed packs to use, by name (default: every installed pack)"
    )
    fail_on: FailOn | None = Field(None, alias="fail-on", description="--fail-on")
    as_of: dt.date | None = Field(None, alias="as-of", description="--as-of")
    themes: list[str] = Field(default_factory=list, description="--theme")
    skip_rules: list[str] = Field(default_factory=list, alias="skip-rules", description="--skip-rule")
    select_rules: list[str] = Field(default_factory=list, alias="select-rules", description="--select-rule")
    waivers: str | None = Field(None, description="--waivers")
    baseline: str | None = Field(None, description="--baseline")
    outputs: dict[str, str] = Field(default_factory=dict, description="format: file, as --output-format")
    lang: Lang | None = Field(None, description="--lang")


# config key -> the command-line parameter it sets (the same name in every command)
PARAMETERS = {
    "rules": "rules_dirs",
    "fail-on": "fail_on",
    "as-of": "as_of",
    "themes": "themes",
    "skip-rules": "skip_rules",
    "select-rules": "select_rules",
    "waivers": "waivers_path",
    "baseline": "baseline_path",
    "outputs": "output_formats",
    "lang": "lang",
}
PATH_KEYS = {"rules", "waivers", "baseline", "outputs"}
DEFAULTS: dict[str, str] = {
    "rules": "none (built-in and installed packs only)",
    "packs": "every installed pack",
    "fail-on": Severity.HIGH.value,
    "as-of": "today in Asia/Shanghai",
    "themes": "all",
    "skip-rules": "none",
    "select-rules": "all",
    "waivers": "./.regtech-waivers.yaml when it exists",
    "baseline": "none",
    "outputs": "none",
    "lang": Lang.EN.value,
}


@dataclass(frozen=True)
class Setting:
    value: Any
    source: str  # ``regtech.yaml:3``, ``pyproject.toml [tool.regtech]`` or ``default``


@dataclass(frozen=True)
class ProjectConfig:
    """The configuration in effect, and where each value came from."""

    file: Path | None = None
    settings: dict[str, Setting] = field(default_factory=dict)

    def value(self, key: str) -> Any:
        setting = self.settings.get(key)
        return setting.value if setting is not None else None

    def command_defaults(self) -> dict[str, Any]:
        """Parameter name -> value as a command-line flag would give it (click's
        ``default_map``): flags given on the command line replace these."""
        out: dict[str, Any] = {}
        for key, setting in self.settings.items():
            if key not in PARAMETERS:
                continue
            value = setting.value
            if key == "outputs":
                value = [f"{fmt}={file}" for fmt, file in value.items()]
            elif key == "as-of":
                value = value.isoformat()
            out[PARAMETERS[key]] = value
        return out


def find_config(start: Path) -> tuple[Path, str] | None:
    """The nearest regtech.yaml, or pyproject.toml with a [tool.regtech] table, at or above
    ``start`` (regtech.yaml wins in one folder)."""
    for folder in [start, *start.parents]:
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate, "yaml"
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject, "toml"
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        return "[tool.regtech]" in path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def load_config(start: Path | None = None) -> ProjectConfig:
    """The project configuration found from ``start`` (default: the working directory)."""
    found = find_config((start or Path.cwd()).resolve())
    if found is None:
        return ProjectConfig()
    path, kind = found
    if kind == "yaml":
        from .files.yamlio import read_document

        doc = read_document(path)
        data = doc.data if doc.data is not None else {}
        where = str(path)
    else:
        import tomllib

        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError.single(f"not valid TOML: {exc}", file=str(path)) from None
        data = table.get("tool", {}).get("regtech", {})
        doc = Document(data, {}, str(path))
        where = f"{path} [tool.regtech]"
    if not isinstance(data, dict):
        raise ConfigError.single("the configuration is a mapping of settings", file=str(path))
    try:
        parsed = ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_problems(exc, doc)) from None
    settings: dict[str, Setting] = {}
    for name, info in ConfigFile.model_fields.items():
        key = info.alias or name
        if key not in data:
            continue
        value = getattr(parsed, name)
        if key in PATH_KEYS:
            value = _resolved(value, path.parent)
        line = doc.line_of((key,))
        settings[key] = Setting(value, f"{path}:{line}" if line else where)
    return ProjectConfig(path, settings)


def _resolved(value: Any, base: Path) -> Any:
    if isinstance(value, str):
        return str(base / value)
    if isinstance(value, list):
        return [str(base / v) for v in value]
    if isinstance(value, dict):
        return {k: str(base / v) for k, v in value.items()}
    return value


def _problems(exc: ValidationError, doc: Document) -> list[Problem]:
    keys = [info.alias or name for name, info in ConfigFile.model_fields.items()]
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        hint = None
        if err["type"] == "extra_forbidden":
            message = f"unknown setting `{loc[-1]}`"
            hint = did_you_mean(str(loc[-1]).replace("_", "-"), keys)
        else:
            message = err["msg"]
        out.append(
            Problem(
                message, doc.file, doc.line_of(loc) or doc.line_of(loc[:1]), format_path(loc) or None, hint
            )
        )
    return out
