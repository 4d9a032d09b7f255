"""Build the default recipe's dataset: real tiles, simulated-generator tiles, manifest.jsonl."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from training.recipe.gans import (
    VINTAGE_CYCLEGAN,
    GanSpec,
    detail,
    gan_fake,
    load_gan,
)
from training.recipe.generators import GENERATORS, GeneratorSpec
from training.recipe.photos import Photo
from training.recipe.simulate import generate, train_generator, training_crops
from training.recipe.stills import (
    dataset_rows,
    manifest_digest,
    write_dataset_images,
)
from training.recipe.tiles import (
    Region,
    center,
    cut_regions,
    rescaled,
    tile_count,
)
from training.recipe.upsamplers import (
    UPSAMPLERS,
    UpsamplerSpec,
    load_upsampler,
    network_fake,
)
from training.samples import Split, seeded_splits

RECIPE_FILE = "recipe.json"
MANIFEST_FILE = "manifest.jsonl"


@dataclass(frozen=True, slots=True)
class RecipeConfig:
    """Every knob of the dataset build; the defaults are the bundled model's recipe."""

    seed: int = 20260
    tile: int = 256
    margin: int = 16
    tiles_per_photo: int = 16
    scales: tuple[float, ...] = (1.0, 0.5)
    val_share: float = 0.15
    test_share: float = 0.15
    generator_steps: int = 300
    generator_batch: int = 16
    generator_crop: int = 64
    generators: tuple[GeneratorSpec, ...] = field(default=GENERATORS)
    upsamplers: tuple[UpsamplerSpec, ...] = field(default=UPSAMPLERS)
    # Network pairs are cut smaller than tiles (the networks cost about 1 s per 100x100 input on
    # 2 cores), from this share of regions; the side must shrink evenly by every factor.
    network_tile: int = 128
    network_margin: int = 20
    network_share: float = 0.25
    # GAN pairs, cut like network pairs (about 1.1 CPU-seconds per region), from this share of the
    # regions with at least `gan_min_detail` of texture: on flat walls the CycleGAN invents
    # blocky patterns no GAN image shows. The fake keeps the generator's detail above about
    # 0.1 cycles per pixel (a Gaussian of `gan_sigma`), where its stride-2 decoder leaves traces.
    gan: GanSpec = field(default=VINTAGE_CYCLEGAN)
    gan_share: float = 0.2
    gan_min_detail: float = 10.0
    gan_sigma: float = 2.0
    # `deepcatcher data build`'s manifest (generator stills, photos, renders); "" for none.
    dataset: str = "var/data/manifest.jsonl"
    dataset_copies: int = 2


def assign_splits(photos: list[Photo], *, config: RecipeConfig) -> dict[str, Split]:
    """Split by photo, never by crop: a seeded shuffle within each origin, so splits mix them."""
    return seeded_splits(
        {photo.name: photo.origin for photo in photos},
        seed=config.seed,
        val_share=config.val_share,
        test_share=config.test_share,
    )


def photo_regions(
    photo: Photo, *, split: Split, config: RecipeConfig, rng: np.random.Generator
) -> list[Region]:
    """The regions one photo gives at every recipe scale."""
    regions: list[Region] = []
    original = photo.load()
    for scale in config.scales:
        pixels = rescaled(original, scale=scale)
        count = tile_count(
            height=pixels.shape[0],
            width=pixels.shape[1],
            tile=config.tile,
            most=config.tiles_per_photo,
        )
        cut = cut_regions(pixels, tile=config.tile, margin=config.margin, count=count, rng=rng)
        regions += [
            Region(photo=photo.name, split=split, scale=scale, index=len(regions) + i, pixels=p)
            for i, p in enumerate(cut)
        ]
    return regions


def fit_generators(regions: list[Region], *, config: RecipeConfig) -> dict[str, Any]:
    """Every generator of the recipe, trained on crops of training photos only."""
    rng = np.random.default_rng(config.seed + 1)
    train = [region.pixels for region in regions if region.split == "train"]
    count = config.generator_steps * config.generator_batch
    return {
        spec.name: train_generator(
            spec,
            crops=training_crops(train, count=count, size=config.generator_crop, rng=rng),
            batch_size=config.generator_batch,
            seed=config.seed + index,
        )
        for index, spec in enumerate(config.generators)
    }


def generator_plan(
    regions: list[Region], *, config: RecipeConfig
) -> list[tuple[Region, GeneratorSpec]]:
    """Which generator fakes each region: one seen generator each, plus the unseen ones on test."""
    rng = np.random.default_rng(config.seed + 2)
    seen = [spec for spec in config.generators if spec.seen_in_training]
    unseen = [spec for spec in config.generators if not spec.seen_in_training]
    plan = [(region, seen[int(rng.integers(len(seen)))]) for region in regions]
    return plan + [
        (region, spec) for region in regions if region.split == "test" for spec in unseen
    ]


