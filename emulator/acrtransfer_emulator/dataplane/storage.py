"""Azure Blob Storage access for transfers (``azure-storage-blob``).

:class:`TransferContainer` opens a storage container from its URI, either account style
(``https://<account>.blob.core.windows.net/<container>``) or path style as Azurite serves it
(``https://127.0.0.1:10000/devstoreaccount1/<container>``), with EITHER a SAS token OR an
``azure.core`` TokenCredential (bearer tokens, audience ``https://storage.azure.com``).

* writing streams: :meth:`TransferContainer.open_write` returns a writable that stages blocks of
  ``block_size`` bytes (8 MiB) as they fill, hashing MD5 on the way, and commits the block list
  with ``Content-MD5`` and the metadata ``category: acr-transfer-blob`` at the end;
* reading streams: :meth:`TransferContainer.open_read` returns a readable over the download's
  chunks (4 MiB), computing the MD5 of what passes;
* the source trigger lists blobs with their metadata and properties
  (:meth:`TransferContainer.list_trigger_candidates`);
* "carrying" a blob to another container: server-side copy from a SAS URL, which keeps metadata
  and Content-MD5, or a streamed download + upload keeping both when a server-side copy is not
  possible (Azurite copies only within one Azurite instance).

SAS tokens never reach a log or an error message: URLs are shown without their query.
"""

import base64
import hashlib
import io
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit, urlunsplit

from .errors import BlobExistsError, BlobNotFoundError, StorageAuthError, StorageError

_LOG = logging.getLogger(__name__)

TRANSFER_CATEGORY = "acr-transfer-blob"
CATEGORY_METADATA_KEY = "category"
TRIGGER_MAX_AGE = timedelta(days=60)
DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024
DEFAULT_READ_CHUNK_SIZE = 4 * 1024 * 1024
CONTENT_TYPE = "application/x-tar"


def redact_url(url):
    """``url`` without its query (a SAS lives there)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def redact_text(text):
    """Replace any ``sig=...`` value in ``text``."""
    import re
    return re.sub(r"(?i)(sig=)[^&\s\"']+", r"\1REDACTED", str(text))


def parse_container_uri(uri):
    """``(account_url, container, sas)`` of a container URI (account or path style); ``sas`` is
    the URI's query, if any."""
    parts = urlsplit(uri)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError("invalid storage container URI %r" % redact_url(uri))
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) == 1:
        account_url = "%s://%s" % (parts.scheme, parts.netloc)
        container = segments[0]
    elif len(segments) == 2:
        account_url = "%s://%s/%s" % (parts.scheme, parts.netloc, segments[0])
        container = segments[1]
    else:
        raise ValueError("storage container URI must be https://host/container or "
                         "https://host/account/container, not %r" % redact_url(uri))
    return account_url, container, parts.query or None


def generate_container_sas(account_name, account_key, container, permission="racwdl",
                           expiry=timedelta(hours=2), start=None):
    """A container SAS signed with the account key (HTTPS only); without the leading ``?``.

    Export needs ``racwl``-like rights (read, add, create, write, list); import ``rl``
    (+ ``d`` for DeleteSourceBlobOnSuccess).
    """
    from azure.storage.blob import ContainerSasPermissions, generate_container_sas as _gen
    now = datetime.now(timezone.utc)
    return _gen(account_name, container, account_key=account_key,
                permission=ContainerSasPermissions.from_string(permission),
                expiry=now + expiry if isinstance(expiry, timedelta) else expiry,
                start=start or now - timedelta(minutes=5), protocol="https")


@dataclass
class BlobInfo:
    """Properties of a blob that transfers care about."""

    name: str
    size: int
    content_md5: bytes = None
    metadata: dict = field(default_factory=dict)
    last_modified: datetime = None
    etag: str = None
    url: str = None           # without SAS
    copy_status: str = None   # "pending" while a server-side copy into this blob is running

    @property
    def content_md5_b64(self):
        return base64.b64encode(self.content_md5).decode("ascii") if self.content_md5 else None

    @property
    def category(self):
        lowered = {k.lower(): v for k, v in (self.metadata or {}).items()}
        return lowered.get(CATEGORY_METADATA_KEY)

    @classmethod
    def from_properties(cls, props, url=None):
        settings = getattr(props, "content_settings", None)
        md5 = getattr(settings, "content_md5", None) if settings is not None else None
        copy = getattr(props, "copy", None)
        return cls(name=props.name, size=int(props.size or 0),
                   content_md5=bytes(md5) if md5 else None,
                   metadata=dict(props.metadata or {}), last_modified=props.last_modified,
                   etag=props.etag, url=url, copy_status=getattr(copy, "status", None))


