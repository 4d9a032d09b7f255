"""The low-level view: native-resolution crops through the crop model, batched across images."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.common.contract import VIEW_LOWLEVEL, Signal
from services.inference.detectors.base import CropLogits, Serving, ViewScore
from services.inference.detectors.crops import CropGrid, aggregate_logits, crop_grid
from services.inference.detectors.lowlevel.batcher import DynamicBatcher
from services.inference.detectors.lowlevel.card import ModelCard
from services.inference.detectors.lowlevel.runner import CropScorer, image_score
from services.inference.detectors.lowlevel.signal import model_signal

LOWLEVEL = VIEW_LOWLEVEL


@dataclass(frozen=True, slots=True)
class LowlevelView:
    """The crop model and its card as a scoring view; its batcher, where it has one, merges
    concurrent images' crops into one model call."""

    card: ModelCard
    scorer: CropScorer
    batcher: DynamicBatcher | None = None

    name: str = LOWLEVEL

    def prepare(self, pixels: np.ndarray) -> CropGrid:
        """The native-resolution crops the card asks for."""
        spec = self.card.input
        return crop_grid(pixels, size=spec.crop_size, max_crops=spec.max_crops)

    def score(self, prepared: CropGrid) -> ViewScore:
        """The crops' logits from the model, on this thread, and the calibrated score."""
        return self.found(prepared, logits=self.scorer.logits(prepared.crops))

    async def scored(self, prepared: CropGrid, *, serving: Serving) -> ViewScore:
        """The crops' logits through the batcher, in one model call with other images' crops."""
        if self.batcher is None:
            return await serving.thread.on_model_thread(lambda: self.score(prepared))
        logits = await self.batcher.logits(prepared.crops, admission=serving.admission)
        return self.found(prepared, logits=logits)

    def found(self, grid: CropGrid, *, logits: np.ndarray) -> ViewScore:
        """The view's finding from its crops' logits: the mean logit and its calibrated score."""
        score = image_score(crop_logits=logits, temperature=self.card.calibration.temperature)
        return ViewScore(
            name=self.name,
            logit=aggregate_logits(logits),
            score=score,
            crops=CropLogits(grid=grid, logits=logits),
        )

    def warm_up(self) -> None:
        """Run the shapes serving will see once."""
        self.scorer.warm_up()

    def signal(self, view: ViewScore) -> Signal:
        """The `model` signal: the calibrated score with every crop's own score and position."""
        if view.crops is None:
            raise ValueError("the low-level view's signal needs its crops' logits")
        crops = view.crops
        return model_signal(grid=crops.grid, logits=crops.logits, card=self.card, score=view.score)
