"""From upload bytes to a Prediction: decode, every scoring view, the other signals, the verdict."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import numpy as np
from PIL import Image

from services.common.contract import Fingerprints, ImageInfo, ModelRef, Signal
from services.common.images import ImageFacts, decode_image
from services.inference.config import InferenceSettings
from services.inference.detectors.base import Admission, ScoringView, Serving, ViewScore
from services.inference.detectors.calibration import calibrated
from services.inference.detectors.evidence.provenance.c2pa import C2paInspector
from services.inference.detectors.evidence.provenance.schemas import ProvenanceReport
from services.inference.detectors.evidence.provenance.service import (
    inspect_provenance,
    provenance_signal,
)
from services.inference.detectors.evidence.spectrum.service import spectrum_signal
from services.inference.detectors.lowlevel.loading import LoadedModel
from services.inference.detectors.lowlevel.view import LowlevelView
from services.inference.fingerprints.pdq import fingerprints_of
from services.inference.imaging import upright_rgb
from services.inference.metrics import InferenceMetrics
from services.inference.predictions.explanation import explanation, thumbnail
from services.inference.predictions.fusion import (
    FusedDetector,
    detector_signal,
    fused_score,
    served_version,
)
from services.inference.predictions.schemas import Explanation, Prediction
from services.inference.predictions.verdict import decide

T = TypeVar("T")


@dataclass(slots=True)
class Stopwatch:
    """Milliseconds per named stage."""

    timings_ms: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage `name`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings_ms[name] = round((time.perf_counter() - started) * 1000, 2)


@dataclass(frozen=True, slots=True)
class DecodedImage:
    """A safely decoded upload and each view's input (the low-level view's: its crops)."""

    image: Image.Image
    facts: ImageFacts
    pixels: np.ndarray
    timings_ms: dict[str, float]
    view_inputs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PreparedImage:
    """Everything computed from an image besides the model's logits."""

    facts: ImageFacts
    shape: tuple[int, int]
    provenance: ProvenanceReport
    spectrum: Signal
    thumb: np.ndarray | None
    timings_ms: dict[str, float]
    fingerprints: Fingerprints | None = None


def decode_and_crop(
    data: bytes,
    *,
    settings: InferenceSettings,
    lowlevel: ScoringView,
    views: tuple[ScoringView, ...] = (),
) -> DecodedImage:
    """Decode safely (pixel limit first, full decode, EXIF orientation), cut the low-level
    view's crops and prepare every other view's input."""
    watch = Stopwatch()
    with watch.stage("decode"):
        image, facts = decode_image(data, max_pixels=settings.max_image_pixels)
        pixels = upright_rgb(image)
    with watch.stage("crops"):
        inputs = {lowlevel.name: lowlevel.prepare(pixels)}
    with watch.stage("views"):
        inputs |= {view.name: view.prepare(pixels) for view in views}
    return DecodedImage(image, facts, pixels, watch.timings_ms, inputs)


def other_signals(
    data: bytes,
    decoded: DecodedImage,
    *,
    settings: InferenceSettings,
    c2pa: C2paInspector,
    explain: bool,
) -> PreparedImage:
    """Provenance, spectrum and the explanation's thumbnail: the work that needs no model."""
    watch = Stopwatch(dict(decoded.timings_ms))
    with watch.stage("provenance"):
        provenance = inspect_provenance(
            data=data, image=decoded.image, mime_type=decoded.facts.mime_type, c2pa=c2pa
        )
    with watch.stage("spectrum"):
        spectrum = spectrum_signal(
            pixels=decoded.pixels,
            image_format=decoded.facts.format,
            max_tiles=settings.spectrum_max_crops,
            image_px=settings.spectrum_image_px,
        )
    with watch.stage("fingerprints"):
        fingerprints = fingerprints_of(decoded.pixels)
    pixels = decoded.pixels
    return PreparedImage(
        facts=decoded.facts,
        shape=(pixels.shape[0], pixels.shape[1]),
        provenance=provenance,
        spectrum=spectrum,
        thumb=thumbnail(pixels, max_px=settings.explain_thumbnail_px) if explain else None,
        timings_ms=watch.timings_ms,
        fingerprints=fingerprints,
    )


def build_prediction(
    *,
    prepared: PreparedImage,
    lowlevel: LowlevelView,
    found: ViewScore,
    loaded: LoadedModel,
    view_scores: tuple[ViewScore, ...] = (),
    fused: FusedDetector | None = None,
) -> Prediction:
    """Combine every view's finding (the low-level view's is `found`) with the other signals
    under the verdict rule."""
    card = loaded.card
    pixel_signals = [lowlevel.signal(found)]
    score, thresholds = found.score, card.thresholds
    if fused is not None:
        scores = [found, *view_scores]
        path = fused.card.path(long_side=max(prepared.shape))
        score = fused_score(views=scores, card=fused.card, path=path)
        thresholds = path.thresholds
        pixel_signals = [
            detector_signal(score=score, views=scores, card=fused.card, path=path),
            *(view.signal(found) for view, found in zip(fused.views, view_scores, strict=True)),
            *pixel_signals,
        ]
    decision = decide(model_score=score, thresholds=thresholds, provenance=prepared.provenance)
    facts = prepared.facts
    return Prediction(
        verdict=decision.verdict,
        score=round(decision.score, 4),
        decided_by=decision.decided_by,
        model=ModelRef(
            name=card.name, version=served_version(model_sha256=loaded.version, fused=fused)
        ),
        signals=[*pixel_signals, provenance_signal(prepared.provenance), prepared.spectrum],
        image=ImageInfo(width=facts.width, height=facts.height, format=facts.format),
        timings_ms=dict(prepared.timings_ms),
        fingerprints=prepared.fingerprints,
        explanation=_explanation(prepared, found=found, loaded=loaded),
    )


