"""The data build: which template previews count as AI stills, near-duplicates, splits."""

from __future__ import annotations

from pathlib import Path

import imagehash
import numpy as np
from PIL import Image

from services.inference.training.data.build import (
    DataConfig,
    near_duplicates,
    perceptual_hash,
    resembling,
    stratified_splits,
)
from services.inference.training.data.generators import family_of, is_generated_still


def save(path: Path, *, seed: int, frames: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    images = [
        Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)) for _ in range(frames)
    ]
    images[0].save(path, format="WEBP", save_all=frames > 1, append_images=images[1:])
    return path


def test_only_still_outputs_of_image_templates_count(tmp_path: Path) -> None:
    assert is_generated_still(save(tmp_path / "flux_schnell-1.webp", seed=1))
    assert not is_generated_still(save(tmp_path / "flux_kontext_dev_basic-2.webp", seed=1))
    assert not is_generated_still(save(tmp_path / "api_luma_t2v-1.webp", seed=1))
    assert not is_generated_still(save(tmp_path / "image_anim-1.webp", seed=1, frames=3))
    assert not is_generated_still(
        save(tmp_path / "utility-topaz_landscape_upscaler-1.webp", seed=1)
    )


def test_file_names_name_the_generator_family() -> None:
    assert family_of("api_bfl_flux_1_kontext_pro_image-1.webp") == "flux"
    assert family_of("image_qwen_image_edit_2509-1.webp") == "qwen-image"
    assert family_of("api_openai_dall_e_3_t2i-1.webp") == "openai"
    assert family_of("sdxl_simple_example-1.webp") == "stable-diffusion"
    assert family_of("image_lens_t2i-1.webp") == "other"


def test_near_duplicates_keep_the_first_copy(tmp_path: Path) -> None:
    original = save(tmp_path / "a.webp", seed=3)
    Image.open(original).resize((60, 60)).save(tmp_path / "b.png")
    save(tmp_path / "c.webp", seed=4)
    hashes = {p.stem: perceptual_hash(p) for p in sorted(tmp_path.iterdir())}

    assert near_duplicates(hashes) == {"b"}


def test_images_resembling_an_evaluation_set_are_found(tmp_path: Path) -> None:
    hashes = {"same": perceptual_hash(save(tmp_path / "x.webp", seed=5))}
    hashes["other"] = perceptual_hash(save(tmp_path / "y.webp", seed=6))

    found = resembling(hashes, others=[hashes["same"]], distance=8)

    assert found == {"same"}
    assert isinstance(hashes["same"], imagehash.ImageHash)


def test_splits_mix_every_group_and_are_seeded() -> None:
    groups = {f"ai-{i}": "ai/flux" for i in range(20)} | {
        f"real-{i}": "real/city" for i in range(20)
    }

    splits = stratified_splits(groups, config=DataConfig())

    assert splits == stratified_splits(groups, config=DataConfig())
    for prefix in ("ai", "real"):
        counts = [v for k, v in splits.items() if k.startswith(prefix)]
        assert (counts.count("test"), counts.count("val"), counts.count("train")) == (3, 3, 14)
