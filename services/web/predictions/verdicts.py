"""How a verdict and its calibrated score are put to people: words first, colour second."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from deepcatcher_client.models import PredictionSummary, Signal, Verdict

from services.common.contract import SIGNAL_DETECTOR, SIGNAL_LOWLEVEL

LABELS: dict[str, str] = {
    "fake": "Likely AI-generated",
    "real": "No AI traces found",
    "uncertain": "Uncertain",
}
# A text symbol beside every colour, so the verdict never depends on seeing colour.
SYMBOLS: dict[str, str] = {"fake": "!", "real": "✓", "uncertain": "?"}
EXPLANATIONS: dict[str, str] = {
    "fake": "The detector found the kind of traces that AI image generators leave.",
    "real": (
        "None of the detector's views found traces of AI generation. That is not proof that the "
        "picture is real: the detector misses some AI images, and the About page shows how often."
    ),
    "uncertain": "The score falls in the band where the detector cannot tell reliably.",
}
KNOWN_IMAGE_EXPLANATION = (
    "This is a copy of an image already confirmed as AI-generated (see Known images below); "
    "the pixel detector was not needed to decide."
)
PROVENANCE_EXPLANATION = (
    "The file's own provenance record says an AI generator made it; the pixel detector was not "
    "needed to decide."
)


@dataclass(frozen=True, slots=True)
class VerdictLabel:
    """A verdict's words and symbol alone, for lists that show no gauge."""

    key: Verdict
    label: str
    symbol: str


def verdict_label(verdict: Verdict) -> VerdictLabel:
    """The words and symbol every page uses for a verdict."""
    return VerdictLabel(key=verdict, label=LABELS[verdict], symbol=SYMBOLS[verdict])


@dataclass(frozen=True, slots=True)
class Gauge:
    """A 0-1 score drawn on a bar with the model's uncertain band, in SVG user units."""

    score: float
    real_below: float | None
    fake_above: float | None
    width: int = 400

    @property
    def marker_x(self) -> float:
        """Where the score sits on the bar."""
        return round(self.score * self.width, 1)

    @property
    def band(self) -> tuple[float, float] | None:
        """The uncertain band's start and width on the bar, when the thresholds are known."""
        if self.real_below is None or self.fake_above is None:
            return None
        start = self.real_below * self.width
        return round(start, 1), round(self.fake_above * self.width - start, 1)

    @property
    def description(self) -> str:
        """The gauge in words, for screen readers and the caption."""
        text = f"Score {self.score:.2f} on a scale from 0 (real) to 1 (AI-generated)."
        if self.real_below is not None and self.fake_above is not None:
            text += (
                f" Below {self.real_below:.2f} reads as real, above {self.fake_above:.2f} as "
                "AI-generated; in between is uncertain."
            )
        return text


@dataclass(frozen=True, slots=True)
class VerdictView(VerdictLabel):
    """A verdict as the pages show it: its label with an explanation and the gauge."""

    explanation: str
    gauge: Gauge
    decided_by_provenance: bool


def verdict_view(
    prediction: PredictionSummary, *, signals: list[Signal] | None = None
) -> VerdictView:
    """Wording, symbol and gauge for a prediction (signals add thresholds and provenance)."""
    model = _signal(signals, SIGNAL_DETECTOR) or _signal(signals, SIGNAL_LOWLEVEL)
    provenance = _signal(signals, "provenance")
    by_provenance = (
        prediction.verdict == "fake" and provenance is not None and provenance.score == 1
    )
    thresholds = (model.evidence.get("thresholds") if model else None) or {}
    return VerdictView(
        **asdict(verdict_label(prediction.verdict)),
        explanation=_explanation(prediction, signals=signals, by_provenance=by_provenance),
        gauge=Gauge(
            score=prediction.score,
            real_below=_number(thresholds.get("real_below")),
            fake_above=_number(thresholds.get("fake_above")),
        ),
        decided_by_provenance=by_provenance,
    )


def _explanation(
    prediction: PredictionSummary, *, signals: list[Signal] | None, by_provenance: bool
) -> str:
    matches = _signal(signals, "matches")
    if by_provenance:
        return PROVENANCE_EXPLANATION
    if prediction.verdict == "fake" and matches is not None and matches.score == 1:
        return KNOWN_IMAGE_EXPLANATION
    return EXPLANATIONS[prediction.verdict]


def _signal(signals: list[Signal] | None, name: str) -> Signal | None:
    return next((signal for signal in signals or [] if signal.name == name), None)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