def _explanation(
    prepared: PreparedImage, *, found: ViewScore, loaded: LoadedModel
) -> Explanation | None:
    if prepared.thumb is None or found.crops is None:
        return None
    card = loaded.card
    return explanation(
        thumb=prepared.thumb,
        image_shape=prepared.shape,
        grid=found.crops.grid,
        crop_scores=calibrated(found.crops.logits, temperature=card.calibration.temperature),
        crop_size=card.input.crop_size,
    )


def _fingerprint(data: bytes, *, settings: InferenceSettings) -> Fingerprints:
    image, _ = decode_image(data, max_pixels=settings.max_image_pixels)
    return fingerprints_of(upright_rgb(image), for_known=True)


class Pipeline:
    """One image at a time in, Predictions out; the low-level view's batcher merges concurrent
    images' crops, admits images and lends its thread to every other view."""

    def __init__(
        self,
        *,
        settings: InferenceSettings,
        loaded: LoadedModel,
        lowlevel: LowlevelView,
        pool: Executor,
        c2pa: C2paInspector,
        metrics: InferenceMetrics,
        fused: FusedDetector | None = None,
    ) -> None:
        if lowlevel.batcher is None:
            raise ValueError("the pipeline serves the low-level view through its batcher")
        self.fused = fused
        self.settings = settings
        self.loaded = loaded
        self.lowlevel = lowlevel
        self.batcher = lowlevel.batcher
        self.pool = pool
        self.c2pa = c2pa
        self.metrics = metrics

    async def predict(self, *, data: bytes, explain: bool = False) -> Prediction:
        """Score one image: preprocessing on the worker pool, the model on the batcher's thread."""
        started = time.perf_counter()
        async with self.batcher.admit() as admission:
            prepared, found, view_scores, model_ms = await self._signals(
                data, explain=explain, admission=admission
            )
            build = partial(
                build_prediction,
                prepared=prepared,
                lowlevel=self.lowlevel,
                found=found,
                loaded=self.loaded,
                view_scores=view_scores,
                fused=self.fused,
            )
            # Drawing the heatmap costs a few milliseconds; keep it off the event loop.
            prediction = await self._on_pool(build) if explain else build()
        prediction.timings_ms["model"] = round(model_ms, 2)
        prediction.timings_ms["total"] = round((time.perf_counter() - started) * 1000, 2)
        self._observe(prediction)
        return prediction

    async def fingerprint(self, *, data: bytes) -> Fingerprints:
        """Only the perceptual hashes of one image, without running any model."""
        return await self._on_pool(partial(_fingerprint, data, settings=self.settings))

    async def _signals(
        self, data: bytes, *, explain: bool, admission: Admission
    ) -> tuple[PreparedImage, ViewScore, tuple[ViewScore, ...], float]:
        """Decode and prepare every view's input, run the views, then compute the signals that
        need no model."""
        views = self.fused.views if self.fused else ()
        decode = partial(
            decode_and_crop, data, settings=self.settings, lowlevel=self.lowlevel, views=views
        )
        decoded = await self._on_pool(decode)
        serving = Serving(thread=self.batcher, admission=admission)
        # The other signals come after the model, not beside it: on a CPU host the model's
        # threads want every core, and a busy one slows its whole call (measured: 31 -> 52 ms).
        started = time.perf_counter()
        found = await self.lowlevel.scored(decoded.view_inputs[self.lowlevel.name], serving=serving)
        model_ms = (time.perf_counter() - started) * 1000
        # The other views run on the model's thread too, so the networks never share the cores.
        started, view_scores = time.perf_counter(), []
        for view in views:
            view_scores.append(await view.scored(decoded.view_inputs[view.name], serving=serving))
        decoded.timings_ms["views_model"] = round((time.perf_counter() - started) * 1000, 2)
        prepared = await self._on_pool(
            partial(
                other_signals,
                data,
                decoded,
                settings=self.settings,
                c2pa=self.c2pa,
                explain=explain,
            )
        )
        return prepared, found, tuple(view_scores), model_ms

    async def _on_pool(self, function: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.pool, function)

    def _observe(self, prediction: Prediction) -> None:
        self.metrics.predictions.labels(prediction.verdict).inc()
        for stage, milliseconds in prediction.timings_ms.items():
            self.metrics.stage_seconds.labels(stage).observe(milliseconds / 1000)
