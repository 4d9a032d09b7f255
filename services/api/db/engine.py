"""The async engine and session factory, built from settings in the app's lifespan."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def create_engine(
    *, url: str, statement_cache_size: int = 100, pool_size: int = 10, **options: Any
) -> AsyncEngine:
    """An engine for PostgreSQL (asyncpg) or SQLite (aiosqlite) with sane per-dialect settings."""
    # A failed statement's error (and so any log of it) must not carry e-mail addresses,
    # file names or scores: SQLAlchemy otherwise renders every bound value into the message.
    options.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {
        **_statement_cache_args(statement_cache_size),
        **options.pop("connect_args", {}),
    }
    return create_async_engine(
        url, pool_size=pool_size, pool_pre_ping=True, connect_args=connect_args, **options
    )


def _statement_cache_args(statement_cache_size: int) -> dict[str, Any]:
    """asyncpg's and SQLAlchemy's statement caches; both off, and unique names, for PgBouncer."""
    if statement_cache_size > 0:
        return {"statement_cache_size": statement_cache_size}
    # In transaction mode PgBouncer hands each transaction any server connection, so no named
    # prepared statement may outlive its transaction or share a name with another client's.
    return {
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": lambda: f"__asyncpg_{uuid.uuid4()}__",
    }


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
