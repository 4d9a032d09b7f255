"""Running Alembic from code: for the CLI, the app's tests and `make run`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.db.engine import create_engine

HEAD = "head"
# The `migrations` package sits beside `services`, in the repository and when installed.
MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def alembic_config(*, url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(rev)s_%%(slug)s")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(*, engine: AsyncEngine, revision: str = HEAD) -> None:
    """Upgrade the database behind `engine` to `revision`."""
    async with engine.begin() as connection:
        await connection.run_sync(_run, command.upgrade, revision)


async def downgrade(*, engine: AsyncEngine, revision: str) -> None:
    """Downgrade the database behind `engine` to `revision`."""
    async with engine.begin() as connection:
        await connection.run_sync(_run, command.downgrade, revision)


def _run(connection: object, operation: object, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    operation(config, revision)  # type: ignore[operator]


async def run_upgrade(*, url: str, revision: str = HEAD) -> None:
    """Upgrade the database at `url`, creating an SQLite file's folder if needed."""
    _ensure_sqlite_folder(url)
    engine = create_engine(url=url)
    try:
        await upgrade(engine=engine, revision=revision)
    finally:
        await engine.dispose()


async def run_downgrade(*, url: str, revision: str) -> None:
    """Downgrade the database at `url`."""
    engine = create_engine(url=url)
    try:
        await downgrade(engine=engine, revision=revision)
    finally:
        await engine.dispose()


def _ensure_sqlite_folder(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
