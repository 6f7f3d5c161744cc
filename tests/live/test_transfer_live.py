"""End-to-end transfers: source registry -> Azurite (HTTPS + OAuth) -> carried blob -> target
registry, with SAS tokens and with bearer tokens, and the pipeline options."""

import io
import tarfile

import pytest

from acrtransfer_emulator.dataplane.errors import TransferError
from acrtransfer_emulator.dataplane.layout import catalog_digest
from acrtransfer_emulator.dataplane.samples import push_image, sample_images
from acrtransfer_emulator.dataplane.storage import carry_blob
from acrtransfer_emulator.dataplane.transfer import (ExportOptions, ImportOptions, export_artifacts,
                                                     import_artifacts, run_export, run_import)

pytestmark = pytest.mark.live

TAGGED = ["samples/hello:v1", "samples/multi:v1", "samples/app-a:v1", "samples/app-b:v1"]


def _download(container, name):
    reader = container.open_read(name)
    data = reader.read()
    reader.close()
    return data


def _members(data):
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        return [(m.name, m.size, m.offset_data) for m in tar.getmembers() if m.isreg()]


def _reupload(container, name, data, content_md5=None):
    """Replace a blob's bytes; ``content_md5`` forces a stale Content-MD5."""
    if content_md5 is None:
        return container.upload_stream(name, [data], overwrite=True)
    from azure.storage.blob import ContentSettings
    container.upload_stream(name, [data], overwrite=True)
    container._blob_client(name).set_http_headers(
        ContentSettings(content_type="application/x-tar", content_md5=bytearray(content_md5)))
    return container.properties(name)


def _export(source_client, container, artifacts, name="export.tar", **options):
    return export_artifacts(source_client, artifacts, container.blob(name), ExportOptions(**options))


@pytest.mark.parametrize("auth", ["sas", "token"])
def test_round_trip(auth, source_client, target_client, samples, containers):
    export_side = containers.new(auth)
    import_side = containers.new(auth)
    docker = samples["samples/docker:v1"]
    artifacts = TAGGED + ["samples/hello", "samples/docker@" + docker.digest]

    progress = []
    exported = export_artifacts(source_client, artifacts, export_side.blob("run.tar"),
                                ExportOptions(), progress.append)
    assert exported.exported == TAGGED + ["samples/hello:latest",
                                          "samples/docker@" + docker.digest]
    assert progress[0] == 0 and progress[-1] == 100 and progress == sorted(set(progress))
    assert exported.blob.metadata == {"category": "acr-transfer-blob"}
    assert exported.blob.content_md5

    # The blob: oci-layout first, index.json next, every blob exactly once.
    data = _download(export_side, "run.tar")
    members = _members(data)
    files = [name for name, _, _ in members]
    assert files[:2] == ["oci-layout", "index.json"]
    blob_names = files[2:]
    assert len(blob_names) == len(set(blob_names)) == exported.blob_count
    every = {}
    for image in samples.values():
        every.update(image.all_blobs())
        every.update({d: None for d in image.all_manifests()})
    assert {"blobs/sha256/" + d[7:] for d in every} == set(blob_names)
    shared = (set(samples["samples/app-a:v1"].blobs) & set(samples["samples/app-b:v1"].blobs)
              & set(samples["samples/hello:v1"].blobs))
    assert len(shared) == 1 and ("blobs/sha256/" + shared.pop()[7:]) in blob_names
    index_bytes = tarfile.open(fileobj=io.BytesIO(data)).extractfile("index.json").read()
    assert catalog_digest(index_bytes) == exported.catalog_digest

    # Carry the blob to the other container with a SAS (server-side copy keeps MD5 + metadata).
    carried = carry_blob(containers.new("sas", name=export_side.container_name, create=False),
                         "run.tar",
                         containers.new("sas", name=import_side.container_name, create=False))
    assert carried.content_md5 == exported.blob.content_md5
    assert [b.name for b in import_side.list_trigger_candidates()] == ["run.tar"]

    progress = []
    imported = import_artifacts(import_side.blob("run.tar"), target_client, ImportOptions(),
                                progress.append)
    assert progress[-1] == 100
    assert imported.catalog_digest == exported.catalog_digest
    assert imported.imported_artifacts == exported.exported
    assert imported.blobs_mounted >= 2          # the shared base layer, pushed once then mounted

    for ref in TAGGED + ["samples/hello:latest"]:
        repo, tag = ref.split(":")
        assert target_client.get_tag_digest(repo, tag) == source_client.get_tag_digest(repo, tag)
        image = samples[repo + ":v1"]
        for digest in image.all_manifests():                  # index children too
            assert target_client.manifest_exists(repo, digest)
        for digest, blob in image.all_blobs().items():
            assert target_client.blob_exists(repo, digest) == len(blob)
    assert target_client.manifest_exists("samples/docker", docker.digest)
    assert target_client.list_tags("samples/docker") == []   # exported by digest: no tag
    # The target side answers the same content.
    multi = target_client.collect("samples/multi:v1")
    assert [m.digest for m in multi.manifests] == [m.digest for m in
                                                   source_client.collect("samples/multi:v1").manifests]


