"""PDQ fingerprints: in every answer, and robust enough for the known-images bars."""

from __future__ import annotations

import itertools

import httpx
import pytest
from PIL import Image

from services.api.known_images.index import MATCH_DISTANCE, hamming
from services.api.known_images.matching import distance
from services.common.contract import Fingerprints, InferenceResult
from tests.support.fingerprints import fingerprints, known_codes, nearest_known
from tests.support.images import ALTERATIONS, encode, scene, tiles
from training.recipe.photos import skimage_photos

SCENES = 200


async def test_predict_and_fingerprints_agree(service: httpx.AsyncClient) -> None:
    data = encode(scene(seed=1), format="PNG")

    predicted = await service.post("/v1/predict", files={"file": ("a.png", data)})
    alone = await service.post("/v1/fingerprints", files={"file": ("a.png", data)})

    assert predicted.status_code == alone.status_code == 200, alone.text
    result = InferenceResult.model_validate(predicted.json())
    hashed = Fingerprints.model_validate(alone.json())
    known_only = ("pdq_centre", "pdq_centre_quality", "pdq_sides", "pdq_sides_quality")
    assert result.fingerprints == hashed.model_copy(update=dict.fromkeys(known_only))
    assert hashed.pdq_centre is not None and hashed.pdq_sides is not None
    assert "fingerprints" in result.timings_ms
    assert len(result.fingerprints.pdq) == 64


async def test_fingerprints_refuse_what_is_not_an_image(service: httpx.AsyncClient) -> None:
    response = await service.post("/v1/fingerprints", files={"file": ("a.jpg", b"not an image")})

    assert response.status_code in {415, 422}
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_big_photo_is_hashed_from_a_small_copy_and_still_matches() -> None:
    small = scene(seed=3)
    large = small.resize((small.width * 8, small.height * 8), Image.Resampling.BICUBIC)

    assert hamming(fingerprints(small).pdq, fingerprints(large).pdq) <= MATCH_DISTANCE


def test_altered_copies_match_and_unrelated_pictures_do_not() -> None:
    originals = [scene(seed=seed) for seed in range(SCENES)]
    known = [fingerprints(image, for_known=True) for image in originals]
    for name, alter in ALTERATIONS.items():
        matched = sum(
            distance(known=entry, check=fingerprints(alter(image))) <= MATCH_DISTANCE
            for entry, image in zip(known, originals, strict=True)
        )
        assert matched / SCENES >= 0.95, (name, matched)
    false = sum(
        distance(known=first, check=second) <= MATCH_DISTANCE
        for first, second in itertools.combinations(known, 2)
    )
    assert false / (SCENES * (SCENES - 1) / 2) <= 0.001


def test_tiles_of_real_photographs_match_none_of_the_known_scenes() -> None:
    pytest.importorskip("skimage")
    known = known_codes([fingerprints(scene(seed=seed), for_known=True) for seed in range(SCENES)])
    pieces = [tile for photo in skimage_photos() for tile in tiles(Image.fromarray(photo.load()))]

    false = sum(
        nearest_known(known, check=fingerprints(piece)) <= MATCH_DISTANCE for piece in pieces
    )

    assert len(pieces) > 1000 and false / len(pieces) <= 0.001


def test_a_uniform_frame_is_trimmed_before_hashing() -> None:
    picture = scene(seed=5)
    framed = Image.new("RGB", (picture.width + 80, picture.height + 80), (250, 250, 250))
    framed.paste(picture, (40, 40))

    found = fingerprints(framed)

    assert hamming(found.pdq_trimmed, fingerprints(picture).pdq) <= MATCH_DISTANCE
    assert hamming(found.pdq, fingerprints(picture).pdq) > MATCH_DISTANCE
