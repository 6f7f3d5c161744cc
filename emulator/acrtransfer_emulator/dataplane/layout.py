"""The transfer blob: an OCI image layout as a tar stream (see FORMAT.md next to this file).

:class:`LayoutWriter` writes the tarball to any writable binary object (a storage block-blob
writer, a file, a pipe) strictly in order, never seeking and never holding a blob in memory:
each member is a POSIX (pax) tar header carrying the blob's known size, followed by the blob's
chunks as they arrive, then padding. Every blob is stored once, whatever the number of artifacts
that share it.

:func:`read_layout` streams a tarball from any readable binary object (``tarfile`` mode ``r|``),
hashes every blob while it passes and hands each one to a callback, so an importer can push a
layer while it is being read.

Order written by :class:`LayoutWriter`: ``oci-layout``, ``index.json``, the manifests (parents
before children), then configs and layers. The reader accepts any order (other tools tar a layout
directory alphabetically); what arrives before it can be classified is left to the consumer.
"""

import hashlib
import json
import logging
import re
import tarfile

from .errors import DigestMismatchError, LayoutError
from .oci import MANIFEST_MEDIA_TYPES, check_digest, is_digest

_LOG = logging.getLogger(__name__)

OCI_LAYOUT_FILE = "oci-layout"
INDEX_FILE = "index.json"
BLOBS_PREFIX = "blobs/sha256/"
LAYOUT_VERSION = "1.0.0"

ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name"
ANNOTATION_REPOSITORY = "io.acrtransfer.repository"
ANNOTATION_FORMAT = "io.acrtransfer.format"
FORMAT_VERSION = "1"

OCI_INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json"

_BLOCK = tarfile.BLOCKSIZE          # 512
_RECORD = tarfile.RECORDSIZE        # 10240: archives end on a record boundary, like tar(1)
_BLOB_NAME_RE = re.compile(r"^blobs/sha256/([a-f0-9]{64})$")
DEFAULT_CHUNK_SIZE = 1024 * 1024


def catalog_digest(index_bytes):
    """The catalog digest of a transfer: ``sha256:`` of the exact ``index.json`` bytes."""
    return "sha256:" + hashlib.sha256(index_bytes).hexdigest()


def _tar_header(name, size, mode=0o644, kind=tarfile.REGTYPE):
    info = tarfile.TarInfo(name)
    info.size = size if kind == tarfile.REGTYPE else 0
    info.mode = mode
    info.type = kind
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    # PAX: sizes of 8 GiB and more get a pax "size" record instead of failing.
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def index_entry(manifest_descriptor, repository, ref_name):
    """One ``index.json`` descriptor: the manifest's descriptor plus the artifact's annotations.

    ``ref_name`` is the tag, or the manifest digest for an artifact exported by digest.
    """
    desc = {
        "mediaType": manifest_descriptor["mediaType"],
        "digest": manifest_descriptor["digest"],
        "size": int(manifest_descriptor["size"]),
        "annotations": {ANNOTATION_REF_NAME: ref_name, ANNOTATION_REPOSITORY: repository},
    }
    return desc


def build_index(entries):
    """The exact ``index.json`` bytes for index entries (deterministic: same entries, same bytes)."""
    index = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX_MEDIA_TYPE,
        "manifests": list(entries),
        "annotations": {ANNOTATION_FORMAT: FORMAT_VERSION},
    }
    return json.dumps(index, separators=(",", ":"), ensure_ascii=True).encode("ascii")


