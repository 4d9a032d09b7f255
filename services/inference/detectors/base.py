"""The one interface every scoring view implements, and what it gives the fusion."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from services.common.contract import Signal


@dataclass(frozen=True, slots=True)
class ViewScore:
    """One view's finding on one image: raw logit, calibrated score, per-part logits."""

    name: str
    logit: float
    score: float
    parts: dict[str, float] = field(default_factory=dict)


class ScoringView(Protocol):
    """A view of the image the fusion weighs by `name`: a new view is a new package with one.

    `prepare` runs on the preprocessing pool (resizing, cropping), `score` on the model thread,
    so that networks never compete for the cores; `signal` turns the score into evidence.
    """

    @property
    def name(self) -> str:
        """The view's name: its signal's, and its key in the fusion card's weights."""

    def prepare(self, pixels: np.ndarray) -> Any:
        """The view's network input from upright RGB pixels."""

    def score(self, prepared: Any) -> ViewScore:
        """The view's raw logit and calibrated score for prepared input."""

    def warm_up(self) -> None:
        """Run the view once, so that the first request pays no set-up cost."""

    def signal(self, view: ViewScore) -> Signal:
        """The view's finding as a signal in the answer."""
