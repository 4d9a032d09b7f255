"""Add per-account sign-in throttles: wrong passwords in a row and a lock that expires.

Revision ID: 6f462c98055b
Revises: 0b82d43460a9
Create Date: 2026-12-01 22:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6f462c98055b"
down_revision: str | None = "0b82d43460a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "sign_in_throttles",
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("email_hash", name=op.f("pk_sign_in_throttles")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("sign_in_throttles")
