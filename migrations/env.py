"""Alembic environment: async, for SQLite and PostgreSQL, reusing a connection when given one."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from services.api.config import ApiSettings
from services.api.db.base import UTCDateTime
from services.api.db.engine import create_engine
from services.api.db.models import Base

target_metadata = Base.metadata


def _render_item(type_: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Migrations must not import app code, so our UTC wrapper is written as its plain column type.
    if type_ == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_new_engine(url: str) -> None:
    engine = create_engine(url=url)
    async with engine.connect() as connection:
        await connection.run_sync(_configure_and_run)
        await connection.commit()
    await engine.dispose()


def run_migrations_online() -> None:
    """Migrate through the connection the caller handed over, or a new one from settings."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or ApiSettings().database_url
    asyncio.run(_run_with_new_engine(url))


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`)."""
    url = context.config.get_main_option("sqlalchemy.url") or ApiSettings().database_url
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
