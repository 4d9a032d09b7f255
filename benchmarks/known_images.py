"""Measure the known-images match: how well altered copies match, and how fast lookups stay.

    .venv/bin/python benchmarks/known_images.py calibrate [--unrelated 10000]
    .venv/bin/python benchmarks/known_images.py scale --database-url URL [--entries 1000000]

`calibrate` hashes 200 known pictures (the tests' random scenes, plus the pictures the pinned
ComfyUI template packages ship when they are installed) and their altered copies (0.5x, JPEG
quality 70, 10% crop from the centre, 10% crop from each side in turn, a screenshot-like frame
with a small rescale), and counts how many copies match their original under the API's rule;
then it checks `--unrelated` other pictures against the same known images and counts false
matches: first tiles of real photographs (the packaged photographs the training recipe uses,
when the training extras are installed, see `photo_tiles`), then synthetic scenes for the rest.
`scale` fills an empty, migrated database with synthetic known images (6 hashes each, as the
API stores them), loads them into the API's index as a replica does at start-up, and times
`known_matches` (the index lookup plus the database read of the matched entries) for queries
near a stored entry and for unrelated ones. Both print their figures and write them to
benchmarks/results/known-images-{calibration,scale}-<host>.json.
"""

from __future__ import annotations

import asyncio
import importlib.resources
import itertools
import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from PIL import Image
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.db.base import utcnow
from services.api.db.engine import create_engine, create_session_factory
from services.api.db.migrate import upgrade
from services.api.known_images import service
from services.api.known_images.follower import IndexFollower, refresh
from services.api.known_images.index import BITS, MATCH_DISTANCE
from services.api.known_images.matching import distance
from services.api.known_images.models import KnownImage
from services.common.contract import Fingerprints
from services.inference.fingerprints.pdq import SIDES, fingerprints_of
from tests.support.fingerprints import fingerprints, known_codes, nearest_known
from tests.support.images import ALTERATIONS, scene, tiles
from training.recipe.photos import bundled_photos

RESULTS = Path(__file__).parent / "results"
TEMPLATE_PACKAGES = (
    "comfyui_workflow_templates_media_image",
    "comfyui_workflow_templates_media_api",
)
KNOWN = 200
# What the API stores for a known image: the hashes of the whole picture, of its centre and of
# it without 10% on each side.
HASHES_PER_ENTRY = 2 + len(SIDES)
app = typer.Typer(help=__doc__, no_args_is_help=True)


def shipped_pictures(limit: int) -> list[Image.Image]:
    """Up to `limit` pictures from the pinned template packages, where they are installed."""
    found: list[Image.Image] = []
    for package in TEMPLATE_PACKAGES:
        try:
            folder = Path(str(importlib.resources.files(package)))
        except ModuleNotFoundError:
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in {".jpg", ".jpeg", ".png", ".webp"} and len(found) < limit:
                found.append(Image.open(path).convert("RGB"))
    return found


