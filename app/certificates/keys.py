"""The program's signing keys: a root CA and a document-signing certificate it issues.

`flask keys init` creates both with `cryptography` under instance/keys/
(private keys written with 0600 permissions, encrypted when
SIGNING_KEY_PASSPHRASE is set). Production points SIGNING_CERT_PATH and
SIGNING_KEY_PATH (PEM) or SIGNING_PKCS12_PATH at keys made by its own PKI,
and TRUST_ROOT_PATH at the root verifiers trust.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

ROOT_CERT = "root.pem"
ROOT_KEY = "root.key.pem"
SIGNING_CERT = "signing.pem"
SIGNING_KEY = "signing.key.pem"


class KeysError(RuntimeError):
    """Keys that are missing, unreadable or already present."""


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "287(g) Training Program"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _write_private(path: Path, key, passphrase: bytes | None) -> None:
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def keys_init(directory: Path, *, passphrase: bytes | None = None, now: datetime | None = None,
              root_years: int = 20, signing_years: int = 5) -> tuple[Path, Path]:
    """Create the root CA and the signing certificate; refuse to overwrite existing keys."""
    directory = Path(directory)
    existing = [n for n in (ROOT_CERT, ROOT_KEY, SIGNING_CERT, SIGNING_KEY) if (directory / n).exists()]
    if existing:
        raise KeysError(f"keys already exist in {directory} ({', '.join(existing)}); refusing to overwrite")
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    now = now or datetime.now(UTC)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    root_name = _name("287(g) Training Program Root CA")
    root = (
        x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
        .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * root_years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signing = (
        x509.CertificateBuilder().subject_name(_name("287(g) Training Certificate Signing"))
        .issuer_name(root_name).public_key(signing_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * signing_years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signing_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                       critical=False)
        .sign(root_key, hashes.SHA256())
    )
    _write_private(directory / ROOT_KEY, root_key, passphrase)
    _write_private(directory / SIGNING_KEY, signing_key, passphrase)
    (directory / ROOT_CERT).write_bytes(root.public_bytes(serialization.Encoding.PEM))
    (directory / SIGNING_CERT).write_bytes(signing.public_bytes(serialization.Encoding.PEM))
    return directory / ROOT_CERT, directory / SIGNING_CERT


@dataclass(frozen=True)
class KeyMaterial:
    """What signing and verification need, loaded once per process."""

    signing_cert: x509.Certificate
    signing_key: object  # an RSA or EC private key from `cryptography`
    chain: tuple[x509.Certificate, ...]
    trust_root: x509.Certificate


def _passphrase(config) -> bytes | None:
    value = config.get("SIGNING_KEY_PASSPHRASE")
    return value.encode() if value else None


def _read(path: str | Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise KeysError(f"cannot read the {what} at {path}: {error.strerror}. "
                        "Run `flask keys init` or set the signing key settings.") from None


def load_key_material(config) -> KeyMaterial:
    """Load the signing certificate, its key, its chain and the trust root from settings."""
    directory = Path(config["KEYS_DIR"])
    passphrase = _passphrase(config)
    root = x509.load_pem_x509_certificate(
        _read(config.get("TRUST_ROOT_PATH") or directory / ROOT_CERT, "trust root"))
    if config.get("SIGNING_PKCS12_PATH"):
        key, cert, extra = pkcs12.load_key_and_certificates(
            _read(config["SIGNING_PKCS12_PATH"], "PKCS#12 bundle"), passphrase)
        if key is None or cert is None:
            raise KeysError("the PKCS#12 bundle holds no key and certificate")
        chain = tuple(extra or ())
    else:
        cert = x509.load_pem_x509_certificate(
            _read(config.get("SIGNING_CERT_PATH") or directory / SIGNING_CERT, "signing certificate"))
        try:
            key = serialization.load_pem_private_key(
                _read(config.get("SIGNING_KEY_PATH") or directory / SIGNING_KEY, "signing key"), passphrase)
        except (TypeError, ValueError) as error:
            raise KeysError(f"cannot load the signing key: {error} (check SIGNING_KEY_PASSPHRASE)") from None
        chain = ()
    if root not in chain:
        chain = chain + (root,)
    return KeyMaterial(signing_cert=cert, signing_key=key, chain=chain, trust_root=root)
