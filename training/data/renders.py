"""Real non-photo images made here: page screenshots, plots and text documents (all `real`)."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import numpy as np
from matplotlib import style
from matplotlib.figure import Figure
from PIL import Image, ImageDraw, ImageFont

from training.recipe.photos import Photo, as_rgb

# Screenshots are half of the renders: detectors most often accuse page captures.
KINDS = ("screenshot", "plot", "document", "screenshot")
ORIGIN = "rendered"
LICENCE = "ours (generated)"
VOCABULARY = (
    "account report market river policy garden signal budget season harbor meeting engine "
    "station review quarter window archive summary network council history project customer "
    "balance library holiday forecast delivery invoice research pattern journey museum"
)
WORDS = tuple(VOCABULARY.split())
CSS_FONTS = (
    "'DejaVu Sans', sans-serif",
    "'DejaVu Serif', serif",
    "'DejaVu Sans Mono', monospace",
    "'Quicksand', sans-serif",
    "'DejaVu Sans Condensed', sans-serif",
    "Georgia, serif",
)
THEMES = (  # background, text, accent, panel
    ("#ffffff", "#1f2328", "#0969da", "#f6f8fa"),
    ("#0d1117", "#e6edf3", "#2f81f7", "#161b22"),
    ("#fdf6e3", "#586e75", "#b58900", "#eee8d5"),
    ("#f4f1ea", "#2b2b2b", "#c0392b", "#ffffff"),
    ("#eef2ff", "#1e1b4b", "#6d28d9", "#ffffff"),
    ("#1e1e1e", "#d4d4d4", "#4ec9b0", "#252526"),
)
PLOT_STYLES = ("default", "ggplot", "bmh", "classic", "dark_background", "seaborn-v0_8-whitegrid")
TTF_DIR = Path("/usr/share/fonts/truetype/dejavu")
TTF_NAMES = ("DejaVuSerif.ttf", "DejaVuSans.ttf", "DejaVuSansMono.ttf")


def _words(*, rng: np.random.Generator, count: int) -> str:
    """A run of made-up prose."""
    return " ".join(str(word) for word in rng.choice(WORDS, size=count))


def _sentences(*, rng: np.random.Generator, count: int) -> str:
    """A paragraph of `count` capitalised sentences."""
    return " ".join(
        _words(rng=rng, count=int(rng.integers(6, 16))).capitalize() + "." for _ in range(count)
    )


def _article(rng: np.random.Generator) -> str:
    """A news or blog article with a headline, byline and paragraphs."""
    title = _words(rng=rng, count=int(rng.integers(4, 9))).title()
    paragraphs = "".join(
        f"<p>{_sentences(rng=rng, count=int(rng.integers(3, 7)))}</p>"
        for _ in range(int(rng.integers(3, 7)))
    )
    byline = f"By {_words(rng=rng, count=2).title()} · {int(rng.integers(1, 28))} March 2024"
    return f"<article><h1>{title}</h1><p class='muted'>{byline}</p>{paragraphs}</article>"


def _form(rng: np.random.Generator) -> str:
    """A sign-up or settings form with labelled inputs, a select, a checkbox and buttons."""
    fields = "".join(
        f"<label>{_words(rng=rng, count=2).title()}"
        f"<input value='{_words(rng=rng, count=int(rng.integers(0, 3)))}'></label>"
        for _ in range(int(rng.integers(3, 7)))
    )
    options = "".join(f"<option>{word.title()}</option>" for word in rng.choice(WORDS, size=4))
    extras = f"<label>Plan<select>{options}</select></label>"
    consent = f"<label class='row'><input type='checkbox' checked> {_sentences(rng=rng, count=1)}"
    buttons = "<p><button>Save changes</button> <button class='ghost'>Cancel</button></p>"
    title = _words(rng=rng, count=2).title()
    return f"<form class='panel'><h2>{title}</h2>{fields}{extras}{consent}</label>{buttons}</form>"


def _table(rng: np.random.Generator) -> str:
    """A data table with a header row and numeric columns."""
    columns = [word.title() for word in rng.choice(WORDS, size=int(rng.integers(3, 7)))]
    head = "".join(f"<th>{column}</th>" for column in columns)
    rows = "".join(
        f"<tr><td>{_words(rng=rng, count=2)}</td>"
        + "".join(f"<td>{rng.uniform(0, 9999):,.2f}</td>" for _ in columns[1:])
        + "</tr>"
        for _ in range(int(rng.integers(6, 22)))
    )
    caption = _words(rng=rng, count=3).title()
    return f"<h2>{caption}</h2><table><tr>{head}</tr>{rows}</table>"


def _bars(*, rng: np.random.Generator, accent: str) -> str:
    """An inline SVG bar chart."""
    heights = rng.uniform(10, 100, size=int(rng.integers(6, 16)))
    bars = "".join(
        f"<rect x='{index * 22}' y='{110 - height:.0f}' width='16' height='{height:.0f}' "
        f"fill='{accent}'/>"
        for index, height in enumerate(heights)
    )
    return f"<svg width='{len(heights) * 22}' height='115'>{bars}</svg>"


def _dashboard(rng: np.random.Generator) -> str:
    """An admin dashboard: a navigation bar, metric cards and a bar chart."""
    accent = str(rng.choice([theme[2] for theme in THEMES]))
    links = "".join(f"<a>{word.title()}</a>" for word in rng.choice(WORDS, size=5))
    cards = "".join(
        f"<div class='panel card'><p class='muted'>{_words(rng=rng, count=2).title()}</p>"
        f"<h2>{rng.integers(100, 99999):,}</h2><p>{rng.uniform(-20, 20):+.1f}%</p></div>"
        for _ in range(int(rng.integers(3, 7)))
    )
    chart = f"<div class='panel'>{_bars(rng=rng, accent=accent)}</div>"
    return f"<nav>{links}</nav><div class='grid'>{cards}</div>{chart}{_table(rng)}"


PAGES: tuple[Callable[[np.random.Generator], str], ...] = (_article, _form, _table, _dashboard)


def page_html(*, rng: np.random.Generator) -> str:
    """A whole page of one random layout with a random font, theme and base size."""
    background, text, accent, panel = THEMES[int(rng.integers(len(THEMES)))]
    font = CSS_FONTS[int(rng.integers(len(CSS_FONTS)))]
    body = PAGES[int(rng.integers(len(PAGES)))](rng)
    css = (
        f"body{{margin:0;padding:{rng.integers(12, 64)}px;background:{background};color:{text};"
        f"font-family:{font};font-size:{rng.integers(13, 21)}px;line-height:1.5}}"
        f"a{{color:{accent};margin-right:18px}}h1,h2{{color:{accent}}}.muted{{opacity:.65}}"
        f".panel{{background:{panel};padding:16px;border-radius:{rng.integers(0, 14)}px;"
        f"margin:8px 0}}.grid{{display:flex;flex-wrap:wrap;gap:12px}}.card{{min-width:160px}}"
        f"label{{display:block;margin:10px 0}}input,select{{display:block;padding:6px;"
        f"width:60%;font:inherit}}.row input{{display:inline;width:auto}}"
        f"button{{background:{accent};color:#fff;border:0;padding:8px 16px;font:inherit}}"
        f".ghost{{background:transparent;color:{accent};border:1px solid {accent}}}"
        f"table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid "
        f"{accent}44;padding:6px;text-align:left}}nav{{padding:10px 0;margin-bottom:12px}}"
    )
    return f"<!doctype html><html><head><style>{css}</style></head><body>{body}</body></html>"


def _screenshots(*, paths: list[Path], seeds: list[int]) -> None:
    """Each generated page captured by headless Debian Chromium at a random viewport."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise RuntimeError("Debian's chromium is missing: apt-get install chromium")
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=args)
        for path, seed in zip(paths, seeds, strict=True):
            rng = np.random.default_rng(seed)
            width, height = int(rng.integers(800, 1601)), int(rng.integers(600, 1201))
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_content(page_html(rng=rng))
            page.screenshot(path=str(path))
            page.close()
        browser.close()


