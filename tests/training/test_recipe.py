"""The default recipe's dataset: split by photo, every real tile paired with a simulated fake,
network pairs from a share of regions, and the built data set's images in their own splits."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training.recipe.build import (
    RecipeConfig,
    assign_splits,
    build_recipe_dataset,
    gan_plan,
)
from training.recipe.gans import VINTAGE_CYCLEGAN
from training.recipe.generators import GENERATORS
from training.recipe.photos import Photo, bundled_photos
from training.recipe.tiles import Region
from training.recipe.upsamplers import UPSAMPLERS

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
    upsamplers=(UPSAMPLERS[0], UPSAMPLERS[-1]),  # one seen network (x2), one held out (x3)
    network_tile=48,
    network_margin=6,
    network_share=0.5,
    gan_share=0.5,
    dataset="",
)


def photo(index: int) -> Photo:
    pixels = np.random.default_rng(index).integers(0, 256, (120, 150, 3), dtype=np.uint8)
    return Photo(name=f"p{index}", origin="test", licence="CC0", load=lambda: pixels)


PHOTOS = [photo(i) for i in range(8)]


def data_manifest(root: Path) -> Path:
    """A `deepcatcher data build`-style manifest: two stills and two photos, one of them ours."""
    (root / "images").mkdir()
    lines = []
    # p0 is one of the recipe's own photos (already tiled): the recipe must skip it here.
    images = [("still-a", "ai", "train"), ("still-b", "ai", "test"), ("cam", "real", "val")]
    for index, (name, label, split) in enumerate([*images, ("p0", "real", "train")]):
        pixels = np.random.default_rng(50 + index).integers(0, 256, (90, 110, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(root / "images" / f"{name}.webp", quality=80)
        row = {"file": f"images/{name}.webp", "name": name, "label": label, "split": split}
        lines.append(json.dumps({**row, "family": "flux" if label == "ai" else "photo"}) + "\n")
    (root / "manifest.jsonl").write_text("".join(lines))
    return root / "manifest.jsonl"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> RecipeConfig:
    """The tiny recipe with a tiny built data set."""
    data = data_manifest(tmp_path_factory.mktemp("data"))
    return replace(TINY, dataset=str(data), dataset_copies=2)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory, config: RecipeConfig) -> Path:
    """One tiny recipe build shared by this module's tests."""
    return build_recipe_dataset(out=tmp_path_factory.mktemp("recipe"), photos=PHOTOS, config=config)


def rows(manifest: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in manifest.read_text().splitlines()]


def test_recipe_dataset_is_split_by_photo_and_paired(manifest: Path) -> None:
    lines = rows(manifest)

    groups = {r["group"] for r in lines}
    assert all(len({r["split"] for r in lines if r["group"] == g}) == 1 for g in groups)
    tiles = [r for r in lines if r["label"] == "real" and str(r["file"]).startswith("real/")]
    tiles = [r for r in tiles if not str(r["file"]).endswith(("-n.png", "-g.png"))]
    simulated = [r for r in lines if r["generator_type"] == "simulated"]
    assert len(tiles) == 16
    assert len([r for r in simulated if r["generator_kind"] == "seen"]) == 16
    assert {r["split"] for r in lines if r["generator_kind"] == "unseen"} == {"test"}


def test_network_pairs_are_aligned_same_size_and_unseen_only_on_test(manifest: Path) -> None:
    lines = rows(manifest)
    fakes = [r for r in lines if r["generator_type"] == "network"]

    assert fakes and {r["generator"] for r in fakes} <= {s.name for s in UPSAMPLERS}
    assert {r["split"] for r in fakes if r["generator_kind"] == "unseen"} <= {"test"}
    for row in fakes:
        real = np.asarray(Image.open(manifest.parent / "real" / Path(str(row["file"])).name))
        fake = np.asarray(Image.open(manifest.parent / str(row["file"])))
        assert real.shape == fake.shape == (48, 48, 3)
        assert not np.array_equal(real, fake)


