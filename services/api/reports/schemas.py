"""What the API says about reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from services.common.contract import Verdict
from services.common.validation import RequestModel

Label = Literal["real", "fake"]
ReportStatus = Literal["open", "confirmed", "rejected"]


class ReportCreate(RequestModel):
    """A user's claim that a verdict is wrong."""

    claimed_label: Label = Field(description="What the image really is.", examples=["real"])
    comment: str = Field(default="", max_length=2000, examples=["I took this photo myself."])
    source_url: AnyHttpUrl | None = Field(
        default=None, description="Where the image comes from.", examples=["https://example.org/a"]
    )


class ReportResolve(RequestModel):
    """An admin's decision on a report."""

    status: Literal["confirmed", "rejected"]
    resolution_note: str = Field(
        default="",
        max_length=2000,
        description="For the reporter only: shown on their report, never to anyone else.",
        examples=["Thanks: the RAW file you sent checks out."],
    )
    public_note: str = Field(
        default="",
        max_length=2000,
        description=("Shown to everyone whose check matches the known image that confirming adds."),
        examples=["Original RAW provided by the photographer."],
    )


class ReportedPrediction(BaseModel):
    """The prediction a report is about, in brief."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    filename: str
    verdict: Verdict
    score: float
    model_version: str


class ReportOut(BaseModel):
    """A report and where it stands."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    prediction_id: uuid.UUID
    reporter_id: uuid.UUID
    claimed_label: Label
    comment: str
    source_url: str | None
    status: ReportStatus
    resolver_id: uuid.UUID | None
    resolution_note: str | None
    public_note: str | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    prediction: ReportedPrediction


class ReportPage(BaseModel):
    """A page of reports, newest first."""

    items: list[ReportOut]
    next_cursor: str | None = None