def _plot_axes(*, figure: Figure, rng: np.random.Generator) -> None:
    """One random chart: lines, scatter, bars, histogram or heat map, with labels."""
    axes = figure.subplots()
    chart = int(rng.integers(5))
    if chart == 0:
        for _ in range(int(rng.integers(1, 5))):
            axes.plot(np.cumsum(rng.normal(size=200)), label=_words(rng=rng, count=1))
        axes.legend()
    elif chart == 1:
        axes.scatter(rng.normal(size=300), rng.normal(size=300), c=rng.uniform(size=300), s=12)
    elif chart == 2:
        axes.bar([str(word) for word in rng.choice(WORDS, 6, replace=False)], rng.uniform(1, 9, 6))
    elif chart == 3:
        axes.hist(rng.gamma(2.0, size=2000), bins=int(rng.integers(15, 60)))
    else:
        figure.colorbar(axes.imshow(rng.normal(size=(24, 32)).cumsum(axis=0), aspect="auto"))
    axes.set_title(_words(rng=rng, count=3).title())
    axes.set_xlabel(_words(rng=rng, count=1))
    axes.set_ylabel(_words(rng=rng, count=1))


def _plot(*, path: Path, seed: int) -> None:
    """A matplotlib chart in a random style, size and resolution."""
    rng = np.random.default_rng(seed)
    with style.context(PLOT_STYLES[int(rng.integers(len(PLOT_STYLES)))]):
        figure = Figure(
            figsize=(rng.uniform(6, 12), rng.uniform(4, 8)), dpi=int(rng.integers(80, 140))
        )
        _plot_axes(figure=figure, rng=rng)
        figure.savefig(path)


