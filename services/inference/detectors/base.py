"""The one interface every scoring view implements, and what it gives the fusion."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import numpy as np

from services.common.contract import Signal
from services.inference.detectors.crops import CropGrid

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CropLogits:
    """A view's raw logit for each crop of the image, with where each crop came from."""

    grid: CropGrid
    logits: np.ndarray


@dataclass(frozen=True, slots=True)
class ViewScore:
    """One view's finding on one image: raw logit, calibrated score, per-part logits, and
    per-crop logits where the view scores crops (its score map and the explanation's heatmap)."""

    name: str
    logit: float
    score: float
    parts: dict[str, float] = field(default_factory=dict)
    crops: CropLogits | None = None


@dataclass(slots=True)
class Admission:
    """One admitted image; it stops counting as "still preprocessing" once queued for the model."""

    queued: bool = False


class ModelThread(Protocol):
    """The one thread every network runs on, so that they never compete for the cores."""

    async def on_model_thread(self, function: Callable[[], T]) -> T:
        """Run `function` on the model's thread, between batches."""


@dataclass(frozen=True, slots=True)
class Serving:
    """How a view is scored while serving: on the shared model thread, for an admitted image."""

    thread: ModelThread
    admission: Admission


class ScoringView(Protocol):
    """A view of the image the fusion weighs by `name`: a new view is a new package with one,
    named in the fusion card and in `predictions/fusion.VIEW_FACTORIES`.

    `prepare` runs on the preprocessing pool (resizing, cropping), `scored` on the model thread
    (or through a batcher onto it), so that networks never compete for the cores; `signal`
    turns the score into evidence.
    """

    @property
    def name(self) -> str:
        """The view's name: its signal's, and its key in the fusion card's weights."""

    def prepare(self, pixels: np.ndarray) -> Any:
        """The view's network input from upright RGB pixels."""

    def score(self, prepared: Any) -> ViewScore:
        """The view's raw logit and calibrated score for prepared input, on this thread."""

    async def scored(self, prepared: Any, *, serving: Serving) -> ViewScore:
        """What `score` gives, computed as the service computes it: on the model thread."""

    def warm_up(self) -> None:
        """Run the view once, so that the first request pays no set-up cost."""

    def signal(self, view: ViewScore) -> Signal:
        """The view's finding as a signal in the answer."""
