"""What the provenance check found, as plain data that goes into the answer's evidence."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

# generator: the file's own record says a generator made it; capture: it names a camera;
# hint: free text or a broken signature names a generator, which proves little.
FindingKind = Literal["generator", "capture", "hint"]
FindingSource = Literal["c2pa", "xmp", "png-text", "jpeg-comment", "exif"]


class Finding(BaseModel):
    """One fact a file states about its origin, and where it states it."""

    kind: FindingKind
    source: FindingSource
    field: str
    value: str
    signed: bool = Field(default=False, description="Bound to the pixels by an intact signature.")


class C2paManifest(BaseModel):
    """One manifest of a C2PA store, with its signature and trust checked separately."""

    label: str
    role: Literal["active", "ingredient"]
    depth: int
    claim_generator: str
    signer_issuer: str | None = None
    signer_common_name: str | None = None
    signed_at: str | None = None
    actions: list[str] = Field(default_factory=list)
    digital_source_types: list[str] = Field(default_factory=list)
    capture_device: str | None = None
    signature_valid: bool
    signer_trusted: bool
    certificate_expired: bool
    bound_to_image: bool = Field(
        description="It and every manifest above it verify, so its claims describe these pixels."
    )
    integrity_failures: list[str] = Field(default_factory=list)
    trust_failures: list[str] = Field(default_factory=list)


class C2paReport(BaseModel):
    """The C2PA manifest store of a file, if any."""

    present: bool
    validation_state: str | None = None
    trust_list_configured: bool = False
    active_manifest: str | None = None
    manifests: list[C2paManifest] = Field(default_factory=list)
    error: str | None = None


class ProvenanceReport(BaseModel):
    """Everything the file says about where it came from."""

    status: Literal[
        "generator-claim", "capture-claim", "unverified-claims", "no-provenance-information"
    ]
    decisive: bool
    findings: list[Finding] = Field(default_factory=list)
    c2pa: C2paReport
