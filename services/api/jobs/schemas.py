"""What the API says about bulk jobs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from services.common.contract import Verdict
from services.common.problems import Problem
from services.common.validation import RequestModel

JobStatus = Literal["queued", "running", "completed"]
ItemStatus = Literal["pending", "done", "error"]


class JobLinks(RequestModel):
    """A bulk job of links: each is fetched and checked as `POST /v1/predictions` would."""

    urls: list[Annotated[str, Field(min_length=1, max_length=2048)]] = Field(
        min_length=1,
        description="http(s) addresses of images, or of pages naming their image (og:image).",
        examples=[["https://example.org/news/flooded-station", "https://example.org/a.jpg"]],
    )
    callback_url: str | None = Field(default=None, max_length=2048)


class JobItemOut(BaseModel):
    """One image of a job and what became of it."""

    index: int
    filename: str
    status: ItemStatus
    source_url: str | None = Field(default=None, description="The link, for an item sent as one.")
    prediction_id: uuid.UUID | None = None
    verdict: Verdict | None = None
    score: float | None = None
    error: Problem | None = None


class WebhookOut(BaseModel):
    """Where the job's completion callback stands."""

    url: str
    attempts: int
    delivered_at: datetime | None
    last_error: str | None


class JobSummary(BaseModel):
    """A job's progress."""

    id: uuid.UUID
    status: JobStatus
    total: int = Field(description="Images in the job.")
    done: int = Field(description="Images checked and saved to history.")
    failed: int = Field(description="Images that could not be checked.")
    pending: int = Field(description="Images still waiting for a worker.")
    created_at: datetime
    finished_at: datetime | None


class JobOut(JobSummary):
    """A job with every item's result."""

    items: list[JobItemOut]
    webhook: WebhookOut | None = None


class JobCreated(JobOut):
    """A new job; `callback_secret` (shown this once) signs its webhook."""

    callback_secret: str | None = Field(
        default=None,
        description=(
            "Verify the webhook: `X-Deepcatcher-Signature` is `sha256=` + hex HMAC-SHA256 of "
            "`<X-Deepcatcher-Timestamp>.<raw body>` keyed with this secret."
        ),
    )


class JobPage(BaseModel):
    """A page of jobs, newest first."""

    items: list[JobSummary]
    next_cursor: str | None = None


class WebhookPayload(BaseModel):
    """The body POSTed to a job's callback URL when it finishes."""

    event: Literal["job.completed"] = "job.completed"
    job: JobSummary
