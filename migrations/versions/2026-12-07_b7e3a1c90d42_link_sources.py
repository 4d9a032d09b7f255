"""Keep where a checked image came from when it was checked by link; jobs may hold links.

Revision ID: b7e3a1c90d42
Revises: dc0741a48162
Create Date: 2026-12-07 09:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "b7e3a1c90d42"
down_revision: str | None = "dc0741a48162"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENT = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    """Apply this revision: predictions keep their link, if any; job items may be links."""
    with op.batch_alter_table("predictions") as batch:
        batch.add_column(sa.Column("source", DOCUMENT, nullable=True))
    with op.batch_alter_table("job_items") as batch:
        batch.add_column(sa.Column("source_url", sa.String(2048), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("job_items") as batch:
        batch.drop_column("source_url")
    with op.batch_alter_table("predictions") as batch:
        batch.drop_column("source")
