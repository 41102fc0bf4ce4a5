"""The check service over HTTP: the CLI's reports, located errors, size limits, concurrency."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from regtech_engine import Engine
from regtech_engine.service.app import create_app
from tests.conftest import FIXTURES, REPO

AS_OF = "2026-11-25"


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """The app served by uvicorn on a loopback port, in a thread of this process."""
    import uvicorn

    config = uvicorn.Config(
        create_app(Engine.load(), max_body=64 * 1024),
        host="127.0.0.1",
        port=_free_port(),
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # generous: a loaded machine starts slowly
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    with httpx.Client(base_url=f"http://127.0.0.1:{config.port}", timeout=60) as http:
        yield http
    server.should_exit = True
    thread.join(timeout=30)


def _cli_json(cli, path: Path) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return dict(json.loads(cli("check", str(path), "--as-of", AS_OF, "--format", "json").out))


def _same_but_path(served: dict, cli_report: dict) -> None:  # type: ignore[type-arg]
    for report in (served, cli_report):
        for result in report["results"]:
            result["spec"]["path"] = "-"
    assert served == cli_report


def test_yaml_body_gives_the_cli_report(client, cli) -> None:  # type: ignore[no-untyped-def]
    path = FIXTURES / "face-pay.yaml"
    response = client.post(
        f"/v1/check?as_of={AS_OF}", content=path.read_bytes(), headers={"content-type": "application/yaml"}
    )
    assert response.status_code == 200
    served = response.json()
    assert served["gate"]["verdict"] == "fail"
    _same_but_path(served, _cli_json(cli, path))


def test_json_request_with_options_on_a_compliant_spec(client, cli) -> None:  # type: ignore[no-untyped-def]
    path = FIXTURES / "qr-pay-compliant.yaml"
    response = client.post("/v1/check", json={"spec": path.read_text(encoding="utf-8"), "as_of": AS_OF})
    assert response.status_code == 200
    assert response.json()["gate"]["verdict"] == "pass"
    _same_but_path(response.json(), _cli_json(cli, path))
    only = client.post(
        "/v1/check", json={"spec": path.read_text(encoding="utf-8"), "as_of": AS_OF, "themes": ["aml"]}
    ).json()
    assert {f["theme"] for r in only["results"] for f in r["findings"]} <= {"aml"}


def test_a_malformed_spec_is_a_422_with_its_location(client) -> None:  # type: ignore[no-untyped-def]
    bad = "spec_version: 1\nproduct:\n  id: x\n  name: X\n  category: bank\n"
    response = client.post("/v1/check", content=bad, headers={"content-type": "text/yaml"})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["line"], error["path"]) == (5, "product.category")
    broken = client.post("/v1/check", content="a: [1,\n", headers={"content-type": "text/yaml"})
    assert broken.status_code == 422 and broken.json()["errors"][0]["line"] is not None
    unknown = client.post("/v1/check", json={"spec": "x", "nonsense": 1})
    assert unknown.status_code == 400


def test_an_oversized_request_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/v1/check", content=b"a" * (65 * 1024), headers={"content-type": "text/yaml"})
    assert response.status_code == 413


def test_explain_rules_and_health(client) -> None:  # type: ignore[no-untyped-def]
    spec = (FIXTURES / "face-pay.yaml").read_text(encoding="utf-8")
    why = client.post(
        "/v1/explain", json={"spec": spec, "as_of": AS_OF, "rule_id": "PIPL-029-SENSITIVE-SEPARATE-CONSENT"}
    )
    assert why.status_code == 200 and why.json()["outcome"] == "fail"
    assert why.json()["fix"][0]["path"].endswith("separate_consent")
    rules = client.get("/v1/rules").json()
    assert any(r["id"] == "PIPL-029-SENSITIVE-SEPARATE-CONSENT" for r in rules)
    assert client.get("/v1/rules/PIPL-029-SENSITIVE-SEPARATE-CONSENT").json()["severity"]
    assert client.get("/v1/rules/NOPE").status_code == 404
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/openapi.json").json()["paths"]["/v1/check"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_real_http_concurrent_requests_equal_the_cli(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "regtech_engine", "serve", "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # generous: a loaded machine starts slowly
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("the service did not start")
            time.sleep(0.1)
        paths = sorted(FIXTURES.glob("*.yaml"))

        def ask(path: Path) -> dict:  # type: ignore[type-arg]
            return dict(
                httpx.post(
                    f"{base}/v1/check?as_of={AS_OF}",
                    content=path.read_bytes(),
                    headers={"content-type": "application/yaml"},
                    timeout=60,
                ).json()
            )

        with ThreadPoolExecutor(max_workers=6) as pool:
            served = list(pool.map(ask, paths * 2))
        for path, report in zip(paths * 2, served, strict=True):
            _same_but_path(report, _cli_json(cli, path))
    finally:
        server.terminate()
        logs = server.communicate(timeout=30)[0]
    assert "smartpay" not in logs and "刷脸" not in logs  # no spec data in the logs
