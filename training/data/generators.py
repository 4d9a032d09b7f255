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
    "comfyui_workflow_templates_media_other",
    "comfyui_workflow_templates_media_assets_01",
    "comfyui_workflow_templates_media_assets_02",
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

# Previews of templates that run no image generator, or whose output is mostly their input:
# language models' and utility nodes' title cards, erasers, background removal, depth and
# normal estimation, and app previews that tile the app's inputs.
NOT_A_GENERATOR = re.compile(
    r"anthropic|claude|openrouter_(?:gpt|grok|kimi|llm)|llm_|text_gen|voice|sfx|_t2m|lipsync|"
    r"fabric|basic_|utility_|marigold|eraser|erase_image|remove_background|background_removal|"
    r"multiangle|product_ad\.app",
    re.IGNORECASE,
)

# File-name patterns -> generator family, first match wins (order matters: `flux` after
# `kontext` keeps both in the Flux family, Krea's own models come before it; `qwen` before
# `wan`).
FAMILIES: tuple[tuple[str, str], ...] = (
    (r"krea[23]", "krea"),
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
    (r"hunyuan|tencent|hy_image", "tencent"),
    (r"bria|fibo", "bria"),
    (r"mai_image", "microsoft"),
    (r"meta_muse", "meta"),
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
    name = path.name
    if not name.endswith(OUTPUT_SUFFIX) or any(
        pattern.search(name) for pattern in (NOT_A_GENERATED_STILL, NOT_A_GENERATOR)
    ):
        return False
    with Image.open(path) as image:
        return getattr(image, "n_frames", 1) == 1


def template_stills(*, packages: tuple[str, ...] = TEMPLATE_PACKAGES) -> list[GeneratedStill]:
    """Every generated still the installed template packages hold, in a stable order; a
    template that two packages ship counts once, from the first."""
    stills: dict[str, GeneratedStill] = {}
    for package in packages:
        origin = f"{package.replace('_', '-')}=={importlib.metadata.version(package)}"
        folder = Path(str(importlib.resources.files(package) / "templates"))
        for path in sorted(folder.glob(f"*{OUTPUT_SUFFIX}")):
            name = f"comfyui-{path.name.removesuffix(OUTPUT_SUFFIX)}"
            if name not in stills and is_generated_still(path):
                stills[name] = GeneratedStill(name, path, family_of(path.name), origin)
    return list(stills.values())
