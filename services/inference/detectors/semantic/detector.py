"""The semantic view at serving time: views of the image, the frozen tower, our head."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from services.common.contract import VIEW_SEMANTIC, Signal
from services.inference.detectors.base import Serving, ViewScore
from services.inference.detectors.calibration import calibrated
from services.inference.detectors.semantic.backbone import Tower
from services.inference.detectors.semantic.card import SemanticCard
from services.inference.detectors.semantic.features import head_input
from services.inference.detectors.semantic.signal import semantic_signal
from services.inference.detectors.semantic.views import SIDE, VIEW_FUNCTIONS, pixel_values


@dataclass(frozen=True, slots=True)
class SemanticDetector:
    """The card and the tower it was trained on, ready to score pixels."""

    card: SemanticCard
    tower: Tower

    name: str = VIEW_SEMANTIC

    def prepare(self, pixels: np.ndarray) -> np.ndarray:
        """The card's views of one image, normalised as CLIP expects them."""
        return pixel_values([VIEW_FUNCTIONS[name](pixels) for name in self.card.views])

    def feature_logits(self, features: np.ndarray) -> np.ndarray:
        """The head's raw logit for each view's tower features."""
        return self.card.head.logits(head_input(features, feature=self.card.feature))

    def warm_up(self) -> None:
        """Run one image through the tower, so the first request pays no set-up cost."""
        self.score(self.prepare(np.full((SIDE, SIDE, 3), 128, np.uint8)))

    def score(self, prepared: np.ndarray) -> ViewScore:
        """The view's mean logit over its views and its calibrated score."""
        return self.score_features(self.tower.features(prepared))

    async def scored(self, prepared: np.ndarray, *, serving: Serving) -> ViewScore:
        """What `score` gives, run on the model thread."""
        return await serving.thread.on_model_thread(partial(self.score, prepared))

    def score_features(self, features: np.ndarray) -> ViewScore:
        """What `score` gives, from the tower's features of the prepared views."""
        logits = self.feature_logits(features)
        logit = float(np.mean(logits))
        temperature = self.card.calibration.temperature
        return ViewScore(
            name=self.name,
            logit=logit,
            score=float(calibrated(logit, temperature=temperature)),
            parts={
                name: round(float(v), 4) for name, v in zip(self.card.views, logits, strict=True)
            },
        )

    def signal(self, view: ViewScore) -> Signal:
        """The semantic signal for this view's score."""
        return semantic_signal(view=view, card=self.card)
