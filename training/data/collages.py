"""Real images made of real photographs: grids and contact sheets of one split's own photos."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ORIGIN = "collage"
LICENCE = "each tile keeps the licence of its photograph's own manifest row"
BACKGROUNDS = ((255, 255, 255), (0, 0, 0), (32, 32, 32), (240, 240, 236))


@dataclass(frozen=True, slots=True)
class Layout:
    """A grid: rows and columns of equal tiles, the gutter between them, the background."""

    rows: int
    columns: int
    tile: tuple[int, int]
    gutter: int
    background: tuple[int, int, int]


def draw_layout(rng: np.random.Generator) -> Layout:
    """A random grid as papers, news pages and photo dumps lay photographs out."""
    side = int(rng.integers(112, 321))
    aspect = float(rng.choice([1.0, 0.75, 4 / 3]))
    return Layout(
        rows=int(rng.integers(2, 5)),
        columns=int(rng.integers(2, 6)),
        tile=(side, round(side * aspect)),
        gutter=int(rng.choice([0, 2, 4, 8, 16])),
        background=BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))],
    )


def fitted_tile(path: Path, *, size: tuple[int, int]) -> Image.Image:
    """The photograph centre-cropped to the tile's aspect and resized to it."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
    width, height = size
    scale = max(width / rgb.width, height / rgb.height)
    resized = rgb.resize(
        (max(width, round(rgb.width * scale)), max(height, round(rgb.height * scale))),
        Image.Resampling.LANCZOS,
    )
    left, top = (resized.width - width) // 2, (resized.height - height) // 2
    return resized.crop((left, top, left + width, top + height))


def compose(paths: list[Path], *, layout: Layout) -> Image.Image:
    """The photographs placed row by row on the layout's grid."""
    width, height = layout.tile
    step_x, step_y = width + layout.gutter, height + layout.gutter
    canvas = Image.new(
        "RGB",
        (layout.columns * step_x + layout.gutter, layout.rows * step_y + layout.gutter),
        layout.background,
    )
    for index, path in enumerate(paths):
        row, column = divmod(index, layout.columns)
        tile = fitted_tile(path, size=layout.tile)
        canvas.paste(tile, (layout.gutter + column * step_x, layout.gutter + row * step_y))
    return canvas


def make_collages(
    *, photos: list[Path], out_dir: Path, prefix: str, count: int, seed: int
) -> list[Path]:
    """`count` seeded collages of the given photographs, saved as PNGs named from prefix."""
    rng = np.random.default_rng(seed)
    made = []
    for index in range(count if photos else 0):
        layout = draw_layout(rng)
        cells = layout.rows * layout.columns
        picks = rng.choice(len(photos), size=cells, replace=cells > len(photos))
        path = out_dir / f"{prefix}-{index:03d}.png"
        compose([photos[i] for i in picks], layout=layout).save(path)
        made.append(path)
    return made
