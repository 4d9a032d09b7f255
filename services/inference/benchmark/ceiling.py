"""The in-process ceiling: decode, crops and both networks at several batch sizes, no HTTP."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np

from services.common.images import decode_image
from services.inference.benchmark.in_process import InProcessModel
from services.inference.config import InferenceSettings
from services.inference.detectors.evidence.provenance.c2pa import C2paInspector
from services.inference.detectors.evidence.provenance.service import inspect_provenance
from services.inference.detectors.evidence.spectrum.service import spectrum_signal
from services.inference.imaging import upright_rgb
from services.inference.predictions.service import DecodedImage, decode_and_crop


@dataclass(frozen=True, slots=True)
class CeilingRow:
    """Throughput of decode + crops (on the worker pool) then both networks, per batch size."""

    batch_size: int
    images_per_s: float
    decode_and_crops_ms: float
    model_ms: float


@dataclass(frozen=True, slots=True)
class Ceiling:
    """The ceiling rows, single-image latency, and the per-image cost of the other signals."""

    rows: list[CeilingRow]
    single_image_ms: float
    single_image_p99_ms: float
    stage_ms: dict[str, float]
    other_cpu_percent: float = 0.0

    @property
    def best(self) -> CeilingRow:
        """The batch size with the highest throughput."""
        return max(self.rows, key=lambda row: row.images_per_s)


def merge_ceilings(first: Ceiling, second: Ceiling) -> Ceiling:
    """The mean of two measurements of the same ceiling."""

    def mean(a: float, b: float) -> float:
        return round((a + b) / 2, 2)

    rows = [
        CeilingRow(
            batch_size=a.batch_size,
            images_per_s=mean(a.images_per_s, b.images_per_s),
            decode_and_crops_ms=mean(a.decode_and_crops_ms, b.decode_and_crops_ms),
            model_ms=mean(a.model_ms, b.model_ms),
        )
        for a, b in zip(first.rows, second.rows, strict=True)
    ]
    return Ceiling(
        rows=rows,
        single_image_ms=mean(first.single_image_ms, second.single_image_ms),
        single_image_p99_ms=max(first.single_image_p99_ms, second.single_image_p99_ms),
        stage_ms={k: mean(v, second.stage_ms[k]) for k, v in first.stage_ms.items()},
        other_cpu_percent=max(first.other_cpu_percent, second.other_cpu_percent),
    )


def measure_ceiling(
    *, model: InProcessModel, images: list[bytes], batch_sizes: list[int], min_images: int
) -> Ceiling:
    """Time the pipeline's heavy stages in this process, without HTTP or the batcher."""
    settings = model.settings
    crops_of = partial(_crops, model=model)
    with ThreadPoolExecutor(settings.preprocess_workers) as pool:
        rows = [
            _row(
                size,
                images=images,
                pool=pool,
                crops_of=crops_of,
                model=model,
                rounds=max(3, -(-min_images // size)),
            )
            for size in batch_sizes
        ]
    single = [
        _single(images[i % len(images)], crops_of=crops_of, model=model) for i in range(min_images)
    ]
    return Ceiling(
        rows=rows,
        single_image_ms=statistics.median(single),
        single_image_p99_ms=float(np.percentile(single, 99)),
        stage_ms=_other_stages(images[0], settings=settings),
    )


def _crops(data: bytes, *, model: InProcessModel) -> DecodedImage:
    """The service's own decode and crop step."""
    return decode_and_crop(
        data, settings=model.settings, lowlevel=model.lowlevel, views=model.views
    )


def _models(decoded: list[DecodedImage], *, model: InProcessModel) -> None:
    """The networks, as the service runs them: every crop at once, then each image's views."""
    name = model.lowlevel.name
    model.runner.logits(np.concatenate([d.view_inputs[name].crops for d in decoded]))
    for image in decoded:
        for view in model.views:
            view.score(image.view_inputs[view.name])


def _row(
    size: int,
    *,
    images: list[bytes],
    pool: ThreadPoolExecutor,
    crops_of: partial[DecodedImage],
    model: InProcessModel,
    rounds: int,
) -> CeilingRow:
    decode: list[float] = []
    models: list[float] = []
    for round_ in range(rounds):
        batch = [images[(round_ * size + i) % len(images)] for i in range(size)]
        started = time.perf_counter()
        images_decoded = list(pool.map(crops_of, batch))
        decoded = time.perf_counter()
        _models(images_decoded, model=model)
        decode.append(decoded - started)
        models.append(time.perf_counter() - decoded)
    total = statistics.median(d + m for d, m in zip(decode, models, strict=True))
    return CeilingRow(
        batch_size=size,
        images_per_s=round(size / total, 2),
        decode_and_crops_ms=round(statistics.median(decode) * 1000, 1),
        model_ms=round(statistics.median(models) * 1000, 1),
    )


def _single(data: bytes, *, crops_of: partial[DecodedImage], model: InProcessModel) -> float:
    started = time.perf_counter()
    _models([crops_of(data)], model=model)
    return (time.perf_counter() - started) * 1000


def _other_stages(
    data: bytes, *, settings: InferenceSettings, repeats: int = 10
) -> dict[str, float]:
    """Milliseconds per image for the signals the ceiling leaves out (the service runs them)."""
    image, facts = decode_image(data, max_pixels=settings.max_image_pixels)
    pixels = upright_rgb(image)
    c2pa = C2paInspector(trust_anchors_path=None)
    stages: dict[str, Callable[[], object]] = {
        "provenance": lambda: inspect_provenance(
            data=data, image=image, mime_type=facts.mime_type, c2pa=c2pa
        ),
        "spectrum": lambda: spectrum_signal(
            pixels=pixels,
            image_format=facts.format,
            max_tiles=settings.spectrum_max_crops,
            image_px=settings.spectrum_image_px,
        ),
    }
    timings = {}
    for name, stage in stages.items():
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            stage()
            samples.append((time.perf_counter() - started) * 1000)
        timings[name] = round(statistics.median(samples), 2)
    return timings
