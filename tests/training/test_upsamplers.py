"""Real-ESRGAN networks (ncnn, CPU) make aligned fakes: the same region, rebuilt by the network."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data

from training.recipe.build import RecipeConfig, network_plan
from training.recipe.tiles import Region
from training.recipe.upsamplers import (
    UPSAMPLERS,
    load_upsampler,
    network_fake,
    shrunk,
)
from training.samples import SPLITS

X2 = next(spec for spec in UPSAMPLERS if spec.factor == 2 and spec.seen_in_training)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    error = np.mean((a.astype(np.float64) - b) ** 2)
    return float(10 * np.log10(255**2 / error))


@pytest.fixture(scope="module")
def region() -> np.ndarray:
    """A 96-pixel patch of a real photograph (scikit-image's astronaut)."""
    photo = skimage.data.astronaut()  # type: ignore[no-untyped-call]
    return np.ascontiguousarray(photo[100:196, 200:296])


def test_network_fake_is_the_same_region_rebuilt_not_a_copy(region: np.ndarray) -> None:
    fake = network_fake(load_upsampler(X2), region, factor=X2.factor)

    assert fake.shape == region.shape and fake.dtype == np.uint8
    assert 24 < psnr(region, fake) < 60
    assert not np.array_equal(region, fake)


def test_network_fake_is_aligned_with_its_region(region: np.ndarray) -> None:
    fake = network_fake(load_upsampler(X2), region, factor=X2.factor)
    shifted = np.roll(region, 2, axis=1)

    assert psnr(region, fake) > psnr(shifted, fake) + 3


def test_a_region_that_does_not_shrink_evenly_is_refused() -> None:
    with pytest.raises(ValueError, match="shrink evenly"):
        shrunk(np.zeros((50, 50, 3), np.uint8), factor=3)


def test_the_unseen_network_fakes_test_regions_only() -> None:
    regions = [
        Region(photo=f"p{i}", split=split, scale=1.0, index=i, pixels=np.zeros((8, 8, 3)))
        for i, split in enumerate(SPLITS * 40)
    ]

    plan = network_plan(regions, config=RecipeConfig(network_share=0.5))

    unseen = {region.split for region, spec in plan if not spec.seen_in_training}
    assert unseen == {"test"}
    seen = {spec.name for _, spec in plan if spec.seen_in_training}
    assert {"realesr-animevideov3-x2", "realesr-animevideov3-x4"} <= seen
    assert 30 < sum(1 for _, spec in plan if spec.seen_in_training) < 90