def test_gan_pairs_are_aligned_same_size_and_keep_their_photos_split(manifest: Path) -> None:
    lines = rows(manifest)
    splits = {r["group"]: r["split"] for r in lines}
    fakes = [r for r in lines if r["generator"] == VINTAGE_CYCLEGAN.name]

    assert fakes and all(r["generator_type"] == "gan" for r in fakes)
    assert all(r["split"] == splits[r["group"]] for r in fakes)
    for row in fakes:
        real = np.asarray(Image.open(manifest.parent / "real" / Path(str(row["file"])).name))
        fake = np.asarray(Image.open(manifest.parent / str(row["file"])))
        assert real.shape == fake.shape == (48, 48, 3)
        assert not np.array_equal(real, fake)


def test_a_zero_gan_share_builds_the_recipe_without_gan_pairs_and_nothing_else_changed(
    manifest: Path, config: RecipeConfig, tmp_path: Path
) -> None:
    without = build_recipe_dataset(out=tmp_path, photos=PHOTOS, config=replace(config, gan_share=0))

    kept = [r for r in rows(manifest) if r["generator"] != VINTAGE_CYCLEGAN.name]
    kept = [r for r in kept if not str(r["file"]).endswith("-g.png")]
    assert rows(without) == kept
    for row in kept:
        file = str(row["file"])
        assert (tmp_path / file).read_bytes() == (manifest.parent / file).read_bytes()


def test_gan_pairs_come_from_textured_regions_only_and_the_same_ones_for_a_seed() -> None:
    flat, noisy = np.full((80, 80, 3), 128, np.uint8), PHOTOS[0].load()[:80, :80]
    regions = [
        Region(photo=f"p{i}", split="train", scale=1.0, index=i, pixels=(flat, noisy)[i % 2])
        for i in range(200)
    ]

    plan = gan_plan(regions, config=TINY)

    assert 30 < len(plan) < 70 and all(region.index % 2 for region in plan)
    assert plan == gan_plan(regions, config=TINY)
    assert plan != gan_plan(regions, config=replace(TINY, seed=TINY.seed + 1))
    assert gan_plan(regions, config=replace(TINY, gan_share=0)) == []


def test_dataset_images_keep_their_split_and_skip_the_recipes_photos(manifest: Path) -> None:
    lines = [r for r in rows(manifest) if str(r["file"]).startswith("dataset/")]

    by_name = {(r["group"], r["split"], r["label"]) for r in lines}
    assert by_name == {
        ("still-a", "train", "fake"),
        ("still-b", "test", "fake"),
        ("cam", "val", "real"),
    }
    assert sum(1 for r in lines if r["group"] == "still-a") == 2  # copies in train only
    assert {r["generator"] for r in lines if r["label"] == "fake"} == {"still-flux"}
    shortest = min(min(Image.open(manifest.parent / str(r["file"])).size) for r in lines)
    assert shortest >= 224


def test_fakes_are_generator_outputs_not_copies(manifest: Path) -> None:
    fake = next(r for r in rows(manifest) if r["label"] == "fake")

    real_pixels = np.asarray(Image.open(manifest.parent / "real" / Path(str(fake["file"])).name))
    fake_pixels = np.asarray(Image.open(manifest.parent / str(fake["file"])))
    assert real_pixels.shape == fake_pixels.shape == (64, 64, 3)
    assert np.abs(real_pixels.astype(float) - fake_pixels).mean() > 1.0


def test_a_finished_build_is_reused(manifest: Path, config: RecipeConfig) -> None:
    written = manifest.stat().st_mtime_ns

    again = build_recipe_dataset(out=manifest.parent, photos=PHOTOS, config=config)

    assert again.stat().st_mtime_ns == written


def test_bundled_photos_split_reproducibly_into_three_disjoint_sets() -> None:
    photos = bundled_photos()

    splits = assign_splits(photos, config=RecipeConfig())

    assert splits == assign_splits(photos, config=RecipeConfig())
    assert set(splits) == {p.name for p in photos}
    assert all(list(splits.values()).count(split) >= 3 for split in ("train", "val", "test"))
