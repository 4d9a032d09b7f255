"""The brightness view: the test-only proof that a new view is a folder and a weight in the card."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from services.common.contract import Signal
from services.inference.detectors.base import ScoringView, Serving, ViewScore
from services.inference.detectors.calibration import calibrated
from services.inference.predictions.fusion import ViewOptions

BRIGHTNESS = "brightness"


def brightness_logit(pixels: np.ndarray) -> float:
    """Mid-grey is 0; white is 4, black -4."""
    return float((np.mean(pixels) / 255.0 - 0.5) * 8.0)


@dataclass(frozen=True, slots=True)
class BrightnessView:
    """Scores an image by its mean brightness, calibrated by the card's temperature."""

    temperature: float
    name: str = BRIGHTNESS

    def prepare(self, pixels: np.ndarray) -> float:
        """The image's logit: cheap enough for the preprocessing pool."""
        return brightness_logit(pixels)

    def score(self, prepared: float) -> ViewScore:
        """The logit and its calibrated score."""
        score = float(calibrated(prepared, temperature=self.temperature))
        return ViewScore(name=self.name, logit=prepared, score=score)

    async def scored(self, prepared: float, *, serving: Serving) -> ViewScore:
        """`score`, on the model thread like every view."""
        return await serving.thread.on_model_thread(partial(self.score, prepared))

    def warm_up(self) -> None:
        """Nothing to warm up."""

    def signal(self, view: ViewScore) -> Signal:
        """The brightness signal."""
        return Signal(
            name=self.name,
            score=round(view.score, 4),
            summary=f"The image's brightness scores {view.score:.2f}.",
            evidence={"mean_logit": round(view.logit, 4)},
        )


def open_brightness(options: ViewOptions) -> ScoringView:
    """The factory `VIEW_FACTORIES` calls for the name `brightness`."""
    return BrightnessView(temperature=options.card.temperatures[BRIGHTNESS])
