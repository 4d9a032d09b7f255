"""A user never sees another user's predictions, images or reports; admin routes are closed."""

from __future__ import annotations

import uuid

import httpx

from tests.support import images
from tests.support.api import JPEG, assert_problem, create_prediction, predict, sign_up
from tests.support.transports import RecordingTransport


async def test_other_users_things_answer_exactly_like_missing_ones(
    client: httpx.AsyncClient,
) -> None:
    owner = await sign_up(client, "ada@example.org")
    intruder = await sign_up(client, "mallory@example.org")
    prediction = await create_prediction(client, owner, images.jpeg(seed=1))
    report = await client.post(
        f"/v1/predictions/{prediction['id']}/reports",
        json={"claimed_label": "real", "comment": "mine"},
        headers=owner,
    )
    missing = uuid.uuid4()
    pairs = [
        (f"/v1/predictions/{prediction['id']}", f"/v1/predictions/{missing}"),
        (f"/v1/predictions/{prediction['id']}/image", f"/v1/predictions/{missing}/image"),
        (f"/v1/reports/{report.json()['id']}", f"/v1/reports/{missing}"),
    ]
    for theirs, nowhere in pairs:
        stolen = assert_problem(await client.get(theirs, headers=intruder), 404)
        absent = assert_problem(await client.get(nowhere, headers=intruder), 404)
        assert {k: v for k, v in stolen.items() if k != "instance"} == {
            k: v for k, v in absent.items() if k != "instance"
        }
    delete = await client.delete(f"/v1/predictions/{prediction['id']}", headers=intruder)
    assert_problem(delete, 404)
    steal_report = await client.post(
        f"/v1/predictions/{prediction['id']}/reports",
        json={"claimed_label": "fake"},
        headers=intruder,
    )
    assert_problem(steal_report, 404)
    assert (await client.get("/v1/predictions", headers=intruder)).json()["items"] == []
    assert (await client.get("/v1/reports", headers=intruder)).json()["items"] == []
    assert (
        await client.get(f"/v1/predictions/{prediction['id']}", headers=owner)
    ).status_code == 200


async def test_admin_routes_answer_403_to_users(client: httpx.AsyncClient) -> None:
    user = await sign_up(client, "bob@example.org")
    prediction = await create_prediction(client, user, images.jpeg(seed=2))
    report = await client.post(
        f"/v1/predictions/{prediction['id']}/reports", json={"claimed_label": "real"}, headers=user
    )
    resolve = await client.patch(
        f"/v1/reports/{report.json()['id']}", json={"status": "confirmed"}, headers=user
    )
    assert_problem(resolve, 403)
    assert_problem(await client.get("/v1/admin/feedback-export", headers=user), 403)


async def test_only_your_own_earlier_check_of_the_same_bytes_reads_as_reused(
    client: httpx.AsyncClient, inference_transport: RecordingTransport
) -> None:
    ada = await sign_up(client, "ada@example.org")
    bob = await sign_up(client, "bob@example.org")
    data = images.jpeg(seed=30)
    first = await create_prediction(client, ada, data)
    second_user = await create_prediction(client, bob, data)
    anonymous = (await predict(client, ("a.jpg", data, JPEG))).json()["items"][0]["prediction"]
    again = await create_prediction(client, ada, data)
    assert inference_transport.count("/v1/predict") == 1
    assert [p["reused"] for p in (first, second_user, anonymous, again)] == [
        False,
        False,
        False,
        True,
    ]
    # Answered as fast as a lookup, it would still tell that someone checked these bytes.
    assert second_user["latency_ms"] == anonymous["latency_ms"] == first["latency_ms"]
    listed = (await client.get("/v1/predictions", headers=bob)).json()["items"]
    assert [p["reused"] for p in listed] == [False]
