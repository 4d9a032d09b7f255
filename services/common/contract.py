"""The HTTP contract between the API service and the inference service, as pydantic schemas."""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, Field

Verdict = Literal["real", "fake", "uncertain"]

# One name per concept (docs/api.md, "Names"). A scoring view's name keys the fusion card and
# the `detector` signal's `views`; its own signal may be named otherwise, as clients read it.
VIEW_LOWLEVEL: Final = "lowlevel"
VIEW_SEMANTIC: Final = "semantic"
# Each signal's `name`: the fused detector, each scoring view, and the evidence.
SIGNAL_DETECTOR: Final = "detector"
SIGNAL_SEMANTIC: Final = "semantic"
SIGNAL_LOWLEVEL: Final = "model"  # the low-level view's own score: named before the fusion
SIGNAL_PROVENANCE: Final = "provenance"
SIGNAL_SPECTRUM: Final = "spectrum"
SIGNAL_MATCHES: Final = "matches"
# Which scoring view's card each of the `detector` signal's `views` is.
VIEW_SIGNALS: Final = {VIEW_LOWLEVEL: SIGNAL_LOWLEVEL, VIEW_SEMANTIC: SIGNAL_SEMANTIC}
# `decided_by`: a generator's own provenance claim; the pixels, through the fused detector (or
# the low-level view alone where no fusion card is loaded); or a known image, in the API.
DecidedBy = Literal["provenance", "model", "known_image"]
DECIDED_BY_PROVENANCE: Final = "provenance"
DECIDED_BY_PIXELS: Final = "model"
DECIDED_BY_KNOWN_IMAGE: Final = "known_image"


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
    decided_by: DecidedBy | None = Field(
        default=None,
        description="Which rule set the verdict: provenance, the model, or a known image.",
    )
    fingerprints: Fingerprints | None = Field(
        default=None, description="Perceptual hashes of the pixels; absent from older answers."
    )