def write_tile(pixels: np.ndarray, *, out: Path, relative: str) -> None:
    """Save a tile losslessly (PNG), so only the recipe's augmentations add compression."""
    (out / relative).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(out / relative, format="PNG", compress_level=1)


def tile_row(
    region: Region,
    *,
    relative: str,
    label: str,
    generator: GeneratorSpec | UpsamplerSpec | GanSpec | None,
) -> dict[str, Any]:
    """One manifest line: file, label, split, its source photo (group) and how it was made."""
    return {
        "file": relative,
        "label": label,
        "split": region.split,
        "group": region.photo,
        "scale": region.scale,
        "generator": generator.name if generator else "",
        "generator_kind": ""
        if not generator
        else "seen"
        if generator.seen_in_training
        else "unseen",
        "generator_type": generator_type(generator) if generator else "",
    }


def generator_type(generator: GeneratorSpec | UpsamplerSpec | GanSpec) -> str:
    """How a fake tile was made: by a simulated decoder, an upsampler network or a GAN."""
    if isinstance(generator, GanSpec):
        return "gan"
    return "network" if isinstance(generator, UpsamplerSpec) else "simulated"


def region_name(region: Region) -> str:
    """A file-name stem unique to a region."""
    return f"{region.photo}-s{int(region.scale * 100)}-{region.index:02d}"


def write_real_tiles(
    regions: list[Region], *, out: Path, config: RecipeConfig
) -> list[dict[str, Any]]:
    """Each region's tile as a real image."""
    rows = []
    for region in regions:
        relative = f"real/{region_name(region)}.png"
        write_tile(center(region.pixels, margin=config.margin), out=out, relative=relative)
        rows.append(tile_row(region, relative=relative, label="real", generator=None))
    return rows


