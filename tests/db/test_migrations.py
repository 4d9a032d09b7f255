"""Migrations go up and down cleanly, and match the models exactly."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, insert, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.api.db import migrate
from services.api.db.base import utcnow
from services.api.db.engine import create_engine
from services.api.db.models import Base
from services.api.images.models import Image
from services.api.known_images.models import KnownImage
from services.api.predictions.models import Prediction
from services.api.reports.models import Report
from services.api.users.models import User
from tests.support.databases import server_url, temporary_database

APP_TABLES = {table.name for table in Base.metadata.sorted_tables}


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def _tables_of(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(_tables)


# SQLite always; PostgreSQL too whenever CI names a server (then the suite runs on it).
BACKENDS = ["sqlite", *(["postgresql"] if server_url() else [])]


@pytest.mark.parametrize("backend", BACKENDS)
async def test_upgrade_downgrade_upgrade(tmp_path: Path, backend: str) -> None:
    async with temporary_database(folder=tmp_path, sqlite=backend == "sqlite") as url:
        engine = create_engine(url=url)
        try:
            await migrate.upgrade(engine=engine)
            assert await _tables_of(engine) == APP_TABLES
            await migrate.downgrade(engine=engine, revision="base")
            assert await _tables_of(engine) == set()
            await migrate.upgrade(engine=engine)
            assert await _tables_of(engine) == APP_TABLES
        finally:
            await engine.dispose()


async def test_migrations_match_the_models(db_engine: AsyncEngine) -> None:
    async with db_engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []


async def test_constraints_follow_the_naming_convention(db_engine: AsyncEngine) -> None:
    def names(connection: Connection) -> set[str]:
        inspector = inspect(connection)
        found = {inspector.get_pk_constraint("predictions")["name"]}
        found |= {fk["name"] for fk in inspector.get_foreign_keys("predictions")}
        found |= {uq["name"] for uq in inspector.get_unique_constraints("images")}
        return {name for name in found if name}

    async with db_engine.connect() as connection:
        found = await connection.run_sync(names)
    assert {
        "pk_predictions",
        "fk_predictions_owner_id_users",
        "fk_predictions_image_id_images",
        "uq_images_sha256",
    } <= found


@pytest.mark.skipif(server_url() is None, reason="asyncpg options apply to PostgreSQL only")
async def test_pgbouncer_mode_runs_without_a_statement_cache(database_url: str) -> None:
    engine = create_engine(url=database_url, statement_cache_size=0)
    try:
        async with engine.connect() as connection:
            for _ in range(3):
                count = (await connection.execute(text("SELECT count(*) FROM users"))).scalar_one()
                assert isinstance(count, int)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_known_images_keep_their_hashes_as_codes_both_ways(
    tmp_path: Path, backend: str
) -> None:
    whole, centre = "ab" * 32, "cd" * 32
    async with temporary_database(folder=tmp_path, sqlite=backend == "sqlite") as url:
        engine = create_engine(url=url)
        try:
            await migrate.upgrade(engine=engine, revision="5c1d2e7a9b40")
            async with engine.begin() as connection:
                await connection.execute(
                    text(
                        "INSERT INTO known_images (id, label, source, note, pdq, pdq_centre, "
                        "changed_at, created_at) VALUES (:id, 'ai', 'import', '', "
                        ":whole, :centre, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"id": uuid.uuid4().hex, "whole": whole, "centre": centre},
                )
            await migrate.upgrade(engine=engine)
            async with engine.connect() as connection:
                codes = (
                    await connection.execute(text("SELECT pdq_codes FROM known_images"))
                ).scalar_one()
            assert bytes(codes) == bytes.fromhex(whole + centre)
            await migrate.downgrade(engine=engine, revision="5c1d2e7a9b40")
            async with engine.connect() as connection:
                back = (
                    await connection.execute(text("SELECT pdq_centre FROM known_images"))
                ).scalar_one()
            assert back == centre
        finally:
            await engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_known_images_from_reports_stop_showing_the_note_to_the_reporter(
    tmp_path: Path, backend: str
) -> None:
    async with temporary_database(folder=tmp_path, sqlite=backend == "sqlite") as url:
        engine = create_engine(url=url)
        try:
            await migrate.upgrade(engine=engine, revision="9a3e7c51d2f8")
            async with engine.begin() as connection:
                for source, note in (("report", "You made it yourself."), ("import", "Press")):
                    await connection.execute(
                        text(
                            "INSERT INTO known_images (id, label, source, note, pdq, pdq_codes, "
                            "changed_at, created_at) VALUES (:id, 'ai', :source, :note, :pdq, "
                            ":codes, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                        ),
                        {"id": uuid.uuid4().hex, "source": source, "note": note}
                        | {"pdq": "ab" * 32, "codes": bytes.fromhex("ab" * 32)},
                    )
            await migrate.upgrade(engine=engine)
            async with engine.connect() as connection:
                notes = (
                    await connection.execute(text("SELECT source, note FROM known_images"))
                ).all()
            assert sorted(tuple(row) for row in notes) == [("import", "Press"), ("report", "")]
        finally:
            await engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_entries_left_live_by_rejected_or_repeated_confirmations_are_removed(
    tmp_path: Path, backend: str
) -> None:
    async with temporary_database(folder=tmp_path, sqlite=backend == "sqlite") as url:
        engine = create_engine(url=url)
        try:
            await migrate.upgrade(engine=engine, revision="4f911041fa56")
            rejected, confirmed = uuid.uuid4(), uuid.uuid4()
            async with engine.begin() as connection:
                await _add_reports(
                    connection, reports={rejected: "rejected", confirmed: "confirmed"}
                )
                _of_rejected, kept, _repeated = await _add_entries(
                    connection, report_ids=[rejected, confirmed, confirmed]
                )
            await migrate.upgrade(engine=engine)
            async with engine.connect() as connection:
                live = select(KnownImage.id).where(KnownImage.removed_at.is_(None))
                assert (await connection.execute(live)).scalars().all() == [kept]
        finally:
            await engine.dispose()


async def _add_reports(connection: AsyncConnection, *, reports: dict[uuid.UUID, str]) -> None:
    """A user, an image, and one prediction and report of it per status."""
    user, image = uuid.uuid4(), uuid.uuid4()
    await connection.execute(insert(User), [{"id": user, "email": "a@b.org", "password_hash": "x"}])
    await connection.execute(
        insert(Image),
        [
            {"id": image, "sha256": "0" * 64, "byte_size": 1, "mime_type": "image/png"}
            | {"width": 1, "height": 1, "storage_key": "k"}
        ],
    )
    for report_id, status in reports.items():
        prediction = uuid.uuid4()
        await connection.execute(
            insert(Prediction),
            [
                {"id": prediction, "owner_id": user, "image_id": image, "filename": "a.png"}
                | {"verdict": "fake", "score": 1.0, "model_name": "m", "model_version": "v"}
                | {"signals": [], "image_format": "PNG", "latency_ms": 1.0}
            ],
        )
        await connection.execute(
            insert(Report),
            [
                {"id": report_id, "prediction_id": prediction, "reporter_id": user}
                | {"claimed_label": "fake", "status": status}
            ],
        )


async def _add_entries(
    connection: AsyncConnection, *, report_ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    """One live entry per report id given, oldest first; their ids."""
    ids = [uuid.uuid4() for _ in report_ids]
    start = utcnow()
    await connection.execute(
        insert(KnownImage),
        [
            {"id": entry_id, "label": "ai", "source": "report", "note": "", "pdq": "ab" * 32}
            | {"pdq_codes": bytes.fromhex("ab" * 32), "report_id": report_id}
            | {"created_at": start + timedelta(seconds=n), "changed_at": start}
            for n, (entry_id, report_id) in enumerate(zip(ids, report_ids, strict=True))
        ],
    )
    return ids
