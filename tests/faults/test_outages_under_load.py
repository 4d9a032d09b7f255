"""Inference killed, or PostgreSQL restarted, while clients keep checking images."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.faults.conftest import Stack
from tests.support.api import PASSWORD
from tests.support.databases import server_url
from tests.support.load import Outcome, run_load

CLIENTS = 4


async def _signed_in(api_url: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as client:
        await client.post(
            "/v1/auth/register", json={"email": "load@example.org", "password": PASSWORD}
        )
        token = await client.post(
            "/v1/auth/token", data={"username": "load@example.org", "password": PASSWORD}
        )
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def _assert_consistent(engine: AsyncEngine, outcomes: list[Outcome], image_dir: Path) -> None:
    """Every answered prediction is stored, nothing else is, and no image is orphaned."""
    answered = {pid for outcome in outcomes for pid in outcome.prediction_ids}
    async with engine.connect() as connection:
        stored = {
            str(row)
            for row in (await connection.execute(text("SELECT id FROM predictions"))).scalars()
        }
        orphans = (
            await connection.execute(
                text(
                    "SELECT count(*) FROM images WHERE id NOT IN (SELECT image_id FROM predictions)"
                )
            )
        ).scalar_one()
        image_rows = (await connection.execute(text("SELECT count(*) FROM images"))).scalar_one()
    assert {s.replace("-", "") for s in stored} == {a.replace("-", "") for a in answered}
    assert orphans == 0
    files = [p for p in image_dir.rglob("*") if p.is_file()]  # noqa: ASYNC240
    assert len(files) >= image_rows


def _assert_clean_failures(outcomes: list[Outcome]) -> None:
    statuses = {outcome.status for outcome in outcomes}
    assert statuses <= {201, 503}, [o for o in outcomes if o.status not in {201, 503}][:3]
    assert all(o.retry_after for o in outcomes if o.status == 503)


async def test_inference_killed_during_load(stack: Stack, db_engine: AsyncEngine) -> None:
    headers = await _signed_in(stack.api_url)

    async def break_and_mend() -> None:
        await asyncio.sleep(4)
        stack.kill_inference()
        await asyncio.sleep(4)
        await asyncio.to_thread(stack.start_inference)

    load = asyncio.create_task(
        run_load(base_url=stack.api_url, headers=headers, clients=CLIENTS, seconds=30)
    )
    await break_and_mend()
    outcomes = await load
    _assert_clean_failures(outcomes)
    assert any(o.status == 503 for o in outcomes), "the outage was never seen"
    first_failure = min(o.at for o in outcomes if o.status == 503)
    assert any(o.status == 201 and o.at > first_failure + 4 for o in outcomes), "no recovery"
    await _assert_consistent(db_engine, outcomes, Path(stack.env["DEEPCATCHER_API_IMAGE_DIR"]))


def _restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(server_url() is None, reason="needs the PostgreSQL server CI names")
async def test_postgres_restarted_during_load(stack: Stack, db_engine: AsyncEngine) -> None:
    headers = await _signed_in(stack.api_url)
    load = asyncio.create_task(
        run_load(base_url=stack.api_url, headers=headers, clients=CLIENTS, seconds=25)
    )
    await asyncio.sleep(5)
    await asyncio.to_thread(_restart_postgres)
    restarted_at = 5.0
    outcomes = await load
    _assert_clean_failures(outcomes)
    assert any(o.status == 201 and o.at > restarted_at + 5 for o in outcomes), "no recovery"
    await db_engine.dispose()  # its pooled connections died with the server
    await _assert_consistent(db_engine, outcomes, Path(stack.env["DEEPCATCHER_API_IMAGE_DIR"]))
