"""Names of image generators and the IPTC digital source types that mean "made by AI"."""

from __future__ import annotations

import re

# IPTC NewsCodes digital source types (https://cv.iptc.org/newscodes/digitalsourcetype/).
GENERATIVE_SOURCE_TYPES = frozenset(
    {"trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia"}
)
CAPTURE_SOURCE_TYPES = frozenset(
    {"digitalCapture", "computationalCapture", "negativeFilm", "positiveFilm", "compositeCapture"}
)

_GENERATORS: dict[str, str] = {
    "OpenAI (DALL-E / GPT image)": r"openai|dall[-·\s]?e(?!\s*mini)|chatgpt|gpt-4o|gpt-image",
    "Midjourney": r"midjourney",
    "Stable Diffusion": r"stable[\s_-]?diffusion|sdxl|stability\.?ai|dreamstudio",
    "Adobe Firefly": r"firefly",
    "NovelAI": r"novel\s?ai",
    "ComfyUI": r"comfyui",
    "Stable Diffusion WebUI": r"automatic1111|stable-diffusion-webui|sd\.next|forge webui",
    "InvokeAI": r"invoke\s?ai",
    "Fooocus": r"fooocus",
    "FLUX": r"flux\.?1|black forest labs",
    "Google Imagen / Gemini": r"imagen [234]|gemini|nano[\s-]?banana|synthid",
    "Leonardo.Ai": r"leonardo\.ai",
    "Ideogram": r"ideogram",
    "DALL-E Mini / Craiyon": r"craiyon|dall[-\s]?e\s*mini",
    "Microsoft Designer / Bing Image Creator": r"bing image creator|microsoft designer",
    "Playground": r"playground\s?(ai|v2)",
    "Kandinsky": r"kandinsky",
    "Runway": r"runwayml|runway gen",
    "NightCafe": r"nightcafe",
    "Grok / Aurora": r"grok|xai aurora",
    "Seedream / Jimeng": r"seedream|jimeng",
    "Recraft": r"recraft",
    "Artbreeder": r"artbreeder",
    "Wombo Dream": r"wombo",
}
_PATTERN = re.compile(
    "|".join(f"(?P<g{i}>\\b(?:{p}))" for i, p in enumerate(_GENERATORS.values())), re.IGNORECASE
)
_NAMES = list(_GENERATORS)
_SD_SETTINGS = re.compile(r"\b(?:Sampler|Seed|CFG scale):")


def is_sd_parameters(text: str) -> bool:
    """Stable Diffusion WebUI's record: the prompt, then a "Steps: 20, Sampler: …" line."""
    # Line by line with a plain search: linear time, whatever an upload puts in the text.
    return any(
        line.startswith("Steps:") and _SD_SETTINGS.search(line) is not None
        for line in map(str.lstrip, text.splitlines())
    )


def generator_named_in(text: str) -> str | None:
    """The generator a piece of text names, if any."""
    match = _PATTERN.search(text)
    if match is None or match.lastgroup is None:
        return None
    return _NAMES[int(match.lastgroup[1:])]
