"""Bulk jobs and their items: many images checked in the background by queue workers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.api.db.base import Base, CreatedMixin, IdMixin, JSONDocument, utcnow


class Job(IdMixin, CreatedMixin, Base):
    """A batch of images a user asked to have checked in the background."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'completed')", name="status"),
        Index("ix_jobs_owner_created", "owner_id", "created_at", "id"),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    total: Mapped[int]
    callback_url: Mapped[str | None] = mapped_column(String(2048))
    callback_secret: Mapped[str | None] = mapped_column(String(64))
    finished_at: Mapped[datetime | None]
    webhook_attempts: Mapped[int] = mapped_column(default=0)
    webhook_delivered_at: Mapped[datetime | None]
    webhook_last_error: Mapped[str | None] = mapped_column(String(500))

    items: Mapped[list[JobItem]] = relationship(
        back_populates="job",
        order_by="JobItem.index",
        lazy="selectin",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class JobItem(IdMixin, Base):
    """One image of a job, and what became of it."""

    __tablename__ = "job_items"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'done', 'error')", name="status"),
        UniqueConstraint("job_id", "index"),
        UniqueConstraint("prediction_id"),
        Index("ix_job_items_job_status", "job_id", "status"),
    )

    job_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("jobs.id", ondelete="CASCADE"))
    index: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    image_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("images.id", ondelete="RESTRICT"), index=True
    )
    # A link to fetch when the item is worked; its image is stored then.
    source_url: Mapped[str | None] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # Set in the same transaction as the prediction it names: the guard against doing it twice.
    prediction_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("predictions.id", ondelete="SET NULL")
    )
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    attempts: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    job: Mapped[Job] = relationship(back_populates="items")
