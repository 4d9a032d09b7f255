"""Each signal's evidence in plain words, with its pictures, for the result page."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from deepcatcher_client.models import Signal

from services.common.contract import (
    SIGNAL_DETECTOR,
    SIGNAL_LOWLEVEL,
    SIGNAL_MATCHES,
    SIGNAL_PROVENANCE,
    SIGNAL_SEMANTIC,
    SIGNAL_SPECTRUM,
    VIEW_SIGNALS,
)

TITLES = {
    SIGNAL_DETECTOR: "All views together",
    SIGNAL_SEMANTIC: "Semantic view",
    SIGNAL_LOWLEVEL: "Low-level view",
    SIGNAL_PROVENANCE: "Provenance",
    SIGNAL_SPECTRUM: "Frequency spectrum",
    SIGNAL_MATCHES: "Known images",
}
KNOWN_LABELS = {"ai": "Known AI image", "real": "Known real photo"}
PROVENANCE_STATUS = {
    "generator-claim": "The file says an AI generator made it",
    "capture-claim": "The file names a camera",
    "unverified-claims": "Provenance data that proves nothing either way",
    "no-provenance-information": "No provenance information",
}
SOURCE_TYPES = {
    "trainedAlgorithmicMedia": "made by generative AI",
    "compositeWithTrainedAlgorithmicMedia": "edited with generative AI",
    "algorithmicMedia": "made by software",
    "digitalCapture": "taken with a digital camera",
    "computationalCapture": "taken with a phone camera's computational photography",
    "negativeFilm": "scanned from a film negative",
    "positiveFilm": "scanned from film",
    "print": "scanned from a print",
}
FINDING_KINDS = {"generator": "Generator record", "capture": "Camera record", "hint": "Hint only"}
FINDING_SOURCES = {"c2pa": "C2PA", "xmp": "XMP metadata", "png-text": "PNG text", "exif": "EXIF"}


@dataclass(frozen=True, slots=True)
class Picture:
    """An evidence image sent inline as a data: URI."""

    src: str
    alt: str
    caption: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One statement the file makes about its origin."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class SignalView:
    """One detector's finding as a card: a title, a sentence, facts, pictures."""

    name: str
    title: str
    summary: str
    headline: str | None = None
    facts: list[tuple[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    note: str | None = None


def signal_views(signals: list[Signal]) -> list[SignalView]:
    """Every signal as a card, the detector's first."""
    builders = {
        SIGNAL_DETECTOR: _detector,
        SIGNAL_SEMANTIC: _semantic,
        SIGNAL_LOWLEVEL: _model,
        "provenance": _provenance,
        "spectrum": _spectrum,
        "matches": _matches,
    }
    cards = [builders.get(signal.name, _other)(signal) for signal in signals]
    # A known AI image decided the verdict: its card comes first.
    return sorted(cards, key=lambda card: card.name != "matches" or card.headline is None)


def _matches(signal: Signal) -> SignalView:
    """Known images this picture copies, and the caller's own earlier look-alike checks."""
    known = signal.evidence.get("known") or []
    findings = [
        Finding(
            kind=KNOWN_LABELS.get(match.get("label", ""), "Known image"),
            text=f"{match.get('note') or 'No note.'} Known since "
            f"{str(match.get('known_since', ''))[:10]}; {match.get('distance')} of 256 bits differ."
            + (f" Entry {match['entry_id']}." if match.get("entry_id") else ""),
        )
        for match in known
    ]
    findings += [
        Finding(
            kind="Your earlier check",
            text=f"{earlier.get('filename')}: {earlier.get('verdict')}, "
            f"{str(earlier.get('checked_at', ''))[:10]}",
        )
        for earlier in signal.evidence.get("history") or []
    ]
    deciding = signal.score == 1
    return SignalView(
        name=signal.name,
        title=TITLES["matches"],
        summary=signal.summary,
        headline="A copy of a known AI image" if deciding else None,
        findings=findings,
        note=(
            "Known images are pictures admins confirmed. A match with a known real photo is "
            "evidence only: an AI edit of a real photo matches it too."
        ),
    )


def _model(signal: Signal) -> SignalView:
    evidence = signal.evidence
    scores = [cell["score"] for cell in evidence.get("score_map", []) if "score" in cell]
    facts = [("Areas examined", _patches(evidence))]
    if scores:
        facts.append(("Area scores", f"from {min(scores):.2f} to {max(scores):.2f}"))
    note = "Each area is scored at full resolution; the image score averages them."
    card = _scored(signal, facts=facts, note=note)
    return dataclasses.replace(card, pictures=_heatmaps(evidence))


def _detector(signal: Signal) -> SignalView:
    facts = [
        (TITLES.get(VIEW_SIGNALS.get(name, name), name), f"{score:.2f}")
        for name, score in (signal.evidence.get("views") or {}).items()
    ]
    note = "The views' scores are combined by weights fitted on validation images only."
    return _scored(signal, facts=facts, note=note)


def _semantic(signal: Signal) -> SignalView:
    backbone = signal.evidence.get("backbone") or {}
    facts = [("Model", "CLIP ViT-B/16 image tower, pretrained, frozen; our own trained head")]
    if backbone.get("sha256"):
        facts.append(("Backbone file", f"sha256 {str(backbone['sha256'])[:12]}…"))
    note = "Looks at the whole picture, resized: what is shown and how it is rendered."
    return _scored(signal, facts=facts, note=note)


def _scored(signal: Signal, *, facts: list[tuple[str, str]], note: str) -> SignalView:
    """A scoring view's card: its score, its facts and the band it reads its score against."""
    thresholds = signal.evidence.get("thresholds") or {}
    if {"real_below", "fake_above"} <= thresholds.keys():
        facts = [*facts, ("Reads as", _reads_as(thresholds))]
    return SignalView(
        name=signal.name,
        title=TITLES[signal.name],
        summary=signal.summary,
        headline=None if signal.score is None else f"Score {signal.score:.2f}",
        facts=facts,
        note=note,
    )


def _patches(evidence: dict[str, Any]) -> str:
    crops, size = evidence.get("crops"), evidence.get("crop_size")
    if not crops or not size:
        return "not reported"
    noun = "area" if crops == 1 else "areas"
    return f"{crops} {noun} of {size} x {size} pixels"


def _reads_as(thresholds: dict[str, Any]) -> str:
    return (
        f"real below {thresholds['real_below']:.2f}, AI-generated above "
        f"{thresholds['fake_above']:.2f}, uncertain between"
    )


def _provenance(signal: Signal) -> SignalView:
    evidence = signal.evidence
    c2pa = evidence.get("c2pa") or {}
    findings = [_manifest_finding(manifest) for manifest in c2pa.get("manifests", [])]
    findings += [
        _metadata_finding(finding)
        for finding in evidence.get("findings", [])
        if finding.get("source") != "c2pa"
    ]
    if c2pa.get("error"):
        findings.append(
            Finding(kind="Unreadable", text=f"C2PA data could not be read: {c2pa['error']}")
        )
    return SignalView(
        name=signal.name,
        title=TITLES["provenance"],
        summary=signal.summary,
        headline=PROVENANCE_STATUS.get(evidence.get("status", "")),
        findings=findings,
        note="Metadata is easy to strip or copy: missing provenance never makes an image real.",
    )


def _manifest_finding(manifest: dict[str, Any]) -> Finding:
    """A C2PA manifest in one line, e.g. `created with Adobe Firefly, signature valid, …`."""
    parts = (
        [f"created with {manifest['claim_generator']}"] if manifest.get("claim_generator") else []
    )
    parts += [SOURCE_TYPES.get(kind, kind) for kind in manifest.get("digital_source_types", [])]
    if manifest.get("capture_device"):
        parts.append(f"camera {manifest['capture_device']}")
    signer = manifest.get("signer_common_name") or manifest.get("signer_issuer")
    if signer:
        parts.append(f"signed by {signer}")
    parts.append("signature valid" if manifest.get("signature_valid") else "signature NOT valid")
    trusted = manifest.get("signer_trusted")
    parts.append("signer on the trust list" if trusted else "signer not on the trust list")
    if manifest.get("certificate_expired"):
        parts.append("certificate expired")
    if not manifest.get("bound_to_image", True):
        parts.append("does not match these pixels")
    role = "C2PA manifest" if manifest.get("role") == "active" else "C2PA ingredient manifest"
    text = ", ".join(parts)
    return Finding(kind=role, text=f"{text[:1].upper()}{text[1:]}.")


def _metadata_finding(finding: dict[str, Any]) -> Finding:
    source = FINDING_SOURCES.get(finding.get("source", ""), finding.get("source", ""))
    kind = FINDING_KINDS.get(finding.get("kind", ""), "Finding")
    return Finding(
        kind=kind, text=f"{source} {finding.get('field', '')}: {finding.get('value', '')}"
    )


def _spectrum(signal: Signal) -> SignalView:
    evidence = signal.evidence
    facts: list[tuple[str, str]] = []
    if evidence.get("tiles"):
        size = evidence.get("tile_size")
        facts.append(("Tiles analysed", f"{evidence['tiles']} of {size} x {size} pixels"))
    if "strongest_peak_z" in evidence:
        threshold = evidence.get("peak_threshold_z", 0)
        facts.append(
            (
                "Strongest repeating peak",
                f"{evidence['strongest_peak_z']:g} (counts from {threshold:g})",
            )
        )
    periods = sorted({str(peak.get("period_px")) for peak in evidence.get("peaks", [])}, key=float)
    facts.append(
        ("Repeating patterns", f"every {', '.join(periods)} px" if periods else "none found")
    )
    if evidence.get("jpeg_grid_skipped"):
        facts.append(("JPEG block grid", "ignored, since every JPEG has one"))
    pictures = []
    if evidence.get("spectrum_png_base64"):
        pictures.append(
            Picture(
                src=f"data:image/png;base64,{evidence['spectrum_png_base64']}",
                alt="The image's frequency spectrum: a bright centre fading outwards.",
                caption="Bright isolated dots away from the centre would be upsampling traces.",
            )
        )
    return SignalView(
        name=signal.name,
        title=TITLES["spectrum"],
        summary=signal.summary,
        facts=facts,
        pictures=pictures + _heatmaps(evidence),
        note="A weak, uncalibrated cue shown as evidence; it does not change the verdict.",
    )


def _other(signal: Signal) -> SignalView:
    facts = [
        (name.replace("_", " ").capitalize(), str(value))
        for name, value in signal.evidence.items()
        if isinstance(value, str | int | float | bool) and not name.endswith("_base64")
    ]
    headline = None if signal.score is None else f"Score {signal.score:.2f}"
    return SignalView(
        name=signal.name,
        title=signal.name.replace("_", " ").capitalize(),
        summary=signal.summary,
        headline=headline,
        facts=facts,
        pictures=_heatmaps(signal.evidence),
    )


def _heatmaps(evidence: dict[str, Any]) -> list[Picture]:
    """The inference service's own heatmap PNG, when it sent one (`?explain=true`)."""
    heatmap = evidence.get("heatmap_png_base64")
    if not isinstance(heatmap, str):
        return []
    return [
        Picture(
            src=f"data:image/png;base64,{heatmap}",
            alt="Heatmap of where the detector's evidence lies, over a copy of the image.",
            caption=str(evidence.get("description", "Green looks real, red looks generated.")),
        )
    ]