def write_fake_tiles(
    plan: list[tuple[Region, GeneratorSpec]],
    *,
    generators: dict[str, Any],
    out: Path,
    config: RecipeConfig,
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Each planned region passed through its generator, and each generator's mean PSNR."""
    rows, psnr = [], {}
    for spec in config.generators:
        regions = [region for region, planned in plan if planned.name == spec.name]
        fakes = generate(generators[spec.name], regions=[r.pixels for r in regions], batch_size=8)
        for region, fake in zip(regions, fakes, strict=True):
            relative = f"fake/{spec.name}/{region_name(region)}.png"
            write_tile(center(fake, margin=config.margin), out=out, relative=relative)
            rows.append(tile_row(region, relative=relative, label="fake", generator=spec))
        psnr[spec.name] = mean_psnr([r.pixels for r in regions], fakes)
    return rows, psnr


def network_plan(
    regions: list[Region], *, config: RecipeConfig
) -> list[tuple[Region, UpsamplerSpec]]:
    """A share of regions, each with one seen network by weight; the unseen ones on test only."""
    rng = np.random.default_rng(config.seed + 3)
    seen = [spec for spec in config.upsamplers if spec.seen_in_training]
    unseen = [spec for spec in config.upsamplers if not spec.seen_in_training]
    weights = np.array([spec.weight for spec in seen]) / sum(spec.weight for spec in seen)
    picked = [region for region in regions if rng.random() < config.network_share]
    plan = [(region, seen[int(rng.choice(len(seen), p=weights))]) for region in picked]
    return plan + [(region, spec) for region in picked if region.split == "test" for spec in unseen]


def network_region(region: Region, *, config: RecipeConfig) -> np.ndarray:
    """The centre of a region that a network pair is cut from."""
    side = config.network_tile + 2 * config.network_margin
    return center(region.pixels, margin=(region.pixels.shape[0] - side) // 2)


def write_network_pairs(
    plan: list[tuple[Region, UpsamplerSpec]], *, out: Path, config: RecipeConfig
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Aligned pairs: each planned region untouched (`real`) and rebuilt by its network (`fake`)."""
    rows, psnr = [], {}
    paired: set[str] = set()
    for spec in config.upsamplers:
        regions = [region for region, planned in plan if planned.name == spec.name]
        net = load_upsampler(spec) if regions else None
        originals = [network_region(region, config=config) for region in regions]
        fakes = [network_fake(net, pixels, factor=spec.factor) for pixels in originals]
        for region, pixels, fake in zip(regions, originals, fakes, strict=True):
            # A test region may pass through a seen and an unseen network: one real tile.
            first = region_name(region) not in paired
            paired.add(region_name(region))
            rows += pair_rows(
                region,
                spec=spec,
                pixels=(pixels, fake) if first else (None, fake),
                out=out,
                config=config,
                suffix="n",
            )
        psnr[spec.name] = mean_psnr(originals, fakes)
    return rows, psnr


def pair_rows(
    region: Region,
    *,
    spec: UpsamplerSpec | GanSpec,
    pixels: tuple[np.ndarray | None, np.ndarray],
    out: Path,
    config: RecipeConfig,
    suffix: str,
) -> list[dict[str, Any]]:
    """Write one network pair's fake tile and (unless None) its real one; their manifest lines."""
    name = f"{region_name(region)}-{suffix}"
    fake, real = f"fake/{spec.name}/{name}.png", f"real/{name}.png"
    write_tile(center(pixels[1], margin=config.network_margin), out=out, relative=fake)
    rows = [tile_row(region, relative=fake, label="fake", generator=spec)]
    if pixels[0] is not None:
        write_tile(center(pixels[0], margin=config.network_margin), out=out, relative=real)
        rows.append(tile_row(region, relative=real, label="real", generator=None))
    return rows


def gan_plan(regions: list[Region], *, config: RecipeConfig) -> list[Region]:
    """A share of the regions with enough texture for the GAN (its own draws: 0 changes nothing)."""
    if not config.gan_share:
        return []
    rng = np.random.default_rng(config.seed + 5)
    textured = [
        region
        for region in regions
        if detail(network_region(region, config=config)) >= config.gan_min_detail
    ]
    return [region for region in textured if rng.random() < config.gan_share]


def write_gan_pairs(
    regions: list[Region], *, out: Path, config: RecipeConfig
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Aligned pairs: each planned region untouched (`real`) and rebuilt by the GAN (`fake`)."""
    if not regions:
        return [], {}
    network = load_gan(config.gan)
    originals = [network_region(region, config=config) for region in regions]
    fakes = [gan_fake(network, pixels, sigma=config.gan_sigma) for pixels in originals]
    rows = [
        row
        for region, pixels, fake in zip(regions, originals, fakes, strict=True)
        for row in pair_rows(
            region, spec=config.gan, pixels=(pixels, fake), out=out, config=config, suffix="g"
        )
    ]
    return rows, {config.gan.name: mean_psnr(originals, fakes)}


def mean_psnr(originals: list[np.ndarray], copies: list[np.ndarray]) -> float:
    """Mean PSNR (dB) of the generators' reconstructions: how close the fakes are to the photos."""
    if not originals:
        return float("nan")
    errors = [
        np.mean((a.astype(np.float64) - b) ** 2) for a, b in zip(originals, copies, strict=True)
    ]
    return float(np.mean([10 * np.log10(255**2 / max(e, 1e-9)) for e in errors]))


def recipe_config_json(config: RecipeConfig) -> dict[str, Any]:
    """The config as JSON, to tell a cached build of the same recipe from a stale one."""
    return json.loads(json.dumps(asdict(config)))  # type: ignore[no-any-return]


def build_recipe_dataset(*, out: Path, photos: list[Photo], config: RecipeConfig) -> Path:
    """Write (or reuse) the recipe's tiles and manifest.jsonl under `out`; return the manifest."""
    manifest, description = out / MANIFEST_FILE, out / RECIPE_FILE
    dataset = Path(config.dataset) if config.dataset else None
    digest = manifest_digest(dataset) if dataset and dataset.is_file() else ""
    if manifest.is_file() and description.is_file() and _same_recipe(description, config, digest):
        return manifest
    dataset_images = dataset_rows(dataset, skip={p.name for p in photos}) if dataset else []
    splits = assign_splits(photos, config=config)
    rng = np.random.default_rng(config.seed)
    regions = [
        r for p in photos for r in photo_regions(p, split=splits[p.name], config=config, rng=rng)
    ]
    generators = fit_generators(regions, config=config)
    rows = write_real_tiles(regions, out=out, config=config)
    fake_rows, psnr = write_fake_tiles(
        generator_plan(regions, config=config), generators=generators, out=out, config=config
    )
    network_rows, network_psnr = write_network_pairs(
        network_plan(regions, config=config), out=out, config=config
    )
    gan_rows, gan_psnr = write_gan_pairs(gan_plan(regions, config=config), out=out, config=config)
    still_rows = write_dataset_images(
        dataset_images,
        base=dataset.parent if dataset else out,
        out=out,
        copies=config.dataset_copies,
        seed=config.seed + 4,
    )
    lines = rows + fake_rows + network_rows + gan_rows + still_rows
    manifest.write_text("".join(json.dumps(row) + "\n" for row in lines))
    summary = {
        "config": recipe_config_json(config),
        "dataset_sha256": digest,
        "splits": splits,
        "generator_psnr_db": {**psnr, **network_psnr, **gan_psnr},
        "photos": [{"name": p.name, "origin": p.origin, "licence": p.licence} for p in photos],
    }
    description.write_text(json.dumps(summary, indent=2))
    return manifest


def _same_recipe(description: Path, config: RecipeConfig, digest: str) -> bool:
    built = json.loads(description.read_text())
    return bool(
        built["config"] == recipe_config_json(config) and built.get("dataset_sha256") == digest
    )