class LayoutWriter:
    """Write a transfer tarball to ``fileobj`` (only ``write`` is called).

    Call :meth:`write_index` once (our transfers call it before the first blob), :meth:`add_blob`
    for every blob, and :meth:`close` to write the end-of-archive marker. ``fileobj`` is not closed.
    ``verify``: hash every blob while writing and refuse content that does not match its digest
    (leave it on unless the chunks are verified by their producer).
    """

    def __init__(self, fileobj, verify=True, on_bytes=None):
        self._out = fileobj
        self.verify = verify
        self.on_bytes = on_bytes        # called with the number of blob bytes just written
        self.blobs = {}                 # digest -> size, in writing order
        self.index_bytes = None
        self.bytes_written = 0          # whole archive
        self._closed = False
        self._write_file(OCI_LAYOUT_FILE,
                         json.dumps({"imageLayoutVersion": LAYOUT_VERSION}).encode("ascii"))
        self._write_dir("blobs/")
        self._write_dir(BLOBS_PREFIX)

    # -- low level ----------------------------------------------------------------------------

    def _raw(self, data):
        if data:
            self._out.write(data)
            self.bytes_written += len(data)

    def _pad(self, size):
        remainder = size % _BLOCK
        if remainder:
            self._raw(b"\0" * (_BLOCK - remainder))

    def _write_dir(self, name):
        self._raw(_tar_header(name, 0, mode=0o755, kind=tarfile.DIRTYPE))

    def _write_file(self, name, data):
        self._raw(_tar_header(name, len(data)))
        self._raw(data)
        self._pad(len(data))

    def _check_open(self):
        if self._closed:
            raise LayoutError("the layout is already closed")

    # -- API ----------------------------------------------------------------------------------

    def has_blob(self, digest):
        return digest in self.blobs

    def add_blob(self, digest, size, chunks):
        """Write one blob from an iterable of byte chunks (consumed to its end, so a verifying
        generator gets to check its digest). Returns False, without touching ``chunks``, when the
        blob is already in the layout."""
        self._check_open()
        check_digest(digest)
        size = int(size)
        if digest in self.blobs:
            return False
        self._raw(_tar_header(BLOBS_PREFIX + digest.split(":", 1)[1], size))
        hasher = hashlib.sha256() if self.verify else None
        count = 0
        for chunk in chunks:
            if not chunk:
                continue
            count += len(chunk)
            if count > size:
                raise LayoutError("blob %s is longer than its descriptor's %d bytes" % (digest, size))
            if hasher is not None:
                hasher.update(chunk)
            self._raw(chunk)
            if self.on_bytes:
                self.on_bytes(len(chunk))
        if count != size:
            raise LayoutError("blob %s ended after %d of its %d bytes" % (digest, count, size))
        if hasher is not None and "sha256:" + hasher.hexdigest() != digest:
            raise DigestMismatchError(digest, "sha256:" + hasher.hexdigest(), "blob %s" % digest)
        self._pad(size)
        self.blobs[digest] = size
        return True

    def add_bytes(self, digest, data):
        """Write a small blob held in memory (a manifest, a config)."""
        return self.add_blob(digest, len(data), [bytes(data)])

    def write_index(self, entries):
        """Write ``index.json`` listing ``entries`` (see :func:`index_entry`); returns the catalog
        digest. Once per layout."""
        self._check_open()
        if self.index_bytes is not None:
            raise LayoutError("index.json was already written")
        self.index_bytes = build_index(entries)
        self._write_file(INDEX_FILE, self.index_bytes)
        return catalog_digest(self.index_bytes)

    @property
    def catalog_digest(self):
        return catalog_digest(self.index_bytes) if self.index_bytes is not None else None

    def close(self):
        """End the archive (two zero blocks, padded to a 10 KiB record). Does not close ``fileobj``."""
        if self._closed:
            return
        if self.index_bytes is None:
            raise LayoutError("index.json was never written")
        self._raw(b"\0" * (2 * _BLOCK))
        remainder = self.bytes_written % _RECORD
        if remainder:
            self._raw(b"\0" * (_RECORD - remainder))
        self._closed = True


class BlobEntry:
    """A blob passing through :func:`read_layout`: read it with :meth:`read` or :meth:`chunks`.

    Everything read is hashed; what the consumer leaves unread is read (and hashed) by the reader
    after the callback returns. ``ok`` and ``error`` are set then.
    """

    def __init__(self, digest, size, fileobj):
        self.digest = digest
        self.size = size
        self._file = fileobj
        self._hasher = hashlib.sha256()
        self._count = 0
        self.ok = None
        self.error = None

    def read(self, n=-1):
        data = self._file.read(n)
        if data:
            self._hasher.update(data)
            self._count += len(data)
        return data

    def chunks(self, chunk_size=DEFAULT_CHUNK_SIZE):
        while True:
            data = self.read(chunk_size)
            if not data:
                return
            yield data

    def read_all(self, limit):
        """All of a small blob (refuses more than ``limit`` bytes)."""
        if self.size > limit:
            raise LayoutError("blob %s is %d bytes, more than the %d allowed here"
                              % (self.digest, self.size, limit))
        return self.read(self.size)

    def _finish(self):
        for _ in self.chunks():
            pass
        actual = "sha256:" + self._hasher.hexdigest()
        if self._count != self.size:
            self.ok = False
            self.error = "blob %s: %d bytes read, %d expected" % (self.digest, self._count, self.size)
        elif actual != self.digest:
            self.ok = False
            self.error = "blob %s did not verify: its content hashes to %s" % (self.digest, actual)
        else:
            self.ok = True
        return self.ok


