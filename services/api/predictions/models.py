"""The predictions table: a user's history of checked images."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.api.db.base import Base, CreatedMixin, IdMixin, JSONDocument
from services.api.images.models import Image


class Prediction(IdMixin, CreatedMixin, Base):
    """One verdict on one image for one owner, with the evidence of every signal."""

    __tablename__ = "predictions"
    __table_args__ = (
        CheckConstraint("verdict IN ('real', 'fake', 'uncertain')", name="verdict"),
        CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
        Index("ix_predictions_owner_created", "owner_id", "created_at", "id"),
        Index("ix_predictions_image_model", "image_id", "model_version"),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    image_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("images.id", ondelete="RESTRICT"))
    filename: Mapped[str] = mapped_column(String(255))
    verdict: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    model_name: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[str] = mapped_column(String(64))
    signals: Mapped[list[Any]] = mapped_column(JSONDocument)
    image_format: Mapped[str] = mapped_column(String(16))
    latency_ms: Mapped[float] = mapped_column(Float)
    reused: Mapped[bool] = mapped_column(default=False)
    decided_by: Mapped[str | None] = mapped_column(String(16))
    # The PDQ hashes the detector returned; `pdq` again as a column for history look-ups.
    fingerprints: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    pdq: Mapped[str | None] = mapped_column(String(64))
    # For a check by link: the link, the image's address and the page's candidates.
    source: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)

    image: Mapped[Image] = relationship(lazy="joined")
