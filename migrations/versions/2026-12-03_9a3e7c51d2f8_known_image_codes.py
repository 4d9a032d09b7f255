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
    query = sa.select(KNOWN_IMAGES.c.id, KNOWN_IMAGES.c.pdq, KNOWN_IMAGES.c.pdq_centre)
    values = [
        {"entry_id": entry_id, "value": _codes_of(pdq=pdq, centre=centre)}
        for entry_id, pdq, centre in op.get_bind().execute(query).all()
    ]
    _set(column="pdq_codes", values=values)
    with op.batch_alter_table("known_images") as batch:
        batch.alter_column("pdq_codes", existing_type=sa.LargeBinary(), nullable=False)
        batch.drop_column("pdq_centre")


def downgrade() -> None:
    """Revert this revision: the centre hash is the second code (the whole one if there is none)."""
    with op.batch_alter_table("known_images") as batch:
        batch.add_column(sa.Column("pdq_centre", sa.String(length=64), nullable=True))
    query = sa.select(KNOWN_IMAGES.c.id, KNOWN_IMAGES.c.pdq_codes)
    values = [
        {"entry_id": entry_id, "value": (codes[32:64] or codes[:32]).hex()}
        for entry_id, codes in op.get_bind().execute(query).all()
    ]
    _set(column="pdq_centre", values=values)
    with op.batch_alter_table("known_images") as batch:
        batch.alter_column("pdq_centre", existing_type=sa.String(length=64), nullable=False)
        batch.drop_column("pdq_codes")


def _codes_of(*, pdq: str, centre: str) -> bytes:
    """The whole picture's and (when it differs) the centre's hash as 32-byte codes."""
    return bytes.fromhex(pdq) + (bytes.fromhex(centre) if centre != pdq else b"")


def _set(*, column: str, values: list[dict[str, object]]) -> None:
    """Write one column of many rows, 10,000 rows a statement rather than one a row."""
    update = (
        KNOWN_IMAGES.update()
        .where(KNOWN_IMAGES.c.id == sa.bindparam("entry_id"))
        .values({column: sa.bindparam("value")})
    )
    for start in range(0, len(values), 10_000):
        op.get_bind().execute(update, values[start : start + 10_000])
