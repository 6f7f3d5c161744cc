"""A small streaming client of the OCI distribution API (and Docker registry v2).

Written for registries on loopback (plain HTTP is fine) but speaks the standard protocol:
manifests are fetched with an ``Accept`` header listing the OCI and Docker v2 manifest and index
types; blobs are streamed in chunks and hashed on the way, never held whole in memory; uploads
are ``POST`` + one streamed ``PATCH`` + ``PUT ?digest=``, with cross-repository mounts when the
blob is already in another repository of the registry.

Every digest is checked: manifests pulled by digest, blobs pulled (while streaming), blobs pushed
(client side before the final ``PUT``, and against the ``Docker-Content-Digest`` the registry
answers) and manifests pushed.
"""

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin

import requests

from .errors import (BlobUnknownError, DigestMismatchError, ManifestUnknownError, RegistryError)

_LOG = logging.getLogger(__name__)

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"

INDEX_MEDIA_TYPES = (OCI_INDEX, DOCKER_MANIFEST_LIST)
IMAGE_MANIFEST_MEDIA_TYPES = (OCI_MANIFEST, DOCKER_MANIFEST)
MANIFEST_MEDIA_TYPES = IMAGE_MANIFEST_MEDIA_TYPES + INDEX_MEDIA_TYPES
ACCEPT_MANIFESTS = ", ".join(MANIFEST_MEDIA_TYPES)

# Registries refuse bigger manifests (distribution: 4 MiB); so do we, when reading them.
MAX_MANIFEST_SIZE = 4 * 1024 * 1024
DEFAULT_CHUNK_SIZE = 1024 * 1024

_REPO_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
REPOSITORY_RE = re.compile(r"^%s(?:/%s)*$" % (_REPO_COMPONENT, _REPO_COMPONENT))
TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
DIGEST_RE = re.compile(r"^sha256:[a-f0-9]{64}$")


def sha256_digest(data):
    """``sha256:<hex>`` of ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def check_digest(digest):
    """Return ``digest`` if it is a sha256 digest, else raise ValueError."""
    if not isinstance(digest, str) or not DIGEST_RE.match(digest):
        raise ValueError("unsupported or malformed digest %r (only sha256:<64 hex> is supported)"
                         % (digest,))
    return digest


def is_digest(text):
    return isinstance(text, str) and bool(DIGEST_RE.match(text))


@dataclass(frozen=True)
class Reference:
    """An artifact reference without registry host: ``repo:tag`` or ``repo@sha256:...``."""

    repository: str
    tag: str = None
    digest: str = None

    @classmethod
    def parse(cls, text, default_tag="latest"):
        """Parse ``repo:tag``, ``repo@sha256:<hex>`` or bare ``repo`` (= ``repo:latest``)."""
        if not isinstance(text, str) or not text or text != text.strip():
            raise ValueError("invalid artifact reference %r" % (text,))
        repo, tag, digest = text, None, None
        if "@" in text:
            repo, digest = text.split("@", 1)
            if not DIGEST_RE.match(digest):
                raise ValueError("invalid digest in artifact reference %r" % text)
        else:
            slash = text.rfind("/")
            colon = text.rfind(":")
            if colon > slash:
                repo, tag = text[:colon], text[colon + 1:]
                if not TAG_RE.match(tag):
                    raise ValueError("invalid tag in artifact reference %r" % text)
            else:
                tag = default_tag
        if not REPOSITORY_RE.match(repo) or len(repo) > 255:
            raise ValueError("invalid repository name in artifact reference %r" % text)
        return cls(repo, tag, digest)

    @property
    def reference(self):
        """What goes after ``/manifests/``: the digest if any, else the tag."""
        return self.digest or self.tag

    def __str__(self):
        if self.digest:
            return "%s@%s" % (self.repository, self.digest)
        return "%s:%s" % (self.repository, self.tag)


def detect_media_type(parsed, fallback=None):
    """Media type of a manifest: its ``mediaType`` field, else ``fallback``, else by shape."""
    media_type = parsed.get("mediaType") if isinstance(parsed, dict) else None
    if media_type:
        return media_type
    if fallback:
        return fallback
    if isinstance(parsed, dict) and "manifests" in parsed:
        return OCI_INDEX
    return OCI_MANIFEST


@dataclass
class Manifest:
    """A manifest's exact bytes with its digest and media type."""

    digest: str
    media_type: str
    data: bytes
    _parsed: object = field(default=None, repr=False, compare=False)

    @property
    def json(self):
        if self._parsed is None:
            try:
                self._parsed = json.loads(self.data)
            except ValueError as exc:
                raise RegistryError("manifest %s is not valid JSON: %s" % (self.digest, exc))
            if not isinstance(self._parsed, dict):
                raise RegistryError("manifest %s is not a JSON object" % self.digest)
        return self._parsed

    @property
    def size(self):
        return len(self.data)

    @property
    def is_index(self):
        return self.media_type in INDEX_MEDIA_TYPES

    def children(self):
        """Descriptors of the manifests an index refers to (empty for an image manifest)."""
        if not self.is_index:
            return []
        return list(self.json.get("manifests") or [])

    def blobs(self):
        """Descriptors of the blobs an image manifest refers to: config, then layers."""
        if self.is_index:
            return []
        parsed = self.json
        out = []
        if isinstance(parsed.get("config"), dict):
            out.append(parsed["config"])
        out.extend(parsed.get("layers") or [])
        return out

    def descriptor(self, annotations=None):
        desc = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        if annotations:
            desc["annotations"] = dict(annotations)
        return desc


