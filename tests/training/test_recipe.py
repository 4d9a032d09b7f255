"""The default recipe's dataset: split by photo, every real tile paired with a simulated fake."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from services.inference.training.recipe.build import (
    RecipeConfig,
    assign_splits,
    build_recipe_dataset,
)
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
)


def photo(index: int) -> Photo:
    pixels = np.random.default_rng(index).integers(0, 256, (120, 150, 3), dtype=np.uint8)
    return Photo(name=f"p{index}", origin="test", licence="CC0", load=lambda: pixels)


def rows(manifest: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in manifest.read_text().splitlines()]


def test_recipe_dataset_is_split_by_photo_and_paired(tmp_path: Path) -> None:
    manifest = build_recipe_dataset(out=tmp_path, photos=[photo(i) for i in range(8)], config=TINY)
    lines = rows(manifest)

    assert all(
        len({r["split"] for r in lines if r["group"] == g}) == 1
        for g in {r["group"] for r in lines}
    )
    real, seen = (
        [r for r in lines if r["label"] == "real"],
        [r for r in lines if r["generator_kind"] == "seen"],
    )
    assert len(real) == len(seen) == 16
    assert {r["split"] for r in lines if r["generator_kind"] == "unseen"} == {"test"}


def test_fakes_are_generator_outputs_not_copies(tmp_path: Path) -> None:
    manifest = build_recipe_dataset(out=tmp_path, photos=[photo(i) for i in range(4)], config=TINY)
    fake = next(r for r in rows(manifest) if r["label"] == "fake")
    real_name = Path(str(fake["file"])).name

    real_pixels = np.asarray(Image.open(tmp_path / "real" / real_name), dtype=float)
    fake_pixels = np.asarray(Image.open(tmp_path / str(fake["file"])), dtype=float)
    assert real_pixels.shape == fake_pixels.shape == (64, 64, 3)
    assert np.abs(real_pixels - fake_pixels).mean() > 1.0


def test_a_finished_build_is_reused(tmp_path: Path) -> None:
    photos = [photo(i) for i in range(4)]
    manifest = build_recipe_dataset(out=tmp_path, photos=photos, config=TINY)
    written = manifest.stat().st_mtime_ns

    assert (
        build_recipe_dataset(out=tmp_path, photos=photos, config=TINY).stat().st_mtime_ns == written
    )


def test_bundled_photos_split_reproducibly_into_three_disjoint_sets() -> None:
    photos = bundled_photos()

    splits = assign_splits(photos, config=RecipeConfig())

    assert splits == assign_splits(photos, config=RecipeConfig())
    assert {name for name, split in splits.items()} == {p.name for p in photos}
    assert all(list(splits.values()).count(split) >= 3 for split in ("train", "val", "test"))
