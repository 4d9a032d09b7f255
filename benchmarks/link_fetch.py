"""What hostile links cost the API: its memory, the time it spends, and /healthz's latency.

    .venv/bin/python benchmarks/link_fetch.py

Starts the API twice as a real process (SQLite, like benchmarks/zip_bomb.py) and a page server
on loopback. The first API is in development with only the page server's address allowed: it is
sent a body that never ends, a gzip body that inflates to 64 MiB, a file that declares 25 MiB,
and a server that sends a byte a second, while another client polls /healthz every 20 ms and a
thread samples the API's resident memory every 5 ms. The second runs with production settings
and is sent links to private addresses and a redirect to loopback, signed in, and must refuse
each with a 4xx problem and store nothing. Writes benchmarks/results/link-fetch.{json,md}.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.support.api import sign_up
from tests.support.links import LinkServer, link_server_in_thread
from tests.support.processes import MemorySampler, api_process, poll_health, rss_bytes

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SECRET = "link-benchmark-secret-that-is-long-enough-0123"
TOTAL_LIMIT_S = 20.0  # the setting's default, which this benchmark leaves as it is


async def measure(*, api_url: str, pid: int, name: str, link: str) -> dict[str, Any]:
    """Send one link while watching memory and /healthz."""
    async with httpx.AsyncClient(base_url=api_url, timeout=120) as client:
        headers = await sign_up(client, f"{uuid.uuid4().hex[:8]}@example.org")
        baseline = rss_bytes(pid)
        stop = asyncio.Event()
        with MemorySampler(pid) as memory:
            health = asyncio.create_task(poll_health(client, stop))
            started = time.perf_counter()
            response = await client.post("/v1/predictions", json={"url": link}, headers=headers)
            took_s = time.perf_counter() - started
            await asyncio.sleep(0.1)
            stop.set()
            latencies = await health
    return {
        "link": name,
        "status": response.status_code,
        "type": response.json().get("type", "").rsplit(":", 1)[-1],
        "detail": response.json().get("detail"),
        "request_s": round(took_s, 2),
        "baseline_rss_mb": round(baseline / 2**20, 1),
        "extra_rss_mb": round((memory.peak - baseline) / 2**20, 1),
        "healthz_max_ms": round(max(latencies), 1),
        "healthz_polls": len(latencies),
    }


async def refusals(*, api_url: str, database: Path, links: dict[str, str]) -> list[dict[str, Any]]:
    """Each link sent signed in to the production API: its status, and rows stored after it."""
    rows = []
    async with httpx.AsyncClient(base_url=api_url, timeout=60) as client:
        headers = await sign_up(client, f"{uuid.uuid4().hex[:8]}@example.org")
        for name, link in links.items():
            response = await client.post("/v1/predictions", json={"url": link}, headers=headers)
            rows.append(
                {
                    "link": name,
                    "status": response.status_code,
                    "problem_json": response.headers["content-type"] == "application/problem+json",
                    "type": response.json().get("type", "").rsplit(":", 1)[-1],
                    "predictions_stored": _count(database, "predictions"),
                    "images_stored": _count(database, "images"),
                }
            )
    return rows


def _count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def hostile(site: LinkServer) -> dict[str, str]:
    """The links the development API must cut: too large, or too slow."""
    return {
        "endless body": site.url("/endless"),
        "gzip body inflating to 64 MiB": site.url("/gzip-bomb"),
        "25 MiB declared": site.put("/big.jpg", bytes(25 * 1024 * 1024), "image/jpeg"),
        "a byte a second": site.url("/slow"),
    }


def private(site: LinkServer) -> dict[str, str]:
    """The links production must refuse."""
    return {
        "127.0.0.1": site.url("/big.jpg"),
        "[::1]": f"http://[::1]:{site.port}/big.jpg",
        "169.254.169.254": "http://169.254.169.254/latest/meta-data/",
        "10.0.0.1": "http://10.0.0.1/photo.jpg",
        "0x7f000001": f"http://0x7f000001:{site.port}/big.jpg",
        "a redirect to loopback": site.url(f"/hops/1?to={site.url('/big.jpg')}"),
    }


def main() -> None:
    """Measure, print and write the figures."""
    development = {
        "DEEPCATCHER_API_ENVIRONMENT": "development",
        "DEEPCATCHER_API_LINK_ALLOWED_PRIVATE_NETWORKS": "127.0.0.1/32",
    }
    production = {"DEEPCATCHER_API_ENVIRONMENT": "production", "DEEPCATCHER_API_SECRET_KEY": SECRET}
    with (
        tempfile.TemporaryDirectory() as temporary,
        link_server_in_thread() as site,
        link_server_in_thread(host="127.0.0.2") as other,
    ):
        folder = Path(temporary)
        # From the one allowed address, a redirect to another loopback address: refused there.
        onward = {
            "redirect from the allowed server to 127.0.0.2": site.url(
                f"/hops/1?to={other.put('/photo.jpg', bytes(1024), 'image/jpeg')}"
            )
        }
        with api_process(folder, name="links", env=development) as api:
            url, pid = api.url, api.pid
            asyncio.run(measure(api_url=url, pid=pid, name="warm-up", link=site.url("/gone")))
            cuts = [
                asyncio.run(measure(api_url=url, pid=pid, name=name, link=link))
                for name, link in hostile(site).items()
            ]
            redirected = asyncio.run(refusals(api_url=url, database=api.database, links=onward))
        with api_process(folder, name="links", env=production) as api:
            refused = asyncio.run(
                refusals(api_url=api.url, database=api.database, links=private(site))
            )
        assert other.requests == [], "the redirect reached 127.0.0.2"
    write(
        cuts=cuts, refused=refused + [r | {"link": f"development: {r['link']}"} for r in redirected]
    )


def write(*, cuts: list[dict[str, Any]], refused: list[dict[str, Any]]) -> None:
    """benchmarks/results/link-fetch.{json,md}, and the tables on standard output."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    figures = {"total_limit_s": TOTAL_LIMIT_S, "cuts": cuts, "refusals": refused}
    (RESULTS / "link-fetch.json").write_text(json.dumps(figures, indent=2) + "\n")
    table = "| link | status | problem | request | extra RSS | /healthz max |\n"
    table += "| --- | --- | --- | --- | --- | --- |\n"
    table += "".join(
        f"| {r['link']} | {r['status']} | {r['type']} | {r['request_s']} s "
        f"| {r['extra_rss_mb']} MB | {r['healthz_max_ms']} ms |\n"
        for r in cuts
    )
    table += "\n| refused link (production unless named) | status | problem+json | problem "
    table += "| rows stored |\n"
    table += "| --- | --- | --- | --- | --- |\n"
    table += "".join(
        f"| {r['link']} | {r['status']} | {r['problem_json']} | {r['type']} "
        f"| {r['predictions_stored']} predictions, {r['images_stored']} images |\n"
        for r in refused
    )
    (RESULTS / "link-fetch.md").write_text(
        "# Hostile links against POST /v1/predictions\n\n`python benchmarks/link_fetch.py` "
        f"(total time limit {TOTAL_LIMIT_S:g} s, the default)\n\n" + table
    )
    print(table)


if __name__ == "__main__":
    main()