def _font(*, rng: np.random.Generator, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A DejaVu face when fonts-dejavu-core is installed, else Pillow's own scalable font."""
    path = TTF_DIR / TTF_NAMES[int(rng.integers(len(TTF_NAMES)))]
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _document(*, path: Path, seed: int) -> None:
    """A typeset text page: title, wrapped paragraphs, a ruled table and a page number."""
    rng = np.random.default_rng(seed)
    width = int(rng.integers(800, 1400))
    page = Image.new("RGB", (width, int(width * 1.414)), str(rng.choice(["#ffffff", "#fbf8f0"])))
    draw, size = ImageDraw.Draw(page), int(rng.integers(14, 24))
    body, margin = _font(rng=rng, size=size), int(rng.integers(40, 120))
    draw.text(
        (margin, margin),
        _words(rng=rng, count=4).title(),
        fill="#111",
        font=_font(rng=rng, size=size * 2),
    )
    top, columns = margin + size * 4, max(int((width - 2 * margin) / (size * 0.55)), 20)
    while top < page.height - margin - size * 12:
        lines = textwrap.wrap(_sentences(rng=rng, count=int(rng.integers(2, 6))), columns)
        draw.multiline_text(
            (margin, top), "\n".join(lines), fill="#222", font=body, spacing=size // 3
        )
        top += (len(lines) + 1) * int(size * 1.35)
    for row in range(5):
        y = top + row * int(size * 1.8)
        draw.line((margin, y, width - margin, y), fill="#888")
        draw.text(
            (margin + 4, y + 4),
            f"{_words(rng=rng, count=2)}   {rng.uniform(0, 999):.2f}",
            fill="#222",
            font=body,
        )
    draw.text(
        (width // 2, page.height - margin), str(int(rng.integers(1, 40))), fill="#444", font=body
    )
    page.save(path)


def _loader(path: Path) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        with Image.open(path) as image:
            return as_rgb(np.asarray(image.convert("RGB")))

    return load


def render_screens(*, out_dir: Path, count: int, seed: int) -> list[Photo]:
    """`count` screenshots, plots and documents saved as PNGs in out_dir, the same for a seed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    kinds = [KINDS[index % len(KINDS)] for index in range(count)]
    paths = [out_dir / f"render-{seed}-{index:04d}-{kind}.png" for index, kind in enumerate(kinds)]
    seeds = [seed * 100_003 + index for index in range(count)]
    shots = [index for index, kind in enumerate(kinds) if kind == "screenshot"]
    if shots:
        _screenshots(
            paths=[paths[index] for index in shots], seeds=[seeds[index] for index in shots]
        )
    for path, kind, page_seed in zip(paths, kinds, seeds, strict=True):
        if kind == "plot":
            _plot(path=path, seed=page_seed)
        elif kind == "document":
            _document(path=path, seed=page_seed)
    return [
        Photo(name=path.stem, origin=ORIGIN, licence=LICENCE, load=_loader(path), kind=kind)
        for path, kind in zip(paths, kinds, strict=True)
    ]
