"""Registering, signing in and out, and who-am-I."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.auth.models import AccessToken
from services.api.db.base import utcnow
from tests.conftest import ApiFactory
from tests.support.api import PASSWORD, assert_problem, sign_in, sign_up


async def test_register_sign_in_and_me(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "Ada@Example.org")
    me = await client.get("/v1/users/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["email"] == "ada@example.org"
    assert me.json()["role"] == "user"
    assert "password" not in me.text


async def test_register_twice_is_a_conflict_whatever_the_case(client: httpx.AsyncClient) -> None:
    await sign_up(client, "bob@example.org")
    again = await client.post(
        "/v1/auth/register", json={"email": "BOB@example.org", "password": PASSWORD}
    )
    assert_problem(again, 409)


async def test_register_rejects_bad_email_and_short_password(client: httpx.AsyncClient) -> None:
    bad_email = await client.post(
        "/v1/auth/register", json={"email": "not-an-email", "password": PASSWORD}
    )
    short = await client.post(
        "/v1/auth/register", json={"email": "c@example.org", "password": "short"}
    )
    assert_problem(bad_email, 422)
    body = assert_problem(short, 422)
    assert body["errors"][0]["loc"][-1] == "password"


async def test_wrong_password_and_unknown_email_answer_the_same(client: httpx.AsyncClient) -> None:
    await sign_up(client, "dora@example.org")
    wrong = await client.post(
        "/v1/auth/token", data={"username": "dora@example.org", "password": "wrong password!"}
    )
    unknown = await client.post(
        "/v1/auth/token", data={"username": "nobody@example.org", "password": PASSWORD}
    )
    assert assert_problem(wrong, 401)["detail"] == assert_problem(unknown, 401)["detail"]
    assert wrong.headers["WWW-Authenticate"] == "Bearer"


async def test_logout_revokes_only_that_token(client: httpx.AsyncClient) -> None:
    first = await sign_up(client, "eve@example.org")
    second = await sign_in(client, "eve@example.org")
    logout = await client.post("/v1/auth/logout", headers=first)
    assert logout.status_code == 204
    assert_problem(await client.get("/v1/users/me", headers=first), 401)
    assert (await client.get("/v1/users/me", headers=second)).status_code == 200


async def test_expired_token_stops_working(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    headers = await sign_up(client, "fay@example.org")
    async with db_engine.begin() as connection:
        await connection.execute(
            update(AccessToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert_problem(await client.get("/v1/users/me", headers=headers), 401)


async def test_anonymous_and_garbage_credentials(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/users/me"), 401)
    garbage = await client.get("/v1/users/me", headers={"Authorization": "Bearer nonsense"})
    assert_problem(garbage, 401)
    assert_problem(await client.get("/v1/users/me", headers={"X-API-Key": "dck_abc_def"}), 401)


async def test_delete_account_removes_the_user(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "gus@example.org")
    assert (await client.delete("/v1/users/me", headers=headers)).status_code == 204
    assert_problem(await client.get("/v1/users/me", headers=headers), 401)
    relogin = await client.post(
        "/v1/auth/token", data={"username": "gus@example.org", "password": PASSWORD}
    )
    assert_problem(relogin, 401)


async def _sign_in_with(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/v1/auth/token", data={"username": email, "password": password})


async def test_wrong_passwords_lock_the_account_until_the_lock_expires(
    make_api: ApiFactory,
) -> None:
    async with make_api(sign_in_max_failures=3, sign_in_lock_s=1) as client:
        await sign_up(client, "hal@example.org")
        wrong = [
            await _sign_in_with(client, "hal@example.org", "wrong password!") for _ in range(3)
        ]
        locked = await _sign_in_with(client, "HAL@example.org", PASSWORD)
        other = await _sign_in_with(client, "nobody-else@example.org", PASSWORD)
        await asyncio.sleep(1.2)
        unlocked = await _sign_in_with(client, "hal@example.org", PASSWORD)
    assert [response.status_code for response in wrong] == [401, 401, 401]
    body = assert_problem(locked, 429)
    assert body["type"] == "urn:deepcatcher:problem:sign-in-locked"
    assert locked.headers["Retry-After"] == "1"
    assert other.status_code == 401  # only that account is locked
    assert unlocked.status_code == 200, unlocked.text


async def test_each_further_wrong_password_doubles_the_lock_and_success_resets_it(
    make_api: ApiFactory,
) -> None:
    async with make_api(sign_in_max_failures=2, sign_in_lock_s=1, sign_in_max_lock_s=600) as client:
        await sign_up(client, "ivy@example.org")
        for _ in range(2):
            await _sign_in_with(client, "ivy@example.org", "wrong password!")
        await asyncio.sleep(1.2)
        again = await _sign_in_with(client, "ivy@example.org", "wrong password!")
        locked = await _sign_in_with(client, "ivy@example.org", PASSWORD)
        await asyncio.sleep(2.2)
        assert (await _sign_in_with(client, "ivy@example.org", PASSWORD)).status_code == 200
        after_success = await _sign_in_with(client, "ivy@example.org", "wrong password!")
    assert again.status_code == 401
    assert assert_problem(locked, 429) and locked.headers["Retry-After"] == "2"
    assert after_success.status_code == 401  # the count started again


async def test_unknown_emails_lock_alike_so_a_lock_tells_nothing(make_api: ApiFactory) -> None:
    async with make_api(sign_in_max_failures=2, sign_in_lock_s=60) as client:
        for _ in range(2):
            await _sign_in_with(client, "ghost@example.org", "wrong password!")
        locked = await _sign_in_with(client, "ghost@example.org", "wrong password!")
    assert_problem(locked, 429)
