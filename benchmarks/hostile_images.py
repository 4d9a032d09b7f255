"""What hostile image shapes cost the inference service: time, answer and memory per image.

    .venv/bin/python benchmarks/hostile_images.py [--model PATH] [--results DIR]

Starts the inference service as a real uvicorn process (the bundled detector unless --model
names another) and sends, one at a time, thin PNGs of random pixels (30000x1, 1x30000,
24000x2, about 100 KB each: the shapes that once grew the service by gigabytes), tiny ones
(1x1, 4x4, 16x16) and huge but cheap ones the pixel limit admits (a flat 7000x7000 PNG and a
20000x2000 banner), then checks that the service still answers. For each image: the status,
the problem's detail or the verdict, the seconds taken and how far the service's resident
memory rose above what it held before (sampled every 5 ms). Writes
benchmarks/results/hostile-images.{json,md} (`--results` for another folder).
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import numpy as np
import typer
from PIL import Image

from services.inference.benchmark.server import Server, running_service
from tests.support.images import encode, jpeg, noise_png
from tests.support.processes import MemorySampler, rss_bytes

RESULTS = Path(__file__).parent / "results"
DEFAULT_MODEL = Path("models/deepcatcher-default.keras")


def flat_png(*, width: int, height: int) -> bytes:
    """A PNG of one colour: a few kilobytes that decode to width x height x 3 bytes."""
    return encode(Image.new("RGB", (width, height), (120, 130, 140)), format="PNG")


def banner_png(*, width: int, height: int) -> bytes:
    """A PNG of a smooth horizontal gradient: cheap to send, every pixel still decoded."""
    ramp = np.linspace(0, 255, width, dtype=np.float32).astype(np.uint8)
    pixels = np.repeat(np.repeat(ramp[None, :, None], height, axis=0), 3, axis=2)
    return encode(Image.fromarray(pixels, "RGB"), format="PNG")


HOSTILE_IMAGES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "30000x1": ("thin", lambda: noise_png(width=30000, height=1)),
    "1x30000": ("thin", lambda: noise_png(width=1, height=30000)),
    "24000x2": ("thin", lambda: noise_png(width=24000, height=2)),
    "1x1": ("tiny", lambda: noise_png(width=1, height=1)),
    "4x4": ("tiny", lambda: noise_png(width=4, height=4)),
    "16x16": ("tiny", lambda: noise_png(width=16, height=16)),
    "7000x7000 flat": ("huge but cheap", lambda: flat_png(width=7000, height=7000)),
    "20000x2000 banner": ("huge but cheap", lambda: banner_png(width=20000, height=2000)),
}


def measure(server: Server, *, name: str, kind: str, data: bytes) -> dict[str, Any]:
    """Send one image to POST /v1/predict while sampling the service's memory."""
    before = rss_bytes(server.pid)
    with MemorySampler(server.pid) as memory:
        started = time.perf_counter()
        response = httpx.post(
            f"{server.url}/v1/predict", files={"file": (f"{kind}.png", data)}, timeout=300
        )
        seconds = time.perf_counter() - started
    body = response.json()
    return {
        "image": name,
        "kind": kind,
        "upload_kb": round(len(data) / 1000, 1),
        "status": response.status_code,
        "answer": body.get("detail") if response.status_code >= 400 else body.get("verdict"),
        "seconds": round(seconds, 3),
        "rss_before_mb": round(before / 2**20, 1),
        "peak_growth_mb": round(max(memory.peak - before, 0) / 2**20, 1),
    }


def still_answers(server: Server) -> bool:
    """Whether the service still reports healthy and scores an ordinary photo."""
    health = httpx.get(f"{server.url}/healthz", timeout=30)
    photo = httpx.post(
        f"{server.url}/v1/predict", files={"file": ("photo.jpg", jpeg(seed=1))}, timeout=120
    )
    return health.status_code == 200 and photo.status_code == 200


def run(*, model_path: Path, images: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
    """Start the service, send every image, and collect the figures."""
    settings = {"model_path": str(model_path), "log_level": "WARNING"}
    if model_path != DEFAULT_MODEL:
        settings["fusion_card_path"] = ""  # the bundled fusion card fits the bundled model only
    with running_service(settings=settings) as server:
        still_answers(server)  # a warm-up request, so lazy start-up work is not counted
        started_mb = rss_bytes(server.pid) / 2**20
        rows = [measure(server, name=n, kind=k, data=d) for n, (k, d) in images.items()]
        answering = still_answers(server)
        peak_mb = server.peak_rss_mb()
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "model": str(model_path),
        "rss_after_warm_up_mb": round(started_mb, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "still_answers": answering,
        "images": rows,
    }


def markdown(results: dict[str, Any]) -> str:
    """The figures as a Markdown page."""
    lines = [
        "# Hostile image shapes against the inference service",
        "",
        "`python benchmarks/hostile_images.py`",
        "",
        f"Measured {results['measured_at']} on {results['machine']['cpus']} CPUs, model "
        f"`{results['model']}`. Resident memory after warm-up {results['rss_after_warm_up_mb']} "
        f"MB, peak over the run {results['peak_rss_mb']} MB; the service still answered "
        f"afterwards: {'yes' if results['still_answers'] else 'NO'}.",
        "",
        "| image | kind | upload | status | answer | seconds | peak RSS growth |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r['image']} | {r['kind']} | {r['upload_kb']} kB | {r['status']} | {r['answer']} "
        f"| {r['seconds']} | {r['peak_growth_mb']} MB |"
        for r in results["images"]
    ]
    return "\n".join(lines) + "\n"


def main(
    model: Annotated[Path, typer.Option(help="The .keras model to serve.")] = DEFAULT_MODEL,
    results: Annotated[Path, typer.Option(help="Where to write the figures.")] = RESULTS,
) -> None:
    """Measure, print and write the figures."""
    images = {name: (kind, build()) for name, (kind, build) in HOSTILE_IMAGES.items()}
    figures = run(model_path=model, images=images)
    results.mkdir(parents=True, exist_ok=True)
    (results / "hostile-images.json").write_text(json.dumps(figures, indent=2) + "\n")
    page = markdown(figures)
    (results / "hostile-images.md").write_text(page)
    print(page)


if __name__ == "__main__":
    typer.run(main)
