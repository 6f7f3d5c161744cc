"""The data plane of the local ACR Transfer service: real transfers on one machine.

The service loads it with ``"dataplane": "acrtransfer_emulator.dataplane:create"`` (or an object
with ``"factory"`` and settings, see :mod:`.plane`). Export artifacts from a distribution registry
into one blob in (Azurite) blob storage, carry the blob to another container, import it into
another registry; the source trigger starts import runs for the blobs it may import. Modules:

* :mod:`.plane` - the service's DataPlane: components, routes, settings (``create`` builds it)
* :mod:`.runs` - the seam's Transfer for one registry (what a pipeline run does)
* :mod:`.access` - a pipeline's way into storage: SAS from Key Vault, or identity token + role check
* :mod:`.keyvault` - the Key Vault secrets endpoint and store
* :mod:`.trigger` - the import pipelines' source trigger
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


def create(service):
    """The data plane factory named by the service's ``dataplane`` setting."""
    from .plane import LocalDataPlane
    return LocalDataPlane(service)


__all__ = [
    "create", "BlobExistsError", "BlobNotFoundError", "DataPlaneError", "DigestMismatchError",
    "LayoutError", "RegistryError", "StorageAuthError", "StorageError", "TransferError",
]
