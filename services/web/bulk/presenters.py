"""Bulk jobs as the pages show them: status words, and each image's verdict or failure."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from deepcatcher_client.models import Job, JobItem, Problem

from services.web.check.service import CANNOT_CHECK, friendly_title
from services.web.predictions.verdicts import VerdictLabel, verdict_label

JOB_STATUS_LABELS = {"queued": "Queued", "running": "Checking", "completed": "Finished"}
ITEM_STATUS_LABELS = {"pending": "Waiting", "done": "Checked", "error": "Failed"}


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One image of a job: its verdict once checked, or why it failed, in words."""

    item: JobItem
    verdict: VerdictLabel | None
    failure: str | None


@dataclass(frozen=True, slots=True)
class JobView:
    """A job with a row per image."""

    job: Job
    rows: list[ItemRow]

    @property
    def finished(self) -> bool:
        """Whether every image is checked or failed, so there is nothing left to wait for."""
        return self.job.status == "completed"


def job_view(job: Job) -> JobView:
    """A job in the words the pages use."""
    return JobView(job=job, rows=[item_row(item) for item in job.items])


def item_row(item: JobItem) -> ItemRow:
    """An image's verdict label, or its problem as a sentence."""
    return ItemRow(
        item=item,
        verdict=verdict_label(item.verdict) if item.verdict else None,
        failure=failure_text(item.error) if item.status == "error" else None,
    )


def failure_text(problem: Problem | None) -> str:
    """Why a file failed: the same titles the check page uses, then the API's detail."""
    if problem is None:
        return f"{CANNOT_CHECK}."
    title = friendly_title(problem.status)
    return f"{title}: {problem.detail}" if problem.detail else f"{title}."


def created_message(job: Job) -> str:
    """The flash after starting a job."""
    images = "1 image" if job.total == 1 else f"{job.total} images"
    return f"Job started with {images}. This page follows its progress."


def jobs_url(*, cursor: str | None = None) -> str:
    """The Bulk page, or a later page of its job list."""
    return f"/bulk?{urlencode({'cursor': cursor})}" if cursor else "/bulk"
