"""An HTTP service on the embedding API: one Engine, loaded at start, shared by requests.

``POST /v1/check`` takes a spec (YAML or JSON, as the body or inside a JSON request) and
answers with the same JSON report as ``regtech check --format json``; ``POST /v1/explain``
explains one rule; ``GET /v1/rules`` and ``/v1/rules/{id}`` list the rules; ``/healthz``
says the engine is loaded. Bodies are capped (413), bad specs get 422 with file:line
locations, and nothing of a spec is ever logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import orjson
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from .. import __version__
from ..api import Engine
from ..errors import InputError
from ..reporters.json import to_data

MAX_BODY_BYTES = 2 * 1024 * 1024
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")


class CheckRequest(BaseModel):
    """A check asked for as JSON: the spec (text, or an object) and the run's options."""

    model_config = ConfigDict(extra="forbid")

    spec: str | dict[str, Any] = Field(description="the product spec, as YAML/JSON text or an object")
    as_of: dt.date | None = None
    themes: list[str] = Field(default_factory=list)
    select: list[str] = Field(default_factory=list, description="rule-id globs to keep")
    skip: list[str] = Field(default_factory=list, description="rule-id globs to leave out")
    fail_on: str = "high"
    allow_undetermined: bool = False


class ExplainRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spec: str | dict[str, Any]
    rule_id: str
    as_of: dt.date | None = None


def _problems(exc: InputError) -> list[dict[str, Any]]:
    return [
        {"file": p.file, "line": p.line, "path": p.path, "message": p.message, "hint": p.hint}
        for p in exc.problems
    ]


def _json(data: Any, status: int = 200) -> Response:
    return Response(
        orjson.dumps(data, option=orjson.OPT_INDENT_2), status_code=status, media_type="application/json"
    )


def create_app(engine: Engine, max_body: int = MAX_BODY_BYTES) -> FastAPI:
    app = FastAPI(
        title="regtech-engine",
        version=__version__,
        description="Compliance checks of fintech product specs under mainland China's rules.",
    )

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_body):
            return _too_large(max_body)
        response: Response = await call_next(request)
        return response

    async def read_body(request: Request) -> bytes:
        """The body, read up to the cap (a chunked request declares no length)."""
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_body:
                raise _TooLarge
        return bytes(body)

    @app.exception_handler(_TooLarge)
    async def too_large(request: Request, exc: _TooLarge) -> Response:
        return _too_large(max_body)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        return _json({"errors": _problems(exc)}, 422)

    async def _spec_and_options(request: Request) -> CheckRequest:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        raw = await read_body(request)
        if kind in YAML_TYPES:
            params = request.query_params
            try:
                return CheckRequest(
                    spec=raw.decode("utf-8"),
                    as_of=params.get("as_of") or None,
                    themes=params.getlist("theme"),
                    select=params.getlist("select"),
                    skip=params.getlist("skip"),
                    fail_on=params.get("fail_on", "high"),
                    allow_undetermined=params.get("allow_undetermined") in ("1", "true"),
                )
            except (UnicodeDecodeError, ValueError) as exc:
                raise HTTPException(400, f"bad request: {exc}") from None
        try:
            return CheckRequest.model_validate_json(raw)
        except ValidationError as exc:
            raise HTTPException(
                400,
                [
                    {"path": ".".join(str(x) for x in e["loc"]), "message": e["msg"]}
                    for e in exc.errors(include_url=False)
                ],
            ) from None

    @app.post(
        "/v1/check",
        summary="Check a product spec",
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/json": {"schema": CheckRequest.model_json_schema()},
                    "application/yaml": {"schema": {"type": "string"}},
                }
            }
        },
    )
    async def check(request: Request) -> Response:
        ask = await _spec_and_options(request)
        spec = ask.spec if isinstance(ask.spec, dict) else _as_text(ask.spec)
        report = await run_in_threadpool(
            engine.check,
            spec,
            as_of=ask.as_of,
            themes=ask.themes or None,
            fail_on=ask.fail_on,
            allow_undetermined=ask.allow_undetermined,
            select=ask.select,
            skip=ask.skip,
        )
        return _json(to_data(report))

    @app.post("/v1/explain", summary="Explain one rule on a product spec")
    async def explain(request: Request) -> Response:
        try:
            ask = ExplainRequest.model_validate_json(await read_body(request))
        except ValueError as exc:
            raise HTTPException(400, f"bad request: {exc}") from None
        spec = ask.spec if isinstance(ask.spec, dict) else _as_text(ask.spec)
        result = await run_in_threadpool(engine.explain, spec, ask.rule_id, as_of=ask.as_of)
        return _json(result.to_data())

    @app.get("/v1/rules", summary="The rules loaded")
    async def rules(theme: Annotated[str | None, Query()] = None) -> Response:
        return _json([_rule_summary(r) for r in engine.rules if theme is None or str(r.body.theme) == theme])

    @app.get("/v1/rules/{rule_id}", summary="One rule, with its citations and notes")
    async def rule(rule_id: str) -> Response:
        try:
            found = engine.rule(rule_id)
        except InputError as exc:
            return _json({"errors": _problems(exc)}, 404)
        body = found.body.model_dump(mode="json", exclude={"tests", "when", "applies_when"})
        return _json(body)

    @app.get("/healthz", summary="The engine is loaded")
    async def healthz() -> JSONResponse:
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "rules": len(engine.pack.rules),
                "rules_digest": engine.pack.digest,
            }
        )

    return app


class _TooLarge(Exception):
    """A request body over the service's cap."""


def _too_large(max_body: int) -> Response:
    return _json({"errors": [{"message": f"request body over {max_body:,} bytes"}]}, 413)


def _as_text(spec: str) -> str:
    """Text is always read as a spec document, never as a path on the server."""
    return spec if "\n" in spec else spec + "\n"


def _rule_summary(rule: Any) -> dict[str, Any]:
    body = rule.body
    return {
        "id": body.id,
        "theme": str(body.theme),
        "severity": str(body.severity),
        "title": body.title.model_dump(),
        "citations": [c.model_dump(mode="json", exclude_none=True) for c in body.citations],
    }
