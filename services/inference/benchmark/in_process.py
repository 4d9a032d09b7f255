"""The service's model and pipeline run inside the benchmark's own process, without HTTP."""

from __future__ import annotations

import time
from dataclasses import dataclass

from services.inference.config import InferenceSettings
from services.inference.detectors.base import ScoringView
from services.inference.detectors.evidence.provenance.c2pa import C2paInspector
from services.inference.detectors.lowlevel.device import prepare_device
from services.inference.detectors.lowlevel.loading import LoadedModel, load_model
from services.inference.detectors.lowlevel.runner import ModelRunner
from services.inference.detectors.lowlevel.view import LowlevelView
from services.inference.predictions.fusion import FusedDetector
from services.inference.predictions.service import build_prediction, decode_and_crop, other_signals
from services.inference.runtime import open_fused


@dataclass(frozen=True, slots=True)
class InProcessModel:
    """The service's model, loaded and warmed up here as the service would."""

    settings: InferenceSettings
    loaded: LoadedModel
    runner: ModelRunner
    fused: FusedDetector | None

    @property
    def lowlevel(self) -> LowlevelView:
        """The low-level view on this process's runner, without a batcher."""
        return LowlevelView(card=self.loaded.card, scorer=self.runner)

    @property
    def views(self) -> tuple[ScoringView, ...]:
        """The views the fusion weighs beside the low-level one."""
        return self.fused.views if self.fused else ()


def load_in_process(settings: InferenceSettings) -> InProcessModel:
    """Load and warm up the model the settings name, on the device the service would use."""
    device = prepare_device(
        memory_growth=settings.gpu_memory_growth,
        intra_op_threads=settings.tf_intra_op_threads,
        inter_op_threads=settings.tf_inter_op_threads,
    )
    loaded = load_model(
        path=settings.model_path, device=device, mixed_precision=settings.mixed_precision
    )
    runner = ModelRunner(loaded=loaded, chunk_crops=settings.model_chunk_crops)
    runner.warm_up()
    fused = open_fused(settings)
    for view in fused.views if fused else ():
        view.warm_up()
    return InProcessModel(settings=settings, loaded=loaded, runner=runner, fused=fused)


def whole_pipeline_ms(data: bytes, *, model: InProcessModel, c2pa: C2paInspector) -> float:
    """Milliseconds for one image through every stage the service runs, minus HTTP and batcher."""
    started = time.perf_counter()
    lowlevel = model.lowlevel
    decoded = decode_and_crop(data, settings=model.settings, lowlevel=lowlevel, views=model.views)
    found = lowlevel.score(decoded.view_inputs[lowlevel.name])
    scores = tuple(view.score(decoded.view_inputs[view.name]) for view in model.views)
    prepared = other_signals(data, decoded, settings=model.settings, c2pa=c2pa, explain=False)
    build_prediction(
        prepared=prepared,
        lowlevel=lowlevel,
        found=found,
        loaded=model.loaded,
        view_scores=scores,
        fused=model.fused,
    )
    return (time.perf_counter() - started) * 1000
