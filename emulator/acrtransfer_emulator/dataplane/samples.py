"""Small, real OCI images built in memory, and pushing them to a registry.

Each layer is a gzip-compressed tar of a few files (deterministic: fixed mtimes, gzip header
without a timestamp); each config has ``rootfs.diff_ids`` = the sha256 of the *uncompressed*
layers, as a runtime expects. Same inputs, same digests.

:func:`push_samples` pushes the standard set used by tests and the demo:

* ``samples/hello:v1``: a single-arch image (linux/amd64, OCI media types);
* ``samples/multi:v1``: a multi-arch OCI index with linux/amd64 and linux/arm64 children;
* ``samples/app-a:v1`` and ``samples/app-b:v1``: two images sharing their base layer;
* ``samples/docker:v1``: a Docker v2 schema 2 image (Docker media types).

From a shell (the demo)::

    python -m acrtransfer_emulator.dataplane.samples push http://127.0.0.1:PORT     # prints ref<TAB>digest
    python -m acrtransfer_emulator.dataplane.samples compare SOURCE_URL TARGET_URL [REF...]

``compare`` prints each artifact's manifest digest in both registries side by side (default: the
sample set) and exits 1 when one is missing or differs.
"""

import gzip
import io
import json
import tarfile
from dataclasses import dataclass, field

from .oci import (DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, Reference, sha256_digest)

OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"


@dataclass
class Layer:
    data: bytes          # compressed
    diff_id: str         # sha256 of the uncompressed tar

    @property
    def digest(self):
        return sha256_digest(self.data)


@dataclass
class SampleImage:
    """A manifest (image or index) with every blob and child it needs."""

    media_type: str
    manifest: bytes
    blobs: dict = field(default_factory=dict)        # digest -> bytes (configs, layers)
    children: list = field(default_factory=list)     # SampleImage, for an index
    platform: dict = None

    @property
    def digest(self):
        return sha256_digest(self.manifest)

    def descriptor(self):
        desc = {"mediaType": self.media_type, "digest": self.digest, "size": len(self.manifest)}
        if self.platform:
            desc["platform"] = dict(self.platform)
        return desc

    def all_blobs(self):
        """Every blob of the image and its children: digest -> bytes."""
        out = dict(self.blobs)
        for child in self.children:
            out.update(child.all_blobs())
        return out

    def all_manifests(self):
        """Every manifest digest: children first, then this one."""
        out = []
        for child in self.children:
            out.extend(child.all_manifests())
        out.append(self.digest)
        return out