@dataclass
class Artifact:
    """An artifact resolved in a repository, with everything it references.

    ``manifests``: the top manifest first, then children (parents before children: top-down);
    ``push_order()`` gives children before parents. ``blobs``: unique config and layer descriptors.
    """

    reference: Reference
    manifest: Manifest
    manifests: list
    blobs: list

    @property
    def repository(self):
        return self.reference.repository

    @property
    def digest(self):
        return self.manifest.digest

    def push_order(self):
        return list(reversed(self.manifests))

    @property
    def total_size(self):
        return sum(m.size for m in self.manifests) + sum(int(b["size"]) for b in self.blobs)


def _error_from_response(resp, what):
    code = None
    detail = ""
    try:
        body = resp.json()
        errors = body.get("errors") or []
        if errors:
            code = errors[0].get("code")
            detail = "; ".join("%s: %s" % (e.get("code"), e.get("message")) for e in errors)
    except ValueError:
        detail = (resp.text or "")[:200]
    message = "%s: registry answered %s %s" % (what, resp.status_code, detail or resp.reason)
    if resp.status_code == 404 or code in ("MANIFEST_UNKNOWN", "NAME_UNKNOWN", "BLOB_UNKNOWN"):
        if code == "BLOB_UNKNOWN" or "/blobs/" in resp.request.path_url:
            return BlobUnknownError(message, resp.status_code, code)
        return ManifestUnknownError(message, resp.status_code, code)
    return RegistryError(message, resp.status_code, code)


class _HashingIterator:
    """Iterate over chunks, hashing and counting them."""

    def __init__(self, chunks, verify=True):
        self._chunks = iter(chunks)
        self.sha256 = hashlib.sha256() if verify else None
        self.count = 0

    def __iter__(self):
        for chunk in self._chunks:
            if chunk:
                if self.sha256 is not None:
                    self.sha256.update(chunk)
                self.count += len(chunk)
                yield chunk

    @property
    def digest(self):
        return "sha256:" + self.sha256.hexdigest()


