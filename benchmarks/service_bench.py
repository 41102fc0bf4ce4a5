"""Requests per second of POST /v1/check beside in-process `engine.check`, in one run.

The service parses the request, checks the spec with the one shared Engine (in the thread
pool) and serialises the report; the baseline does the same check in process, so the ratio
is what HTTP, JSON and the event loop cost on top of the engine.

    python benchmarks/service_bench.py [--n 200] [--clients 4]
"""

from __future__ import annotations

import argparse
import datetime as dt
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "fixtures" / "products" / "face-pay.yaml"
AS_OF = dt.date(2026, 11, 25)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    import httpx
    import uvicorn

    from regtech_engine import Engine
    from regtech_engine.reporters.json import to_data
    from regtech_engine.service.app import create_app

    engine = Engine.load()
    text = SPEC.read_text(encoding="utf-8")
    for _ in range(5):
        to_data(engine.check(text, as_of=AS_OF))  # warm: compile once
    started = time.perf_counter()
    for _ in range(args.n):
        to_data(engine.check(text, as_of=AS_OF))
    in_process = args.n / (time.perf_counter() - started)

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}/v1/check?as_of={AS_OF}"
    body = text.encode("utf-8")
    headers = {"content-type": "application/yaml"}
    with httpx.Client(timeout=60) as client:
        for _ in range(5):
            client.post(url, content=body, headers=headers)
        started = time.perf_counter()
        for _ in range(args.n):
            assert client.post(url, content=body, headers=headers).status_code == 200
        serial = args.n / (time.perf_counter() - started)

        def one(_: int) -> int:
            return client.post(url, content=body, headers=headers).status_code

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            assert set(pool.map(one, range(args.n))) == {200}
        concurrent = args.n / (time.perf_counter() - started)
    server.should_exit = True
    thread.join(timeout=30)
    print(f"{args.n} checks of {SPEC.name}, one shared Engine")
    print(f"in-process engine.check + JSON    {in_process:8.1f} /s  (baseline)")
    print(f"POST /v1/check, 1 client          {serial:8.1f} /s  {serial / in_process:.2f}x")
    print(
        f"POST /v1/check, {args.clients} clients         {concurrent:8.1f} /s  {concurrent / in_process:.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
