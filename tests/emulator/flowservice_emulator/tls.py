"""HTTPS for the emulator: a server-side TLS context from a certificate and key, and a generator of a
self-signed certificate for the loopback names.

The certificate is made with the ``cryptography`` package, imported only when ``--tls`` asks for one:
ansible-core depends on it, so every environment that runs the collection's tests already has it, and
unlike the ``openssl`` command line it needs no binary on PATH and behaves the same on every platform
and OpenSSL version (``-addext`` and the defaults of ``openssl req`` differ between releases).

The generated certificate is its own issuer (``CA:TRUE``, ``keyCertSign``) and names ``localhost``,
``127.0.0.1`` and ``::1``, so a client that trusts the file (``ca_path``, ``verify=``, ``cafile=``)
verifies the server by host name, including verifiers in strict X.509 mode (Python 3.13's default).
"""
from __future__ import annotations

import datetime
import ipaddress
import os
import ssl

CERT_FILE = "emulator-cert.pem"
KEY_FILE = "emulator-key.pem"


class TlsError(RuntimeError):
    """The certificate or key cannot be used (or made)."""


def generate_self_signed(directory: str, days: int = 7) -> tuple[str, str]:
    """Write a new self-signed certificate and its private key (mode 0600) into ``directory``.

    Returns ``(certificate path, key path)``; the certificate file is also the CA file clients trust.
    """
    try:
        from cryptography import x509  # pylint: disable=import-outside-toplevel
        from cryptography.hazmat.primitives import hashes, serialization  # pylint: disable=import-outside-toplevel
        from cryptography.hazmat.primitives.asymmetric import ec  # pylint: disable=import-outside-toplevel
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        raise TlsError("--tls needs the Python package cryptography (an ansible-core dependency); install it, "
                       "or give a certificate and key with --tls-cert FILE --tls-key FILE") from exc
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "aep.flow_service emulator"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    public_key = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path = os.path.join(directory, CERT_FILE)
    key_path = os.path.join(directory, KEY_FILE)
    with open(cert_path, "wb") as handle:
        handle.write(certificate.public_bytes(serialization.Encoding.PEM))
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return cert_path, key_path


def server_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    """A TLS 1.2+ server context serving ``cert_file`` (with its chain, if the file holds one)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert_file, key_file)
    except (OSError, ssl.SSLError) as exc:
        raise TlsError(f"cannot use the certificate {cert_file} with the key {key_file}: {exc}") from exc
    return context
