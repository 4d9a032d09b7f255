"""GAN-made images of real photographs: aligned redraws and face swaps, kept in their split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from training.data.build import Candidate, DataConfig, gan_candidates, name_split
from training.data.gan_images import (
    WHOLE_MAKERS,
    face_swapped,
    fitted,
    redraw_maker,
    redrawn,
    repainted,
)

pytest.importorskip("ncnn")


def photo(*, seed: int, size: tuple[int, int] = (96, 128)) -> np.ndarray:
    """Smooth random colour fields with fine noise: a stand-in with coarse shapes and texture."""
    rng = np.random.default_rng(seed)
    coarse: np.ndarray = ndimage.zoom(
        rng.uniform(0, 255, (6, 8, 3)), (size[0] / 6, size[1] / 8, 1), order=1
    )
    fine = rng.normal(0, 12, (*size, 3))
    return np.clip(coarse + fine, 0, 255).astype(np.uint8)


def correlation(first: np.ndarray, second: np.ndarray) -> float:
    a, b = (
        ndimage.gaussian_filter(x.astype(float).mean(axis=2), 3).ravel() for x in (first, second)
    )
    return float(np.corrcoef(a, b)[0, 1])


def test_a_redraw_shows_the_same_photo_with_new_fine_detail() -> None:
    pixels = photo(seed=1)

    drawn = redrawn(pixels, network="realesr-animevideov3-x4")

    assert drawn.shape == pixels.shape and drawn.dtype == np.uint8
    assert correlation(drawn, pixels) > 0.9
    # The network drew the detail: the photo's own noise is not what comes back.
    assert np.abs(drawn.astype(int) - pixels.astype(int)).mean() > 4


def test_the_cyclegan_output_is_the_network_s_own_image() -> None:
    pixels = photo(seed=2)

    painted = repainted(pixels)

    assert painted.shape == fitted(pixels, long_side=512, multiple=4).shape
    assert correlation(painted, pixels) > 0.5
    assert not np.array_equal(painted, pixels)


def test_a_face_swap_changes_the_faces_and_nothing_else() -> None:
    pixels = photo(seed=3, size=(200, 300))
    box = (100, 40, 80, 96)

    swapped = face_swapped(pixels, boxes=[box])

    x, y, w, h = box
    outside = np.ones(pixels.shape[:2], dtype=bool)
    outside[y : y + h, x : x + w] = False
    assert np.array_equal(swapped[outside], pixels[outside])
    centre = (slice(y + h // 4, y + 3 * h // 4), slice(x + w // 4, x + 3 * w // 4))
    assert np.abs(swapped[centre].astype(int) - pixels[centre].astype(int)).mean() > 4
    # Colour-matched: the face keeps its tone.
    assert np.allclose(swapped[centre].mean(axis=(0, 1)), pixels[centre].mean(axis=(0, 1)), atol=12)


def test_gan_images_are_seeded_ai_and_keep_to_their_photo_s_split(tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    kept, splits = {}, {}
    for index, split in enumerate(["train", "train", "val", "test"]):
        name = f"{split}-{index}"
        Image.fromarray(photo(seed=10 + index, size=(64, 96))).save(tmp_path / f"{name}.png")
        kept[name] = Candidate(tmp_path / f"{name}.png", "real", "photo-city", "x", "y")
        splits[name] = split
    config = DataConfig(gan_share=1.0)

    made, placed = gan_candidates(kept, splits=splits, images=images, config=config)

    assert len(made) == 4
    for name, candidate in made.items():
        source = next(n for n in kept if name.endswith(f"-{n}"))
        assert placed[name] == splits[source]
        assert candidate.label == "ai" and candidate.family.startswith("gan-")
    again, _ = gan_candidates(kept, splits=splits, images=tmp_path, config=config)
    assert {n: c.path.read_bytes() for n, c in made.items()} == {
        n: c.path.read_bytes() for n, c in again.items()
    }


def test_every_split_gets_every_network_in_its_share() -> None:
    config = DataConfig(gan_share=0.5)
    names = [f"photo-{i}" for i in range(3000)]
    for split in ("train", "val", "test"):
        chosen = [
            maker
            for name in names
            if name_split(name, seed=config.seed, val_share=0.25, test_share=0.15) == split
            and (maker := redraw_maker(name, seed=config.seed, share=config.gan_share))
        ]
        families = [family for family, _ in chosen]
        shares = {family: families.count(family) / len(families) for family, _ in WHOLE_MAKERS}
        assert all(0.25 < share < 0.42 for share in shares.values()), (split, shares)


def test_the_bundled_build_makes_no_gan_images(tmp_path: Path) -> None:
    Image.fromarray(photo(seed=20, size=(64, 96))).save(tmp_path / "p.png")
    kept = {"p": Candidate(tmp_path / "p.png", "real", "photo-city", "x", "y")}

    made, placed = gan_candidates(kept, splits={"p": "train"}, images=tmp_path, config=DataConfig())

    assert made == {} and placed == {}
