"""The self-check at start: the figures a card records, and no verdict when they differ."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from services.cli import app as cli
from services.inference.detectors.fusion import FusionCard
from services.inference.selfcheck.inputs import DEFAULT_INPUTS, pixels_sha256, reference_pixels
from services.inference.selfcheck.local import record_self_check
from tests.inference.conftest import ServiceFactory
from tests.support.api import assert_problem
from tests.support.fusion_cards import (
    BUNDLED_CARD,
    BUNDLED_MODEL,
    SELF_CHECK_FAILED,
    altered_card,
    card_without_self_check,
)
from tests.support.images import jpeg


async def predict(client: httpx.AsyncClient) -> httpx.Response:
    return await client.post("/v1/predict", files={"file": ("a.jpg", jpeg(seed=31))})


async def self_check(client: httpx.AsyncClient) -> dict[str, Any]:
    check: dict[str, Any] = (await client.get("/v1/models")).json()["models"][0]["self_check"]
    return check


def test_the_reference_inputs_are_the_same_bytes_every_time() -> None:
    first = [pixels_sha256(reference_pixels(spec)) for spec in DEFAULT_INPUTS]
    second = [pixels_sha256(reference_pixels(spec)) for spec in DEFAULT_INPUTS]
    recorded = FusionCard.read(BUNDLED_CARD).self_check

    assert recorded is not None
    assert first == second == [figures.pixels_sha256 for figures in recorded.inputs]
    assert {reference_pixels(spec).shape for spec in DEFAULT_INPUTS} == {(256, 320, 3)}


async def test_the_bundled_card_passes_with_the_bundled_model(
    start_service: ServiceFactory,
) -> None:
    async with start_service(model_path=BUNDLED_MODEL) as client:
        check = await self_check(client)
        answer = await predict(client)

    assert check["status"] == "passed", check["detail"]
    assert check["not_checked"] == []
    assert {c["view"] for c in check["checks"]} == {"semantic", "lowlevel", "fused"}
    assert {c["input"] for c in check["checks"]} == {"gradient", "noise", "edge"}
    assert all(c["passed"] for c in check["checks"])
    assert check["machine"]["cpu_flags"].keys() >= {"avx2", "avx512f", "avx512_vnni"}
    assert answer.status_code == 200, answer.text


async def test_altered_figures_refuse_every_verdict_but_stay_alive(
    start_service: ServiceFactory, tmp_path: Path
) -> None:
    card = altered_card(tmp_path, view="semantic")
    recorded = FusionCard.read(BUNDLED_CARD).self_check
    assert recorded is not None
    measured = recorded.inputs[0].views["semantic"].score
    async with start_service(fusion_card_path=card) as client:
        answer = await predict(client)
        batch = await client.post("/v1/predict/batch", files=[("files", ("a.jpg", jpeg()))])
        health, ready = await client.get("/healthz"), await client.get("/readyz")
        check = await self_check(client)

    body = assert_problem(answer, 503)
    assert body["type"] == SELF_CHECK_FAILED
    assert "verdict" not in body and "score" not in body
    detail = body["detail"]
    assert "self-check failed" in detail and "'gradient'" in detail
    expected = (
        f"the semantic view's score is {measured:.4f} where the card has {measured + 0.5:.4f}"
    )
    assert expected in detail
    assert "cosine of the whole view's class token" in detail
    assert "avx2" in detail and "onnxruntime" in detail and "tensorflow" in detail
    assert assert_problem(batch, 503)["type"] == SELF_CHECK_FAILED
    assert health.status_code == 200
    assert assert_problem(ready, 503)["detail"] == detail
    assert check["status"] == "failed"
    failed = [c for c in check["checks"] if not c["passed"]]
    assert {(c["input"], c["view"]) for c in failed} == {("gradient", "semantic")}
    score = next(c for c in failed if c["figure"] == "score")
    assert (score["measured"], score["expected"]) == pytest.approx(
        (measured, measured + 0.5), abs=1e-4
    )


async def test_another_low_level_model_leaves_its_figures_and_the_fused_score_unchecked(
    start_service: ServiceFactory,
) -> None:
    async with start_service(fusion_card_path=BUNDLED_CARD) as client:
        check = await self_check(client)
        answer = await predict(client)

    assert check["status"] == "passed"
    assert {c["view"] for c in check["checks"]} == {"semantic"}
    assert "deepcatcher-default" in check["not_checked"][0]
    assert "tiny" in check["not_checked"][0]
    assert answer.status_code == 200


async def test_a_card_without_figures_is_served_with_a_warning(
    start_service: ServiceFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="deepcatcher.inference.selfcheck"):
        async with start_service(fusion_card_path=card_without_self_check(tmp_path)) as client:
            check = await self_check(client)
            answer = await predict(client)

    assert check["status"] == "not recorded"
    assert "deepcatcher self-check --write" in check["detail"]
    assert answer.status_code == 200
    assert "records no self-check figures" in caplog.text


def test_predict_command_exits_non_zero_on_a_failed_self_check(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    image = tmp_path / "a.jpg"
    image.write_bytes(jpeg(seed=32))
    monkeypatch.setenv(
        "DEEPCATCHER_INFERENCE_FUSION_CARD_PATH", str(altered_card(tmp_path, view="semantic"))
    )

    result = CliRunner().invoke(cli, ["predict", str(image), "--model", str(tiny_model)])

    assert result.exit_code == 1
    assert "self-check failed" in result.output
    assert "a.jpg:" not in result.stdout


def test_self_check_command_records_figures_in_a_card_without_them(tmp_path: Path) -> None:
    card = card_without_self_check(tmp_path)
    before = json.loads(card.read_text())
    model = ["--model", str(BUNDLED_MODEL), "--card", str(card)]

    written = CliRunner().invoke(cli, ["self-check", *model, "--write"])
    checked = CliRunner().invoke(cli, ["self-check", *model, "--json"])

    assert written.exit_code == 0, written.output
    after = json.loads(card.read_text())
    assert {key: value for key, value in after.items() if key != "self_check"} == before
    assert checked.exit_code == 0, checked.output
    outcome = json.loads(checked.stdout)["outcome"]
    bundled = CliRunner().invoke(cli, ["self-check", "--model", str(BUNDLED_MODEL), "--json"])
    assert outcome["status"] == "passed"
    # Every figure the bundled card's own check compares (views, features, the fusion) is written.
    assert len(outcome["checks"]) == len(json.loads(bundled.stdout)["outcome"]["checks"]) >= 15


def test_self_check_command_exits_non_zero_when_the_figures_differ(tmp_path: Path) -> None:
    card = altered_card(tmp_path, view="fused", by=0.2)
    recorded = FusionCard.read(BUNDLED_CARD).self_check
    assert recorded is not None
    fused = recorded.inputs[0].fused

    result = CliRunner().invoke(
        cli, ["self-check", "--model", str(BUNDLED_MODEL), "--card", str(card)]
    )

    assert result.exit_code == 1
    assert f"the fused score is {fused:.4f} where the card has {fused + 0.2:.4f}" in result.stdout


def test_training_records_the_figures_of_the_card_it_wrote(tmp_path: Path) -> None:
    card = record_self_check(card_path=card_without_self_check(tmp_path), model_path=BUNDLED_MODEL)

    assert card.self_check is not None
    assert card.self_check.lowlevel_model.name == "deepcatcher-default"
    assert [f.input.name for f in card.self_check.inputs] == ["gradient", "noise", "edge"]
    bundled = FusionCard.read(BUNDLED_CARD).self_check
    assert bundled is not None
    for recorded, mine in zip(bundled.inputs, card.self_check.inputs, strict=True):
        assert mine.fused == pytest.approx(recorded.fused, abs=1e-4)
