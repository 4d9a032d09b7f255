"""What the API says about predictions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.api.links.schemas import LinkSource
from services.common.contract import DecidedBy, ModelRef, Signal, Verdict
from services.common.problems import Problem


class ImageOut(BaseModel):
    """The checked image's facts."""

    sha256: str = Field(
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]
    )
    mime_type: str = Field(examples=["image/jpeg"])
    width: int = Field(examples=[1600])
    height: int = Field(examples=[1200])
    byte_size: int = Field(examples=[482113])


class PredictionSummary(BaseModel):
    """A prediction as listed in history."""

    id: uuid.UUID | None = Field(description="Absent when the caller is anonymous: nothing saved.")
    created_at: datetime
    filename: str = Field(examples=["protest.jpg"])
    verdict: Verdict = Field(examples=["fake"])
    score: float = Field(
        ge=0.0,
        le=1.0,
        description="Calibrated probability that the image is AI-generated or manipulated.",
        examples=[0.93],
    )
    model: ModelRef
    image: ImageOut
    latency_ms: float = Field(
        description=(
            "Time spent getting the verdict: the detector's, or looking up your own reused one."
        )
    )
    reused: bool = Field(
        description=(
            "True when your own earlier result for the same bytes and model version was reused; "
            "never because someone else checked them."
        )
    )
    image_url: str | None = Field(default=None, examples=["/v1/predictions/3f0c…/image"])
    decided_by: DecidedBy | None = Field(
        default=None,
        description="Which rule set the verdict (`known_image`: a copy of a known AI image).",
    )
    source: LinkSource | None = Field(
        default=None, description="Where the image came from, when it was checked by link."
    )


class PredictionOut(PredictionSummary):
    """A prediction with the evidence of every signal."""

    signals: list[Signal]


class PredictionItem(BaseModel):
    """The result for one uploaded file: a prediction or that file's own error."""

    index: int = Field(description="Position of the file in the request.", examples=[0])
    filename: str
    status: Literal["ok", "error"]
    prediction: PredictionOut | None = None
    error: Problem | None = None


class PredictionBatch(BaseModel):
    """One result per uploaded file, in upload order."""

    saved: bool = Field(description="Whether the results were saved to the caller's history.")
    items: list[PredictionItem]


class PredictionPage(BaseModel):
    """A page of history, newest first."""

    items: list[PredictionSummary]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; absent on the last."
    )
