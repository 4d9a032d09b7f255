"""A new view is a folder and a weight in the card: one defined under tests/ and registered here
is opened, fused and carried in the answer, with no other file changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common.images import decode_image, to_rgb_array
from services.inference.detectors.fusion import FusionCard
from services.inference.detectors.lowlevel.loading import ModelLoadError
from services.inference.predictions import fusion
from tests.inference.brightness.view import BRIGHTNESS, brightness_logit, open_brightness
from tests.inference.conftest import ServiceFactory
from tests.inference.test_fusion import (
    DEFAULT_CARD,
    lowlevel_logit,
    semantic_logit,
    sigmoid,
)
from tests.inference.test_predict import predict, signal
from tests.support.images import jpeg

WEIGHT, TEMPERATURE = 0.5, 2.0


def card_weighing_brightness(folder: Path) -> Path:
    """The bundled card with the brightness view weighed; no self-check figures, since they
    were recorded without it."""
    card = FusionCard.read(DEFAULT_CARD)
    weighed = card.model_copy(
        update={
            "weights": {**card.weights, BRIGHTNESS: WEIGHT},
            "temperatures": {**card.temperatures, BRIGHTNESS: TEMPERATURE},
            "self_check": None,
        }
    )
    path = folder / "fusion.json"
    path.write_text(weighed.model_dump_json())
    return path


@pytest.fixture
def brightness_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(fusion.VIEW_FACTORIES, BRIGHTNESS, open_brightness)


@pytest.mark.usefixtures("brightness_registered")
async def test_a_registered_view_is_fused_and_its_signal_carried(
    start_service: ServiceFactory, tiny_model: Path, tmp_path: Path
) -> None:
    data = jpeg(seed=21, width=640, height=480)
    card = FusionCard.read(card_weighing_brightness(tmp_path))
    pixels = to_rgb_array(decode_image(data, max_pixels=10**8)[0])
    scaled = {
        "semantic": semantic_logit(data, card=card) / card.temperatures["semantic"],
        "lowlevel": lowlevel_logit(data, model_path=tiny_model) / card.temperatures["lowlevel"],
        BRIGHTNESS: brightness_logit(pixels) / TEMPERATURE,
    }
    expected = sigmoid(card.bias + sum(w * scaled[name] for name, w in card.weights.items()))

    async with start_service(fusion_card_path=tmp_path / "fusion.json") as client:
        body = (await predict(client, data)).json()

    assert body["score"] == pytest.approx(expected, abs=2e-3)
    detector = signal(body, "detector")
    assert detector["evidence"]["weights"][BRIGHTNESS] == WEIGHT
    assert detector["evidence"]["views"][BRIGHTNESS] == pytest.approx(
        sigmoid(scaled[BRIGHTNESS]), abs=1e-4
    )
    assert signal(body, BRIGHTNESS)["score"] == pytest.approx(sigmoid(scaled[BRIGHTNESS]), abs=1e-4)


async def test_a_card_naming_a_view_the_service_lacks_does_not_load(
    start_service: ServiceFactory, tmp_path: Path
) -> None:
    path = card_weighing_brightness(tmp_path)

    with pytest.raises(ModelLoadError, match="names a view this service does not have"):
        async with start_service(fusion_card_path=path):
            pass
