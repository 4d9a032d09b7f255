"""Keep each known image's hashes as 32-byte codes in one column, read without hex parsing.

Revision ID: 9a3e7c51d2f8
Revises: 5c1d2e7a9b40
Create Date: 2026-12-03 07:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9a3e7c51d2f8"
down_revision: str | None = "5c1d2e7a9b40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KNOWN_IMAGES = sa.table(
    "known_images",
    sa.column("id", sa.Uuid()),
    sa.column("pdq", sa.String(64)),
    sa.column("pdq_centre", sa.String(64)),
    sa.column("pdq_codes", sa.LargeBinary()),
)


def upgrade() -> None:
    """Apply this revision: existing entries keep their two hashes (whole and centre)."""
    with op.batch_alter_table("known_images") as batch:
        batch.add_column(sa.Column("pdq_codes", sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(KNOWN_IMAGES.c.id, KNOWN_IMAGES.c.pdq, KNOWN_IMAGES.c.pdq_centre))
    for entry_id, pdq, centre in rows.all():
        codes = bytes.fromhex(pdq) + (bytes.fromhex(centre) if centre != pdq else b"")
        bind.execute(
            KNOWN_IMAGES.update().where(KNOWN_IMAGES.c.id == entry_id).values(pdq_codes=codes)
        )
    with op.batch_alter_table("known_images") as batch:
        batch.alter_column("pdq_codes", existing_type=sa.LargeBinary(), nullable=False)
        batch.drop_column("pdq_centre")


def downgrade() -> None:
    """Revert this revision: the centre hash is the second code (the whole one if there is none)."""
    with op.batch_alter_table("known_images") as batch:
        batch.add_column(sa.Column("pdq_centre", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(KNOWN_IMAGES.c.id, KNOWN_IMAGES.c.pdq_codes))
    for entry_id, codes in rows.all():
        centre = codes[32:64].hex() if len(codes) >= 64 else codes[:32].hex()
        bind.execute(
            KNOWN_IMAGES.update().where(KNOWN_IMAGES.c.id == entry_id).values(pdq_centre=centre)
        )
    with op.batch_alter_table("known_images") as batch:
        batch.alter_column("pdq_centre", existing_type=sa.String(length=64), nullable=False)
        batch.drop_column("pdq_codes")
