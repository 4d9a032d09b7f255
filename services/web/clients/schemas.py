"""What the web service reads from the API and inference services: their answers' shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.common.contract import ModelRef, Signal, Verdict
from services.common.problems import Problem

Role = Literal["user", "admin"]
Label = Literal["real", "fake"]
ReportStatus = Literal["open", "confirmed", "rejected"]
JobStatus = Literal["queued", "running", "completed"]
JobItemStatus = Literal["pending", "done", "error"]


class Answer(BaseModel):
    """Any answer: fields the web does not use are ignored, so the API may grow."""

    model_config = ConfigDict(extra="ignore")


class User(Answer):
    """The signed-in account."""

    id: uuid.UUID
    email: str
    role: Role
    created_at: datetime


class ApiKey(Answer):
    """An API key as listed: never its secret."""

    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKey):
    """A new API key with its secret, shown once."""

    key: str


class ImageFacts(Answer):
    """The checked image's facts."""

    sha256: str
    mime_type: str
    width: int
    height: int
    byte_size: int


class PageImage(Answer):
    """An image a page names for itself, and the tag that names it."""

    url: str
    tag: str


class LinkSource(Answer):
    """Where an image checked by link came from: the link, the image, the page's candidates."""

    url: str
    image_url: str
    page_url: str | None = None
    taken_from: str | None = None
    candidates: list[PageImage] = []
    note: str | None = None


class PredictionSummary(Answer):
    """A prediction as history lists it."""

    id: uuid.UUID | None
    created_at: datetime
    filename: str
    verdict: Verdict
    score: float
    model: ModelRef
    image: ImageFacts
    latency_ms: float
    reused: bool
    source: LinkSource | None = None


class Prediction(PredictionSummary):
    """A prediction with every signal's evidence."""

    signals: list[Signal]


class PredictionItem(Answer):
    """One uploaded file's result: a prediction or its own problem."""

    index: int
    filename: str
    status: Literal["ok", "error"]
    prediction: Prediction | None = None
    error: Problem | None = None


class PredictionBatch(Answer):
    """One result per uploaded file, in order."""

    saved: bool
    items: list[PredictionItem]


class PredictionPage(Answer):
    """A page of history, newest first."""

    items: list[PredictionSummary]
    next_cursor: str | None = None


class ReportedPrediction(Answer):
    """The prediction a report is about, in brief."""

    id: uuid.UUID
    filename: str
    verdict: Verdict
    score: float
    model_version: str


class Report(Answer):
    """A report on a verdict and where it stands."""

    id: uuid.UUID
    prediction_id: uuid.UUID
    reporter_id: uuid.UUID
    claimed_label: Label
    comment: str
    source_url: str | None
    status: ReportStatus
    resolution_note: str | None
    public_note: str | None = None
    created_at: datetime
    resolved_at: datetime | None
    prediction: ReportedPrediction


class KnownImage(Answer):
    """A known image as admins see it."""

    id: uuid.UUID
    label: str
    source: str
    note: str
    filename: str | None = None
    created_at: datetime


class KnownImagePage(Answer):
    """A page of known images, newest first."""

    items: list[KnownImage]
    next_cursor: str | None = None


class ReportPage(Answer):
    """A page of reports, newest first."""

    items: list[Report]
    next_cursor: str | None = None


class Thresholds(Answer):
    """The model's uncertain band."""

    real_below: float
    fake_above: float
    target: str = ""


class ModelInput(Answer):
    """What the model looks at."""

    crop_size: int
    max_crops: int


class DetectorInfo(Answer):
    """The fused detector that sets verdicts, as `GET /v1/models` reports it."""

    name: str
    views: list[str] = Field(default_factory=list)
    thresholds: Thresholds
    measured: dict[str, Any] = Field(default_factory=dict)
    limitations: list[str] = Field(default_factory=list)


class ModelInfo(Answer):
    """The loaded model's card, as the inference service's `GET /v1/models` reports it."""

    name: str
    version: str
    created: datetime
    input: ModelInput
    thresholds: Thresholds
    metrics: dict[str, Any] = Field(default_factory=dict)
    training: dict[str, Any] = Field(default_factory=dict)
    intended_use: str = ""
    limitations: list[str] = Field(default_factory=list)
    ready: bool = True
    detector: DetectorInfo | None = None


class ModelList(Answer):
    """The models the inference service serves."""

    models: list[ModelInfo]


class JobItem(Answer):
    """One image of a bulk job: waiting, checked (with its verdict) or failed (with why)."""

    index: int
    filename: str
    status: JobItemStatus
    prediction_id: uuid.UUID | None = None
    verdict: Verdict | None = None
    score: float | None = None
    error: Problem | None = None


class Webhook(Answer):
    """Where a job's completion callback stands."""

    url: str
    attempts: int
    delivered_at: datetime | None
    last_error: str | None


class JobSummary(Answer):
    """A bulk job's progress."""

    id: uuid.UUID
    status: JobStatus
    total: int
    done: int
    failed: int
    pending: int
    created_at: datetime
    finished_at: datetime | None


class Job(JobSummary):
    """A bulk job with every item's result."""

    items: list[JobItem]
    webhook: Webhook | None = None


class JobCreated(Job):
    """A new bulk job; the secret that signs its callback is shown this once."""

    callback_secret: str | None = None


class JobPage(Answer):
    """A page of bulk jobs, newest first."""

    items: list[JobSummary]
    next_cursor: str | None = None
