"""The HTTP contract between the API service and the inference service, as pydantic schemas."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Verdict = Literal["real", "fake", "uncertain"]


class ModelRef(BaseModel):
    """Which model produced a result; `version` is the sha256 of the model file."""

    name: str = Field(examples=["deepcatcher-default"])
    version: str = Field(examples=["5f0c…e1"])


class Signal(BaseModel):
    """One detector's finding: its own score (or none) and the evidence behind it."""

    name: str = Field(examples=["model", "provenance", "spectrum"])
    score: float | None = Field(default=None, ge=0.0, le=1.0)
    summary: str = Field(default="", description="One plain-language sentence for people.")
    evidence: dict[str, Any] = Field(default_factory=dict)


class ImageInfo(BaseModel):
    """The decoded image's size and format."""

    width: int = Field(ge=1)
    height: int = Field(ge=1)
    format: str = Field(examples=["JPEG"])


class InferenceResult(BaseModel):
    """What `POST /v1/predict` answers for one image."""

    verdict: Verdict
    score: float = Field(
        ge=0.0,
        le=1.0,
        description="Calibrated probability that the image is AI-generated or manipulated.",
    )
    model: ModelRef
    signals: list[Signal]
    image: ImageInfo
    timings_ms: dict[str, float] = Field(default_factory=dict)
