"""What every scoring view gives the fusion: a raw logit and its own calibrated score."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ViewScore:
    """One view's finding on one image: raw logit, calibrated score, per-part logits."""

    name: str
    logit: float
    score: float
    parts: dict[str, float] = field(default_factory=dict)
