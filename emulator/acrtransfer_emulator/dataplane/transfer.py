"""Export artifacts from a registry into one transfer blob, and import a transfer blob into a
registry. Everything streams: a layer of any size passes through a few MiB of memory.

Low level (registry client + blob in hand)::

    export_artifacts(oci_client, artifacts, writer_blob, options, progress_cb) -> ExportResult
    import_artifacts(reader, oci_client, options, progress_cb) -> ImportResult

High level (what a pipeline run does; the emulator's run executor adapts to these)::

    run_export(registry_url, artifacts, container_uri, blob_name, *, sas_token|credential, ...)
    run_import(registry_url, container_uri, blob_name, *, sas_token|credential, ...)

All of them raise :class:`TransferError` only, with a message for the run's
``pipelineRunErrorMessage``. ``progress_cb(percentage: int)`` is called when the whole-number
percentage grows (0..100; 100 only once the run's work is done).
"""

import io
import logging
import tempfile
from dataclasses import dataclass, field

from .errors import (BlobExistsError, DataPlaneError, DigestMismatchError, LayoutError,
                     ManifestUnknownError, RegistryError, StorageError, TransferError)
from .layout import (ANNOTATION_REF_NAME, ANNOTATION_REPOSITORY, LayoutWriter, index_entry,
                     read_layout)
from .oci import (MANIFEST_MEDIA_TYPES, MAX_MANIFEST_SIZE, TAG_RE, Manifest,
                  Reference, RegistryClient, detect_media_type, is_digest, sha256_digest)

_LOG = logging.getLogger(__name__)

MAX_ARTIFACTS = 50
MAX_LAYER_SIZE = 8 * 1024 ** 3      # ACR Transfer: "layers up to 8 GB"; we read it as 8 GiB

EXPORT_OPTIONS = ("OverwriteBlobs", "ContinueOnErrors")
IMPORT_OPTIONS = ("OverwriteTags", "DeleteSourceBlobOnSuccess", "ContinueOnErrors")

_CHUNK = 1024 * 1024


def _check_option_names(names, allowed, kind):
    names = list(names or [])
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise TransferError("unknown %s option(s) %s; allowed: %s"
                            % (kind, ", ".join(unknown), ", ".join(allowed)))
    return names


@dataclass
class ExportOptions:
    overwrite_blobs: bool = False
    continue_on_errors: bool = False
    max_layer_size: int = MAX_LAYER_SIZE
    max_artifacts: int = MAX_ARTIFACTS

    @classmethod
    def from_names(cls, names, **kwargs):
        """From the pipeline's ``options`` (e.g. ``["OverwriteBlobs", "ContinueOnErrors"]``)."""
        names = _check_option_names(names, EXPORT_OPTIONS, "export")
        return cls(overwrite_blobs="OverwriteBlobs" in names,
                   continue_on_errors="ContinueOnErrors" in names, **kwargs)


@dataclass
class ImportOptions:
    overwrite_tags: bool = False
    continue_on_errors: bool = False
    delete_source_blob_on_success: bool = False   # honoured by run_import, not import_artifacts
    expected_catalog_digest: str = None
    spool_dir: str = None

    @classmethod
    def from_names(cls, names, **kwargs):
        names = _check_option_names(names, IMPORT_OPTIONS, "import")
        return cls(overwrite_tags="OverwriteTags" in names,
                   continue_on_errors="ContinueOnErrors" in names,
                   delete_source_blob_on_success="DeleteSourceBlobOnSuccess" in names, **kwargs)


@dataclass
class ArtifactFailure:
    artifact: str
    reason: str

    def __str__(self):
        return "%s: %s" % (self.artifact, self.reason)


@dataclass
class ExportResult:
    exported: list = field(default_factory=list)      # "repo:tag" / "repo@sha256:..."
    digests: dict = field(default_factory=dict)       # artifact -> manifest digest
    skipped: list = field(default_factory=list)       # ArtifactFailure
    catalog_digest: str = None
    blob: object = None                               # storage.BlobInfo when written to storage
    blob_count: int = 0                               # blobs in the layout (manifests included)
    content_bytes: int = 0                            # their total size


