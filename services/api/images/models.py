"""The images table: one row per distinct content, addressed by sha256."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.api.db.base import Base, CreatedMixin, IdMixin


class Image(IdMixin, CreatedMixin, Base):
    """Stored image bytes; identical uploads share one row and one file."""

    __tablename__ = "images"

    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    byte_size: Mapped[int]
    mime_type: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(255))
