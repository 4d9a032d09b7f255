"""C2PA-signed test images: a throwaway certificate authority made with `cryptography`."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
PEM = serialization.Encoding.PEM
PARENT = "parent-ingredient"


@dataclass(frozen=True, slots=True)
class SigningAuthority:
    """A root certificate and a leaf signing certificate with its private key, all PEM."""

    root_pem: bytes
    chain_pem: bytes
    key_pem: bytes

    def signer(self) -> c2pa.Signer:
        """A c2pa signer for the leaf certificate."""
        info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, self.chain_pem, self.key_pem, None)
        return c2pa.Signer.from_info(info)


def make_authority(*, organisation: str = "Deepcatcher Tests") -> SigningAuthority:
    """A new root CA and an ES256 leaf fit for C2PA signing (e-mail protection EKU)."""
    now = dt.datetime.now(dt.UTC)
    root_key, leaf_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    root = _certificate(
        subject=_name("Test Root", organisation),
        issuer=_name("Test Root", organisation),
        key=root_key.public_key(),
        signing_key=root_key,
        now=now,
        ca=True,
    )
    leaf = _certificate(
        subject=_name("Test Generator", organisation),
        issuer=root.subject,
        key=leaf_key.public_key(),
        signing_key=root_key,
        now=now,
        ca=False,
    )
    key_pem = leaf_key.private_bytes(
        PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return SigningAuthority(
        root_pem=root.public_bytes(PEM),
        chain_pem=leaf.public_bytes(PEM) + root.public_bytes(PEM),
        key_pem=key_pem,
    )


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )


def _certificate(
    *,
    subject: x509.Name,
    issuer: x509.Name,
    key: ec.EllipticCurvePublicKey,
    signing_key: ec.EllipticCurvePrivateKey,
    now: dt.datetime,
    ca: bool,
) -> x509.Certificate:
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key), critical=False)
    )
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        ).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
            critical=False,
        )
    return builder.sign(signing_key, hashes.SHA256())


def created_manifest(*, source_type: str, generator: str = "Test Diffusion") -> dict[str, Any]:
    """A manifest saying `generator` created the asset with this IPTC digital source type."""
    return {
        "claim_generator_info": [{"name": generator, "version": "1.0"}],
        "title": "image.jpg",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": IPTC + source_type,
                            "softwareAgent": {"name": generator},
                        }
                    ]
                },
            }
        ],
    }


def edited_manifest() -> dict[str, Any]:
    """A manifest for an edit of a parent ingredient, saying nothing of how the parent was made."""
    return {
        "claim_generator_info": [{"name": "Test Editor", "version": "2.0"}],
        "title": "edited.jpg",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {"action": "c2pa.opened", "parameters": {"ingredientIds": [PARENT]}},
                        {"action": "c2pa.color_adjustments"},
                    ]
                },
            }
        ],
    }


def sign(
    data: bytes,
    *,
    manifest: dict[str, Any],
    authority: SigningAuthority,
    parent: bytes | None = None,
    mime_type: str = "image/jpeg",
) -> bytes:
    """`data` with a signed C2PA manifest embedded; `parent` becomes its parentOf ingredient."""
    context = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    builder = c2pa.Builder.from_json(manifest, context=context)
    if parent is not None:
        ingredient = {"title": "parent.jpg", "relationship": "parentOf", "label": PARENT}
        builder.add_ingredient(ingredient, mime_type, io.BytesIO(parent))
    signed = io.BytesIO()
    builder.sign(authority.signer(), mime_type, io.BytesIO(data), signed)
    return signed.getvalue()
