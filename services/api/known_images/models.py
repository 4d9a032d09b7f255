"""The known_images table: images whose origin people have confirmed, by perceptual hash."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.api.db.base import Base, CreatedMixin, IdMixin, utcnow


class KnownImage(IdMixin, CreatedMixin, Base):
    """One known image: its PDQ hashes, what it is, where that knowledge came from."""

    __tablename__ = "known_images"
    __table_args__ = (
        CheckConstraint("label IN ('ai', 'real')", name="label"),
        CheckConstraint("source IN ('report', 'import')", name="source"),
        Index("ix_known_images_changed", "changed_at"),
        Index("ix_known_images_pdq", "pdq"),
        Index("ix_known_images_created", "created_at", "id"),
        # A report's confirmation adds one live entry at most, however many admins confirm it.
        Index(
            "ux_known_images_live_report",
            "report_id",
            unique=True,
            postgresql_where=text("removed_at IS NULL"),
            sqlite_where=text("removed_at IS NULL"),
        ),
    )

    label: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text, default="")
    pdq: Mapped[str] = mapped_column(String(64))
    # Every hash the index keeps for the entry, 32 bytes each (the whole picture first): bytes,
    # not hex, so that a replica reads a million entries quickly.
    pdq_codes: Mapped[bytes] = mapped_column(LargeBinary)
    filename: Mapped[str | None] = mapped_column(String(255))
    report_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("reports.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    # Removal is soft so that every API replica learns of it from `changed_at`.
    removed_at: Mapped[datetime | None]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
