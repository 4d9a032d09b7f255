"""The service's moving parts (model, batcher, thread pool), built once and torn down together."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial

from services.inference.config import InferenceSettings
from services.inference.detectors.evidence.provenance.c2pa import C2paInspector
from services.inference.detectors.lowlevel.batcher import DynamicBatcher
from services.inference.detectors.lowlevel.device import prepare_device
from services.inference.detectors.lowlevel.loading import (
    LoadedModel,
    ModelLoadError,
    describe_remote_model,
    load_model,
)
from services.inference.detectors.lowlevel.runner import CropScorer, ModelRunner
from services.inference.detectors.lowlevel.tfserving import TFServingRunner
from services.inference.detectors.lowlevel.view import LowlevelView
from services.inference.detectors.semantic.backbone import BackboneError
from services.inference.metrics import InferenceMetrics
from services.inference.predictions.fusion import FusedDetector
from services.inference.predictions.service import Pipeline
from services.inference.selfcheck.schemas import SelfCheckOutcome
from services.inference.selfcheck.service import check_at_start, runners_of, running

logger = logging.getLogger("deepcatcher.inference")


@dataclass(slots=True)
class Runtime:
    """The loaded model and the pipeline that serves it; `ready` once warmed up."""

    loaded: LoadedModel
    pipeline: Pipeline
    ready: bool = False
    warmup_error: str | None = None
    self_check: SelfCheckOutcome = field(default_factory=running)


@asynccontextmanager
async def open_runtime(
    *, settings: InferenceSettings, metrics: InferenceMetrics, warm_in_background: bool = True
) -> AsyncIterator[Runtime]:
    """Load and check the model (raising ModelLoadError on any mismatch), then start serving."""
    loaded = await asyncio.to_thread(_load, settings)
    fused = await asyncio.to_thread(open_fused, settings)
    _record_model(metrics, loaded)
    runner = _runner(settings=settings, loaded=loaded)
    pool = ThreadPoolExecutor(settings.preprocess_workers, thread_name_prefix="preprocess")
    batcher = _batcher(settings=settings, runner=runner, metrics=metrics)
    pipeline = Pipeline(
        settings=settings,
        loaded=loaded,
        lowlevel=LowlevelView(card=loaded.card, scorer=runner, batcher=batcher),
        pool=pool,
        c2pa=C2paInspector(trust_anchors_path=settings.c2pa_trust_anchors_path),
        metrics=metrics,
        fused=fused,
    )
    runtime = Runtime(loaded=loaded, pipeline=pipeline)
    batcher.start()
    warmup = asyncio.create_task(_warm_up(runtime, settings=settings))
    try:
        if not warm_in_background:
            await warmup
        yield runtime
    finally:
        warmup.cancel()
        await batcher.stop()
        pool.shutdown(wait=True, cancel_futures=True)
        runner.close()


def _load(settings: InferenceSettings) -> LoadedModel:
    device = prepare_device(
        memory_growth=settings.gpu_memory_growth,
        intra_op_threads=settings.tf_intra_op_threads,
        inter_op_threads=settings.tf_inter_op_threads,
    )
    if settings.model_backend == "tfserving":
        return describe_remote_model(path=settings.model_path, device=device)
    return load_model(
        path=settings.model_path, device=device, mixed_precision=settings.mixed_precision
    )


def open_fused(settings: InferenceSettings) -> FusedDetector | None:
    """The fused detector the settings name, or None; ModelLoadError when it cannot load."""
    if settings.fusion_card_path is None:
        return None
    try:
        return FusedDetector.open(
            path=settings.fusion_card_path,
            threads=settings.semantic_threads,
            numerics=settings.semantic_numerics,
            cache_dir=settings.cache_dir,
        )
    except (OSError, ValueError, BackboneError) as exc:
        raise ModelLoadError(f"cannot load the fused detector: {exc}") from exc


def _runner(*, settings: InferenceSettings, loaded: LoadedModel) -> CropScorer:
    if settings.model_backend == "tfserving":
        return TFServingRunner(
            url=settings.tfserving_url,
            model_name=settings.tfserving_model_name,
            card=loaded.card,
            chunk_crops=settings.model_chunk_crops,
            timeout_s=settings.tfserving_timeout_s,
        )
    return ModelRunner(loaded=loaded, chunk_crops=settings.model_chunk_crops)


def _batcher(
    *, settings: InferenceSettings, runner: CropScorer, metrics: InferenceMetrics
) -> DynamicBatcher:
    return DynamicBatcher(
        run=runner.logits,
        max_batch_size=settings.batch_max_size,
        max_wait_s=settings.batch_max_wait_ms / 1000,
        capacity=settings.queue_max_size,
        timeout_s=settings.model_timeout_s,
        retry_after_s=settings.retry_after_s,
        metrics=metrics,
    )


def _record_model(metrics: InferenceMetrics, loaded: LoadedModel) -> None:
    metrics.model_load_seconds.set(loaded.load_seconds)
    metrics.model_info.labels(
        loaded.card.name, loaded.version, loaded.device.kind, loaded.precision
    ).set(1)
    logger.info(
        "model loaded",
        extra={
            "model": loaded.card.name,
            "version": loaded.version,
            "device": loaded.device.name,
            "precision": loaded.precision,
            "load_seconds": round(loaded.load_seconds, 3),
        },
    )


async def _warm_up(runtime: Runtime, *, settings: InferenceSettings) -> None:
    started = time.perf_counter()
    pipeline = runtime.pipeline
    try:
        if settings.warmup:
            for view in (pipeline.lowlevel, *(pipeline.fused.views if pipeline.fused else ())):
                await pipeline.batcher.on_model_thread(view.warm_up)
    except Exception as exc:  # a model that cannot run its own shapes must not report ready
        logger.exception("model warm-up failed")
        runtime.warmup_error = str(exc)[:300]
    runtime.self_check = await _self_check(runtime)
    if runtime.warmup_error:
        return
    runtime.pipeline.metrics.model_warmup_seconds.set(time.perf_counter() - started)
    runtime.ready = runtime.self_check.status != "failed"
    if runtime.ready:
        logger.info(
            "model ready", extra={"warmup_seconds": round(time.perf_counter() - started, 3)}
        )


async def _self_check(runtime: Runtime) -> SelfCheckOutcome:
    """The known-answer check on the model's thread, with the runner that serves crops."""
    fused, loaded = runtime.pipeline.fused, runtime.loaded
    check = partial(
        check_at_start,
        fused=fused,
        lowlevel=runtime.pipeline.lowlevel,
        runners=runners_of(loaded=loaded, fused=fused),
    )
    return await runtime.pipeline.batcher.on_model_thread(check)
