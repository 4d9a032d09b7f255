"""What a zip bomb sent to `POST /v1/jobs` costs the API: its memory and /healthz's latency.

    .venv/bin/python benchmarks/zip_bomb.py

Starts the API as a real process (SQLite, the local Redis as the job queue), then sends the bomb
of issue 12 (100 entries of 8 MiB of zeros, about 825 KB) a few times, and for comparison an
honest zip of photos, while another client polls /healthz every 20 ms and a thread samples the
API's resident memory every 5 ms. Writes benchmarks/results/zip-bomb.{json,md}.
"""

from __future__ import annotations

import asyncio
import io
import json
import tempfile
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

import httpx

from tests.support.api import sign_up
from tests.support.images import jpeg
from tests.support.processes import MemorySampler, api_process, poll_health, rss_bytes

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def bomb() -> bytes:
    """Issue 12's bomb: 100 entries of 8 MiB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(100):
            archive.writestr(f"zeros{index}.jpg", bytes(8 * 1024 * 1024))
    return buffer.getvalue()


def photos(count: int = 200) -> bytes:
    """An honest zip: `count` different photo-like JPEGs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for seed in range(count):
            archive.writestr(f"photo{seed}.jpg", jpeg(seed=seed, width=640, height=480))
    return buffer.getvalue()


async def measure(*, api_url: str, pid: int, name: str, archive: bytes) -> dict[str, Any]:
    """Send one archive as a job while watching memory and /healthz."""
    async with httpx.AsyncClient(base_url=api_url, timeout=120) as client:
        headers = await sign_up(client, f"{uuid.uuid4().hex[:8]}@example.org")
        baseline = rss_bytes(pid)
        stop = asyncio.Event()
        with MemorySampler(pid) as memory:
            health = asyncio.create_task(poll_health(client, stop))
            started = time.perf_counter()
            files = [("files", (f"{name}.zip", archive, "application/zip"))]
            response = await client.post("/v1/jobs", files=files, headers=headers)
            took_ms = (time.perf_counter() - started) * 1000
            await asyncio.sleep(0.1)
            stop.set()
            latencies = await health
    return {
        "archive": name,
        "upload_bytes": len(archive),
        "status": response.status_code,
        "detail": response.json().get("detail"),
        "items": response.json().get("total"),
        "request_ms": round(took_ms, 1),
        "baseline_rss_mb": round(baseline / 2**20, 1),
        "extra_rss_mb": round((memory.peak - baseline) / 2**20, 1),
        "healthz_max_ms": round(max(latencies), 1),
        "healthz_polls": len(latencies),
    }


def main() -> None:
    """Measure, print and write the figures."""
    archives = {"bomb": bomb(), "photos": photos()}
    with tempfile.TemporaryDirectory() as folder, api_process(Path(folder), name="bomb") as api:
        url, pid = api.url, api.pid
        # One honest job first, so that start-up work (lazy imports, thread pools) is not counted.
        asyncio.run(measure(api_url=url, pid=pid, name="warm-up", archive=photos(count=2)))
        runs = [
            asyncio.run(measure(api_url=url, pid=pid, name=name, archive=archives[name]))
            for name in ("bomb", "bomb", "bomb", "photos", "photos")
        ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "zip-bomb.json").write_text(json.dumps(runs, indent=2) + "\n")
    header = "| archive | upload | status | items | request | extra RSS | /healthz max |\n"
    header += "| --- | --- | --- | --- | --- | --- | --- |\n"
    rows = "".join(
        f"| {r['archive']} | {r['upload_bytes'] / 1000:.0f} kB | {r['status']} | {r['items']} "
        f"| {r['request_ms']} ms | {r['extra_rss_mb']} MB | {r['healthz_max_ms']} ms |\n"
        for r in runs
    )
    (RESULTS / "zip-bomb.md").write_text(
        "# A zip bomb against POST /v1/jobs\n\n`python benchmarks/zip_bomb.py`\n\n" + header + rows
    )
    print(header + rows)


if __name__ == "__main__":
    main()