def test_corrupted_blob_fails_and_leaves_no_tag(source_client, target_client, samples, containers):
    container = containers.new("sas")
    _export(source_client, container, ["samples/hello:v1", "samples/multi:v1"])
    data = bytearray(_download(container, "export.tar"))
    hello = samples["samples/hello:v1"]
    layer = max(hello.blobs, key=lambda d: len(hello.blobs[d]))
    offset = {name: off for name, _, off in _members(bytes(data))}["blobs/sha256/" + layer[7:]]
    data[offset + 10] ^= 0xFF
    _reupload(container, "export.tar", bytes(data))          # a fresh, matching Content-MD5

    with pytest.raises(TransferError) as info:
        import_artifacts(container.blob("export.tar"), target_client, ImportOptions())
    message = str(info.value)
    assert layer in message and "did not verify" in message and "samples/hello:v1" in message
    assert target_client.get_tag_digest("samples/hello", "v1") is None
    assert target_client.get_tag_digest("samples/multi", "v1") is None   # the run failed whole

    result = import_artifacts(container.blob("export.tar"), target_client,
                              ImportOptions(continue_on_errors=True))
    assert result.imported_artifacts == ["samples/multi:v1"]
    assert [s.artifact for s in result.skipped] == ["samples/hello:v1"]
    assert layer in result.skipped[0].reason
    assert target_client.get_tag_digest("samples/hello", "v1") is None
    assert target_client.blob_exists("samples/hello", layer) is None


def test_damaged_blob_with_stale_md5_fails(source_client, target_client, containers):
    container = containers.new("sas")
    exported = _export(source_client, container, ["samples/hello:v1"])
    data = bytearray(_download(container, "export.tar"))
    data[-1] ^= 0x01                    # in the end-of-archive padding: the tar still reads
    _reupload(container, "export.tar", bytes(data), content_md5=exported.blob.content_md5)
    with pytest.raises(TransferError) as info:
        import_artifacts(container.blob("export.tar"), target_client, ImportOptions())
    assert "Content-MD5" in str(info.value)
    assert target_client.get_tag_digest("samples/hello", "v1") is None


def test_overwrite_tags(source_client, target_client, samples, containers):
    container = containers.new("sas")
    _export(source_client, container, ["samples/hello:v1", "samples/app-a:v1"])
    other = sample_images("someone-else")["samples/app-b:v1"]
    push_image(target_client, "samples/hello", "v1", other)

    with pytest.raises(TransferError) as info:
        import_artifacts(container.blob("export.tar"), target_client, ImportOptions())
    assert "samples/hello:v1 already points to " + other.digest in str(info.value)
    assert "OverwriteTags" in str(info.value)
    assert target_client.get_tag_digest("samples/hello", "v1") == other.digest
    assert target_client.get_tag_digest("samples/app-a", "v1") is None

    result = import_artifacts(container.blob("export.tar"), target_client,
                              ImportOptions(continue_on_errors=True))
    assert result.imported_artifacts == ["samples/app-a:v1"]
    assert result.skipped[0].artifact == "samples/hello:v1"
    assert target_client.get_tag_digest("samples/hello", "v1") == other.digest

    result = import_artifacts(container.blob("export.tar"), target_client,
                              ImportOptions(overwrite_tags=True))
    assert result.imported_artifacts == ["samples/hello:v1", "samples/app-a:v1"]
    assert target_client.get_tag_digest("samples/hello", "v1") == samples["samples/hello:v1"].digest
    # Same digest already tagged: no conflict without OverwriteTags.
    assert import_artifacts(container.blob("export.tar"), target_client,
                            ImportOptions()).imported_artifacts == result.imported_artifacts
    assert result.blobs_present > 0 or result.blobs_uploaded == 0


def test_overwrite_blobs(source_client, containers):
    container = containers.new("sas")
    first = _export(source_client, container, ["samples/hello:v1"])
    with pytest.raises(TransferError) as info:
        _export(source_client, container, ["samples/app-a:v1"])
    assert "already exists" in str(info.value) and "OverwriteBlobs" in str(info.value)
    assert container.properties("export.tar").etag == first.blob.etag
    second = _export(source_client, container, ["samples/app-a:v1"], overwrite_blobs=True)
    assert second.blob.etag != first.blob.etag
    assert second.catalog_digest != first.catalog_digest


