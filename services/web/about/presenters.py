"""The model card in plain words: what was measured, in numbers people can weigh."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.web.clients.inference import ModelInfo, Thresholds
from services.web.predictions.verdicts import Gauge

PERCENT_METRICS = {
    "fake_caught": "AI-generated images it called AI-generated",
    "real_called_fake": "Real photos it wrongly called AI-generated (false accusations)",
    "uncertain": "Images it left uncertain",
    "accuracy_at_0.5": "Accuracy with a single 0.5 cut-off",
}
NUMBER_METRICS = {
    "roc_auc": "ROC AUC (1.0 is perfect, 0.5 is a coin toss)",
    "average_precision": "Average precision (1.0 is perfect)",
    "ece": "Calibration error (0 means scores match observed frequencies)",
}


@dataclass(frozen=True, slots=True)
class MetricSet:
    """One evaluation (a test set, a condition) as labelled rows."""

    name: str
    images: str | None
    rows: list[tuple[str, str]]


KIND_NAMES = {
    "photo": "photo: other",
    "document": "rendered document",
    "plot": "rendered plot",
    "screenshot": "page screenshot",
    "collage": "collage of photos",
}


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One generator family or kind of real image and what was measured on it."""

    name: str
    images: int
    cells: list[str]


def _count(count: object, total: object) -> str:
    if not isinstance(count, int) or not isinstance(total, int) or not total:
        return "not measured"
    return f"{count} of {total}"


def _auc(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, int | float) else "fewer than 10 images"


@dataclass(frozen=True, slots=True)
class CardView:
    """The model card as the About page shows it."""

    model: ModelInfo
    metric_sets: list[MetricSet]

    @property
    def short_version(self) -> str:
        """The first characters of the model file's hash, enough to tell versions apart."""
        return self.model.version[:12]

    @property
    def training_facts(self) -> list[tuple[str, str]]:
        """The card's simple training facts (data, sizes, settings) as labelled values."""
        return [
            (name.replace("_", " ").capitalize(), str(value))
            for name, value in self.model.training.items()
            if isinstance(value, str | int | float)
        ]

    @property
    def thresholds(self) -> Thresholds:
        """The band that sets verdicts: the fused detector's, else the model's own."""
        detector = self.model.detector
        return detector.thresholds if detector else self.model.thresholds

    @property
    def limitations(self) -> list[str]:
        """The known blind spots of what sets the verdict: the fused detector, else the model."""
        detector = self.model.detector
        return detector.limitations if detector else self.model.limitations

    @property
    def view_limitations(self) -> list[str]:
        """The low-level view's own blind spots, when a fused detector speaks first."""
        return self.model.limitations if self.model.detector else []

    @property
    def gauge(self) -> Gauge:
        """The score scale with the verdicts' uncertain band."""
        thresholds = self.thresholds
        return Gauge(score=0.0, real_below=thresholds.real_below, fake_above=thresholds.fake_above)

    @property
    def families(self) -> list[GroupRow]:
        """Held-out AI images per generator family: how many were caught, as sent and laundered."""
        measured = self.model.detector.measured if self.model.detector else {}
        logo = measured.get("leave_one_family_out") or {}
        return [
            GroupRow(
                name=family,
                images=int(counts.get("images", 0)),
                cells=[
                    _count(counts.get("original"), counts.get("images")),
                    _count(counts.get("laundered"), counts.get("images")),
                    _auc((logo.get(family) or {}).get("roc_auc")),
                ],
            )
            for family, counts in ((measured.get("test_groups") or {}).get("ai") or {}).items()
        ]

    @property
    def miss_rates(self) -> list[tuple[str, str]]:
        """How many held-out AI images it did not call AI-generated, as made and laundered."""
        test = (self.model.detector.measured if self.model.detector else {}).get("test") or {}
        words = {"original": "as made", "laundered": "after laundering"}
        return [
            (words[name], f"{1 - float(row['ai_called_fake']):.0%} of {row['ai']}")
            for name, row in test.items()
            if name in words and isinstance(row.get("ai_called_fake"), int | float)
        ]

    @property
    def real_kinds(self) -> list[GroupRow]:
        """Held-out real images per kind (and with or without people): how many were called
        AI-generated in any condition, with the range the rate could well lie in."""
        measured = self.model.detector.measured if self.model.detector else {}
        kinds = (measured.get("real_kinds") or {}).get("test") or {}
        if kinds:
            return [_kind_row(kind, found) for kind, found in kinds.items()]
        groups = (measured.get("test_groups") or {}).get("real") or {}
        return [
            GroupRow(
                name=_kind_name(kind),
                images=int(counts.get("images", 0)),
                cells=[_count(counts.get("any_condition"), counts.get("images"))],
            )
            for kind, counts in groups.items()
        ]

    @property
    def real_kind_headers(self) -> list[str]:
        """The kinds table's columns: with photo counts and ranges where the card has them."""
        headers = ["Kind of real image", "Wrongly called AI-generated"]
        rows = self.real_kinds
        return [*headers, "Photos", "95% range"] if rows and len(rows[0].cells) > 1 else headers

    @property
    def false_accusations(self) -> list[tuple[str, str]]:
        """Real images called AI-generated on validation and test, as made and in any
        condition, each with its 95% range."""
        measured = self.model.detector.measured if self.model.detector else {}
        found = measured.get("false_accusations") or {}
        words = {"validation": "Validation (sets the threshold)", "test": "Test (never used)"}
        return [
            (f"{words.get(split, split)}, {when.replace('_', ' ')}", _rate_words(row))
            for split, rows in found.items()
            for when, row in rows.items()
        ]


