"""Throw-away databases: a fresh PostgreSQL database or SQLite file per use."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

TEST_DATABASE_URL_ENV = "DEEPCATCHER_TEST_DATABASE_URL"


def server_url() -> str | None:
    """The PostgreSQL server tests must use, when CI names one."""
    return os.environ.get(TEST_DATABASE_URL_ENV) or None


@asynccontextmanager
async def temporary_database(*, folder: Path, sqlite: bool = False) -> AsyncIterator[str]:
    """A new empty database, dropped afterwards: PostgreSQL when configured, else SQLite."""
    base = None if sqlite else server_url()
    if base is None:
        yield f"sqlite+aiosqlite:///{folder / f'test-{uuid.uuid4().hex}.db'}"
        return
    name = f"deepcatcher_test_{uuid.uuid4().hex[:16]}"
    # No pool: a fault test may restart the server, and the drop must still get through.
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()
