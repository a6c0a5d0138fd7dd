"""PAdES signatures with pyHanko: sign a PDF, and check one we are given.

Signing certifies the document with "no changes allowed" (DocMDP), so any
later change shows as breaking the signature in every PDF reader. Checking
never reaches the network: the trust root is configured, revocation is ours
(the certificate's status in the database), not the CA's.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.attributes import CMSAttributeProvider, SigningCertificateV2Provider
from pyhanko.sign.general import SigningError, as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app.certificates.keys import KeyMaterial

FIELD_NAME = "ProgramSignature"


def _run(coroutine):
    """Run one of pyHanko's coroutines to completion from synchronous code.

    pyHanko's synchronous wrappers call asyncio.run(), which refuses to run
    inside a thread that already has an event loop (a test driving Playwright,
    an async server); there the coroutine runs on a short-lived worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _asn1_cert(cert) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class _FixedAttribute(CMSAttributeProvider):
    """A signed attribute whose value never changes, kept as DER and parsed back each time.

    pyHanko rebuilds the signing-certificate-v2 attribute (the signing
    certificate's hash, issuer and serial, which PAdES requires) from scratch
    for every signature, and asn1crypto re-serialises it at every level it is
    nested in: about two thirds of the cost of a signature. A value parsed
    from DER serialises as the bytes it was parsed from. The bytes are the
    same as pyHanko's own: only the work of producing them is saved.
    """

    def __init__(self, attribute_type: str, der: bytes):
        self.attribute_type = attribute_type
        self._der = der

    async def get_attribute(self, dry_run=False) -> cms.CMSAttribute:
        return cms.CMSAttribute.load(self._der)


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, signing with a key object loaded once.

    SimpleSigner parses the DER private key again for every signature, and
    `cryptography` checks an RSA key thoroughly when loading it (about 30 ms):
    that was most of the cost of issuing a certificate. It also keeps the
    signing-certificate-v2 attribute ready made (see `_FixedAttribute`).
    """

    def __init__(self, *args, loaded_key, **kwargs):
        super().__init__(*args, **kwargs)
        self._loaded_key = loaded_key
        self._signing_certificate_v2 = _FixedAttribute("signing_certificate_v2", simple_cms_attribute(
            "signing_certificate_v2", as_signing_certificate_v2(self.signing_cert)).dump())

    def _signed_attr_providers(self, *args, **kwargs):
        for provider in super()._signed_attr_providers(*args, **kwargs):
            if isinstance(provider, SigningCertificateV2Provider) and \
                    provider.signing_cert is self.signing_cert:
                yield self._signing_certificate_v2
            else:
                yield provider

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if isinstance(self._loaded_key, rsa.RSAPrivateKey) and \
                mechanism["algorithm"].native in ("rsassa_pkcs1v15", "sha256_rsa"):
            return self._loaded_key.sign(data, padding.PKCS1v15(), _HASHES[digest_algorithm]())
        return super().sign_raw(data, digest_algorithm)


_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
# Room for the CMS signature in the PDF; reserving it skips pyHanko's trial signature.
SIGNATURE_BYTES_RESERVED = 16384


def make_signer(material: KeyMaterial) -> signers.SimpleSigner:
    """Build a pyHanko signer from the loaded key material."""
    key = asn1_keys.PrivateKeyInfo.load(material.signing_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return _LoadedKeySigner(
        signing_cert=_asn1_cert(material.signing_cert), signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in material.chain]),
        loaded_key=material.signing_key)


def sign_pdf(pdf: bytes, signer: signers.SimpleSigner, *, reason: str,
             location: str = "287(g) Training Program") -> bytes:
    """Return the PDF with a PAdES certification signature over the whole file."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    meta = PdfSignatureMetadata(
        field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=reason, location=location, certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES)
    return _run(signers.async_sign_pdf(writer, meta, signer=signer,
                                       bytes_reserved=SIGNATURE_BYTES_RESERVED)).getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    """What the cryptography says about a PDF, before any database lookup."""

    present: bool
    intact: bool
    trusted: bool
    covers_whole_file: bool
    signer: str | None = None
    problem: str | None = None


def check_signature(data: bytes, trust_root) -> SignatureCheck:
    """Validate the PDF's one signature against our trust root, offline."""
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except Exception as error:  # pyHanko raises many kinds on malformed input
        return SignatureCheck(False, False, False, False, problem=f"not a readable PDF ({type(error).__name__})")
    if not embedded:
        return SignatureCheck(False, False, False, False, problem="the file has no digital signature")
    if len(embedded) > 1:
        return SignatureCheck(True, False, False, False, problem="the file carries more than one signature")
    context = ValidationContext(trust_roots=[_asn1_cert(trust_root)], allow_fetching=False,
                                revocation_mode="soft-fail")
    try:
        status = _run(async_validate_pdf_signature(embedded[0], context))
    except (SigningError, ValueError, KeyError, TypeError) as error:
        return SignatureCheck(True, False, False, False, problem=f"the signature cannot be read ({error})")
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else None
    return SignatureCheck(
        present=True, intact=bool(status.intact and status.valid), trusted=bool(status.trusted),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE, signer=signer)
