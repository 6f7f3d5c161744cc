"""The service's own certificate authority, server certificates it signs, and the CA bundle clients trust.

Files live in ``HOME/certs`` and are reused while valid, so a restarted service keeps the same CA and
clients configured with ``REQUESTS_CA_BUNDLE`` keep working. ``issue_cert`` is public so the data
plane can give Azurite (or a registry) a certificate the same bundle trusts.
"""
import datetime
import ipaddress
import os
import re

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME = "ACR Transfer local service CA"
SERVER_HOSTS = ("127.0.0.1", "localhost", "::1")
_RENEW_BEFORE = datetime.timedelta(days=7)


def certs_dir(home):
    path = os.path.join(home, "certs")
    os.makedirs(path, exist_ok=True)
    return path


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _write_private(path, data):
    # Keys are written 0600: the CA key can sign certificates any client of the bundle trusts.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _load_valid_cert(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    if cert.not_valid_after_utc - _RENEW_BEFORE < _now():
        return None
    return cert


def ensure_ca(home):
    """Return ``(ca_cert_path, ca_key_path)``, creating the CA on first use."""
    directory = certs_dir(home)
    cert_path, key_path = os.path.join(directory, "ca.pem"), os.path.join(directory, "ca-key.pem")
    if _load_valid_cert(cert_path) is not None and os.path.exists(key_path):
        return cert_path, key_path
    key = _new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(key_path, _key_pem(key))
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    # A new CA invalidates every certificate the old one signed.
    for name in os.listdir(directory):
        if name.endswith("-cert.pem") or name.endswith("-cert-key.pem"):
            os.remove(os.path.join(directory, name))
    return cert_path, key_path


def _san(hosts):
    names = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def issue_cert(home, hosts, name=None):
    """Return ``(cert_path, key_path)`` of a server certificate for ``hosts`` signed by the service CA.

    The certificate is reused while it is valid and covers exactly ``hosts``; ``name`` picks the file
    name (default: derived from the hosts).
    """
    hosts = list(hosts)
    ca_cert_path, ca_key_path = ensure_ca(home)
    stem = name or re.sub(r"[^A-Za-z0-9.-]+", "_", "-".join(hosts))
    directory = certs_dir(home)
    cert_path = os.path.join(directory, stem + "-cert.pem")
    key_path = os.path.join(directory, stem + "-cert-key.pem")
    existing = _load_valid_cert(cert_path)
    if existing is not None and os.path.exists(key_path):
        try:
            current = existing.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            if set(map(str, current)) == set(map(str, _san(hosts))):
                return cert_path, key_path
        except x509.ExtensionNotFound:
            pass
    with open(ca_cert_path, "rb") as f:
        ca_cert = x509.load_pem_x509_certificate(f.read())
    with open(ca_key_path, "rb") as f:
        ca_key = serialization.load_pem_private_key(f.read(), password=None)
    key = _new_key()
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName(_san(hosts)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(key_path, _key_pem(key))
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def server_cert(home):
    """The certificate the ARM endpoint serves: 127.0.0.1, localhost and ::1."""
    return issue_cert(home, SERVER_HOSTS, name="server")


def ca_bundle(home):
    """Path of certifi's bundle plus our CA: REQUESTS_CA_BUNDLE replaces the default store for ALL https."""
    ca_cert_path, _ = ensure_ca(home)
    bundle_path = os.path.join(certs_dir(home), "ca-bundle.pem")
    with open(certifi.where(), "rb") as f:
        public = f.read()
    with open(ca_cert_path, "rb") as f:
        ours = f.read()
    content = public.rstrip(b"\n") + b"\n\n# " + CA_NAME.encode() + b"\n" + ours
    if not os.path.exists(bundle_path) or open(bundle_path, "rb").read() != content:
        with open(bundle_path, "wb") as f:
            f.write(content)
    return bundle_path
