"""The default recipe's dataset: split by photo, every real tile paired with a simulated fake."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from services.inference.training.recipe.build import (
    RecipeConfig,
    assign_splits,
    build_recipe_dataset,
)
from services.inference.training.recipe.generators import GENERATORS
from services.inference.training.recipe.photos import Photo, bundled_photos

TINY = RecipeConfig(
    tile=64,
    margin=8,
    tiles_per_photo=2,
    scales=(1.0,),
    val_share=0.25,
    test_share=0.25,
    generator_steps=2,
    generator_batch=4,
    generator_crop=32,
    generators=(GENERATORS[0], GENERATORS[-1]),  # one seen decoder, one held out
)


def photo(index: int) -> Photo:
    pixels = np.random.default_rng(index).integers(0, 256, (120, 150, 3), dtype=np.uint8)
    return Photo(name=f"p{index}", origin="test", licence="CC0", load=lambda: pixels)


PHOTOS = [photo(i) for i in range(8)]


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny recipe build shared by this module's tests."""
    return build_recipe_dataset(out=tmp_path_factory.mktemp("recipe"), photos=PHOTOS, config=TINY)


def rows(manifest: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in manifest.read_text().splitlines()]


def test_recipe_dataset_is_split_by_photo_and_paired(manifest: Path) -> None:
    lines = rows(manifest)

    groups = {r["group"] for r in lines}
    assert all(len({r["split"] for r in lines if r["group"] == g}) == 1 for g in groups)
    real = [r for r in lines if r["label"] == "real"]
    seen = [r for r in lines if r["generator_kind"] == "seen"]
    assert len(real) == len(seen) == 16
    assert {r["split"] for r in lines if r["generator_kind"] == "unseen"} == {"test"}


def test_fakes_are_generator_outputs_not_copies(manifest: Path) -> None:
    fake = next(r for r in rows(manifest) if r["label"] == "fake")

    real_pixels = np.asarray(Image.open(manifest.parent / "real" / Path(str(fake["file"])).name))
    fake_pixels = np.asarray(Image.open(manifest.parent / str(fake["file"])))
    assert real_pixels.shape == fake_pixels.shape == (64, 64, 3)
    assert np.abs(real_pixels.astype(float) - fake_pixels).mean() > 1.0


def test_a_finished_build_is_reused(manifest: Path) -> None:
    written = manifest.stat().st_mtime_ns

    again = build_recipe_dataset(out=manifest.parent, photos=PHOTOS, config=TINY)

    assert again.stat().st_mtime_ns == written


def test_bundled_photos_split_reproducibly_into_three_disjoint_sets() -> None:
    photos = bundled_photos()

    splits = assign_splits(photos, config=RecipeConfig())

    assert splits == assign_splits(photos, config=RecipeConfig())
    assert set(splits) == {p.name for p in photos}
    assert all(list(splits.values()).count(split) >= 3 for split in ("train", "val", "test"))
