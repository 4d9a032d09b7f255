"""The `deepcatcher` command's database and user subcommands."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli import app
from tests.support.api import PASSWORD

runner = CliRunner()


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the API's settings at a fresh SQLite file in a folder that does not exist yet."""
    database = tmp_path / "var" / "cli.db"
    monkeypatch.setenv("DEEPCATCHER_API_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    return database


def _tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    return {name for (name,) in rows}


def test_db_upgrade_and_downgrade(sqlite_env: Path) -> None:
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert {"users", "predictions", "reports"} <= _tables(sqlite_env)
    downgraded = runner.invoke(app, ["db", "downgrade", "base"])
    assert downgraded.exit_code == 0, downgraded.output
    assert _tables(sqlite_env) == {"alembic_version"}


def test_users_create_admin(sqlite_env: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    created = runner.invoke(
        app, ["users", "create", "--email", "Root@Example.org", "--password", PASSWORD, "--admin"]
    )
    assert created.exit_code == 0, created.output
    assert "created admin root@example.org" in created.output
    with sqlite3.connect(sqlite_env) as connection:
        role, password_hash = connection.execute(
            "SELECT role, password_hash FROM users WHERE email = 'root@example.org'"
        ).fetchone()
    assert role == "admin"
    assert password_hash.startswith("$argon2id$")


def test_users_create_refuses_bad_input_and_duplicates(sqlite_env: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    short = runner.invoke(app, ["users", "create", "--email", "a@example.org", "--password", "x"])
    assert short.exit_code == 2
    assert "password" in short.output
    first = runner.invoke(
        app, ["users", "create", "--email", "a@example.org", "--password", PASSWORD]
    )
    again = runner.invoke(
        app, ["users", "create", "--email", "a@example.org", "--password", PASSWORD]
    )
    assert first.exit_code == 0
    assert again.exit_code == 1
    assert "already exists" in again.output
    with sqlite3.connect(sqlite_env) as connection:
        assert connection.execute("SELECT count(*) FROM users").fetchone() == (1,)