class RegistryClient:
    """Client of one registry, e.g. ``RegistryClient("http://127.0.0.1:5000")``.

    One ``requests.Session`` (keep-alive). ``auth`` is passed to the session (e.g. a
    ``(user, password)`` tuple); anonymous by default.
    """

    def __init__(self, base_url, *, session=None, auth=None, timeout=(10, 300),
                 chunk_size=DEFAULT_CHUNK_SIZE, verify=True):
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        if auth is not None:
            self.session.auth = auth
        self.session.verify = verify
        self.timeout = timeout
        self.chunk_size = chunk_size

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- plumbing -----------------------------------------------------------------------------

    def _url(self, path):
        return self.base_url + path

    @staticmethod
    def _repo(repo):
        if not REPOSITORY_RE.match(repo or ""):
            raise ValueError("invalid repository name %r" % (repo,))
        return repo

    def _request(self, method, url, what, ok=(200,), **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        try:
            resp = self.session.request(method, url, **kwargs)
        except requests.RequestException as exc:
            raise RegistryError("%s: cannot reach the registry at %s: %s"
                                % (what, self.base_url, exc))
        if resp.status_code not in ok:
            try:
                raise _error_from_response(resp, what)
            finally:
                resp.close()
        return resp

    def ping(self):
        """``GET /v2/``: True when the registry speaks the distribution API."""
        resp = self._request("GET", self._url("/v2/"), "ping", ok=(200, 401))
        resp.close()
        return True

    # -- manifests ------------------------------------------------------------------------------

    def get_manifest(self, repo, reference, expected_media_type=None):
        """Fetch a manifest by tag or digest; returns :class:`Manifest` (digest verified)."""
        self._repo(repo)
        what = "get manifest %s:%s" % (repo, reference) if not is_digest(reference) \
            else "get manifest %s@%s" % (repo, reference)
        resp = self._request("GET", self._url("/v2/%s/manifests/%s" % (repo, reference)), what,
                             headers={"Accept": ACCEPT_MANIFESTS}, stream=True)
        try:
            data = resp.raw.read(MAX_MANIFEST_SIZE + 1, decode_content=True)
        finally:
            resp.close()
        if len(data) > MAX_MANIFEST_SIZE:
            raise RegistryError("%s: manifest larger than %d bytes" % (what, MAX_MANIFEST_SIZE))
        digest = sha256_digest(data)
        if is_digest(reference) and digest != reference:
            raise DigestMismatchError(reference, digest, "manifest %s@%s" % (repo, reference))
        header_digest = resp.headers.get("Docker-Content-Digest")
        if header_digest and header_digest != digest:
            raise DigestMismatchError(header_digest, digest, "manifest %s:%s" % (repo, reference))
        content_type = (resp.headers.get("Content-Type") or "").split(";")[0].strip()
        manifest = Manifest(digest, None, data)
        parsed = manifest.json
        media_type = parsed.get("mediaType") or (
            content_type if content_type in MANIFEST_MEDIA_TYPES else None) \
            or detect_media_type(parsed, expected_media_type)
        if media_type not in MANIFEST_MEDIA_TYPES:
            raise RegistryError("%s: unsupported manifest media type %r" % (what, media_type))
        manifest.media_type = media_type
        return manifest

    def resolve(self, reference):
        """Resolve ``repo:tag``, ``repo@sha256:...`` or bare ``repo`` to a :class:`Manifest`."""
        ref = reference if isinstance(reference, Reference) else Reference.parse(reference)
        return self.get_manifest(ref.repository, ref.reference)

    def head_manifest(self, repo, reference):
        """``(digest, media_type, size)`` of a manifest, or None when it does not exist."""
        self._repo(repo)
        resp = self._request("HEAD", self._url("/v2/%s/manifests/%s" % (repo, reference)),
                             "head manifest %s %s" % (repo, reference), ok=(200, 404),
                             headers={"Accept": ACCEPT_MANIFESTS})
        resp.close()
        if resp.status_code == 404:
            return None
        digest = resp.headers.get("Docker-Content-Digest")
        media_type = (resp.headers.get("Content-Type") or "").split(";")[0].strip()
        size = int(resp.headers.get("Content-Length") or 0)
        if not digest:
            digest = self.get_manifest(repo, reference).digest
        return digest, media_type, size

    def get_tag_digest(self, repo, tag):
        """The digest ``repo:tag`` points to, or None when the tag (or repository) does not exist."""
        found = self.head_manifest(repo, tag)
        return found[0] if found else None

    def manifest_exists(self, repo, digest):
        return self.head_manifest(repo, check_digest(digest)) is not None

    def push_manifest(self, repo, reference, data, media_type):
        """``PUT`` a manifest under a tag or its digest; returns the digest (verified)."""
        self._repo(repo)
        digest = sha256_digest(data)
        if is_digest(reference) and reference != digest:
            raise DigestMismatchError(reference, digest, "manifest pushed to %s" % repo)
        resp = self._request("PUT", self._url("/v2/%s/manifests/%s" % (repo, reference)),
                             "push manifest %s %s" % (repo, reference), ok=(200, 201),
                             data=data, headers={"Content-Type": media_type})
        resp.close()
        answered = resp.headers.get("Docker-Content-Digest")
        if answered and answered != digest:
            raise DigestMismatchError(digest, answered, "manifest stored in %s" % repo)
        return digest

    def delete_manifest(self, repo, digest):
        """Delete a manifest by digest (the registry must allow deletes)."""
        self._repo(repo)
        resp = self._request("DELETE", self._url("/v2/%s/manifests/%s" % (repo, check_digest(digest))),
                             "delete manifest %s@%s" % (repo, digest), ok=(200, 202))
        resp.close()

    def list_tags(self, repo):
        self._repo(repo)
        tags = []
        url = self._url("/v2/%s/tags/list?n=1000" % repo)
        while url:
            resp = self._request("GET", url, "list tags of %s" % repo, ok=(200, 404))
            if resp.status_code == 404:
                return []
            tags.extend(resp.json().get("tags") or [])
            url = self._next_link(resp)
        return tags

    def catalog(self):
        repos = []
        url = self._url("/v2/_catalog?n=1000")
        while url:
            resp = self._request("GET", url, "list repositories")
            repos.extend(resp.json().get("repositories") or [])
            url = self._next_link(resp)
        return repos

    def _next_link(self, resp):
        link = resp.links.get("next", {}).get("url")
        return urljoin(self.base_url + "/", link) if link else None

    # -- walking ------------------------------------------------------------------------------

    def collect(self, reference):
        """Resolve an artifact and everything it references (index children, configs, layers).

        Returns :class:`Artifact`. Blob sizes come from the descriptors; ``blob_exists`` is not
        called here (see :meth:`check_blobs`).
        """
        ref = reference if isinstance(reference, Reference) else Reference.parse(reference)
        top = self.get_manifest(ref.repository, ref.reference)
        manifests, blobs = [], []
        seen_manifests, seen_blobs = set(), set()
        queue = [top]
        while queue:
            manifest = queue.pop(0)
            if manifest.digest in seen_manifests:
                continue
            seen_manifests.add(manifest.digest)
            manifests.append(manifest)
            for child in manifest.children():
                child_digest = check_digest(child.get("digest"))
                if child_digest in seen_manifests:
                    continue
                queue.append(self.get_manifest(ref.repository, child_digest,
                                               expected_media_type=child.get("mediaType")))
            for desc in manifest.blobs():
                digest = check_digest(desc.get("digest"))
                if digest not in seen_blobs:
                    seen_blobs.add(digest)
                    blobs.append(desc)
        return Artifact(ref, top, manifests, blobs)

    # -- blobs --------------------------------------------------------------------------------

    def blob_exists(self, repo, digest):
        """Size of the blob in ``repo``, or None when the repository does not have it."""
        self._repo(repo)
        resp = self._request("HEAD", self._url("/v2/%s/blobs/%s" % (repo, check_digest(digest))),
                             "head blob %s@%s" % (repo, digest), ok=(200, 404),
                             allow_redirects=True)
        resp.close()
        if resp.status_code == 404:
            return None
        return int(resp.headers.get("Content-Length") or 0)

    def blob_stream(self, repo, digest, size=None, verify=True, chunk_size=None):
        """Yield the blob's bytes in chunks; raises :class:`DigestMismatchError` after the last
        chunk when the content does not hash to ``digest`` (or is not ``size`` bytes long)."""
        self._repo(repo)
        check_digest(digest)
        resp = self._request("GET", self._url("/v2/%s/blobs/%s" % (repo, digest)),
                             "get blob %s@%s" % (repo, digest), stream=True)
        return self._stream_body(resp, repo, digest, size, verify, chunk_size or self.chunk_size)

    @staticmethod
    def _stream_body(resp, repo, digest, size, verify, chunk_size):
        hasher = hashlib.sha256() if verify else None
        count = 0
        try:
            for chunk in resp.raw.stream(chunk_size, decode_content=False):
                if not chunk:
                    continue
                count += len(chunk)
                if hasher is not None:
                    hasher.update(chunk)
                yield chunk
        except requests.RequestException as exc:
            raise RegistryError("get blob %s@%s: transfer interrupted: %s" % (repo, digest, exc))
        except Exception as exc:  # urllib3 errors (ProtocolError, ReadTimeoutError...)
            if type(exc).__module__.startswith("urllib3"):
                raise RegistryError("get blob %s@%s: transfer interrupted: %s"
                                    % (repo, digest, exc))
            raise
        finally:
            resp.close()
        if size is not None and count != int(size):
            raise DigestMismatchError(digest, "%d bytes instead of %s" % (count, size),
                                      "blob %s@%s" % (repo, digest))
        if hasher is not None:
            actual = "sha256:" + hasher.hexdigest()
            if actual != digest:
                raise DigestMismatchError(digest, actual, "blob %s@%s" % (repo, digest))

    def mount_blob(self, repo, digest, from_repo):
        """Cross-repository mount; True if the registry mounted it, False if it cannot."""
        self._repo(repo)
        self._repo(from_repo)
        resp = self._request(
            "POST", self._url("/v2/%s/blobs/uploads/?mount=%s&from=%s"
                              % (repo, quote(check_digest(digest)), quote(from_repo))),
            "mount blob %s into %s" % (digest, repo), ok=(201, 202))
        resp.close()
        if resp.status_code == 201:
            return True
        self._cancel_upload(resp.headers.get("Location"))
        return False

    def push_blob(self, repo, digest, size, chunks, mount_from=None, verify=True):
        """Upload a blob from an iterable of byte chunks.

        ``POST /blobs/uploads/`` (with ``mount``/``from`` when ``mount_from``), then one streamed
        ``PATCH`` (chunked transfer encoding, nothing buffered), then ``PUT ?digest=``. The bytes
        are hashed on the way: a size or digest mismatch cancels the upload and raises
        :class:`DigestMismatchError` before the registry commits anything (``verify=False`` skips
        the client-side hash when the producer verifies; the registry still checks the digest at
        the final ``PUT``). Returns ``"mounted"`` (``chunks`` untouched) or ``"uploaded"``.
        """
        self._repo(repo)
        check_digest(digest)
        what = "push blob %s to %s" % (digest, repo)
        url = self._url("/v2/%s/blobs/uploads/" % repo)
        if mount_from:
            url += "?mount=%s&from=%s" % (quote(digest), quote(self._repo(mount_from)))
        resp = self._request("POST", url, what, ok=(201, 202), headers={"Content-Length": "0"})
        resp.close()
        if resp.status_code == 201:
            return "mounted"
        location = self._location(resp, what)
        try:
            hashing = _HashingIterator(chunks, verify)
            if size:
                resp = self._request("PATCH", location, what, ok=(202, 204), data=iter(hashing),
                                     headers={"Content-Type": "application/octet-stream"})
                resp.close()
                location = self._location(resp, what)
            else:
                for _ in hashing:  # drain: an empty blob must really be empty
                    pass
            if hashing.count != int(size):
                raise DigestMismatchError(digest, "%d bytes instead of %s" % (hashing.count, size),
                                          "blob %s for %s" % (digest, repo))
            if verify and hashing.digest != digest:
                raise DigestMismatchError(digest, hashing.digest, "blob %s for %s" % (digest, repo))
            sep = "&" if "?" in location else "?"
            resp = self._request("PUT", location + sep + "digest=" + quote(digest), what,
                                 ok=(201, 204), headers={"Content-Length": "0"})
            resp.close()
        except BaseException:
            self._cancel_upload(location)
            raise
        answered = resp.headers.get("Docker-Content-Digest")
        if answered and answered != digest:
            raise DigestMismatchError(digest, answered, "blob stored in %s" % repo)
        return "uploaded"

    def copy_blob(self, src_repo, dst_repo, digest, size=None):
        """Make a blob of ``src_repo`` available in ``dst_repo`` of the same registry: mount, or
        stream it through this client when the registry cannot mount."""
        if self.mount_blob(dst_repo, digest, src_repo):
            return "mounted"
        if size is None:
            size = self.blob_exists(src_repo, digest)
        self.push_blob(dst_repo, digest, size, self.blob_stream(src_repo, digest, size))
        return "uploaded"

    def delete_blob(self, repo, digest):
        self._repo(repo)
        resp = self._request("DELETE", self._url("/v2/%s/blobs/%s" % (repo, check_digest(digest))),
                             "delete blob %s@%s" % (repo, digest), ok=(200, 202))
        resp.close()

    def _location(self, resp, what):
        location = resp.headers.get("Location")
        if not location:
            raise RegistryError("%s: the registry gave no upload location" % what)
        return urljoin(self.base_url + "/", location)

    def _cancel_upload(self, location):
        if not location:
            return
        try:
            self.session.delete(urljoin(self.base_url + "/", location), timeout=self.timeout).close()
        except requests.RequestException:
            pass