def _kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind.replace("photo-", "photo: "))


def _kind_row(kind: str, found: dict[str, Any]) -> GroupRow:
    images = int(found.get("images", 0))
    return GroupRow(
        name=_kind_name(kind),
        images=images,
        cells=[
            _count(found.get("accused"), images),
            str(found.get("sources", "")),
            _range(found.get("interval_by_source")),
        ],
    )


def _range(bounds: object) -> str:
    if not isinstance(bounds, list | tuple) or len(bounds) != 2:
        return "not measured"
    return f"{bounds[0]:.1%} to {bounds[1]:.1%}"


def _rate_words(row: dict[str, Any]) -> str:
    accused, images = row.get("accused"), row.get("images")
    if not isinstance(accused, int) or not isinstance(images, int) or not images:
        return "not measured"
    return (
        f"{accused} of {images} images from {row.get('sources')} photos "
        f"({accused / images:.1%}; 95% range {_range(row.get('interval_by_source'))})"
    )


def card_view(model: ModelInfo) -> CardView:
    """Every evaluation in the card's metrics, headline test first."""
    sets = [
        metric_set(name=name, values=values)
        for name, values in model.metrics.items()
        if isinstance(values, dict)
    ]
    scalars = {name: value for name, value in model.metrics.items() if not isinstance(value, dict)}
    if scalars:
        sets.append(metric_set(name="measured", values=scalars))
    return CardView(model=model, metric_sets=[s for s in sets if s.rows])


def metric_set(*, name: str, values: dict[str, Any]) -> MetricSet:
    """The known measures of one evaluation, as readable rows."""
    rows = [
        (label, f"{values[key] * 100:.1f}%")
        for key, label in PERCENT_METRICS.items()
        if isinstance(values.get(key), int | float)
    ]
    rows += [
        (label, f"{values[key]:.3f}")
        for key, label in NUMBER_METRICS.items()
        if isinstance(values.get(key), int | float)
    ]
    return MetricSet(name=name.replace("_", " ").capitalize(), images=_images(values), rows=rows)


def _images(values: dict[str, Any]) -> str | None:
    images = values.get("images")
    if not isinstance(images, dict):
        return None
    real, fake = images.get("real", 0), images.get("fake", 0)
    return f"{real:,} real photos and {fake:,} AI-generated images"
