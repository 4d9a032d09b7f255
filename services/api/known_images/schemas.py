"""What the API says about known images and the matches a check finds."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.common.problems import Problem

KnownLabel = Literal["ai", "real"]


class KnownImageOut(BaseModel):
    """A known image as admins see it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    label: KnownLabel
    source: Literal["report", "import"]
    note: str
    filename: str | None
    pdq: str
    report_id: uuid.UUID | None
    created_by_id: uuid.UUID | None
    created_at: datetime


class KnownImagePage(BaseModel):
    """A page of known images, newest first."""

    items: list[KnownImageOut]
    next_cursor: str | None = None


class ImportItem(BaseModel):
    """One manifest row's outcome: the entry it became, or why it was refused."""

    index: int = Field(description="The row's position in the manifest, from 0.")
    file: str
    status: Literal["ok", "error"]
    entry: KnownImageOut | None = None
    error: Problem | None = None


class ImportResult(BaseModel):
    """An import's entries, in manifest order; nothing is added unless every row is good."""

    imported: int
    items: list[ImportItem]


class KnownMatch(BaseModel):
    """A known image a check is a near-duplicate of, as the `matches` signal reports it."""

    label: KnownLabel
    note: str
    known_since: datetime = Field(description="When the image became known.")
    distance: int = Field(description="PDQ bits that differ, of 256.")
    entry_id: uuid.UUID | None = Field(default=None, description="Admins only.")
    source: Literal["report", "import"] | None = Field(default=None, description="Admins only.")


class HistoryMatch(BaseModel):
    """One of the caller's own earlier checks that looks like this image."""

    prediction_id: uuid.UUID
    filename: str
    verdict: str
    checked_at: datetime
    distance: int
