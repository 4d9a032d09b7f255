"""vintagify's CycleGAN (PyTorch, CPU) makes aligned fakes: the same region with its decoder's
fine detail, and not the vintage colours of the style it was trained for."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
import skimage.data
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from training.recipe.gans import (
    VINTAGE_CYCLEGAN,
    coarse,
    detail,
    gan_fake,
    load_gan,
    translated,
)

SIGMA = 2.0


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    error = np.mean((a.astype(np.float64) - b) ** 2)
    return float(10 * np.log10(255**2 / error))


def colour_statistics(pixels: np.ndarray) -> np.ndarray:
    """Per-channel means and standard deviations of a region's centre."""
    centre = pixels[16:-16, 16:-16].reshape(-1, 3).astype(np.float64)
    return np.concatenate([centre.mean(axis=0), centre.std(axis=0)])


def textured_regions(*, per_photo: int, side: int = 96) -> list[np.ndarray]:
    """Random regions of scikit-image photographs that pass the recipe's texture bar."""
    rng = np.random.default_rng(0)
    regions: list[np.ndarray] = []
    for name in ("astronaut", "coffee", "chelsea", "rocket"):
        photo = getattr(skimage.data, name)()
        found: list[np.ndarray] = []
        while len(found) < per_photo:
            top, left = (int(rng.integers(0, n - side)) for n in photo.shape[:2])
            region = np.ascontiguousarray(photo[top : top + side, left : left + side])
            found += [region] if detail(region) >= 10 else []
        regions += found
    return regions


@pytest.fixture(scope="module")
def network() -> Any:
    return load_gan(VINTAGE_CYCLEGAN)


@pytest.fixture(scope="module")
def regions() -> list[np.ndarray]:
    return textured_regions(per_photo=4)


@pytest.fixture(scope="module")
def fakes(network: Any, regions: list[np.ndarray]) -> list[np.ndarray]:
    return [gan_fake(network, region, sigma=SIGMA) for region in regions]


def test_the_generator_loads_from_the_package_without_importing_its_front_end(
    network: Any,
) -> None:
    parameters = sum(p.numel() for p in network.parameters())

    assert 7_000_000 < parameters < 12_000_000
    assert not network.training
    assert "vintagify" not in sys.modules


def test_a_package_that_is_not_installed_is_named() -> None:
    with pytest.raises(ModuleNotFoundError, match="no_such_gan_package"):
        load_gan(replace(VINTAGE_CYCLEGAN, package="no_such_gan_package"))


def test_gan_fake_is_the_same_region_rebuilt_not_a_copy(
    regions: list[np.ndarray], fakes: list[np.ndarray]
) -> None:
    for region, fake in zip(regions, fakes, strict=True):
        assert fake.shape == region.shape and fake.dtype == np.uint8
        assert 20 < psnr(region, fake) < 40


def test_gan_fake_is_aligned_with_its_region(
    regions: list[np.ndarray], fakes: list[np.ndarray]
) -> None:
    for region, fake in zip(regions, fakes, strict=True):
        assert psnr(region, fake) > psnr(np.roll(region, 2, axis=1), fake) + 2


def test_gan_fake_is_the_same_for_the_same_region(network: Any, regions: list[np.ndarray]) -> None:
    again = load_gan(VINTAGE_CYCLEGAN)

    assert np.array_equal(
        gan_fake(network, regions[0], sigma=SIGMA), gan_fake(again, regions[0], sigma=SIGMA)
    )


def test_a_region_the_generator_cannot_rebuild_to_size_is_refused(network: Any) -> None:
    with pytest.raises(ValueError, match="gave"):
        gan_fake(network, np.zeros((50, 50, 3), np.uint8), sigma=SIGMA)


def test_colour_statistics_do_not_tell_the_fakes_from_their_regions(
    regions: list[np.ndarray], fakes: list[np.ndarray]
) -> None:
    features = np.array([colour_statistics(x) for x in [*regions, *fakes]])
    labels = np.repeat([0, 1], len(regions))
    pairs = np.tile(np.arange(len(regions)), 2)

    classifier = make_pipeline(StandardScaler(), LogisticRegression())
    scores = cross_val_predict(
        classifier, features, labels, groups=pairs, cv=GroupKFold(4), method="decision_function"
    )

    assert roc_auc_score(labels, scores) <= 0.6


def test_the_generator_moves_colours_and_the_fake_does_not(
    network: Any, regions: list[np.ndarray], fakes: list[np.ndarray]
) -> None:
    means = np.array([colour_statistics(region)[:3] for region in regions])
    raw = np.array([colour_statistics(translated(network, region))[:3] for region in regions])
    ours = np.array([colour_statistics(fake)[:3] for fake in fakes])

    assert np.abs(raw - means).mean() > 5
    assert np.abs(ours - means).max() < 1


def test_the_fake_differs_from_its_region_in_fine_detail_only(
    regions: list[np.ndarray], fakes: list[np.ndarray]
) -> None:
    for region, fake in zip(regions, fakes, strict=True):
        fine = fake - coarse(fake, sigma=SIGMA) - (region - coarse(region, sigma=SIGMA))
        broad = coarse(fake, sigma=SIGMA) - coarse(region, sigma=SIGMA)
        fine_rms, broad_rms = (np.sqrt(np.mean(x[16:-16, 16:-16] ** 2)) for x in (fine, broad))
        assert fine_rms > 2.5 and fine_rms > 2 * broad_rms
