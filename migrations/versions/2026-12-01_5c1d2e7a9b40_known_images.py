"""Add known images and the PDQ fingerprints (and deciding rule) of each prediction.

Revision ID: 5c1d2e7a9b40
Revises: 6f462c98055b
Create Date: 2026-12-01 22:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5c1d2e7a9b40"
down_revision: str | None = "6f462c98055b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("predictions") as batch:
        batch.add_column(sa.Column("decided_by", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("fingerprints", JSON_DOCUMENT, nullable=True))
        batch.add_column(sa.Column("pdq", sa.String(length=64), nullable=True))
    op.create_table(
        "known_images",
        sa.Column("label", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("pdq", sa.String(length=64), nullable=False),
        sa.Column("pdq_centre", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("report_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("label IN ('ai', 'real')", name=op.f("ck_known_images_label")),
        sa.CheckConstraint("source IN ('report', 'import')", name=op.f("ck_known_images_source")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_known_images_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_known_images_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_images")),
    )
    op.create_index("ix_known_images_changed", "known_images", ["changed_at"])
    op.create_index("ix_known_images_pdq", "known_images", ["pdq"])
    op.create_index("ix_known_images_created", "known_images", ["created_at", "id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_known_images_created", table_name="known_images")
    op.drop_index("ix_known_images_pdq", table_name="known_images")
    op.drop_index("ix_known_images_changed", table_name="known_images")
    op.drop_table("known_images")
    with op.batch_alter_table("predictions") as batch:
        batch.drop_column("pdq")
        batch.drop_column("fingerprints")
        batch.drop_column("decided_by")
