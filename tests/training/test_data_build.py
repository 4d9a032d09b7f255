"""The data build: which template previews count as AI stills, near-duplicates, splits,
collages."""

from __future__ import annotations

from pathlib import Path

import imagehash
import numpy as np
from PIL import Image

from training.data.build import (
    Candidate,
    DataConfig,
    collage_candidates,
    near_duplicates,
    perceptual_hash,
    resembling,
    stratified_splits,
)
from training.data.collages import BACKGROUNDS, Layout, compose
from training.data.generators import (
    family_of,
    is_generated_still,
    template_stills,
)


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


def test_previews_of_templates_that_run_no_image_generator_do_not_count(tmp_path: Path) -> None:
    for name in (
        "api_anthropic_claude_opus_5-1.webp",
        "llm_qwen3_text_gen-1.webp",
        "api_heygen_voice_1-1.webp",
        "utility_moge_depth_estimation-1.webp",
        "image_marigold_v2_albedo_estimation-1.webp",
        "api_bria_eraser-1.webp",
        "template_qwen_multiangle.app-1.webp",
    ):
        assert not is_generated_still(save(tmp_path / name, seed=1)), name
    assert is_generated_still(save(tmp_path / "api_openrouter_mai_image_26_t2i-1.webp", seed=1))


def test_file_names_name_the_generator_family() -> None:
    assert family_of("api_bfl_flux_1_kontext_pro_image-1.webp") == "flux"
    assert family_of("image_qwen_image_edit_2509-1.webp") == "qwen-image"
    assert family_of("api_openai_dall_e_3_t2i-1.webp") == "openai"
    assert family_of("sdxl_simple_example-1.webp") == "stable-diffusion"
    assert family_of("image_lens_t2i-1.webp") == "other"
    assert family_of("flux1_krea_dev-1.webp") == "flux"
    assert family_of("api_krea3_t2i-1.webp") == "krea"
    assert family_of("api_tencent_hy_image_3_5_preview_t2i-1.webp") == "tencent"
    assert family_of("image_fibo2_edit_dev_pe-1.webp") == "bria"


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


def test_splits_take_their_shares_and_are_seeded() -> None:
    groups = {f"ai-{i}": "ai/flux" for i in range(2000)} | {
        f"real-{i}": "real/city" for i in range(2000)
    }

    splits = stratified_splits(groups, config=DataConfig())

    assert splits == stratified_splits(groups, config=DataConfig())
    # Real images get the larger validation share that the false-accusation band rests on.
    for prefix, val_share in (("ai", 0.15), ("real", 0.25)):
        counts = [v for k, v in splits.items() if k.startswith(prefix)]
        assert abs(counts.count("val") / len(counts) - val_share) < 0.03
        assert abs(counts.count("test") / len(counts) - 0.15) < 0.03


def test_adding_images_moves_no_other_image_between_splits() -> None:
    groups = {f"photo-{i}": "real/city" for i in range(200)}
    more = groups | {f"new-{i}": "real/city" for i in range(50)}

    before, after = (stratified_splits(g, config=DataConfig()) for g in (groups, more))

    assert all(after[name] == split for name, split in before.items())


def solid(path: Path, *, colour: tuple[int, int, int], size: tuple[int, int]) -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def cell_colours(image: Image.Image, *, layout: Layout) -> set[tuple[int, ...]]:
    """The colour at the centre of every grid cell."""
    width, height = layout.tile
    pixels = np.asarray(image)
    centres = [
        (
            layout.gutter + row * (height + layout.gutter) + height // 2,
            layout.gutter + column * (width + layout.gutter) + width // 2,
        )
        for row in range(layout.rows)
        for column in range(layout.columns)
    ]
    return {tuple(int(v) for v in pixels[y, x]) for y, x in centres}


def test_a_collage_tiles_only_the_given_photos_on_its_grid(tmp_path: Path) -> None:
    colours = [(200, 30, 30), (30, 200, 30), (30, 30, 200)]
    photos = [
        solid(tmp_path / f"p{i}.png", colour=c, size=(300 + 40 * i, 200))
        for i, c in enumerate(colours)
    ]
    layout = Layout(rows=2, columns=3, tile=(100, 75), gutter=8, background=(255, 255, 255))

    collage = compose(photos * 2, layout=layout)

    assert collage.size == (3 * 108 + 8, 2 * 83 + 8)
    assert cell_colours(collage, layout=layout) == set(colours)
    assert np.asarray(collage)[0, 0].tolist() == [255, 255, 255]


def test_collages_are_seeded_and_keep_to_their_split(tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    colour = {"train": (250, 0, 0), "val": (0, 250, 0), "test": (0, 0, 250)}
    kept, splits = {}, {}
    for split, value in colour.items():
        for i in range(3):
            name = f"{split}-{i}"
            path = solid(tmp_path / f"{name}.png", colour=value, size=(320, 240))
            kept[name] = Candidate(path, "real", "photo-city", "x", "y")
            splits[name] = split
    kept["ai-0"] = Candidate(
        solid(tmp_path / "ai.png", colour=(9, 9, 9), size=(64, 64)), "ai", "flux", "x", "y"
    )
    splits["ai-0"] = "val"
    config = DataConfig(collages=20)

    made, placed = collage_candidates(kept, splits=splits, images=images, config=config)

    # Collages are real images: the real shares place 25% in validation.
    assert sorted(placed.values()).count("val") == 5 and len(made) == 20
    for name, candidate in made.items():
        pixels = np.asarray(Image.open(candidate.path)).reshape(-1, 3)
        tiles = {tuple(p) for p in pixels.tolist()} - {tuple(b) for b in BACKGROUNDS}
        assert tiles == {colour[placed[name]]}, name
        assert candidate.label == "real" and candidate.family == "collage"
    again, _ = collage_candidates(kept, splits=splits, images=tmp_path, config=config)
    for name, candidate in made.items():
        assert candidate.path.read_bytes() == again[name].path.read_bytes()


def test_a_template_that_two_packages_ship_counts_once() -> None:
    names = [still.name for still in template_stills()]

    assert len(names) == len(set(names))
    assert "comfyui-image_qwen_Image_2512_controlnet" in names
