"""Errors of the data plane.

Every error raised by the data plane derives from :class:`DataPlaneError`. The transfer entry
points (:mod:`.transfer`) raise :class:`TransferError` only: its message is written for the user
(it becomes the run's ``pipelineRunErrorMessage``) and never contains a SAS signature.
"""


class DataPlaneError(Exception):
    """Base class of the data plane's errors."""

    @property
    def message(self):
        return str(self)


class TransferError(DataPlaneError):
    """A run failed; ``str(error)`` is the user-facing reason."""


class RegistryError(DataPlaneError):
    """A registry answered with an error (or could not be reached)."""

    def __init__(self, message, status=None, code=None):
        super().__init__(message)
        self.status = status
        self.code = code


class ManifestUnknownError(RegistryError):
    """The manifest (tag or digest) does not exist in the repository."""


class BlobUnknownError(RegistryError):
    """The blob does not exist in the repository."""


class DigestMismatchError(DataPlaneError):
    """Content did not hash to the digest that names it."""

    def __init__(self, expected, actual, what="content"):
        super().__init__("%s did not verify: expected %s, got %s" % (what, expected, actual))
        self.expected = expected
        self.actual = actual


class LayoutError(DataPlaneError):
    """The transfer blob is not a valid transfer layout."""


class StorageError(DataPlaneError):
    """Blob storage refused or failed an operation."""


class BlobExistsError(StorageError):
    """The target blob exists and overwriting was not asked for."""


class BlobNotFoundError(StorageError):
    """The blob (or its container) does not exist."""


class StorageAuthError(StorageError):
    """Blob storage refused the credential (SAS or bearer token)."""
