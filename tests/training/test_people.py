"""The face-cascade check that splits validation by "a person is in the picture"."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data

from training.data.npm_photos import NPM_ROOT
from training.evaluation.people import face_count, person_in_picture
from training.recipe.photos import file_loader


def test_a_portrait_has_a_person() -> None:
    assert person_in_picture(skimage.data.astronaut())  # type: ignore[no-untyped-call]


def test_a_grey_portrait_has_a_person() -> None:
    assert person_in_picture(skimage.data.camera())  # type: ignore[no-untyped-call]


@pytest.mark.parametrize("name", ["coffee", "chelsea"])
def test_coffee_and_a_cat_have_no_person(name: str) -> None:
    assert not person_in_picture(getattr(skimage.data, name)())


def test_a_group_photo_has_several_faces() -> None:
    pixels = file_loader(NPM_ROOT / "@vladmandic/face-api/demo/sample5.jpg")()

    assert face_count(pixels) >= 3


def test_a_flat_image_has_no_face() -> None:
    assert face_count(np.full((480, 640, 3), 128, dtype=np.uint8)) == 0
