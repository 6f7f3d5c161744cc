"""Pieces without a server: configuration, certificates, tokens, fault specs, error codes."""
import json
import os
import re
import time

import jwt
import pytest
from cryptography import x509

from acrtransfer_emulator import auth, certs, config, errors, faults

PACKAGE = os.path.dirname(os.path.abspath(config.__file__))


def test_default_config():
    loaded = config.load()
    assert loaded["subscription_id"] == "00000000-0000-0000-0000-000000000000"
    assert loaded["tenant_id"] == "00000000-0000-0000-0000-000000000001"
    assert loaded["resource_groups"] == [{"name": "transfer-rg", "location": "westus"}]
    registries = {r["name"]: r for r in loaded["registries"]}
    assert {n: r["sku"] for n, r in registries.items()} == {
        "sourceregistry": "Premium", "targetregistry": "Premium", "asyncregistry": "Premium", "basicregistry": "Basic"}
    assert config.registry_mode(loaded, registries["asyncregistry"]) == "async"
    assert config.registry_mode(loaded, registries["sourceregistry"]) == "sync"
    assert loaded["page_size"] == 100 and loaded["mode"] == "sync"


def test_config_file_and_overrides(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"page_size": 3, "registries": [
        {"name": "otherregistry", "resource_group": "other-rg", "sku": "Premium", "login_server": "127.0.0.1:5000"}]}))
    loaded = config.load(str(path), {"mode": "async", "page_size": None})
    assert loaded["page_size"] == 3 and loaded["mode"] == "async"
    assert [g["name"] for g in loaded["resource_groups"]] == ["transfer-rg", "other-rg"]
    assert config.find_registry(loaded, "OTHER-RG", "OtherRegistry")["login_server"] == "127.0.0.1:5000"


@pytest.mark.parametrize("bad", [{"colour": "red"}, {"mode": "sometimes"}, {"page_size": 0},
                                 {"registries": [{"name": "x", "resource_group": "transfer-rg", "sku": "Gold"}]},
                                 {"faults": [{"operation": "X_Y", "kind": "teapot"}]}])
def test_bad_config_refused(bad):
    with pytest.raises(ValueError):
        config.load(bad)


def test_certificates(tmp_path):
    home = str(tmp_path)
    ca_path, _ = certs.ensure_ca(home)
    cert_path, key_path = certs.issue_cert(home, ["127.0.0.1", "localhost", "azurite.localhost"])
    ca = x509.load_pem_x509_certificate(open(ca_path, "rb").read())
    cert = x509.load_pem_x509_certificate(open(cert_path, "rb").read())
    cert.verify_directly_issued_by(ca)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {str(n.value) for n in names} == {"127.0.0.1", "localhost", "azurite.localhost"}
    assert oct(os.stat(key_path).st_mode & 0o777) == "0o600"
    # Reused while valid and for the same hosts; a different host set gets its own file.
    assert certs.issue_cert(home, ["127.0.0.1", "localhost", "azurite.localhost"]) == (cert_path, key_path)
    assert open(cert_path, "rb").read() == cert.public_bytes(__import__(
        "cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]).Encoding.PEM)
    other, _ = certs.issue_cert(home, ["127.0.0.1"], name="registry")
    assert other != cert_path
    bundle = open(certs.ca_bundle(home), "rb").read()
    assert open(ca_path, "rb").read() in bundle
    assert bundle.count(b"BEGIN CERTIFICATE") > 50            # certifi's public roots are kept


def test_tokens_verify_and_read_like_az(tmp_path):
    authority = auth.TokenAuthority(str(tmp_path), "tenant-1", "sub-1", lifetime=60)
    token, expires_on = authority.issue("https://audience/")
    assert expires_on > time.time()
    claims = authority.verify(token, audience="https://audience")
    assert claims["tid"] == "tenant-1"
    # az reads the tid exactly like this after az login --identity.
    assert jwt.decode(token, algorithms=["RS256"], options={"verify_signature": False})["tid"] == "tenant-1"
    # A restarted service (same home) still accepts it; another home does not.
    assert auth.TokenAuthority(str(tmp_path), "tenant-1", "sub-1").verify(token)["oid"] == claims["oid"]
    with pytest.raises(errors.ArmError) as caught:
        auth.TokenAuthority(str(tmp_path / "other"), "tenant-1", "sub-1").verify(token)
    assert caught.value.code == errors.INVALID_AUTHENTICATION_TOKEN


def test_expired_token(tmp_path):
    authority = auth.TokenAuthority(str(tmp_path), "tenant-1", "sub-1", lifetime=0)
    token, _ = authority.issue("https://audience/")
    real_time = time.time
    try:
        time.time = lambda: real_time() + auth.CLOCK_SKEW + 5
        with pytest.raises(errors.ArmError) as caught:
            authority.verify(token)
    finally:
        time.time = real_time
    assert caught.value.status == 401 and caught.value.code == errors.EXPIRED_AUTHENTICATION_TOKEN


def test_fault_injector_counts():
    injector = faults.FaultInjector([{"operation": "A_B", "kind": "500", "count": 2}])
    assert injector.take("A_B", "GET", "/x")["kind"] == "500"
    assert injector.take("C_D", "GET", "/x") is None
    assert injector.take("a_b", "GET", "/x") is not None
    assert injector.take("A_B", "GET", "/x") is None


def test_every_error_code_used_is_listed():
    """errors.py is the one list: no code string is made up elsewhere."""
    used = set()
    for root, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py") and name != "errors.py":
                used |= set(re.findall(r"errors\.([A-Z_]+)\b", open(os.path.join(root, name)).read()))
    assert used, "no error codes found"
    for constant in used:
        assert getattr(errors, constant) in errors.ALL_CODES
