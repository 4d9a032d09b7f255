"""Still outputs of named generators that ComfyUI's template packages ship (the `ai` class)."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

TEMPLATE_PACKAGES = (
    "comfyui_workflow_templates_media_image",
    "comfyui_workflow_templates_media_api",
)
LICENCE = "MIT (ComfyUI workflow templates)"

# A template's `-1` preview is its output; `-2` is often its input, which may be a real photo.
OUTPUT_SUFFIX = "-1.webp"

# Previews that are not a generator's still image: audio, 3D and video templates (their
# previews are renders, waveforms or clips) and upscalers/enhancers, whose output is mostly
# the real input they were given.
NOT_A_GENERATED_STILL = re.compile(
    r"audio|speech|elevenlabs|sound|3d|to_model|video|i2v|t2v|v2v|svg|vector|upscal|enhance|"
    r"_fix|topaz|hitpaw|interpolation|lotus|depth_v|dieline|contact_sheet|exploded",
    re.IGNORECASE,
)

# File-name patterns -> generator family, first match wins (order matters: `flux` after
# `kontext` keeps both in the Flux family; `qwen` before `wan`).
FAMILIES: tuple[tuple[str, str], ...] = (
    (r"flux|bfl|kontext|krea|chroma|uso", "flux"),
    (r"qwen", "qwen-image"),
    (r"openai|dall_e|gpt", "openai"),
    (r"gemini|nano_?banana", "google"),
    (r"sd3|sdxl|stability|default-1|sd_|stable", "stable-diffusion"),
    (r"hidream", "hidream"),
    (r"seedream|seedance|bytedance", "bytedance"),
    (r"z_image", "z-image"),
    (r"kling", "kling"),
    (r"luma", "luma"),
    (r"recraft", "recraft"),
    (r"ideogram", "ideogram"),
    (r"runway", "runway"),
    (r"grok", "grok"),
    (r"wan", "wan"),
)


@dataclass(frozen=True, slots=True)
class GeneratedStill:
    """One generator output: its file, the template (its name), family and package."""

    name: str
    path: Path
    family: str
    origin: str
    licence: str = LICENCE


def family_of(filename: str) -> str:
    """The generator family a template's file name names, or `other`."""
    for pattern, family in FAMILIES:
        if re.search(pattern, filename, re.IGNORECASE):
            return family
    return "other"


def is_generated_still(path: Path) -> bool:
    """A template's output preview that is one still frame of a generator's image."""
    if not path.name.endswith(OUTPUT_SUFFIX) or NOT_A_GENERATED_STILL.search(path.name):
        return False
    with Image.open(path) as image:
        return getattr(image, "n_frames", 1) == 1


def template_stills(*, packages: tuple[str, ...] = TEMPLATE_PACKAGES) -> list[GeneratedStill]:
    """Every generated still the installed template packages hold, in a stable order."""
    stills: list[GeneratedStill] = []
    for package in packages:
        origin = f"{package.replace('_', '-')}=={importlib.metadata.version(package)}"
        folder = Path(str(importlib.resources.files(package) / "templates"))
        stills += [
            GeneratedStill(
                name=f"comfyui-{path.name.removesuffix(OUTPUT_SUFFIX)}",
                path=path,
                family=family_of(path.name),
                origin=origin,
            )
            for path in sorted(folder.glob(f"*{OUTPUT_SUFFIX}"))
            if is_generated_still(path)
        ]
    return stills
