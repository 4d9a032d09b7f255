"""The engine every API process and the worker use."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.api.db.engine import create_engine
from tests.db.test_migrations import BACKENDS
from tests.support.databases import temporary_database

PRIVATE = "ada-private@example.org"


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_failed_statement_names_no_values_in_its_error(
    tmp_path: Path, backend: str
) -> None:
    async with temporary_database(folder=tmp_path, sqlite=backend == "sqlite") as url:
        engine = create_engine(url=url)
        try:
            async with engine.connect() as connection:
                query = text("SELECT * FROM no_such_table WHERE email = :email")
                with pytest.raises(DBAPIError) as failed:
                    await connection.execute(query, {"email": PRIVATE})
        finally:
            await engine.dispose()
    assert "no_such_table" in str(failed.value)
    assert PRIVATE not in str(failed.value)
