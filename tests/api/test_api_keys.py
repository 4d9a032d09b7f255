"""API keys: created once, listed without secrets, usable two ways, revoked at once."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import images
from tests.support.api import JPEG, assert_problem, create_prediction, predict, sign_up


async def create_key(
    client: httpx.AsyncClient, headers: dict[str, str], **body: object
) -> dict[str, object]:
    response = await client.post("/v1/api-keys", json={"name": "cms", **body}, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


async def test_key_secret_is_shown_once_and_never_listed(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "ada@example.org")
    created = await create_key(client, headers)
    key = str(created["key"])
    assert key.startswith("dck_") and str(created["prefix"]) in key
    listed = await client.get("/v1/api-keys", headers=headers)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()] == [created["id"]]
    assert key.split("_")[-1] not in listed.text
    assert "key" not in listed.json()[0]


async def test_key_works_as_bearer_and_as_x_api_key(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "bob@example.org")
    key = str((await create_key(client, headers))["key"])
    bearer = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {key}"})
    header = await client.get("/v1/users/me", headers={"X-API-Key": key})
    assert bearer.json()["email"] == header.json()["email"] == "bob@example.org"
    listed = await client.get("/v1/api-keys", headers=headers)
    assert listed.json()[0]["last_used_at"] is not None


async def test_revoked_key_stops_working_at_once(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "cat@example.org")
    created = await create_key(client, headers)
    key_headers = {"X-API-Key": str(created["key"])}
    assert (await client.get("/v1/users/me", headers=key_headers)).status_code == 200
    revoked = await client.delete(f"/v1/api-keys/{created['id']}", headers=headers)
    assert revoked.status_code == 204
    assert_problem(await client.get("/v1/users/me", headers=key_headers), 401)
    listed = await client.get("/v1/api-keys", headers=headers)
    assert listed.json()[0]["revoked_at"] is not None


async def test_a_wrong_secret_with_a_real_prefix_fails(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "dan@example.org")
    key = str((await create_key(client, headers))["key"])
    forged = key[: key.rindex("_") + 1] + "x" * 43
    assert_problem(await client.get("/v1/users/me", headers={"X-API-Key": forged}), 401)


async def test_keys_cannot_manage_keys_or_sign_out(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "eve@example.org")
    key_headers = {"X-API-Key": str((await create_key(client, headers))["key"])}
    assert_problem(await client.post("/v1/api-keys", json={"name": "x"}, headers=key_headers), 403)
    assert_problem(await client.post("/v1/auth/logout", headers=key_headers), 403)


async def test_users_cannot_touch_each_others_keys(client: httpx.AsyncClient) -> None:
    owner = await sign_up(client, "fay@example.org")
    other = await sign_up(client, "gus@example.org")
    created = await create_key(client, owner)
    assert_problem(await client.delete(f"/v1/api-keys/{created['id']}", headers=other), 404)
    assert (await client.get("/v1/api-keys", headers=other)).json() == []


async def test_only_admins_get_admin_scoped_keys(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "hal@example.org")
    response = await client.post(
        "/v1/api-keys", json={"name": "x", "scopes": ["admin"]}, headers=headers
    )
    assert_problem(response, 403)
    unknown_scope = await client.post(
        "/v1/api-keys", json={"name": "x", "scopes": ["root"]}, headers=headers
    )
    assert_problem(unknown_scope, 422)


async def test_only_a_key_with_the_history_scope_is_told_of_earlier_checks(
    client: httpx.AsyncClient,
) -> None:
    signed_in = await sign_up(client, "ivy@example.org")
    data = images.jpeg(seed=31)
    first = await create_prediction(client, signed_in, data, "holiday-secret.jpg")
    predict_only = await create_key(client, signed_in, scopes=["predict"])
    with_history = await create_key(client, signed_in, scopes=["predict", "history"])

    blind = await _matches(client, data, {"X-API-Key": str(predict_only["key"])})
    told = await _matches(client, data, {"X-API-Key": str(with_history["key"])})
    own = await _matches(client, data, signed_in)

    assert blind["evidence"]["history"] == []
    assert blind["summary"] == "Not like any known image."
    assert "holiday-secret" not in str(blind) and first["id"] not in str(blind)
    for seen in (told, own):
        assert first["id"] in [m["prediction_id"] for m in seen["evidence"]["history"]]
        assert seen["summary"] == "You checked something like this before."


async def _matches(
    client: httpx.AsyncClient, data: bytes, headers: dict[str, str]
) -> dict[str, Any]:
    response = await predict(client, ("again.jpg", data, JPEG), headers=headers)
    assert response.status_code == 201, response.text
    signals = response.json()["items"][0]["prediction"]["signals"]
    found: dict[str, Any] = next(s for s in signals if s["name"] == "matches")
    return found
