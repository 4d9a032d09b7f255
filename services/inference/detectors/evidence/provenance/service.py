"""The provenance signal: what the file itself says about where it came from."""

from __future__ import annotations

from PIL import Image

from services.common.contract import SIGNAL_PROVENANCE, Signal
from services.inference.detectors.evidence.provenance.c2pa import C2paInspector
from services.inference.detectors.evidence.provenance.generators import (
    CAPTURE_SOURCE_TYPES,
    GENERATIVE_SOURCE_TYPES,
)
from services.inference.detectors.evidence.provenance.metadata import metadata_findings
from services.inference.detectors.evidence.provenance.schemas import (
    C2paManifest,
    C2paReport,
    Finding,
    ProvenanceReport,
)

NO_INFORMATION = (
    "No provenance information: the file carries no C2PA manifest and no generator or camera "
    "metadata. Missing metadata proves nothing either way."
)


def inspect_provenance(
    *, data: bytes, image: Image.Image, mime_type: str, c2pa: C2paInspector
) -> ProvenanceReport:
    """C2PA manifests plus unsigned metadata, summarised into findings."""
    store = c2pa.inspect(data=data, mime_type=mime_type)
    findings = c2pa_findings(store) + metadata_findings(image)
    kinds = {finding.kind for finding in findings}
    if "generator" in kinds:
        status = "generator-claim"
    elif "capture" in kinds:
        status = "capture-claim"
    elif kinds or store.present:
        status = "unverified-claims"
    else:
        status = "no-provenance-information"
    decisive = "generator" in kinds
    return ProvenanceReport(status=status, decisive=decisive, findings=findings, c2pa=store)


def c2pa_findings(report: C2paReport) -> list[Finding]:
    """Generator and capture statements of each manifest; only bound manifests' count fully."""
    findings: list[Finding] = []
    for manifest in report.manifests:
        generative = sorted(set(manifest.digital_source_types) & GENERATIVE_SOURCE_TYPES)
        if generative:
            findings.append(_c2pa_generator_finding(manifest, source_types=generative))
        captured = set(manifest.digital_source_types) & CAPTURE_SOURCE_TYPES
        if manifest.bound_to_image and (captured or manifest.capture_device):
            device = manifest.capture_device or ", ".join(sorted(captured))
            where = _where(manifest)
            findings.append(
                Finding(kind="capture", source="c2pa", field=where, value=device, signed=True)
            )
    return findings


def _c2pa_generator_finding(manifest: C2paManifest, *, source_types: list[str]) -> Finding:
    value = f"{', '.join(source_types)}; {describe_signature(manifest)}"
    return Finding(
        kind="generator" if manifest.bound_to_image else "hint",
        source="c2pa",
        field=f"{_where(manifest)} digitalSourceType",
        value=value,
        signed=manifest.bound_to_image,
    )


def _where(manifest: C2paManifest) -> str:
    return f"C2PA {manifest.role} manifest {manifest.label}"


def describe_signature(manifest: C2paManifest) -> str:
    """One plain phrase on who signed a manifest and what verified."""
    signer = manifest.signer_common_name or "an unnamed signer"
    if manifest.signer_issuer and manifest.signer_issuer != signer:
        signer += f" ({manifest.signer_issuer})"
    parts = [f"claim generator {manifest.claim_generator or 'unnamed'}", f"signed by {signer}"]
    parts.append("signature valid" if manifest.signature_valid else "signature NOT valid")
    if manifest.integrity_failures:
        parts.append(f"integrity failures: {', '.join(manifest.integrity_failures)}")
    parts.append("signer trusted" if manifest.signer_trusted else "signer not on the trust list")
    if manifest.certificate_expired:
        parts.append("certificate expired")
    return "; ".join(parts)


def provenance_signal(report: ProvenanceReport) -> Signal:
    """The provenance signal: score 1 for a generator's own claim, none otherwise."""
    return Signal(
        name=SIGNAL_PROVENANCE,
        score=1.0 if report.decisive else None,
        summary=_summary(report),
        evidence=report.model_dump(mode="json"),
    )


def _summary(report: ProvenanceReport) -> str:
    sentences = [_main_sentence(report)]
    decided_by_c2pa = any(f.kind == "generator" and f.source == "c2pa" for f in report.findings)
    if report.c2pa.present and not decided_by_c2pa:
        sentences.append(_c2pa_sentence(report.c2pa))
    return " ".join(sentences)


def _main_sentence(report: ProvenanceReport) -> str:
    first = {finding.kind: finding for finding in reversed(report.findings)}
    if "generator" in first:
        claim = first["generator"]
        return f"The file says a generator made it ({claim.field}: {claim.value})."
    if "capture" in first:
        capture = first["capture"]
        return (
            f"The file names a capture device ({capture.value}, {capture.field}). That is weak "
            "evidence, since metadata is easy to copy, and is never used to call an image real."
        )
    if report.status == "unverified-claims":
        return (
            "The file carries provenance data that does not verify or does not say how the image "
            "was made; it proves nothing either way."
        )
    return NO_INFORMATION


def _c2pa_sentence(store: C2paReport) -> str:
    if store.error:
        return f"A C2PA manifest is present or referenced but could not be read ({store.error})."
    if not store.manifests:
        return "C2PA data is present but names no active manifest."
    active = store.manifests[0]
    bound = "describes these pixels" if active.bound_to_image else "does NOT match these pixels"
    return f"C2PA active manifest ({bound}): {describe_signature(active)}."
