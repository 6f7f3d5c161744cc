"""The OCI client and the process helpers against a real distribution registry."""

import hashlib
import os
from pathlib import Path

import pytest

from acrtransfer_emulator.dataplane import processes
from acrtransfer_emulator.dataplane.errors import (BlobUnknownError, DigestMismatchError,
                                                   ManifestUnknownError)
from acrtransfer_emulator.dataplane.oci import (DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST,
                                                Reference, RegistryClient, sha256_digest)
from acrtransfer_emulator.dataplane.samples import push_image, sample_images

pytestmark = pytest.mark.live


def test_reference_forms():
    assert Reference.parse("samples/hello") == Reference("samples/hello", "latest")
    assert str(Reference.parse("a/b:v1.2")) == "a/b:v1.2"
    digest = "sha256:" + "a" * 64
    assert Reference.parse("a@" + digest) == Reference("a", None, digest)
    for bad in ("", "UPPER:v1", "a:", "a@sha256:abc", "a b", "a:bad/tag", "/a"):
        with pytest.raises(ValueError):
            Reference.parse(bad)


def test_registry_process_stops_its_group(registry_bin, tmp_path):
    handle = processes.start_registry(tmp_path / "reg")
    assert handle.url.startswith("http://127.0.0.1:")
    assert RegistryClient(handle.url).ping()
    assert Path(handle.log_path).exists() and Path(handle.config_path).exists()
    pid = handle.pid
    handle.stop()
    assert not handle.running()
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)   # the whole group is gone


def test_resolve_every_form_and_walk_an_index(source_client, samples):
    hello = samples["samples/hello:v1"]
    by_tag = source_client.resolve("samples/hello:v1")
    assert (by_tag.digest, by_tag.media_type, by_tag.data) == (hello.digest, OCI_MANIFEST,
                                                                hello.manifest)
    assert source_client.resolve("samples/hello").digest == hello.digest           # :latest
    assert source_client.resolve("samples/hello@" + hello.digest).digest == hello.digest
    assert source_client.resolve("samples/docker:v1").media_type == DOCKER_MANIFEST

    multi = samples["samples/multi:v1"]
    artifact = source_client.collect("samples/multi:v1")
    assert artifact.manifest.media_type == OCI_INDEX
    assert [m.digest for m in artifact.manifests] == [multi.digest] + [c.digest for c in multi.children]
    assert {b["digest"] for b in artifact.blobs} == set(multi.all_blobs())
    assert [m.digest for m in artifact.push_order()][-1] == multi.digest

    with pytest.raises(ManifestUnknownError):
        source_client.resolve("samples/hello:nope")
    with pytest.raises(ManifestUnknownError):
        source_client.resolve("samples/nothing:v1")
    assert source_client.get_tag_digest("samples/hello", "v1") == hello.digest
    assert source_client.get_tag_digest("samples/hello", "nope") is None


def test_blob_stream_verifies_while_streaming(source_client, source_registry, samples):
    hello = samples["samples/hello:v1"]
    digest, data = max(hello.blobs.items(), key=lambda kv: len(kv[1]))
    chunks = list(source_client.blob_stream("samples/hello", digest, len(data), chunk_size=100))
    assert b"".join(chunks) == data and len(chunks) > 1
    assert source_client.blob_exists("samples/hello", digest) == len(data)
    assert source_client.blob_exists("samples/hello", sha256_digest(b"absent")) is None
    with pytest.raises(BlobUnknownError):
        list(source_client.blob_stream("samples/hello", sha256_digest(b"absent")))

    # Damage the stored blob behind the registry's back: the stream must refuse it at its end.
    victim = Path(source_registry.root_dir, "docker/registry/v2/blobs/sha256", digest[7:9],
                  digest[7:], "data")
    original = victim.read_bytes()
    try:
        victim.write_bytes(original[:-1] + bytes([original[-1] ^ 0xFF]))
        with pytest.raises(DigestMismatchError) as info:
            for _ in source_client.blob_stream("samples/hello", digest, len(data)):
                pass
        assert digest in str(info.value)
    finally:
        victim.write_bytes(original)


def test_push_mount_tag_and_delete(target_client):
    image = sample_images("oci-test")["samples/app-a:v1"]
    layer_digest, layer = max(image.blobs.items(), key=lambda kv: len(kv[1]))
    # Streamed in small chunks
    pieces = [layer[i:i + 333] for i in range(0, len(layer), 333)]
    assert target_client.push_blob("one/repo", layer_digest, len(layer), iter(pieces)) == "uploaded"
    assert target_client.blob_exists("one/repo", layer_digest) == len(layer)
    # Wrong content for a digest: refused before the registry commits it.
    with pytest.raises(DigestMismatchError):
        target_client.push_blob("one/repo", sha256_digest(b"x"), 1, [b"y"])
    assert target_client.blob_exists("one/repo", sha256_digest(b"x")) is None
    # Cross-repository mount
    assert target_client.mount_blob("two/repo", layer_digest, "one/repo") is True
    assert target_client.blob_exists("two/repo", layer_digest) == len(layer)
    assert target_client.push_blob("three/repo", layer_digest, len(layer), iter(()),
                                   mount_from="one/repo") == "mounted"
    # Manifests
    digest = push_image(target_client, "one/repo", "v1", image)
    assert digest == image.digest
    assert target_client.get_tag_digest("one/repo", "v1") == image.digest
    assert target_client.list_tags("one/repo") == ["v1"]
    assert "one/repo" in target_client.catalog()
    target_client.delete_manifest("one/repo", image.digest)
    assert target_client.get_tag_digest("one/repo", "v1") is None
    assert hashlib.sha256(layer).hexdigest() == layer_digest[7:]
