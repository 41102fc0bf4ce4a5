"""``regtech serve``: the pre-launch check service (extra ``[serve]``: FastAPI and uvicorn)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from .common import rules_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--max-body",
    type=click.IntRange(min=1024),
    default=2 * 1024 * 1024,
    show_default=True,
    help="Largest request body accepted, in bytes (else 413).",
)
@rules_option
def serve(host: str, port: int, max_body: int, rules_dirs: tuple[Path, ...]) -> None:
    """Serve POST /v1/check and /v1/explain, GET /v1/rules and /healthz (OpenAPI at /docs)."""
    try:
        import uvicorn

        from ..service.app import create_app
    except ImportError:
        raise UsageError.single("the service needs its extra: pip install 'regtech-engine[serve]'") from None
    from ..api import Engine

    engine = Engine.load(rules_dirs)  # invalid packs fail here, before the port opens
    uvicorn.run(create_app(engine, max_body), host=host, port=port, log_level="info", access_log=True)