@dataclass
class ImportResult:
    imported_artifacts: list = field(default_factory=list)
    digests: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    catalog_digest: str = None
    blob: object = None
    blobs_uploaded: int = 0
    blobs_mounted: int = 0
    blobs_present: int = 0
    source_blob_deleted: bool = False


class _Progress:
    def __init__(self, callback, total):
        self.callback = callback
        self.total = max(int(total or 0), 0)
        self.done = 0
        self.last = -1

    def start(self):
        self._emit(0)

    def add(self, n):
        self.done += n
        if self.total:
            self._emit(min(99, self.done * 100 // self.total))

    def finish(self):
        self._emit(100)

    def _emit(self, pct):
        if self.callback and pct > self.last:
            self.last = pct
            self.callback(pct)


def _failure_message(prefix, failures):
    return prefix + ": " + "; ".join(str(f) for f in failures)


# ------------------------------------------------------------------------------------------------
# export
# ------------------------------------------------------------------------------------------------

def _resolve_for_export(client, text, options):
    """``(Artifact, [blob descriptors to write])`` or raises DataPlaneError/ValueError."""
    ref = Reference.parse(text)
    artifact = client.collect(ref)
    to_write = []
    for desc in artifact.blobs:
        digest, size = desc["digest"], int(desc["size"])
        if size > options.max_layer_size:
            raise TransferError("layer %s is %d bytes, over the %d-byte (%s) layer limit"
                                % (digest, size, options.max_layer_size,
                                   _human(options.max_layer_size)))
        present = client.blob_exists(ref.repository, digest)
        if present is None:
            if desc.get("urls"):
                continue            # foreign layer: fetched from its URLs by clients, not carried
            raise TransferError("blob %s is missing from repository %s" % (digest, ref.repository))
        if present and present != size:
            raise TransferError("blob %s is %d bytes in the registry but %d in its descriptor"
                                % (digest, present, size))
        to_write.append(desc)
    return artifact, to_write


def _human(n):
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return ("%d %s" % (n, unit)) if unit == "bytes" else ("%.4g %s" % (n, unit))
        n /= 1024.0


def export_artifacts(oci_client, artifacts, writer_blob, options=None, progress_cb=None):
    """Export ``artifacts`` (``repo:tag``, ``repo@sha256:...``, bare ``repo``) of the registry of
    ``oci_client`` into one transfer blob.

    ``writer_blob``: a :class:`~.storage.BlobRef` (written with Content-MD5 and the metadata
    ``category: acr-transfer-blob``, committed only on success) or any writable binary file.
    Every artifact is resolved first (manifests, index children, blob sizes); with
    ``ContinueOnErrors`` the ones that fail are skipped and reported, else the run fails before
    anything is written. Without ``OverwriteBlobs`` an existing blob fails the run.
    """
    options = options or ExportOptions()
    artifacts = list(artifacts or [])
    if not artifacts:
        raise TransferError("no artifacts to export")
    if len(artifacts) > options.max_artifacts:
        raise TransferError("%d artifacts requested; at most %d can be exported in one run"
                            % (len(artifacts), options.max_artifacts))
    is_storage = hasattr(writer_blob, "open_write")
    if is_storage and not options.overwrite_blobs:
        try:
            exists = writer_blob.exists()
        except DataPlaneError as exc:
            raise TransferError(str(exc))
        if exists:
            raise TransferError("the target blob %s already exists; use the OverwriteBlobs option "
                                "to replace it" % writer_blob.describe())

    result = ExportResult()
    resolved = []
    seen = set()
    for text in artifacts:
        if text in seen:
            continue
        seen.add(text)
        try:
            artifact, to_write = _resolve_for_export(oci_client, text, options)
        except ValueError as exc:
            result.skipped.append(ArtifactFailure(text, str(exc)))
            continue
        except ManifestUnknownError:
            result.skipped.append(ArtifactFailure(text, "not found in the source registry"))
            continue
        except DataPlaneError as exc:
            result.skipped.append(ArtifactFailure(text, str(exc)))
            continue
        resolved.append((str(artifact.reference), artifact, to_write))
    if result.skipped and not options.continue_on_errors:
        raise TransferError(_failure_message("export failed", result.skipped))
    if not resolved:
        raise TransferError(_failure_message("no artifact could be exported", result.skipped))

    # Plan: index entries, unique manifests (parents first) and unique blobs.
    entries, manifests, blobs = [], {}, {}
    for name, artifact, to_write in resolved:
        ref = artifact.reference
        entries.append(index_entry(artifact.manifest.descriptor(), ref.repository,
                                   ref.tag if not ref.digest else artifact.digest))
        for manifest in artifact.manifests:
            manifests.setdefault(manifest.digest, manifest)
        for desc in to_write:
            blobs.setdefault(desc["digest"], (ref.repository, int(desc["size"]), name))
    total = sum(m.size for m in manifests.values()) + sum(b[1] for b in blobs.values())
    progress = _Progress(progress_cb, total)
    progress.start()

    out = None
    current = "the layout"
    try:
        out = writer_blob.open_write(overwrite=options.overwrite_blobs) if is_storage else writer_blob
        layout = LayoutWriter(out, verify=False, on_bytes=progress.add)
        result.catalog_digest = layout.write_index(entries)
        for digest, manifest in manifests.items():
            current = "manifest %s" % digest
            layout.add_bytes(digest, manifest.data)
        for digest, (repo, size, name) in blobs.items():
            current = "blob %s of %s" % (digest, name)
            # The registry stream verifies size and sha256 after its last chunk.
            layout.add_blob(digest, size, oci_client.blob_stream(repo, digest, size))
        current = "the end of the layout"
        layout.close()
        if is_storage:
            current = "the blob commit"
            result.blob = out.commit()
    except BlobExistsError:
        if is_storage and out is not None:
            out.abort()
        raise TransferError("the target blob %s already exists; use the OverwriteBlobs option to "
                            "replace it" % writer_blob.describe())
    except DataPlaneError as exc:
        if is_storage and out is not None:
            out.abort()
        raise TransferError("export failed while writing %s: %s" % (current, exc))
    except BaseException:
        if is_storage and out is not None:
            out.abort()
        raise
    result.exported = [name for name, _, _ in resolved]
    result.digests = {name: artifact.digest for name, artifact, _ in resolved}
    result.blob_count = len(layout.blobs)
    result.content_bytes = total
    progress.finish()
    return result


# ------------------------------------------------------------------------------------------------
# import
# ------------------------------------------------------------------------------------------------

@dataclass
class _ImportArtifact:
    repository: str
    ref_name: str
    digest: str
    media_type: str
    failure: str = None

    @property
    def by_digest(self):
        return is_digest(self.ref_name)

    @property
    def name(self):
        return "%s@%s" % (self.repository, self.digest) if self.by_digest \
            else "%s:%s" % (self.repository, self.ref_name)


class _Importer:
    """The state of one import while its transfer blob streams past."""

    def __init__(self, client, options):
        self.client = client
        self.options = options
        self.artifacts = []
        self.manifest_types = {}        # digest -> media type (from a descriptor)
        self.manifest_owners = {}       # manifest digest -> set(artifact index)
        self.manifests = {}             # digest -> Manifest (read from the layout)
        self.blob_owners = {}           # blob digest -> set(artifact index)
        self.blob_descs = {}            # blob digest -> descriptor
        self.blob_errors = {}           # blob digest -> message
        self.blob_homes = {}            # blob digest -> set(repo) where it is now
        self.spooled = {}               # digest -> (size, temp file)
        self.result = ImportResult()

    # -- index and manifests --------------------------------------------------------------------

    def on_index(self, index, _data):
        for desc in index["manifests"]:
            annotations = desc.get("annotations") or {}
            repo = annotations.get(ANNOTATION_REPOSITORY)
            ref_name = annotations.get(ANNOTATION_REF_NAME) or desc["digest"]
            artifact = _ImportArtifact(repo or "?", ref_name, desc["digest"], desc["mediaType"])
            if not repo:
                artifact.failure = "index.json gives no %s annotation" % ANNOTATION_REPOSITORY
            elif is_digest(ref_name) and ref_name != desc["digest"]:
                artifact.failure = "its reference %s is not its digest %s" % (ref_name, desc["digest"])
            elif not is_digest(ref_name) and not TAG_RE.match(ref_name):
                artifact.failure = "invalid tag %r" % ref_name
            else:
                try:
                    Reference.parse(artifact.name)
                except ValueError as exc:
                    artifact.failure = str(exc)
            if not artifact.failure:
                self._check_tag(artifact)
            index_no = len(self.artifacts)
            self.artifacts.append(artifact)
            self.manifest_types.setdefault(desc["digest"], desc["mediaType"])
            self.manifest_owners.setdefault(desc["digest"], set()).add(index_no)
        # Manifests that arrived before index.json (foreign order) are classified now.
        self._classify_spooled()

    def _check_tag(self, artifact):
        if artifact.by_digest or self.options.overwrite_tags:
            return
        try:
            current = self.client.get_tag_digest(artifact.repository, artifact.ref_name)
        except RegistryError as exc:
            artifact.failure = "cannot read the target tag: %s" % exc
            return
        if current and current != artifact.digest:
            artifact.failure = ("tag %s:%s already points to %s; use the OverwriteTags option to "
                                "replace it" % (artifact.repository, artifact.ref_name, current))

    def _add_manifest(self, digest, data):
        media_type = self.manifest_types.get(digest)
        manifest = Manifest(digest, None, data)
        try:
            parsed = manifest.json
        except RegistryError as exc:
            self.blob_errors[digest] = str(exc)
            return
        declared = parsed.get("mediaType")
        if declared and media_type and declared != media_type:
            self.blob_errors[digest] = "manifest %s is %s but its descriptor says %s" % (
                digest, declared, media_type)
            return
        manifest.media_type = detect_media_type(parsed, media_type)
        if manifest.media_type not in MANIFEST_MEDIA_TYPES:
            self.blob_errors[digest] = "manifest %s has unsupported media type %s" % (
                digest, manifest.media_type)
            return
        self.manifests[digest] = manifest
        owners = self.manifest_owners.setdefault(digest, set())
        for child in manifest.children():
            child_digest = child.get("digest")
            if not is_digest(child_digest):
                self.blob_errors[digest] = "manifest %s lists an invalid child" % digest
                continue
            self.manifest_types.setdefault(child_digest, child.get("mediaType"))
            self.manifest_owners.setdefault(child_digest, set()).update(owners)
            if child_digest in self.manifests:     # arrived earlier: propagate owners
                self._propagate(child_digest)
        for desc in manifest.blobs():
            blob_digest = desc.get("digest")
            if not is_digest(blob_digest):
                self.blob_errors[digest] = "manifest %s lists an invalid blob" % digest
                continue
            self.blob_descs.setdefault(blob_digest, desc)
            self.blob_owners.setdefault(blob_digest, set()).update(owners)

    def _propagate(self, digest):
        manifest = self.manifests[digest]
        owners = self.manifest_owners[digest]
        for child in manifest.children():
            self.manifest_owners.setdefault(child["digest"], set()).update(owners)
            if child["digest"] in self.manifests:
                self._propagate(child["digest"])
        for desc in manifest.blobs():
            self.blob_owners.setdefault(desc["digest"], set()).update(owners)

    # -- blobs ----------------------------------------------------------------------------------

    def on_blob(self, entry):
        digest = entry.digest
        if digest in self.manifest_types and digest not in self.manifests:
            if entry.size > MAX_MANIFEST_SIZE:
                self.blob_errors[digest] = "manifest %s is larger than %d bytes" % (
                    digest, MAX_MANIFEST_SIZE)
                return
            self._add_manifest(digest, entry.read_all(MAX_MANIFEST_SIZE))
        elif digest in self.blob_owners:
            self._push(digest, entry.size, entry.chunks(_CHUNK))
        else:
            spool = tempfile.SpooledTemporaryFile(max_size=_CHUNK, dir=self.options.spool_dir)
            for chunk in entry.chunks(_CHUNK):
                spool.write(chunk)
            self.spooled[digest] = (entry.size, spool)

    def _live_repos(self, digest):
        repos = set()
        for i in self.blob_owners.get(digest, ()):
            if not self.artifacts[i].failure:
                repos.add(self.artifacts[i].repository)
        return sorted(repos)

    def _push(self, digest, size, chunks):
        """Make the blob present in every repository that needs it; ``chunks`` is read once."""
        homes = self.blob_homes.setdefault(digest, set())
        try:
            for repo in self._live_repos(digest):
                if repo in homes:
                    continue
                if self.client.blob_exists(repo, digest) is not None:
                    homes.add(repo)
                    self.result.blobs_present += 1
                    continue
                if homes:
                    how = self.client.copy_blob(sorted(homes)[0], repo, digest, size)
                else:
                    # The layout reader hashes every blob and the registry checks the digest at
                    # the final PUT: no third hash here.
                    how = self.client.push_blob(repo, digest, size, chunks, verify=False)
                if how == "mounted":
                    self.result.blobs_mounted += 1
                else:
                    self.result.blobs_uploaded += 1
                homes.add(repo)
        except DigestMismatchError as exc:
            self.blob_errors[digest] = "blob %s did not verify (%s)" % (digest, exc)
        except RegistryError as exc:
            self.blob_errors[digest] = "blob %s could not be pushed: %s" % (digest, exc)

    def _classify_spooled(self):
        changed = True
        while changed:
            changed = False
            for digest in list(self.spooled):
                if digest in self.manifest_types and digest not in self.manifests:
                    size, spool = self.spooled.pop(digest)
                    if size <= MAX_MANIFEST_SIZE:
                        spool.seek(0)
                        data = spool.read()
                        if sha256_digest(data) == digest:
                            self._add_manifest(digest, data)
                    spool.close()
                    changed = True

    def flush_spooled(self):
        self._classify_spooled()
        for digest in list(self.spooled):
            size, spool = self.spooled.pop(digest)
            try:
                if digest in self.blob_owners:
                    spool.seek(0)
                    self._push(digest, size, iter(lambda: spool.read(_CHUNK), b""))
            finally:
                spool.close()

    def close(self):
        for _size, spool in self.spooled.values():
            spool.close()
        self.spooled.clear()

    # -- verdicts -------------------------------------------------------------------------------

    def closure(self, artifact):
        """``(manifests child-first, blob digests)`` of an artifact, or raises TransferError."""
        order, blobs, seen = [], [], set()

        def visit(digest):
            if digest in seen:
                return
            seen.add(digest)
            if digest in self.blob_errors:
                raise TransferError(self.blob_errors[digest])
            manifest = self.manifests.get(digest)
            if manifest is None:
                raise TransferError("manifest %s is missing from the transfer blob" % digest)
            for child in manifest.children():
                visit(child["digest"])
            for desc in manifest.blobs():
                if desc["digest"] not in blobs:
                    blobs.append(desc["digest"])
            order.append(manifest)

        visit(artifact.digest)
        return order, blobs

    def check_artifact(self, artifact):
        manifests, blobs = self.closure(artifact)
        for digest in blobs:
            if digest in self.blob_errors:
                raise TransferError(self.blob_errors[digest])
            if artifact.repository in self.blob_homes.get(digest, ()):
                continue
            # Not carried (foreign layer) or not pushed: acceptable only if already there.
            if self.client.blob_exists(artifact.repository, digest) is None:
                desc = self.blob_descs.get(digest) or {}
                if not desc.get("urls"):
                    raise TransferError("blob %s is missing from the transfer blob" % digest)
        return manifests


def import_artifacts(reader, oci_client, options=None, progress_cb=None):
    """Import a transfer blob into the registry of ``oci_client``.

    ``reader``: a :class:`~.storage.BlobRef` (its Content-MD5 is checked when the whole blob has
    been read) or any readable binary file. Blobs are pushed while the tarball streams (to every
    repository that needs them; mounted when one repository already has them); manifests are
    pushed child-first by digest once everything is in, and tags are set last, so an artifact that
    fails leaves no tag. Without ``OverwriteTags`` a tag that points to another digest fails that
    artifact; without ``ContinueOnErrors`` any failed artifact fails the run (before any tag).
    ``DeleteSourceBlobOnSuccess`` is left to the caller (see :func:`run_import`).
    """
    options = options or ImportOptions()
    importer = _Importer(oci_client, options)
    result = importer.result
    storage_reader = None
    progress = None
    try:
        if hasattr(reader, "open_read"):
            try:
                info = reader.properties()
            except DataPlaneError as exc:
                raise TransferError("cannot read the transfer blob: %s" % exc)
            progress = _Progress(progress_cb, info.size)
            progress.start()
            try:
                storage_reader = reader.open_read(on_bytes=progress.add)
            except DataPlaneError as exc:
                raise TransferError("cannot read the transfer blob: %s" % exc)
            result.blob = storage_reader.info
            stream = storage_reader
        else:
            progress = _Progress(progress_cb, 0)
            progress.start()
            stream = reader
        buffered = io.BufferedReader(stream, _CHUNK) if isinstance(stream, io.RawIOBase) else stream
        try:
            contents = read_layout(buffered, importer.on_blob, importer.on_index)
        except LayoutError as exc:
            raise TransferError("the transfer blob is not a valid transfer layout: %s" % exc)
        except (RegistryError, StorageError) as exc:
            raise TransferError("import failed while reading the transfer blob: %s" % exc)
        result.catalog_digest = contents.catalog_digest
        if storage_reader is not None:
            try:
                storage_reader.drain()
            except StorageError as exc:
                raise TransferError("import failed while reading the transfer blob: %s" % exc)
            if storage_reader.md5_matches() is False:
                # Name what did not verify, when the damage hit a blob of the layout.
                bad = sorted(set(contents.corrupt) | set(importer.blob_errors))
                raise TransferError("the transfer blob %s does not match its Content-MD5: it was "
                                    "damaged in storage or in transit%s" % (
                                        reader.describe(),
                                        "; %s did not verify" % ", ".join(bad) if bad else ""))
        if options.expected_catalog_digest and \
                options.expected_catalog_digest != result.catalog_digest:
            raise TransferError("the transfer blob's catalog digest is %s, not the expected %s"
                                % (result.catalog_digest, options.expected_catalog_digest))
        for digest, message in contents.corrupt.items():
            importer.blob_errors[digest] = message
        importer.flush_spooled()
        if not importer.artifacts:
            raise TransferError("the transfer blob lists no artifacts")

        # Verdict per artifact, then manifests (child-first, by digest), then tags.
        ready = []
        for artifact in importer.artifacts:
            if artifact.failure:
                continue
            try:
                ready.append((artifact, importer.check_artifact(artifact)))
            except TransferError as exc:
                artifact.failure = str(exc)
            except RegistryError as exc:
                artifact.failure = str(exc)
        _fail_if_needed(importer, options)
        pushed = set()
        for artifact, manifests in ready:
            try:
                for manifest in manifests:
                    key = (artifact.repository, manifest.digest)
                    if key not in pushed:
                        oci_client.push_manifest(artifact.repository, manifest.digest,
                                                 manifest.data, manifest.media_type)
                        pushed.add(key)
            except (RegistryError, DigestMismatchError) as exc:
                artifact.failure = "manifest push failed: %s" % exc
        _fail_if_needed(importer, options)
        for artifact, manifests in ready:
            if artifact.failure:
                continue
            if not artifact.by_digest:
                try:
                    importer._check_tag(artifact)       # again: the registry may have moved on
                    if not artifact.failure:
                        top = manifests[-1]
                        oci_client.push_manifest(artifact.repository, artifact.ref_name, top.data,
                                                 top.media_type)
                except (RegistryError, DigestMismatchError) as exc:
                    artifact.failure = "tagging failed: %s" % exc
            if not artifact.failure:
                result.imported_artifacts.append(artifact.name)
                result.digests[artifact.name] = artifact.digest
        result.skipped = [ArtifactFailure(a.name, a.failure) for a in importer.artifacts
                          if a.failure]
        if result.skipped and not options.continue_on_errors:
            raise TransferError(_failure_message("import failed", result.skipped))
        if not result.imported_artifacts:
            raise TransferError(_failure_message("no artifact could be imported", result.skipped))
    finally:
        importer.close()
        if storage_reader is not None:
            storage_reader.close()
    progress.finish()
    return result


def _fail_if_needed(importer, options):
    failures = [ArtifactFailure(a.name, a.failure) for a in importer.artifacts if a.failure]
    if failures and not options.continue_on_errors:
        raise TransferError(_failure_message("import failed", failures))
    if failures and len(failures) == len(importer.artifacts):
        raise TransferError(_failure_message("no artifact could be imported", failures))


# ------------------------------------------------------------------------------------------------
# what a pipeline run does
# ------------------------------------------------------------------------------------------------

def _open_container(container_uri, sas_token, credential, connection_verify):
    from .storage import TransferContainer
    try:
        return TransferContainer(container_uri, sas_token=sas_token, credential=credential,
                                 connection_verify=connection_verify)
    except ValueError as exc:
        raise TransferError(str(exc))


def run_export(registry_url, artifacts, container_uri, blob_name, *, sas_token=None,
               credential=None, options=(), progress_cb=None, connection_verify=True,
               max_layer_size=MAX_LAYER_SIZE, registry_auth=None):
    """An export pipeline run: ``artifacts`` of the registry at ``registry_url`` into
    ``<container_uri>/<blob_name>``. ``options``: the pipeline's option names. Storage access
    with the SAS token (SasToken mode: the Key Vault secret's value) or a TokenCredential
    (ManagedIdentity mode). Returns :class:`ExportResult`; raises :class:`TransferError`."""
    export_options = ExportOptions.from_names(options, max_layer_size=max_layer_size)
    container = _open_container(container_uri, sas_token, credential, connection_verify)
    try:
        with RegistryClient(registry_url, auth=registry_auth) as client:
            return export_artifacts(client, artifacts, container.blob(blob_name), export_options,
                                    progress_cb)
    except TransferError:
        raise
    except DataPlaneError as exc:
        raise TransferError(str(exc))
    finally:
        container.close()


def run_import(registry_url, container_uri, blob_name, *, sas_token=None, credential=None,
               options=(), progress_cb=None, connection_verify=True, expected_catalog_digest=None,
               registry_auth=None):
    """An import pipeline run (or a source-trigger run): ``<container_uri>/<blob_name>`` into the
    registry at ``registry_url``. Deletes the source blob after success with
    ``DeleteSourceBlobOnSuccess`` (a failed delete is logged, not fatal). Returns
    :class:`ImportResult`; raises :class:`TransferError`."""
    import_options = ImportOptions.from_names(options,
                                              expected_catalog_digest=expected_catalog_digest)
    container = _open_container(container_uri, sas_token, credential, connection_verify)
    try:
        with RegistryClient(registry_url, auth=registry_auth) as client:
            blob = container.blob(blob_name)
            result = import_artifacts(blob, client, import_options, progress_cb)
        if import_options.delete_source_blob_on_success:
            try:
                blob.delete(missing_ok=True)
                result.source_blob_deleted = True
            except DataPlaneError as exc:
                _LOG.warning("import of %s succeeded but deleting the source blob failed: %s",
                             blob.describe(), exc)
        return result
    except TransferError:
        raise
    except DataPlaneError as exc:
        raise TransferError(str(exc))
    finally:
        container.close()