def make_layer(files):
    """A gzip tar layer from ``{path: bytes}``."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(files):
            data = files[path]
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    uncompressed = raw.getvalue()
    return Layer(gzip.compress(uncompressed, compresslevel=6, mtime=0), sha256_digest(uncompressed))


def _dumps(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def build_image(layers, *, architecture="amd64", os_name="linux", variant=None, cmd=None,
                docker=False, labels=None):
    """An image manifest over ``layers`` (list of :class:`Layer`)."""
    config = {
        "architecture": architecture,
        "os": os_name,
        "config": {"Cmd": cmd or ["/bin/hello"], "Labels": labels or {}},
        "rootfs": {"type": "layers", "diff_ids": [layer.diff_id for layer in layers]},
        "history": [{"created_by": "acrtransfer samples"} for _ in layers],
    }
    if variant:
        config["variant"] = variant
    config_bytes = _dumps(config)
    layer_type = DOCKER_LAYER_GZIP if docker else OCI_LAYER_GZIP
    manifest = {
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST,
        "config": {"mediaType": DOCKER_CONFIG if docker else OCI_CONFIG,
                   "digest": sha256_digest(config_bytes), "size": len(config_bytes)},
        "layers": [{"mediaType": layer_type, "digest": layer.digest, "size": len(layer.data)}
                   for layer in layers],
    }
    blobs = {sha256_digest(config_bytes): config_bytes}
    for layer in layers:
        blobs[layer.digest] = layer.data
    platform = {"architecture": architecture, "os": os_name}
    if variant:
        platform["variant"] = variant
    return SampleImage(manifest["mediaType"], _dumps(manifest), blobs, platform=platform)


def build_index(children):
    """An OCI image index over ``children`` (:class:`SampleImage` with platforms)."""
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX,
             "manifests": [child.descriptor() for child in children]}
    return SampleImage(OCI_INDEX, _dumps(index), {}, children=list(children))


def push_image(client, repo, reference, image):
    """Push blobs, children, then the manifest under ``reference`` (a tag or its digest)."""
    for child in image.children:
        push_image(client, repo, child.digest, child)
    for digest, data in image.blobs.items():
        if client.blob_exists(repo, digest) is None:
            client.push_blob(repo, digest, len(data), [data])
    return client.push_manifest(repo, reference, image.manifest, image.media_type)


def sample_images(seed="acrtransfer"):
    """The standard sample set: ``{"repo:tag": SampleImage}``."""
    def files(name, size=2048):
        body = (("%s:%s\n" % (seed, name)) * (size // (len(seed) + len(name) + 2) + 1)).encode()
        return {"%s/data.txt" % name: body[:size], "%s/README" % name: name.encode()}

    base = make_layer(files("base", 4096))
    hello = build_image([base, make_layer(files("hello"))], cmd=["/hello"])
    amd64 = build_image([make_layer(files("multi-amd64"))], architecture="amd64")
    arm64 = build_image([make_layer(files("multi-arm64"))], architecture="arm64", variant="v8")
    multi = build_index([amd64, arm64])
    app_a = build_image([base, make_layer(files("app-a"))], cmd=["/app-a"])
    app_b = build_image([base, make_layer(files("app-b"))], cmd=["/app-b"])
    docker = build_image([make_layer(files("docker"))], docker=True)
    return {
        "samples/hello:v1": hello,
        "samples/multi:v1": multi,
        "samples/app-a:v1": app_a,
        "samples/app-b:v1": app_b,
        "samples/docker:v1": docker,
    }


def push_samples(client, seed="acrtransfer"):
    """Push :func:`sample_images` to the registry of ``client`` (a ``RegistryClient``).
    Returns ``{"repo:tag": SampleImage}``."""
    images = sample_images(seed)
    for ref, image in images.items():
        parsed = Reference.parse(ref)
        push_image(client, parsed.repository, parsed.tag, image)
    return images


def random_layer_chunks(size, seed=0, chunk_size=1024 * 1024):
    """``size`` pseudo-random bytes in chunks, generated fast and never held whole: a random
    1 MiB block whose first 16 bytes change per chunk (so chunks differ)."""
    import random
    block = bytearray(random.Random(seed).randbytes(chunk_size))
    sent = 0
    n = 0
    while sent < size:
        block[:16] = (b"%016d" % n)
        piece = bytes(block[:min(chunk_size, size - sent)])
        sent += len(piece)
        n += 1
        yield piece


def push_big_image(client, repo, tag, layer_size, seed=0):
    """Push an image whose single layer is ``layer_size`` generated bytes (streamed twice: once
    to hash, once to upload). Returns the manifest digest and the layer digest."""
    import hashlib
    hasher = hashlib.sha256()
    for chunk in random_layer_chunks(layer_size, seed):
        hasher.update(chunk)
    layer_digest = "sha256:" + hasher.hexdigest()
    client.push_blob(repo, layer_digest, layer_size, random_layer_chunks(layer_size, seed))
    config = _dumps({"architecture": "amd64", "os": "linux",
                     "rootfs": {"type": "layers", "diff_ids": [layer_digest]}})
    client.push_blob(repo, sha256_digest(config), len(config), [config])
    manifest = _dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": sha256_digest(config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest,
                    "size": layer_size}],
    })
    return client.push_manifest(repo, tag, manifest, OCI_MANIFEST), layer_digest


def _digest_or_none(client, ref):
    from .errors import RegistryError
    parsed = Reference.parse(ref)
    try:
        found = client.head_manifest(parsed.repository, parsed.reference)
    except RegistryError:
        return None
    return found[0] if found else None


def _with_children(client, refs):
    """``[(label, ref)]``: each ref, followed by the children of an image index (by digest)."""
    from .errors import DataPlaneError
    rows = []
    for ref in refs:
        rows.append((ref, ref))
        try:
            manifest = client.resolve(ref)
        except (DataPlaneError, ValueError):
            continue
        if manifest.is_index:
            repo = Reference.parse(ref).repository
            for child in manifest.children():
                platform = child.get("platform") or {}
                label = "  - " + "/".join(platform[k] for k in ("os", "architecture", "variant") if platform.get(k))
                rows.append((label, "%s@%s" % (repo, child["digest"])))
    return rows


def compare(source_client, target_client, refs, out):
    """Print ``ref, source digest, target digest, same?`` per artifact (an index's children below it);
    True when all are equal."""
    rows = [(label, _digest_or_none(source_client, ref), _digest_or_none(target_client, ref))
            for label, ref in _with_children(source_client, refs)]
    width = max(len("ARTIFACT"), *(len(r[0]) for r in rows))
    out.write("%-*s  %-71s  %-71s  %s\n" % (width, "ARTIFACT", "SOURCE DIGEST", "TARGET DIGEST", "EQUAL"))
    ok = True
    for ref, source, target in rows:
        same = source is not None and source == target
        ok = ok and same
        out.write("%-*s  %-71s  %-71s  %s\n" % (width, ref, source or "(missing)", target or "(missing)",
                                               "yes" if same else "NO"))
    return ok


def main(argv=None):
    import argparse
    import sys
    from .oci import RegistryClient
    parser = argparse.ArgumentParser(prog="python -m acrtransfer_emulator.dataplane.samples",
                                     description="Push the sample images; compare digests between registries.")
    sub = parser.add_subparsers(dest="command", required=True)
    push = sub.add_parser("push", help="push the sample set; print each ref and its digest")
    push.add_argument("registry_url", help="e.g. http://127.0.0.1:5000 ($ACRT_REGISTRY_SOURCEREGISTRY_URL)")
    push.add_argument("--seed", default="acrtransfer", help="changes every digest")
    cmp_ = sub.add_parser("compare", help="digests in two registries side by side; exit 1 if any differ")
    cmp_.add_argument("source_url")
    cmp_.add_argument("target_url")
    cmp_.add_argument("refs", nargs="*", help="repo:tag or repo@digest (default: the sample set)")
    args = parser.parse_args(argv)
    if args.command == "push":
        with RegistryClient(args.registry_url) as client:
            for ref, image in push_samples(client, args.seed).items():
                sys.stdout.write("%s\t%s\n" % (ref, image.digest))
        return 0
    with RegistryClient(args.source_url) as source, RegistryClient(args.target_url) as target:
        return 0 if compare(source, target, args.refs or list(sample_images()), sys.stdout) else 1


if __name__ == "__main__":
    raise SystemExit(main())
