"""Predictions as the pages show them: verdict, evidence cards, heatmap, picture."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import ClassVar

from deepcatcher_client.models import Prediction, PredictionSummary

from services.web.predictions.evidence import SignalView, signal_views
from services.web.predictions.overlay import Overlay, score_overlay
from services.web.predictions.verdicts import VerdictView, verdict_view


@dataclass(frozen=True, slots=True)
class ResultView:
    """A checked image with everything the result page and check cards show."""

    prediction: Prediction
    verdict: VerdictView
    signals: list[SignalView]
    overlay: Overlay | None
    picture: str | None
    saved: bool
    # Unique within a page, for the heatmap toggle's and the gauge's element ids.
    dom_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    failed: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One line of history."""

    prediction: PredictionSummary
    verdict: VerdictView
    picture: str


def picture_url(prediction_id: uuid.UUID | None, *, width: int) -> str | None:
    """Where the web serves a saved prediction's image at a given width."""
    return f"/predictions/{prediction_id}/image?w={width}" if prediction_id else None


def result_view(prediction: Prediction, *, picture: str | None, saved: bool) -> ResultView:
    """Everything about one prediction, in the words and pictures the pages use."""
    return ResultView(
        prediction=prediction,
        verdict=verdict_view(prediction, signals=prediction.signals),
        signals=signal_views(prediction.signals),
        overlay=score_overlay(
            signals=prediction.signals,
            width=prediction.image.width,
            height=prediction.image.height,
        ),
        picture=picture,
        saved=saved,
    )


def history_row(prediction: PredictionSummary) -> HistoryRow:
    """A history line with its verdict wording and thumbnail."""
    return HistoryRow(
        prediction=prediction,
        verdict=verdict_view(prediction),
        picture=picture_url(prediction.id, width=320) or "",
    )
