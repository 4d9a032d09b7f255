"""The sync client against the real API and inference services, running as processes."""

from __future__ import annotations

import uuid

import httpx
import pytest
from deepcatcher_client import (
    NO_RETRIES,
    Client,
    Conflict,
    NotFound,
    PredictionSummary,
    Unauthorized,
    UnprocessableContent,
    UnsupportedMediaType,
)

from tests.clients.conftest import Account, Servers
from tests.inference.signing import created_manifest, make_authority, sign
from tests.support import images
from tests.support.api import PASSWORD
from tests.support.links import link_server_in_thread, page

DARK, BRIGHT = 30, 230


def test_token_auth_from_signing_in(servers: Servers) -> None:
    email = f"{uuid.uuid4().hex[:12]}@example.org"
    with Client(servers.api) as client:
        created = client.register(email=email, password=PASSWORD)
        token = client.sign_in(email=email, password=PASSWORD)
        assert client.me().id == created.id
    with Client(servers.api, token=token.access_token) as again:
        assert again.me().email == email
        again.sign_out()
        with pytest.raises(Unauthorized) as raised:
            again.me()
    assert raised.value.status == 401 and raised.value.request_id


def test_api_key_checks_images_into_history(servers: Servers, account: Account) -> None:
    with Client(servers.api, api_key=account.api_key) as client:
        batch = client.predict(
            [
                ("dark.jpg", images.flat_jpeg(level=DARK, seed=1)),
                ("bright.jpg", images.flat_jpeg(level=BRIGHT, seed=2)),
            ]
        )
        assert batch.saved
        verdicts = [item.prediction.verdict for item in batch.items if item.prediction]
        assert verdicts == ["real", "fake"]
        first = batch.items[0].prediction
        assert first is not None and first.id is not None
        assert client.get_prediction(first.id).signals
        assert client.prediction_image(first.id) == images.flat_jpeg(level=DARK, seed=1)
        report = client.report(first.id, claimed_label="fake", comment="it is a render")
        assert [r.id for r in client.reports()] == [report.id]
        client.delete_prediction(first.id)
        with pytest.raises(NotFound):
            client.get_prediction(first.id)


def test_history_is_iterated_across_pages(servers: Servers, account: Account) -> None:
    with Client(servers.api, api_key=account.api_key) as client:
        for seed in range(5):
            client.predict([(f"{seed}.jpg", images.flat_jpeg(level=DARK, seed=100 + seed))])
        history = list(client.predictions(page_size=2))
        fakes = list(client.predictions(verdict="fake", page_size=2))
    assert all(isinstance(item, PredictionSummary) for item in history)
    assert [item.filename for item in history] == [f"{seed}.jpg" for seed in reversed(range(5))]
    assert fakes == []


def test_problems_are_typed_exceptions(servers: Servers, account: Account) -> None:
    with Client(servers.api, api_key=account.api_key, retry=NO_RETRIES) as client:
        with pytest.raises(UnsupportedMediaType) as unsupported:
            client.predict([("notes.jpg", b"these are not image bytes at all")])
        with pytest.raises(Conflict) as conflict:
            client.register(email=account.email, password=PASSWORD)
        with pytest.raises(NotFound):
            client.get_job(uuid.uuid4())
    assert unsupported.value.problem.type.startswith("urn:deepcatcher:problem:")
    assert conflict.value.status == 409 and conflict.value.detail
    with Client(servers.api, api_key="dck_wrong_key") as stranger, pytest.raises(Unauthorized):
        stranger.me()


def test_every_post_carries_an_idempotency_key(servers: Servers, account: Account) -> None:
    sent: list[httpx.Request] = []
    hooks = {"request": [sent.append]}
    with Client(servers.api, api_key=account.api_key, event_hooks=hooks) as client:
        photo = ("a.jpg", images.flat_jpeg(level=DARK, seed=7))
        client.predict([photo])
        client.predict([photo], idempotency_key="mine-1")
        replayed = client.predict([photo], idempotency_key="mine-1")
    keys = [request.headers.get("Idempotency-Key") for request in sent]
    assert keys[0] and keys[1:] == ["mine-1", "mine-1"]
    assert replayed.items[0].prediction is not None


def test_check_url_checks_a_page_s_image_into_history(servers: Servers, account: Account) -> None:
    with link_server_in_thread() as site, Client(servers.api, api_key=account.api_key) as client:
        render = images.flat_jpeg(level=BRIGHT, seed=5)
        image = site.put("/media/render.jpg", render, "image/jpeg")
        html = page('<meta property="og:image" content="/media/render.jpg">')
        story = site.put("/story", html, "text/html")
        batch = client.check_url(story)
        with pytest.raises(UnprocessableContent) as missing:
            client.check_url(site.url("/gone"))
        listed = next(iter(client.predictions()))
    prediction = batch.items[0].prediction
    assert prediction is not None and prediction.verdict == "fake"
    assert prediction.source is not None and prediction.source.image_url == image
    assert prediction.source.taken_from == "og:image" and prediction.source.page_url == story
    assert listed.source is not None and listed.source.url == story
    assert missing.value.problem.type == "urn:deepcatcher:problem:link-unreachable"


def test_a_page_whose_og_image_has_an_ai_c2pa_claim_is_fake_by_provenance(
    servers: Servers, account: Account
) -> None:
    manifest = created_manifest(source_type="trainedAlgorithmicMedia", generator="Test Diffusion")
    # Dark, which the brightness model calls real: only provenance can make it fake.
    signed = sign(
        images.flat_jpeg(level=DARK, seed=6), manifest=manifest, authority=make_authority()
    )
    with link_server_in_thread() as site, Client(servers.api, api_key=account.api_key) as client:
        image = site.put("/media/generated.jpg", signed, "image/jpeg")
        html = page('<meta property="og:image" content="media/generated.jpg">')
        prediction = client.check_url(site.put("/story", html, "text/html")).items[0].prediction
    assert prediction is not None
    assert (prediction.verdict, prediction.decided_by) == ("fake", "provenance")
    assert prediction.source is not None and prediction.source.image_url == image
    assert prediction.image.byte_size == len(signed)
