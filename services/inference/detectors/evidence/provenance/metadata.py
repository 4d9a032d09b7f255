"""Unsigned metadata: PNG text chunks, EXIF and XMP, read for generator and camera statements."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from PIL import Image

from services.inference.detectors.evidence.provenance.generators import (
    CAPTURE_SOURCE_TYPES,
    GENERATIVE_SOURCE_TYPES,
    generator_named_in,
    is_sd_parameters,
)
from services.inference.detectors.evidence.provenance.schemas import Finding

MAX_TEXT = 200
MAX_XMP_BYTES = 1 << 20
INVOKEAI_KEYS = frozenset({"invokeai_metadata", "invokeai_graph", "sd-metadata", "dream"})
# Structured records generators write themselves (DALL-E 2 puts these in EXIF).
GENERATOR_SIGNATURES = re.compile(r"Made with OpenAI Labs|OpenAI--ImageGeneration--")
EXIF_IFD, SOFTWARE, MAKE, MODEL = 0x8769, 0x0131, 0x010F, 0x0110
EXIF_TEXT_TAGS = {0x010E: "ImageDescription", 0x9286: "UserComment", 0x927C: "MakerNote"}


def metadata_findings(image: Image.Image) -> list[Finding]:
    """Generator and camera statements from the image's text chunks, EXIF and XMP."""
    text = {k: v for k, v in image.info.items() if isinstance(k, str) and isinstance(v, str)}
    xmp = image.info.get("xmp") or text.pop("XML:com.adobe.xmp", None)
    findings = text_chunk_findings(text)
    comment = image.info.get("comment")  # a JPEG COM segment
    if isinstance(comment, bytes):
        hint = _hint("jpeg-comment", "JPEG comment", comment.decode(errors="replace"))
        findings += [hint] if hint else []
    findings += exif_findings(image)
    if isinstance(xmp, str | bytes):
        findings += xmp_findings(xmp.encode() if isinstance(xmp, str) else xmp)
    return findings


def text_chunk_findings(chunks: Mapping[str, str]) -> list[Finding]:
    """Findings from PNG tEXt/iTXt/zTXt chunks (SD WebUI, ComfyUI, InvokeAI, NovelAI, Fooocus)."""
    found = (_text_chunk_finding(key=key, value=value) for key, value in chunks.items())
    return [finding for finding in found if finding is not None]


def _text_chunk_finding(*, key: str, value: str) -> Finding | None:
    name, field = key.lower(), f"PNG text '{key}'"
    if name == "parameters" and is_sd_parameters(value):
        return _generator("png-text", field, f"Stable Diffusion WebUI parameters: {value}")
    if name in {"prompt", "workflow"} and (graph := _comfyui_graph(value)) is not None:
        return _generator("png-text", field, f"ComfyUI graph {graph}")
    if name in INVOKEAI_KEYS or name == "fooocus_scheme":
        return _generator("png-text", field, f"{key}: {value}")
    if name == "software" and generator_named_in(value):
        return _generator("png-text", field, value)
    if name == "comment" and _novelai_comment(value):
        return _generator("png-text", field, f"NovelAI generation settings: {value}")
    return _hint("png-text", field, value)


def _comfyui_graph(value: str) -> str | None:
    """A short description if `value` is a ComfyUI API prompt or UI workflow, else None."""
    try:
        graph = json.loads(value)
    except (ValueError, RecursionError):  # RecursionError: hostile, deeply nested JSON
        return None
    if isinstance(graph, dict) and isinstance(graph.get("nodes"), list):
        return f"(workflow with {len(graph['nodes'])} nodes)"
    nodes = list(graph.values()) if isinstance(graph, dict) else []
    if nodes and all(isinstance(node, dict) and "class_type" in node for node in nodes):
        models = sorted({str(v) for n in nodes for k, v in _inputs(n) if k.endswith("_name")})
        named = ", ".join(models)[:MAX_TEXT] or "no model named"
        return f"(prompt with {len(nodes)} nodes; {named})"
    return None