def rss_mb() -> float:
    """This process's resident memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write(name: str, figures: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"known-images-{name}-{socket.gethostname()}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    typer.echo(json.dumps(figures, indent=2))
    typer.echo(f"wrote {path}")


@app.command()
def calibrate(
    unrelated: Annotated[
        int, typer.Option(help="Unrelated pictures (photo tiles, then scenes) checked.")
    ] = 10_000,
    shipped: Annotated[int, typer.Option(help="Known pictures from the template packages.")] = 100,
) -> None:
    """Altered copies' match rate and unrelated pictures' false-match rate."""
    pictures = shipped_pictures(shipped)
    originals = pictures + [scene(seed=seed) for seed in range(KNOWN - len(pictures))]
    known = [fingerprints(image, for_known=True) for image in originals]
    figures: dict[str, Any] = {"match_distance": MATCH_DISTANCE, "known": len(known)}
    figures["shipped_pictures"] = len(pictures)
    for name, alter in ALTERATIONS.items():
        distances = [
            distance(known=k, check=fingerprints(alter(o)))
            for k, o in zip(known, originals, strict=True)
        ]
        figures[f"{name}_match_rate"] = float(np.mean(np.array(distances) <= MATCH_DISTANCE))
        figures[f"{name}_distance_p50_p95"] = [float(v) for v in np.percentile(distances, [50, 95])]
    stored = known_codes(known)
    tiles = list(itertools.islice(photo_tiles(), unrelated))
    scenes = [scene(seed=seed) for seed in range(100_000, 100_000 + unrelated - len(tiles))]
    figures["unrelated"] = unrelated
    for name, pictures in (("photo_tiles", tiles), ("scenes", scenes)):
        nearest = [nearest_known(stored, check=fingerprints(picture)) for picture in pictures]
        figures[f"unrelated_{name}"] = len(pictures)
        figures[f"unrelated_{name}_false_matches"] = int(
            np.sum(np.array(nearest) <= MATCH_DISTANCE)
        )
        figures[f"unrelated_{name}_nearest_distance_min_p1"] = [
            float(min(nearest, default=BITS)),
            float(np.percentile(nearest, 1)) if nearest else float(BITS),
        ]
    false = (
        figures["unrelated_photo_tiles_false_matches"] + figures["unrelated_scenes_false_matches"]
    )
    figures["unrelated_false_match_rate"] = false / unrelated
    write("calibration", figures)


def photo_tiles() -> Iterator[Image.Image]:
    """Real photographic content: the packaged photographs (scikit-image, matplotlib, Pexels
    interiors) cut into non-overlapping tiles of 1/2 down to 1/6 of each side, 64 px at least."""
    try:
        photos = bundled_photos()
    except ModuleNotFoundError:  # the training extras are not installed
        return
    for photo in photos:
        yield from tiles(Image.fromarray(photo.load()))


async def fill(
    *, session: AsyncSession, entries: int, hashes: int, rng: np.random.Generator
) -> list[str]:
    """Insert synthetic entries in batches; returns a sample of their hashes (any of each)."""
    sample: list[str] = []
    for start in range(0, entries, 10_000):
        count = min(10_000, entries - start)
        codes = rng.integers(0, 256, size=(count, hashes, 32), dtype=np.uint8)
        now = utcnow()
        rows = [
            {
                "id": uuid.uuid4(),
                "label": "ai",
                "source": "import",
                "note": f"synthetic {start + i}",
                "pdq": code[0].tobytes().hex(),
                "pdq_codes": code.tobytes(),
                "created_at": now,
                "changed_at": now,
            }
            for i, code in enumerate(codes)
        ]
        await session.execute(insert(KnownImage), rows)
        await session.commit()
        sample.extend(code[i % hashes].tobytes().hex() for i, code in enumerate(codes[:10]))
    return sample


def near(pdq: str, *, bits: int, rng: np.random.Generator) -> str:
    value = int(pdq, 16)
    for bit in rng.choice(256, bits, replace=False):
        value ^= 1 << int(bit)
    return f"{value:064x}"


async def measure_scale(*, url: str, entries: int, hashes: int, queries: int) -> dict[str, Any]:
    engine = create_engine(url=url)
    await upgrade(engine=engine)
    sessions = create_session_factory(engine)
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    async with sessions() as session:
        sample = await fill(session=session, entries=entries, hashes=hashes, rng=rng)
    fill_s = time.perf_counter() - started
    follower, before = IndexFollower(), rss_mb()
    started = time.perf_counter()
    async with sessions() as session:
        await refresh(follower=follower, session=session)
    load_s, after = time.perf_counter() - started, rss_mb()
    timings: dict[str, list[float]] = {"near": [], "unrelated": []}
    async with sessions() as session:
        for i in range(queries):
            kind = "near" if i % 2 == 0 else "unrelated"
            base = sample[i % len(sample)] if kind == "near" else rng.bytes(32).hex()
            pdq = near(base, bits=int(rng.integers(0, MATCH_DISTANCE + 1)), rng=rng)
            check = Fingerprints(pdq=pdq, pdq_quality=100, pdq_trimmed=pdq)
            started = time.perf_counter()
            found = await service.known_matches(
                session=session, index=follower.index, fingerprints=check, admin=False
            )
            timings[kind].append((time.perf_counter() - started) * 1000)
            assert kind == "unrelated" or found, "a near copy was not found"
    await engine.dispose()
    every = timings["near"] + timings["unrelated"]
    return {
        "database": url.split(":", 1)[0],
        "entries": entries,
        "hashes_per_entry": hashes,
        "hashes_indexed": entries * hashes,
        "fill_s": round(fill_s, 1),
        "index_load_s": round(load_s, 1),
        "index_rss_mb": round(after - before, 1),
        "process_rss_mb": round(after, 1),
        "queries": queries,
        "lookup_ms_p50_p99": [round(float(v), 2) for v in np.percentile(every, [50, 99])],
        "near_ms_p50_p99": [round(float(v), 2) for v in np.percentile(timings["near"], [50, 99])],
        "unrelated_ms_p50_p99": [
            round(float(v), 2) for v in np.percentile(timings["unrelated"], [50, 99])
        ],
        "fingerprint_ms_1600x1200": round(fingerprint_ms(), 2),
        "cpus": os.cpu_count(),
        "load_average_1m_at_end": round(os.getloadavg()[0], 1),
    }


def fingerprint_ms() -> float:
    """The inference side's extra work on a check: the three PDQ hashes of a 1600x1200 photo."""
    photo = np.asarray(scene(seed=1, width=1600, height=1200))
    fingerprints_of(photo)
    runs = []
    for _ in range(20):
        started = time.perf_counter()
        fingerprints_of(photo)
        runs.append((time.perf_counter() - started) * 1000)
    return float(np.median(runs))


@app.command()
def scale(
    database_url: Annotated[str, typer.Option(help="An empty database (it is migrated).")],
    entries: Annotated[int, typer.Option(help="Synthetic known images to insert.")] = 1_000_000,
    queries: Annotated[int, typer.Option(help="Lookups to time.")] = 2000,
    hashes: Annotated[int, typer.Option(help="Hashes per entry.")] = HASHES_PER_ENTRY,
) -> None:
    """Lookup latency and memory with many known images."""
    figures = asyncio.run(
        measure_scale(url=database_url, entries=entries, hashes=hashes, queries=queries)
    )
    write(f"scale-{figures['database'].split('+')[0]}", figures)


if __name__ == "__main__":
    app()
