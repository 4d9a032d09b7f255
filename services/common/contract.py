"""The HTTP contract between the API service and the inference service, as pydantic schemas."""

from __future__ import annotations

from typing import Annotated, Any, Literal

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


class Fingerprints(BaseModel):
    """Perceptual hashes of the decoded pixels, to find re-posted copies of known images."""

    pdq: str = Field(
        pattern="^[0-9a-f]{64}$", description="PDQ hash (256 bits, hex) of the whole picture."
    )
    pdq_quality: int = Field(ge=0, le=100, description="PDQ's own quality; under 50 is weak.")
    pdq_trimmed: str = Field(
        pattern="^[0-9a-f]{64}$",
        description="PDQ of the picture without a uniform border (a screenshot's frame).",
    )
    pdq_trimmed_quality: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Quality of `pdq_trimmed`; absent from older answers.",
    )
    pdq_centre: str | None = Field(
        default=None,
        pattern="^[0-9a-f]{64}$",
        description="PDQ of the central 90%, for cropped copies; only from `/v1/fingerprints`.",
    )
    pdq_centre_quality: int | None = Field(
        default=None, ge=0, le=100, description="Quality of `pdq_centre`."
    )
    pdq_sides: list[Annotated[str, Field(pattern="^[0-9a-f]{64}$")]] | None = Field(
        default=None,
        min_length=4,
        max_length=4,
        description=(
            "PDQ of the picture without 10% on its left, right, top and bottom (in that order), "
            "for copies cropped on one side; only from `/v1/fingerprints`."
        ),
    )
    pdq_sides_quality: list[Annotated[int, Field(ge=0, le=100)]] | None = Field(
        default=None, min_length=4, max_length=4, description="Quality of each of `pdq_sides`."
    )


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
    decided_by: Literal["provenance", "model", "known_image"] | None = Field(
        default=None,
        description="Which rule set the verdict: provenance, the model, or a known image.",
    )
    fingerprints: Fingerprints | None = Field(
        default=None, description="Perceptual hashes of the pixels; absent from older answers."
    )