def trigger_eligibility(info, now=None, max_age=TRIGGER_MAX_AGE):
    """``(eligible, reason)``: may the source trigger import this blob? It needs the metadata
    ``category: acr-transfer-blob``, a Content-MD5 and a modification within ``max_age``, and no
    copy into it still running."""
    now = now or datetime.now(timezone.utc)
    if info.copy_status == "pending":
        return False, "a copy into this blob is still in progress"
    if info.category != TRANSFER_CATEGORY:
        return False, "metadata category is not %s" % TRANSFER_CATEGORY
    if not info.content_md5:
        return False, "no Content-MD5"
    if info.last_modified is None or now - info.last_modified > max_age:
        return False, "not modified within the last %d days" % max_age.days
    return True, "eligible"


def _translate(exc, what):
    """An azure.core exception as one of ours (message without any SAS)."""
    from azure.core.exceptions import (ClientAuthenticationError, HttpResponseError,
                                       ResourceExistsError, ResourceModifiedError,
                                       ResourceNotFoundError, ServiceRequestError,
                                       ServiceResponseError)
    code = getattr(exc, "error_code", None)
    code = getattr(code, "value", code)
    status = getattr(exc, "status_code", None)
    detail = "%s%s" % (status or "", " %s" % code if code else "")
    if isinstance(exc, ResourceNotFoundError):
        return BlobNotFoundError("%s: not found (%s)" % (what, detail or "404"))
    if isinstance(exc, (ResourceExistsError, ResourceModifiedError)) or status in (409, 412):
        return BlobExistsError("%s: the blob already exists (%s)" % (what, detail))
    if isinstance(exc, ClientAuthenticationError) or status in (401, 403):
        return StorageAuthError("%s: storage refused the credential (%s)" % (what, detail))
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return StorageError("%s: cannot reach storage: %s" % (what, redact_text(exc)))
    if isinstance(exc, HttpResponseError):
        message = (getattr(exc, "message", "") or "").splitlines()[0:1]
        return StorageError("%s: storage answered %s %s" % (what, detail, redact_text(" ".join(message))))
    return StorageError("%s: %s" % (what, redact_text(exc)))


def _azure_errors():
    from azure.core.exceptions import AzureError
    return AzureError


class BlobWriter(io.RawIOBase):
    """Writable block blob: stages a block each ``block_size`` bytes, commits on :meth:`commit`.

    As a context manager it commits on success and abandons the staged blocks on error (Azure
    garbage-collects uncommitted blocks). ``md5`` is the MD5 of everything written.
    """

    def __init__(self, container, name, metadata, overwrite, block_size, content_type):
        self._container = container
        self._blob = container._blob_client(name)
        self.name = name
        self.metadata = dict(metadata)
        self.overwrite = overwrite
        self.block_size = block_size
        self.content_type = content_type
        self._buffer = bytearray()
        self._blocks = []
        self._upload_id = uuid.uuid4().hex[:16]
        self._md5 = hashlib.md5()
        self.size = 0
        self.info = None
        self._done = False

    def writable(self):
        return True

    def write(self, data):
        if self._done:
            raise ValueError("write to a committed or aborted blob writer")
        view = memoryview(data).cast("B")
        self._md5.update(view)
        self.size += len(view)
        self._buffer += view
        while len(self._buffer) >= self.block_size:
            with memoryview(self._buffer) as buffered:
                block = bytes(buffered[:self.block_size])
            del self._buffer[:self.block_size]
            self._stage(block)
        return len(view)

    def _stage(self, block):
        block_id = base64.b64encode(("%s-%08d" % (self._upload_id, len(self._blocks))).encode()).decode()
        try:
            self._blob.stage_block(block_id, block, length=len(block))
        except _azure_errors() as exc:
            raise _translate(exc, "write blob %s" % self._container.describe(self.name))
        from azure.storage.blob import BlobBlock
        self._blocks.append(BlobBlock(block_id=block_id))

    @property
    def md5(self):
        return self._md5.digest()

    def commit(self):
        """Stage what is buffered and commit the block list with Content-MD5 and the metadata.
        Without ``overwrite`` the commit is conditional (``If-None-Match: *``)."""
        if self._done:
            return self.info
        from azure.storage.blob import ContentSettings
        if self._buffer or not self._blocks:
            self._stage(bytes(self._buffer))
            self._buffer = bytearray()
        kwargs = {} if self.overwrite else {"if_none_match": "*"}
        what = "commit blob %s" % self._container.describe(self.name)
        try:
            self._blob.commit_block_list(
                self._blocks,
                content_settings=ContentSettings(content_type=self.content_type,
                                                 content_md5=bytearray(self.md5)),
                metadata=self.metadata, **kwargs)
        except _azure_errors() as exc:
            raise _translate(exc, what)
        self._done = True
        self.info = self._container.properties(self.name)
        return self.info

    def abort(self):
        self._done = True
        self._buffer = bytearray()

    def close(self):
        self._buffer = bytearray()
        super().close()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self.abort()
        self.close()


