"""Give resolved reports a public note, apart from the admin's note to the reporter.

Known images made from reports showed the resolution note as their public note, though it was
written to the reporter only: those notes are blanked (imported entries keep theirs).

Revision ID: 4f911041fa56
Revises: 9a3e7c51d2f8
Create Date: 2026-12-07 05:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4f911041fa56"
down_revision: str | None = "9a3e7c51d2f8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KNOWN_IMAGES = sa.table("known_images", sa.column("source", sa.String(8)), sa.column("note"))


def upgrade() -> None:
    """Apply this revision: entries from reports no longer show the reporter's note."""
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("public_note", sa.Text(), nullable=True))
    op.execute(KNOWN_IMAGES.update().where(KNOWN_IMAGES.c.source == "report").values(note=""))


def downgrade() -> None:
    """Revert this revision (the blanked notes stay blank: they were never meant public)."""
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("public_note")