class LayoutContents:
    """What :func:`read_layout` found."""

    def __init__(self):
        self.layout_version = None
        self.index_bytes = None
        self.index = None
        self.blobs = {}       # digest -> size, in reading order (verified or not)
        self.corrupt = {}     # digest -> message
        self.others = []      # unexpected member names (ignored)

    @property
    def catalog_digest(self):
        return catalog_digest(self.index_bytes) if self.index_bytes is not None else None

    @property
    def artifacts(self):
        """``index.json``'s descriptors."""
        return list((self.index or {}).get("manifests") or [])


def parse_index(data):
    """Validate ``index.json`` bytes; returns the parsed object."""
    try:
        index = json.loads(data)
    except ValueError as exc:
        raise LayoutError("index.json is not valid JSON: %s" % exc)
    if not isinstance(index, dict) or index.get("schemaVersion") != 2 \
            or not isinstance(index.get("manifests"), list):
        raise LayoutError("index.json is not an OCI image index (schemaVersion 2 with manifests)")
    for desc in index["manifests"]:
        if not isinstance(desc, dict) or not is_digest(desc.get("digest")) \
                or not isinstance(desc.get("size"), int):
            raise LayoutError("index.json has an invalid descriptor: %r" % (desc,))
        if desc.get("mediaType") not in MANIFEST_MEDIA_TYPES:
            raise LayoutError("index.json lists %s with unsupported media type %r"
                              % (desc.get("digest"), desc.get("mediaType")))
    return index


def read_layout(fileobj, on_blob, on_index=None, strict=False, bufsize=DEFAULT_CHUNK_SIZE):
    """Stream a transfer tarball from ``fileobj`` (only ``read`` is called).

    ``on_blob(entry: BlobEntry)`` is called for each blob in archive order; it may read the entry
    (pushing it somewhere) or leave it; afterwards the reader reads what is left and checks the
    digest. ``on_index(index: dict, index_bytes)`` is called when ``index.json`` passes.
    A blob that does not verify is recorded in ``contents.corrupt`` (``strict``: raises
    :class:`DigestMismatchError` at once). Returns :class:`LayoutContents`.
    """
    contents = LayoutContents()
    try:
        archive = tarfile.open(fileobj=fileobj, mode="r|*", bufsize=bufsize)
    except tarfile.TarError as exc:
        raise LayoutError("the transfer blob is not a tar archive: %s" % exc)
    try:
        for member in archive:
            name = member.name[2:] if member.name.startswith("./") else member.name
            if member.isdir():
                continue
            if not member.isreg():
                contents.others.append(name)
                continue
            if name == OCI_LAYOUT_FILE:
                data = archive.extractfile(member).read(64 * 1024)
                try:
                    contents.layout_version = json.loads(data)["imageLayoutVersion"]
                except (ValueError, KeyError, TypeError):
                    raise LayoutError("oci-layout is not valid")
                if contents.layout_version != LAYOUT_VERSION:
                    raise LayoutError("unsupported image layout version %r"
                                      % contents.layout_version)
                continue
            if name == INDEX_FILE:
                if contents.index_bytes is not None:
                    raise LayoutError("index.json appears twice")
                if member.size > 16 * 1024 * 1024:
                    raise LayoutError("index.json is too large")
                contents.index_bytes = archive.extractfile(member).read()
                contents.index = parse_index(contents.index_bytes)
                if on_index:
                    on_index(contents.index, contents.index_bytes)
                continue
            match = _BLOB_NAME_RE.match(name)
            if not match:
                contents.others.append(name)
                continue
            digest = "sha256:" + match.group(1)
            entry = BlobEntry(digest, member.size, archive.extractfile(member))
            on_blob(entry)
            if not entry._finish():
                _LOG.warning("transfer blob: %s", entry.error)
                contents.corrupt[digest] = entry.error
                if strict:
                    raise DigestMismatchError(digest, entry.error, "blob %s" % digest)
            contents.blobs[digest] = member.size
    except (tarfile.TarError, EOFError) as exc:
        raise LayoutError("the transfer blob is not a complete tar archive: %s" % exc)
    except OSError as exc:
        if "unexpected end of data" in str(exc):
            raise LayoutError("the transfer blob is truncated: %s" % exc)
        raise
    finally:
        archive.close()
    if contents.layout_version is None:
        raise LayoutError("the transfer blob has no oci-layout file")
    if contents.index_bytes is None:
        raise LayoutError("the transfer blob has no index.json")
    return contents

