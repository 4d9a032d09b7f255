"""The fused detector as served: the card's views opened by name, their scores fused and worded.

The card and its formula live in `detectors/fusion.py`, which training fits. A view the card
names is opened by its factory in `VIEW_FACTORIES`; the low-level view is not among them, since
every service loads it (without a fusion card it decides alone) and the runtime opens it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from services.common.contract import SIGNAL_DETECTOR, VIEW_SEMANTIC, Signal
from services.inference.detectors.base import ScoringView, ViewScore
from services.inference.detectors.calibration import calibrated
from services.inference.detectors.fusion import FusionCard, FusionPath, fused_logits
from services.inference.detectors.lowlevel.view import LOWLEVEL
from services.inference.detectors.semantic.backbone import Numerics, open_tower
from services.inference.detectors.semantic.detector import SemanticDetector
from services.inference.detectors.semantic.features import needs_layers


def fused_score(*, views: list[ViewScore], card: FusionCard, path: FusionPath) -> float:
    """The calibrated probability that the image is AI-made, from every view the path weighs."""
    scaled = {view.name: view.logit / card.temperatures[view.name] for view in views}
    logit = fused_logits(scaled=scaled, weights=path.weights, bias=path.bias)
    return float(calibrated(logit, temperature=1.0))


@dataclass(frozen=True, slots=True)
class FusedDetector:
    """The fusion card with the views it weighs beside the low-level one, loaded and verified."""

    card: FusionCard
    views: tuple[ScoringView, ...]
    sha256: str

    @classmethod
    def open(
        cls,
        *,
        path: Path,
        threads: int,
        numerics: Numerics | None = None,
        cache_dir: Path = Path("var/cache"),
    ) -> FusedDetector:
        """Read the card and open every view it names besides the low-level one, each with the
        numerics and files it was trained on (checked by sha256) unless `numerics` overrides
        them; ValueError for a view this service does not know."""
        card = FusionCard.read(path)
        options = ViewOptions(card=card, threads=threads, numerics=numerics, cache_dir=cache_dir)
        views = tuple(
            open_view(name, options=options) for name in card.view_names() if name != LOWLEVEL
        )
        return cls(card=card, views=views, sha256=hashlib.sha256(path.read_bytes()).hexdigest())


@dataclass(frozen=True, slots=True)
class ViewOptions:
    """What a view's factory may need to open it: the card and the service's settings for it."""

    card: FusionCard
    threads: int
    numerics: Numerics | None
    cache_dir: Path


ViewFactory = Callable[[ViewOptions], ScoringView]


def open_semantic(options: ViewOptions) -> ScoringView:
    """The semantic view: the card's head on the backbone it names."""
    semantic = options.card.semantic
    tower = open_tower(
        identity=semantic.backbone,
        threads=options.threads,
        numerics=options.numerics,
        cache_dir=options.cache_dir,
        layers=needs_layers(semantic.feature),
    )
    return SemanticDetector(card=semantic, tower=tower)


# A new view is its package, a factory here and a weight (and temperature) in the card.
VIEW_FACTORIES: dict[str, ViewFactory] = {VIEW_SEMANTIC: open_semantic}


def open_view(name: str, *, options: ViewOptions) -> ScoringView:
    """The view the card names `name`, opened by its factory."""
    if name not in VIEW_FACTORIES:
        raise ValueError(f"the fusion card names a view this service does not have: {name!r}")
    return VIEW_FACTORIES[name](options)


def served_version(*, model_sha256: str, fused: FusedDetector | None) -> str:
    """What `model.version` says: the model file's sha256, or, with a fusion card, the sha256
    of both hashes, so that a new card (or head) is a new version and old results are not
    reused for it."""
    if fused is None:
        return model_sha256
    return hashlib.sha256(f"{model_sha256}+{fused.sha256}".encode()).hexdigest()


VIEW_WORDS = {VIEW_SEMANTIC: "the semantic view", LOWLEVEL: "the low-level view"}


def _named(views: list[ViewScore], *, path: FusionPath, weighed: bool) -> str:
    """The views the path weighs (or leaves out), each with its own score."""
    chosen = [v for v in views if (path.weights.get(v.name, 0.0) != 0.0) == weighed]
    return ", ".join(f"{VIEW_WORDS.get(v.name, v.name)} {v.score:.2f}" for v in chosen)


def detector_signal(
    *, score: float, views: list[ViewScore], card: FusionCard, path: FusionPath
) -> Signal:
    """The fused score that the verdict reads, with each view's share of it."""
    thresholds = path.thresholds
    summary = (
        f"All views together score {score:.2f} ({_named(views, path=path, weighed=True)}); real "
        f"below {thresholds.real_below:.2f}, generated above {thresholds.fake_above:.2f}."
    )
    if unweighed := _named(views, path=path, weighed=False):
        summary += f" Shown as evidence, not weighed in this score: {unweighed}."
    if path.small:
        summary += " Judged as a small image, by the fusion fitted on small images."
    return Signal(
        name=SIGNAL_DETECTOR,
        score=round(score, 4),
        summary=summary,
        evidence={
            "views": {v.name: round(v.score, 4) for v in views},
            "weights": path.weights,
            "bias": path.bias,
            "small_image": path.small,
            "thresholds": thresholds.model_dump(),
            "measured": card.metrics.get("summary", {}),
        },
    )
