"""Fixtures of the live tests: real registries and a real Azurite (HTTPS + OAuth) on 127.0.0.1.

Select them with ``-m live``; they skip (with the reason) when the distribution registry or
Azurite is not installed (``ACRT_REGISTRY_BIN``, ``ACRT_AZURITE_BIN``).
"""

import datetime
import ipaddress
import shutil
import sys
import uuid
from pathlib import Path

import pytest

_REPO = Path(__file__).resolve().parents[2]
try:
    import acrtransfer_emulator.dataplane  # noqa: F401  (installed, e.g. pip install -e emulator)
except ImportError:
    sys.path.insert(0, str(_REPO / "emulator"))

from acrtransfer_emulator.dataplane import processes  # noqa: E402

TENANT_ID = "00000000-0000-0000-0000-000000000001"     # the emulator's tenant (ARCHITECTURE.md)
PIPELINE_OBJECT_ID = "11111111-2222-3333-4444-555555555555"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "live: end-to-end transfers with a real registry and Azurite on 127.0.0.1")


@pytest.fixture(scope="session")
def registry_bin():
    path = processes.find_registry_binary()
    if not path:
        pytest.skip("the distribution registry is not installed (Debian package docker-registry, "
                    "or set ACRT_REGISTRY_BIN)")
    return path


@pytest.fixture(scope="session")
def azurite_bin():
    path = processes.find_azurite_binary()
    if not path:
        pytest.skip("Azurite is not installed (npm install azurite into <repo>/node_modules, "
                    "or set ACRT_AZURITE_BIN to azurite-blob)")
    return path


def _make_pki(directory):
    """A CA and a server certificate for 127.0.0.1/localhost signed by it (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "acrtransfer live-test CA")])
    ca_cert = (x509.CertificateBuilder()
               .subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                            crl_sign=True, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False,
                                            key_agreement=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                              critical=False)
               .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"ca": directory / "ca.pem", "cert": directory / "server.pem",
             "key": directory / "server.key"}
    paths["ca"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.TraditionalOpenSSL,
                                               serialization.NoEncryption()))
    return {k: str(v) for k, v in paths.items()}


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return _make_pki(tmp_path_factory.mktemp("pki"))


TARGET_ACCOUNT = "targetstore"


def _start_azurite(tmp_path_factory, pki, name, accounts=None):
    workdir = tmp_path_factory.mktemp(name)
    # Logs on: test SAS tokens are signed with throw-away or publicly known keys.
    return processes.start_azurite(workdir, pki["cert"], pki["key"], ca_bundle=pki["ca"],
                                   accounts=accounts, access_log=True,
                                   debug_log=workdir / "debug.log")


@pytest.fixture(scope="session")
def target_account():
    """A second storage account in the same Azurite (path style: /targetstore/<container>)."""
    return TARGET_ACCOUNT


@pytest.fixture(scope="session")
def azurite(azurite_bin, tmp_path_factory, pki):
    accounts = {TARGET_ACCOUNT: processes.new_account_key()}
    with _start_azurite(tmp_path_factory, pki, "azurite", accounts) as handle:
        yield handle
    # Azurite frees deleted blobs' extents lazily; pytest keeps the tmp folders of recent runs.
    shutil.rmtree(handle.location, ignore_errors=True)


@pytest.fixture(scope="session")
def other_azurite(azurite_bin, tmp_path_factory, pki):
    """A second storage account, as on the other side of an air gap."""
    with _start_azurite(tmp_path_factory, pki, "azurite-target") as handle:
        yield handle
    shutil.rmtree(handle.location, ignore_errors=True)


@pytest.fixture(scope="session")
def source_registry(registry_bin, tmp_path_factory):
    with processes.start_registry(tmp_path_factory.mktemp("source") / "data") as handle:
        yield handle


@pytest.fixture(scope="session")
def samples(source_registry):
    from acrtransfer_emulator.dataplane.oci import RegistryClient
    from acrtransfer_emulator.dataplane.samples import push_image, push_samples
    with RegistryClient(source_registry.url) as client:
        images = push_samples(client)
        # "samples/hello" (bare) means samples/hello:latest
        push_image(client, "samples/hello", "latest", images["samples/hello:v1"])
    return images


@pytest.fixture
def target_registry(registry_bin, tmp_path):
    """A fresh, empty target registry per test."""
    with processes.start_registry(tmp_path / "target") as handle:
        yield handle


@pytest.fixture
def source_client(source_registry, samples):
    from acrtransfer_emulator.dataplane.oci import RegistryClient
    with RegistryClient(source_registry.url) as client:
        yield client


@pytest.fixture
def target_client(target_registry):
    from acrtransfer_emulator.dataplane.oci import RegistryClient
    with RegistryClient(target_registry.url) as client:
        yield client


@pytest.fixture(scope="session")
def token_credential():
    from acrtransfer_emulator.dataplane.tokens import StorageTokenCredential
    return StorageTokenCredential(TENANT_ID, PIPELINE_OBJECT_ID)


class ContainerFactory:
    """Make fresh containers in an Azurite, opened with a SAS or a bearer token."""

    def __init__(self, azurite, pki, credential):
        self.azurite = azurite
        self.pki = pki
        self.credential = credential
        self.opened = []

    def sas(self, container, permission="racwdl", account=None):
        from acrtransfer_emulator.dataplane.storage import generate_container_sas
        account = account or self.azurite.account_name
        return generate_container_sas(account, self.azurite.accounts[account], container,
                                      permission)

    def account_key_credential(self, account=None):
        from azure.core.credentials import AzureNamedKeyCredential
        account = account or self.azurite.account_name
        return AzureNamedKeyCredential(account, self.azurite.accounts[account])

    def new(self, auth="sas", permission="racwdl", name=None, create=True, account=None):
        from acrtransfer_emulator.dataplane.storage import TransferContainer
        name = name or "c" + uuid.uuid4().hex[:20]
        url = self.azurite.container_url(name, account)
        if create:
            admin = TransferContainer(url, credential=self.account_key_credential(account),
                                      connection_verify=self.pki["ca"])
            admin.create()
            admin.close()
        if auth == "sas":
            handle = TransferContainer(url, sas_token=self.sas(name, permission, account),
                                       connection_verify=self.pki["ca"])
        else:
            handle = TransferContainer(url, credential=self.credential,
                                       connection_verify=self.pki["ca"])
        self.opened.append(handle)
        return handle

    def close(self):
        for handle in self.opened:
            handle.close()


@pytest.fixture
def containers(azurite, pki, token_credential):
    factory = ContainerFactory(azurite, pki, token_credential)
    yield factory
    factory.close()


@pytest.fixture
def other_containers(other_azurite, pki, token_credential):
    factory = ContainerFactory(other_azurite, pki, token_credential)
    yield factory
    factory.close()


@pytest.fixture(autouse=True)
def _no_ambient_proxies(monkeypatch):
    # A proxy from the environment must not intercept loopback traffic.
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
