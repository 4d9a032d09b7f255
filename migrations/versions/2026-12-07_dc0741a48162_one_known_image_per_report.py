"""One live known image per report: remove entries of rejected reports and repeated ones.

Revision ID: dc0741a48162
Revises: 4f911041fa56
Create Date: 2026-12-07 06:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "dc0741a48162"
down_revision: str | None = "4f911041fa56"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KNOWN_IMAGES = sa.table(
    "known_images",
    sa.column("id", sa.Uuid()),
    sa.column("report_id", sa.Uuid()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("removed_at", sa.DateTime(timezone=True)),
    sa.column("changed_at", sa.DateTime(timezone=True)),
)
REPORTS = sa.table("reports", sa.column("id", sa.Uuid()), sa.column("status", sa.String(16)))
LIVE = KNOWN_IMAGES.c.removed_at.is_(None)


def upgrade() -> None:
    """Apply this revision: earlier versions left these entries live; replicas drop them too."""
    rejected = sa.select(REPORTS.c.id).where(REPORTS.c.status == "rejected")
    _remove(LIVE & KNOWN_IMAGES.c.report_id.in_(rejected))
    older = KNOWN_IMAGES.alias("older")
    repeated = sa.exists().where(
        older.c.report_id == KNOWN_IMAGES.c.report_id,
        older.c.removed_at.is_(None),
        sa.tuple_(older.c.created_at, older.c.id)
        < sa.tuple_(KNOWN_IMAGES.c.created_at, KNOWN_IMAGES.c.id),
    )
    _remove(LIVE & KNOWN_IMAGES.c.report_id.is_not(None) & repeated)
    op.create_index(
        "ux_known_images_live_report",
        "known_images",
        ["report_id"],
        unique=True,
        postgresql_where=sa.text("removed_at IS NULL"),
        sqlite_where=sa.text("removed_at IS NULL"),
    )


def downgrade() -> None:
    """Revert this revision (removed entries stay removed)."""
    op.drop_index("ux_known_images_live_report", table_name="known_images")


def _remove(condition: sa.ColumnElement[bool]) -> None:
    """Soft-remove the entries matching a condition, as the API does."""
    now = datetime.now(UTC)
    op.get_bind().execute(
        KNOWN_IMAGES.update().where(condition).values(removed_at=now, changed_at=now)
    )