def _inputs(node: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    inputs = node.get("inputs")
    if isinstance(inputs, dict):
        yield from ((k, v) for k, v in inputs.items() if k in {"ckpt_name", "unet_name"})


def _novelai_comment(value: str) -> bool:
    try:
        comment = json.loads(value)
    except (ValueError, RecursionError):
        return False
    return isinstance(comment, dict) and {"steps", "sampler"} <= comment.keys()


def exif_findings(image: Image.Image) -> list[Finding]:
    """Generator names in Software and text tags; camera make and model as capture evidence."""
    try:
        exif = image.getexif()
        tags: dict[int, Any] = {**dict(exif), **dict(exif.get_ifd(EXIF_IFD))}
    except Exception:  # malformed EXIF is not evidence of anything
        return []
    findings: list[Finding] = []
    software = _as_text(tags.get(SOFTWARE))
    if software and generator_named_in(software):
        findings.append(_generator("exif", "EXIF Software", software))
    for tag, name in EXIF_TEXT_TAGS.items():
        findings += _exif_text_finding(field=f"EXIF {name}", text=_as_text(tags.get(tag)))
    camera = " ".join(filter(None, (_as_text(tags.get(MAKE)), _as_text(tags.get(MODEL)))))
    if camera:
        findings.append(
            Finding(kind="capture", source="exif", field="EXIF Make/Model", value=camera)
        )
    return findings


def _exif_text_finding(*, field: str, text: str) -> list[Finding]:
    if not text:
        return []
    if is_sd_parameters(text) or GENERATOR_SIGNATURES.search(text):
        return [_generator("exif", field, text)]
    hint = _hint("exif", field, text)
    return [hint] if hint else []


def _as_text(value: Any) -> str:
    """EXIF strings and UserComment bytes (with their 8-byte charset prefix) as clean text."""
    if isinstance(value, bytes):
        value = _decode_comment(value)
    if not isinstance(value, str):
        return ""
    cleaned = value.replace("\x00", "").strip()
    printable = sum(ch.isprintable() for ch in cleaned)
    # Camera maker notes are binary; only text-like values are worth reading.
    return cleaned if cleaned and printable >= 0.9 * len(cleaned) else ""


def _decode_comment(raw: bytes) -> str:
    prefix, body = raw[:8], raw[8:]
    if prefix.startswith(b"UNICODE"):
        candidates = [body.decode(codec, "replace") for codec in ("utf-16-be", "utf-16-le")]
        return max(candidates, key=lambda text: sum(ch.isascii() for ch in text))
    if prefix.startswith((b"ASCII", b"JIS", b"\x00")):
        return body.decode("utf-8", "replace")
    return raw.decode("utf-8", "replace")


def xmp_findings(packet: bytes) -> list[Finding]:
    """IPTC DigitalSourceType and CreatorTool from an XMP packet, parsed with defusedxml."""
    root = _parse_xmp(packet)
    if root is None:
        return []
    findings = []
    for element in root.iter():
        values = [(element.tag, element.text or ""), *element.attrib.items()]
        for name, value in values:
            finding = _xmp_finding(name=name.rsplit("}", 1)[-1], value=value.strip())
            if finding is not None:
                findings.append(finding)
    return findings


def _parse_xmp(packet: bytes) -> Element | None:
    if len(packet) > MAX_XMP_BYTES:
        return None
    try:
        root: Element = fromstring(packet.strip(b"\x00 \t\r\n"), forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError):
        return None
    return root


def _xmp_finding(*, name: str, value: str) -> Finding | None:
    if not value:
        return None
    field = f"XMP {name}"
    if name.lower() == "digitalsourcetype":
        source_type = value.rstrip("/").rsplit("/", 1)[-1]
        if source_type in GENERATIVE_SOURCE_TYPES:
            return _generator("xmp", field, source_type)
        if source_type in CAPTURE_SOURCE_TYPES:
            return Finding(kind="capture", source="xmp", field=field, value=source_type)
        return None
    if name.lower() == "creatortool" and generator_named_in(value):
        return _generator("xmp", field, value)
    return _hint("xmp", field, value)


def _generator(source: Any, field: str, value: str) -> Finding:
    return Finding(kind="generator", source=source, field=field, value=value[:MAX_TEXT])


def _hint(source: Any, field: str, value: str) -> Finding | None:
    """Free text that merely names a generator: a hint, never decisive."""
    generator = generator_named_in(value[:4096])
    if generator is None:
        return None
    value = f"{generator}: {value[:MAX_TEXT]}"
    return Finding(kind="hint", source=source, field=field, value=value)
