"""The data plane of the local ACR Transfer service: real transfers on one machine.

Export artifacts from a distribution registry into one blob in (Azurite) blob storage, carry the
blob to another container, import it into another registry; the source trigger lists the blobs it
may import. Modules:

* :mod:`.processes` - start/stop the registry and Azurite on 127.0.0.1
* :mod:`.oci` - streaming OCI distribution client
* :mod:`.layout` - the transfer blob format (an OCI image layout tarball, see FORMAT.md)
* :mod:`.storage` - Azure blob access (SAS or bearer token), streaming upload/download, copy
* :mod:`.tokens` - storage bearer tokens as Azurite accepts them
* :mod:`.transfer` - export/import with the pipeline options; ``run_export``/``run_import``
* :mod:`.samples` - sample images for tests and the demo

Heavy dependencies (requests, azure-storage-blob, cryptography) are imported by the modules that
need them, not here.
"""

from .errors import (BlobExistsError, BlobNotFoundError, DataPlaneError, DigestMismatchError,
                     LayoutError, RegistryError, StorageAuthError, StorageError, TransferError)

__all__ = [
    "BlobExistsError", "BlobNotFoundError", "DataPlaneError", "DigestMismatchError",
    "LayoutError", "RegistryError", "StorageAuthError", "StorageError", "TransferError",
]
