"""The reports table: users telling us a verdict was wrong, and how admins resolved it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.api.db.base import Base, CreatedMixin, IdMixin, utcnow
from services.api.predictions.models import Prediction


class Report(IdMixin, CreatedMixin, Base):
    """A user's claim that a prediction is wrong."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("claimed_label IN ('real', 'fake')", name="claimed_label"),
        CheckConstraint("status IN ('open', 'confirmed', 'rejected')", name="status"),
        Index("ix_reports_reporter_created", "reporter_id", "created_at", "id"),
        Index("ix_reports_status_created", "status", "created_at", "id"),
    )

    prediction_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("predictions.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    claimed_label: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str | None] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolver_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    # Between the admin and the reporter; `public_note` is what a known image made of it shows.
    resolution_note: Mapped[str | None] = mapped_column(Text)
    public_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None]

    prediction: Mapped[Prediction] = relationship(lazy="joined")