class BlobReader(io.RawIOBase):
    """Readable over a blob download's chunks. ``info`` holds the blob's properties (read when the
    download started: ``size``, ``content_md5``, ``metadata``, ``last_modified``, ``etag``);
    ``md5`` is the MD5 of what was read so far, ``bytes_read`` its length."""

    def __init__(self, downloader, info, on_bytes=None, describe=""):
        self._chunks = iter(downloader.chunks())
        self._pending = memoryview(b"")
        self.info = info
        self.bytes_read = 0
        self._md5 = hashlib.md5()
        self.on_bytes = on_bytes
        self._describe = describe

    def readable(self):
        return True

    def readinto(self, buffer):
        while not len(self._pending):
            try:
                chunk = next(self._chunks)
            except StopIteration:
                return 0
            except _azure_errors() as exc:
                raise _translate(exc, "read blob %s" % self._describe)
            self._md5.update(chunk)
            self.bytes_read += len(chunk)
            if self.on_bytes:
                self.on_bytes(len(chunk))
            self._pending = memoryview(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def drain(self):
        """Read to the end (so ``md5`` covers the whole blob)."""
        self._pending = memoryview(b"")
        buffer = bytearray(64 * 1024)
        while self.readinto(buffer):
            self._pending = memoryview(b"")

    @property
    def md5(self):
        return self._md5.digest()

    def md5_matches(self):
        """True/False once everything was read; None when the blob has no Content-MD5."""
        if not self.info.content_md5:
            return None
        return self.md5 == self.info.content_md5


class TransferContainer:
    """A storage container used by transfers.

    ``TransferContainer(uri, sas_token=...)`` or ``TransferContainer(uri, credential=...)``; a SAS
    in the URI's query is used when no other credential is given. ``connection_verify``: a CA
    bundle path (or ``False``) for HTTPS to emulated storage.
    """

    def __init__(self, container_uri, *, sas_token=None, credential=None, connection_verify=True,
                 block_size=DEFAULT_BLOCK_SIZE, read_chunk_size=DEFAULT_READ_CHUNK_SIZE):
        from azure.storage.blob import ContainerClient
        if sas_token and credential is not None:
            raise ValueError("give a SAS token or a credential, not both")
        self.account_url, self.container_name, uri_sas = parse_container_uri(container_uri)
        self.url = "%s/%s" % (self.account_url, self.container_name)
        sas = (sas_token or uri_sas or "").lstrip("?") or None
        self.sas_token = sas if credential is None else None
        self.credential = credential
        self.block_size = block_size
        self._client = ContainerClient(
            self.account_url, self.container_name,
            credential=credential if credential is not None else self.sas_token,
            connection_verify=connection_verify,
            max_single_get_size=read_chunk_size, max_chunk_get_size=read_chunk_size,
            max_block_size=block_size, max_single_put_size=block_size)
        self.connection_verify = connection_verify

    def describe(self, name=None):
        """Human-readable location, without any SAS."""
        return "%s/%s" % (self.url, name) if name else self.url

    def blob_url(self, name, with_sas=False):
        url = "%s/%s" % (self.url, name)
        if with_sas:
            if not self.sas_token:
                raise StorageError("no SAS token for %s" % self.describe(name))
            url += "?" + self.sas_token
        return url

    def _blob_client(self, name):
        return self._client.get_blob_client(name)

    def blob(self, name):
        """A :class:`BlobRef` to one blob of this container."""
        return BlobRef(self, name)

    def close(self):
        self._client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- container ----------------------------------------------------------------------------

    def create(self, exist_ok=True):
        """Create the container (tests and demos; needs a container-creating credential)."""
        from azure.core.exceptions import ResourceExistsError
        try:
            self._client.create_container()
        except ResourceExistsError:
            if not exist_ok:
                raise BlobExistsError("container %s already exists" % self.url)
        except _azure_errors() as exc:
            raise _translate(exc, "create container %s" % self.url)

    def list_blobs(self, prefix=None):
        """Every blob (with metadata, Content-MD5, Last-Modified) as :class:`BlobInfo`."""
        try:
            return [BlobInfo.from_properties(props, "%s/%s" % (self.url, props.name))
                    for props in self._client.list_blobs(name_starts_with=prefix,
                                                         include=["metadata", "copy"])]
        except _azure_errors() as exc:
            raise _translate(exc, "list blobs of %s" % self.url)

    def list_trigger_candidates(self, now=None, max_age=TRIGGER_MAX_AGE, prefix=None):
        """The blobs a source trigger may import (see :func:`trigger_eligibility`)."""
        return [info for info in self.list_blobs(prefix)
                if trigger_eligibility(info, now, max_age)[0]]

    # -- blobs --------------------------------------------------------------------------------

    def properties(self, name):
        """:class:`BlobInfo` of a blob; raises :class:`BlobNotFoundError`."""
        try:
            props = self._blob_client(name).get_blob_properties()
        except _azure_errors() as exc:
            raise _translate(exc, "read properties of %s" % self.describe(name))
        info = BlobInfo.from_properties(props, self.describe(name))
        info.name = name
        return info

    def exists(self, name):
        try:
            self.properties(name)
            return True
        except BlobNotFoundError:
            return False

    def open_write(self, name, metadata=None, overwrite=False, content_type=CONTENT_TYPE):
        """A :class:`BlobWriter`. Without ``overwrite`` an existing blob raises
        :class:`BlobExistsError` now (and the final commit is conditional too). ``metadata`` is
        added to ``category: acr-transfer-blob``."""
        if not overwrite and self.exists(name):
            raise BlobExistsError("blob %s already exists" % self.describe(name))
        meta = {CATEGORY_METADATA_KEY: TRANSFER_CATEGORY}
        meta.update(metadata or {})
        return BlobWriter(self, name, meta, overwrite, self.block_size, content_type)

    def upload_stream(self, name, chunks, metadata=None, overwrite=False,
                      content_type=CONTENT_TYPE):
        """Upload an iterable of byte chunks as a block blob (streamed; see :meth:`open_write`).
        Returns the committed blob's :class:`BlobInfo`."""
        with self.open_write(name, metadata, overwrite, content_type) as writer:
            for chunk in chunks:
                writer.write(chunk)
        return writer.info

    def open_read(self, name, on_bytes=None):
        """A :class:`BlobReader` (its ``info``: the blob's properties). Raises
        :class:`BlobNotFoundError`."""
        blob = self._blob_client(name)
        try:
            downloader = blob.download_blob(max_concurrency=1)
        except _azure_errors() as exc:
            raise _translate(exc, "read blob %s" % self.describe(name))
        info = BlobInfo.from_properties(downloader.properties, self.describe(name))
        info.name = name
        return BlobReader(downloader, info, on_bytes, self.describe(name))

    def delete(self, name, missing_ok=False):
        try:
            self._blob_client(name).delete_blob()
        except _azure_errors() as exc:
            error = _translate(exc, "delete blob %s" % self.describe(name))
            if missing_ok and isinstance(error, BlobNotFoundError):
                return
            raise error

    def copy_from_url(self, source_url, name, overwrite=False, timeout=600, fallback=True):
        """Server-side copy of ``source_url`` (a blob URL with its SAS) to ``name``.

        Copy keeps the source's metadata and Content-MD5; both are checked afterwards. When the
        service cannot copy (e.g. Azurite between two Azurite instances) and ``fallback``, the blob
        is streamed through this process instead, keeping metadata and Content-MD5.
        Returns the new blob's :class:`BlobInfo`.
        """
        from azure.storage.blob import BlobClient
        source = BlobClient.from_blob_url(source_url, connection_verify=self.connection_verify)
        what = "copy %s to %s" % (redact_url(source_url), self.describe(name))
        try:
            src_info = BlobInfo.from_properties(source.get_blob_properties(), redact_url(source_url))
        except _azure_errors() as exc:
            raise _translate(exc, what)
        if not overwrite and self.exists(name):
            raise BlobExistsError("%s: blob %s already exists" % (what, self.describe(name)))
        dest = self._blob_client(name)
        conditions = {} if overwrite else {"if_none_match": "*"}
        try:
            copy = dest.start_copy_from_url(source_url, **conditions)
            status = copy.get("copy_status")
            deadline = time.monotonic() + timeout
            while status == "pending":
                if time.monotonic() > deadline:
                    dest.abort_copy(copy["copy_id"])
                    raise StorageError("%s: the copy did not finish within %ss" % (what, timeout))
                time.sleep(0.5)
                status = dest.get_blob_properties().copy.status
            if status != "success":
                raise StorageError("%s: the copy ended with status %s" % (what, status))
        except _azure_errors() as exc:
            error = _translate(exc, what)
            if isinstance(error, BlobExistsError) or not fallback:
                raise error
            _LOG.info("%s: server-side copy refused (%s); streaming instead", what, error)
            return self._stream_copy(source, src_info, name, overwrite, what)
        info = self.properties(name)
        if info.content_md5 != src_info.content_md5 or \
                {k.lower(): v for k, v in info.metadata.items()} != \
                {k.lower(): v for k, v in src_info.metadata.items()}:
            raise StorageError("%s: the copy did not keep metadata and Content-MD5" % what)
        return info

    def _stream_copy(self, source, src_info, name, overwrite, what):
        try:
            downloader = source.download_blob(max_concurrency=1)
        except _azure_errors() as exc:
            raise _translate(exc, what)
        writer = BlobWriter(self, name, src_info.metadata, overwrite, self.block_size, CONTENT_TYPE)
        reader = BlobReader(downloader, src_info, describe=src_info.url)
        with writer:
            while True:
                data = reader.read(self.block_size)
                if not data:
                    break
                writer.write(data)
            if src_info.content_md5 and writer.md5 != src_info.content_md5:
                raise StorageError("%s: the content read does not match the source's Content-MD5"
                                   % what)
        return writer.info


@dataclass
class BlobRef:
    """One blob of a :class:`TransferContainer` (what the transfer functions take)."""

    container: TransferContainer
    name: str

    def exists(self):
        return self.container.exists(self.name)

    def properties(self):
        return self.container.properties(self.name)

    def open_write(self, metadata=None, overwrite=False):
        return self.container.open_write(self.name, metadata, overwrite)

    def open_read(self, on_bytes=None):
        return self.container.open_read(self.name, on_bytes)

    def delete(self, missing_ok=False):
        return self.container.delete(self.name, missing_ok)

    def describe(self):
        return self.container.describe(self.name)


def carry_blob(source, name, target, target_name=None, overwrite=False):
    """Copy blob ``name`` of ``source`` to ``target`` (both :class:`TransferContainer`), keeping
    metadata and Content-MD5: server-side from a SAS URL when ``source`` has a SAS, else streamed."""
    target_name = target_name or name
    if source.sas_token:
        return target.copy_from_url(source.blob_url(name, with_sas=True), target_name, overwrite)
    src_info = source.properties(name)
    reader = source.open_read(name)
    with target.open_write(target_name, src_info.metadata, overwrite) as writer:
        while True:
            data = reader.read(target.block_size)
            if not data:
                break
            writer.write(data)
        if src_info.content_md5 and writer.md5 != src_info.content_md5:
            raise StorageError("carry %s: content does not match the source's Content-MD5"
                               % source.describe(name))
    return writer.info