def test_export_continue_on_errors_and_limits(source_client, samples, containers):
    container = containers.new("sas")
    artifacts = ["samples/hello:v1", "samples/nope:v1", "Bad Ref"]
    with pytest.raises(TransferError) as info:
        _export(source_client, container, artifacts)
    assert "samples/nope:v1: not found" in str(info.value) and "Bad Ref" in str(info.value)
    assert not container.exists("export.tar")
    result = _export(source_client, container, artifacts, continue_on_errors=True)
    assert result.exported == ["samples/hello:v1"]
    assert [s.artifact for s in result.skipped] == ["samples/nope:v1", "Bad Ref"]

    hello = samples["samples/hello:v1"]
    biggest = max(hello.blobs, key=lambda d: len(hello.blobs[d]))
    with pytest.raises(TransferError) as info:
        export_artifacts(source_client, ["samples/hello:v1"], container.blob("limit.tar"),
                         ExportOptions(max_layer_size=len(hello.blobs[biggest]) - 1))
    assert "samples/hello:v1" in str(info.value) and biggest in str(info.value)
    assert "layer limit" in str(info.value)

    with pytest.raises(TransferError) as info:
        _export(source_client, container, ["samples/hello:v%d" % i for i in range(51)], name="many")
    assert "at most 50" in str(info.value)


def test_run_functions_with_both_auth_modes(source_registry, target_registry, target_client,
                                            samples, containers, pki, token_credential):
    container = containers.new("sas")
    sas = containers.sas(container.container_name)
    exported = run_export(source_registry.url, ["samples/multi:v1"], container.url, "mi.tar",
                          credential=token_credential, connection_verify=pki["ca"])
    with pytest.raises(TransferError) as info:
        run_import(target_registry.url, container.url, "mi.tar", sas_token=sas,
                   connection_verify=pki["ca"], expected_catalog_digest="sha256:" + "0" * 64)
    assert "catalog digest" in str(info.value)
    imported = run_import(target_registry.url, container.url, "mi.tar", sas_token=sas,
                          options=["DeleteSourceBlobOnSuccess"], connection_verify=pki["ca"],
                          expected_catalog_digest=exported.catalog_digest)
    assert imported.imported_artifacts == ["samples/multi:v1"] and imported.source_blob_deleted
    assert not container.exists("mi.tar")
    assert target_client.get_tag_digest("samples/multi", "v1") == samples["samples/multi:v1"].digest
    with pytest.raises(TransferError) as info:
        run_import(target_registry.url, container.url, "mi.tar", sas_token=sas,
                   connection_verify=pki["ca"])
    assert "not found" in str(info.value) and "sig=" not in str(info.value)
    with pytest.raises(TransferError) as info:
        run_export(source_registry.url, ["samples/hello:v1"], container.url, "x.tar",
                   sas_token=sas, options=["DisableSourceTrigger"], connection_verify=pki["ca"])
    assert "unknown export option" in str(info.value)


def test_import_accepts_another_member_order(source_client, target_client, samples, containers):
    """A layout tarred alphabetically (blobs first, index.json late) still imports."""
    container = containers.new("sas")
    _export(source_client, container, ["samples/multi:v1", "samples/app-a:v1"])
    original = tarfile.open(fileobj=io.BytesIO(_download(container, "export.tar")))
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:          # compressed, too
        for member in sorted(original.getmembers(), key=lambda m: m.name):
            tar.addfile(member, original.extractfile(member) if member.isreg() else None)
    _reupload(container, "export.tar", out.getvalue())
    result = import_artifacts(container.blob("export.tar"), target_client, ImportOptions())
    assert result.imported_artifacts == ["samples/multi:v1", "samples/app-a:v1"]
    assert target_client.get_tag_digest("samples/multi", "v1") == samples["samples/multi:v1"].digest

    _reupload(container, "junk.tar", b"not a tar at all" * 100)
    with pytest.raises(TransferError) as info:
        import_artifacts(container.blob("junk.tar"), target_client, ImportOptions())
    assert "not a valid transfer layout" in str(info.value)


class _Cancelled(Exception):
    """Stands for the executor's TransferCancelled: it must pass through untouched."""


def test_progress_callback_can_cancel(source_client, target_client, containers):
    container = containers.new("sas")

    def cancel_at_20(percent):
        if percent >= 20:
            raise _Cancelled()

    with pytest.raises(_Cancelled):
        export_artifacts(source_client, TAGGED, container.blob("cancel.tar"), ExportOptions(),
                         cancel_at_20)
    assert not container.exists("cancel.tar")          # nothing committed
    _export(source_client, container, TAGGED, name="cancel.tar")
    with pytest.raises(_Cancelled):
        import_artifacts(container.blob("cancel.tar"), target_client, ImportOptions(),
                         cancel_at_20)
    assert all(target_client.get_tag_digest(*ref.split(":")) is None for ref in TAGGED)
