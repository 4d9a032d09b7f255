"""Every answer of the Deepcatcher API as a typed model (checked against its OpenAPI schema)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["real", "fake", "uncertain"]
Role = Literal["user", "admin"]
Scope = Literal["predict", "history", "reports", "admin"]
Label = Literal["real", "fake"]
ReportStatus = Literal["open", "confirmed", "rejected"]
JobStatus = Literal["queued", "running", "completed"]
ItemStatus = Literal["pending", "done", "error"]
DecidedBy = Literal["provenance", "model", "known_image"]
KnownLabel = Literal["ai", "real"]
KnownSource = Literal["report", "import"]
PageTag = Literal["og:image", "twitter:image", "image_src"]


class Problem(BaseModel):
    """An RFC 9457 problem details body; extension members are kept."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class User(BaseModel):
    """An account."""

    id: uuid.UUID
    email: str
    role: Role
    created_at: datetime


class Token(BaseModel):
    """A bearer token from signing in."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - a kind of token, not a secret
    expires_in: int


class ApiKey(BaseModel):
    """An API key as listed: never its secret."""

    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKey):
    """A new API key with its secret, which the API shows this once only."""

    key: str


class ModelRef(BaseModel):
    """Which model produced a result."""

    name: str
    version: str


class Signal(BaseModel):
    """One detector's finding and the evidence behind it."""

    name: str
    score: float | None = None
    summary: str = ""
    evidence: dict[str, Any] = Field(default_factory=dict)


class ImageFacts(BaseModel):
    """The checked image's hash, type and size."""

    sha256: str
    mime_type: str
    width: int
    height: int
    byte_size: int


class PageImage(BaseModel):
    """An image a page names for itself, and the tag that names it."""

    url: str
    tag: PageTag


class LinkSource(BaseModel):
    """Where an image checked by link came from: the link, the image fetched, the page's choices."""

    url: str
    image_url: str
    page_url: str | None = None
    taken_from: PageTag | None = None
    candidates: list[PageImage] = Field(default_factory=list)
    note: str | None = None


class PredictionSummary(BaseModel):
    """A prediction as listed in history."""

    id: uuid.UUID | None
    created_at: datetime
    filename: str
    verdict: Verdict
    score: float
    model: ModelRef
    image: ImageFacts
    latency_ms: float
    reused: bool
    image_url: str | None = None
    decided_by: DecidedBy | None = None
    source: LinkSource | None = None


class Prediction(PredictionSummary):
    """A prediction with the evidence of every signal."""

    signals: list[Signal]


class PredictionItem(BaseModel):
    """The result for one uploaded file: a prediction or that file's own error."""

    index: int
    filename: str
    status: Literal["ok", "error"]
    prediction: Prediction | None = None
    error: Problem | None = None


class PredictionBatch(BaseModel):
    """One result per uploaded file, in upload order."""

    saved: bool
    items: list[PredictionItem]


class PredictionPage(BaseModel):
    """A page of history, newest first."""

    items: list[PredictionSummary]
    next_cursor: str | None = None


class JobItem(BaseModel):
    """One image of a bulk job and what became of it."""

    index: int
    filename: str
    status: ItemStatus
    source_url: str | None = None
    prediction_id: uuid.UUID | None = None
    verdict: Verdict | None = None
    score: float | None = None
    error: Problem | None = None


class WebhookState(BaseModel):
    """Where a job's completion callback stands."""

    url: str
    attempts: int
    delivered_at: datetime | None
    last_error: str | None


class JobSummary(BaseModel):
    """A bulk job's progress."""

    id: uuid.UUID
    status: JobStatus
    total: int
    done: int
    failed: int
    pending: int
    created_at: datetime
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        """Whether every image has been checked or has failed."""
        return self.status == "completed"


class Job(JobSummary):
    """A bulk job with every item's result."""

    items: list[JobItem]
    webhook: WebhookState | None = None


class JobCreated(Job):
    """A new job; `callback_secret` (shown this once) signs its webhook."""

    callback_secret: str | None = None


class JobPage(BaseModel):
    """A page of jobs, newest first."""

    items: list[JobSummary]
    next_cursor: str | None = None


class ReportedPrediction(BaseModel):
    """The prediction a report is about, in brief."""

    id: uuid.UUID
    filename: str
    verdict: Verdict
    score: float
    model_version: str


class Report(BaseModel):
    """A report that a verdict is wrong, and where it stands."""

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

    items: list[Report]
    next_cursor: str | None = None


class WebhookPayload(BaseModel):
    """The body POSTed to a job's callback URL when it finishes."""

    event: Literal["job.completed"] = "job.completed"
    job: JobSummary


class KnownImage(BaseModel):
    """An image admins have confirmed as AI-generated or real, matched by its PDQ hash."""

    id: uuid.UUID
    label: KnownLabel
    source: KnownSource
    note: str
    filename: str | None
    pdq: str
    report_id: uuid.UUID | None
    created_by_id: uuid.UUID | None
    created_at: datetime


class KnownImagePage(BaseModel):
    """A page of known images, newest first."""

    items: list[KnownImage]
    next_cursor: str | None = None


class ImportItem(BaseModel):
    """One manifest row of a known-images import: the entry it became, or why it was refused."""

    index: int
    file: str
    status: Literal["ok", "error"]
    entry: KnownImage | None = None
    error: Problem | None = None


class ImportResult(BaseModel):
    """A known-images import, row by row; nothing is added unless every row is good."""

    imported: int
    items: list[ImportItem]
