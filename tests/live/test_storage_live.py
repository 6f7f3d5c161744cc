"""Blob storage access against a real Azurite over HTTPS, with SAS tokens and bearer tokens."""

import base64
import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from acrtransfer_emulator.dataplane.errors import (BlobExistsError, BlobNotFoundError,
                                                   StorageAuthError)
from acrtransfer_emulator.dataplane.storage import (BlobInfo, TransferContainer, carry_blob,
                                                    parse_container_uri, redact_text,
                                                    trigger_eligibility)
from acrtransfer_emulator.dataplane.tokens import (StorageTokenCredential, decode_claims,
                                                   mint_storage_token)

pytestmark = pytest.mark.live


def _chunks(total, size=1 << 20):
    sent = 0
    while sent < total:
        piece = bytes([sent // size % 251]) * min(size, total - sent)
        sent += len(piece)
        yield piece


def test_container_uri_forms():
    assert parse_container_uri("https://acct.blob.core.windows.net/transfer") == (
        "https://acct.blob.core.windows.net", "transfer", None)
    assert parse_container_uri("https://127.0.0.1:10000/devstoreaccount1/transfer?sv=1&sig=x") == (
        "https://127.0.0.1:10000/devstoreaccount1", "transfer", "sv=1&sig=x")
    with pytest.raises(ValueError) as info:
        parse_container_uri("https://h/a/b/c?sig=secret")
    assert "secret" not in str(info.value)
    assert redact_text("x?sv=1&sig=abc%3D&se=2") == "x?sv=1&sig=REDACTED&se=2"


def test_token_shape():
    token, expires_on = mint_storage_token("tenant-1", "oid-1", lifetime=600)
    header = token.split(".")[0]
    assert b'"alg":"RS256"' in base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
    claims = decode_claims(token)
    assert claims["aud"] == "https://storage.azure.com"
    assert claims["iss"] == "https://sts.windows.net/tenant-1/"
    assert claims["nbf"] <= claims["iat"] + 1 and claims["exp"] == expires_on
    assert claims["oid"] == "oid-1" and claims["tid"] == "tenant-1"


@pytest.mark.parametrize("auth", ["sas", "token"])
def test_stream_upload_read_list_delete(containers, auth):
    container = containers.new(auth)
    total = 9 * 1024 * 1024 + 123          # two blocks of 8 MiB... and a bit
    expected_md5 = hashlib.md5()
    for piece in _chunks(total):
        expected_md5.update(piece)
    info = container.upload_stream("run1.tar", _chunks(total))
    assert info.size == total
    assert info.content_md5 == expected_md5.digest()
    assert info.metadata == {"category": "acr-transfer-blob"}

    with pytest.raises(BlobExistsError):
        container.upload_stream("run1.tar", _chunks(10))
    assert container.upload_stream("run1.tar", _chunks(10), overwrite=True).size == 10
    container.upload_stream("run1.tar", _chunks(total), overwrite=True)

    reader = container.open_read("run1.tar")
    assert reader.info.size == total and reader.info.content_md5 == expected_md5.digest()
    first = reader.read(1000)
    assert len(first) == 1000
    reader.drain()
    assert reader.bytes_read == total and reader.md5_matches() is True

    names = [b.name for b in container.list_blobs()]
    assert names == ["run1.tar"]
    assert [b.name for b in container.list_trigger_candidates()] == ["run1.tar"]
    container.delete("run1.tar")
    assert not container.exists("run1.tar")
    with pytest.raises(BlobNotFoundError):
        container.open_read("run1.tar")
    container.delete("run1.tar", missing_ok=True)


def test_trigger_eligibility(containers):
    container = containers.new("sas")
    container.upload_stream("good.tar", [b"data"])
    # A blob written by someone else: no category, no Content-MD5.
    container._blob_client("plain.tar").upload_blob(b"data")
    container.upload_stream("other.tar", [b"data"], metadata={"category": "something-else"})
    eligible = {b.name for b in container.list_trigger_candidates()}
    assert eligible == {"good.tar"}
    old = BlobInfo("old.tar", 1, b"x" * 16, {"category": "acr-transfer-blob"},
                   datetime.now(timezone.utc) - timedelta(days=61))
    assert trigger_eligibility(old) == (False, "not modified within the last 60 days")
    no_md5 = BlobInfo("n.tar", 1, None, {"Category": "acr-transfer-blob"}, datetime.now(timezone.utc))
    assert trigger_eligibility(no_md5) == (False, "no Content-MD5")


def test_credentials_are_checked(containers, azurite, pki):
    container = containers.new("sas")
    container.upload_stream("x.tar", [b"x"])
    read_only = TransferContainer(container.url, sas_token=containers.sas(container.container_name, "rl"),
                                  connection_verify=pki["ca"])
    assert read_only.open_read("x.tar").read() == b"x"
    with pytest.raises(StorageAuthError) as info:
        read_only.upload_stream("y.tar", [b"y"])
    assert "sig=" not in str(info.value)
    forged = TransferContainer(container.url, sas_token=containers.sas(container.container_name)[:-6]
                               + "AAAA%3D", connection_verify=pki["ca"])
    with pytest.raises(StorageAuthError):
        forged.list_blobs()

    class WrongAudience(StorageTokenCredential):
        def get_token(self, *scopes, **kwargs):
            from azure.core.credentials import AccessToken
            token, exp = mint_storage_token("t", "o", audience="https://management.azure.com")
            return AccessToken(token, exp)

    wrong = TransferContainer(container.url, credential=WrongAudience("t", "o"),
                              connection_verify=pki["ca"])
    with pytest.raises(StorageAuthError):
        wrong.list_blobs()
    read_only.close(), forged.close(), wrong.close()


def test_server_side_copy_keeps_metadata_and_md5(containers, caplog):
    caplog.set_level("INFO", logger="acrtransfer_emulator.dataplane.storage")
    source = containers.new("sas")
    target = containers.new("sas")
    info = source.upload_stream("export.tar", _chunks(3 * 1024 * 1024))
    copied = carry_blob(source, "export.tar", target)
    assert (copied.size, copied.content_md5, copied.metadata) == (info.size, info.content_md5,
                                                                   info.metadata)
    with pytest.raises(BlobExistsError):
        carry_blob(source, "export.tar", target)
    assert carry_blob(source, "export.tar", target, overwrite=True).content_md5 == info.content_md5
    assert "streaming instead" not in caplog.text        # Azurite copied server-side


def test_server_side_copy_between_accounts(containers, target_account, caplog):
    caplog.set_level("INFO", logger="acrtransfer_emulator.dataplane.storage")
    source = containers.new("sas")
    target = containers.new("token", account=target_account)
    assert "/%s/" % target_account in target.url
    info = source.upload_stream("export.tar", _chunks(2 * 1024 * 1024))
    copied = target.copy_from_url(source.blob_url("export.tar", with_sas=True), "import.tar")
    assert (copied.size, copied.content_md5, copied.metadata) == (info.size, info.content_md5,
                                                                   info.metadata)
    assert "streaming instead" not in caplog.text


def test_copy_between_two_azurites_falls_back_to_streaming(containers, other_containers, caplog):
    caplog.set_level("INFO", logger="acrtransfer_emulator.dataplane.storage")
    source = containers.new("sas")
    target = other_containers.new("sas")
    info = source.upload_stream("export.tar", _chunks(5 * 1024 * 1024))
    copied = target.copy_from_url(source.blob_url("export.tar", with_sas=True), "import.tar")
    assert "streaming instead" in caplog.text and "sig=" not in caplog.text
    assert (copied.size, copied.content_md5, copied.metadata) == (info.size, info.content_md5,
                                                                   info.metadata)
    # Token-authenticated source: streamed through this process.
    token_source = containers.new("token", name=source.container_name, create=False)
    again = carry_blob(token_source, "export.tar", target, "import2.tar")
    assert again.content_md5 == info.content_md5
    assert [b.name for b in target.list_trigger_candidates()] == ["import.tar", "import2.tar"]
