"""How a pipeline reaches its storage container, and whether it may.

* SasToken mode: the pipeline's identity reads the SAS token from the Key Vault secret its
  ``keyVaultUri`` names (the local store, :mod:`.keyvault`); storage (Azurite) checks the SAS.
* ManagedIdentity mode: the pipeline's identity gets a storage token (audience
  ``https://storage.azure.com``, issuer ``https://sts.windows.net/<tenant>/``, as Azurite
  accepts). Azurite does no RBAC, so THIS module checks the role assignments configured in
  ``dataplane.storage_permissions`` before a run touches storage, and a run without the role fails
  with the 403 storage answers: ``AuthorizationPermissionMismatch``.

A permission entry: ``{"principal": P, "container": C, "role": R}``.

* ``P``: ``*``, the pipeline's name, the identity's principal id, or a user-assigned identity's
  name or resource ID (case-insensitive).
* ``C``: ``*``, ``<account>/*`` or ``<account>/<container>``.
* ``R``: ``Storage Blob Data Reader`` (read, list), ``Storage Blob Data Contributor`` or
  ``Storage Blob Data Owner`` (read, list, write, delete).

Without the setting every identity is a Contributor everywhere.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

READ, WRITE, DELETE = "read", "write", "delete"
ROLES = {
    "storage blob data reader": {READ},
    "storage blob data contributor": {READ, WRITE, DELETE},
    "storage blob data owner": {READ, WRITE, DELETE},
}
DEFAULT_PERMISSIONS = [{"principal": "*", "container": "*", "role": "Storage Blob Data Contributor"}]
_WHAT = {READ: "read and list blobs", WRITE: "write blobs", DELETE: "delete blobs"}
_ROLE_FOR = {READ: "Storage Blob Data Reader", WRITE: "Storage Blob Data Contributor",
             DELETE: "Storage Blob Data Contributor"}


class AccessError(Exception):
    """The pipeline cannot reach its storage; the message is the run's pipelineRunErrorMessage."""


def check_permissions(entries):
    """Validate ``storage_permissions`` (raises ValueError naming the bad entry)."""
    if not isinstance(entries, list):
        raise ValueError("dataplane.storage_permissions must be a list")
    for i, entry in enumerate(entries):
        where = "dataplane.storage_permissions[%d]" % i
        if not isinstance(entry, dict) or set(entry) != {"principal", "container", "role"}:
            raise ValueError("%s must be {\"principal\", \"container\", \"role\"}" % where)
        if str(entry["role"]).lower() not in ROLES:
            raise ValueError("%s: unknown role %r; use one of Storage Blob Data Reader, Contributor, Owner"
                             % (where, entry["role"]))
        container = str(entry["container"])
        if container != "*" and container.count("/") != 1:
            raise ValueError("%s: container must be *, <account>/* or <account>/<container>" % where)
    return entries


@dataclass
class Identity:
    """The identity a pipeline uses for storage and Key Vault."""

    principal_id: str
    client_id: str = None
    resource_id: str = None          # user-assigned only

    def names(self):
        names = {self.principal_id.lower()}
        if self.resource_id:
            names.add(self.resource_id.lower())
            names.add(self.resource_id.rstrip("/").rsplit("/", 1)[-1].lower())
        return names

    def describe(self):
        if self.resource_id:
            return "user-assigned identity '%s' (principal %s)" % (
                self.resource_id.rstrip("/").rsplit("/", 1)[-1], self.principal_id)
        return "system-assigned identity (principal %s)" % self.principal_id


def pipeline_identity(pipeline_doc):
    """The pipeline's storage identity: its user-assigned identity if it has one (a pipeline has at
    most one), else its system-assigned one; None without an identity."""
    identity = pipeline_doc.get("identity") or {}
    users = identity.get("userAssignedIdentities") or {}
    if users:
        resource_id, entry = next(iter(users.items()))
        return Identity(entry["principalId"], entry.get("clientId"), resource_id)
    if identity.get("principalId"):
        return Identity(identity["principalId"])
    return None


@dataclass
class ContainerRef:
    """A storage container: the URI the SDK opens, and its account and name."""

    uri: str
    account: str
    container: str

    def __str__(self):
        return "%s/%s" % (self.account, self.container)


def resolve_container(uri, storage_url, accounts):
    """Where a pipeline's container URI points: path style ``https://host:port/<account>/<container>``
    as is; ``https://<account>.blob.<suffix>/<container>`` for an account of the local Azurite
    (``accounts``) mapped to it, so pipelines can carry realistic URIs."""
    parts = urlsplit(uri)
    segments = [s for s in parts.path.split("/") if s]
    host = (parts.hostname or "").lower()
    labels = host.split(".")
    if len(segments) == 1 and len(labels) > 2 and labels[1] == "blob":
        account = labels[0]
        if storage_url and account in accounts:
            return ContainerRef("%s/%s/%s" % (storage_url, account, segments[0]), account, segments[0])
        return ContainerRef("%s://%s/%s" % (parts.scheme, parts.netloc, segments[0]), account, segments[0])
    if len(segments) == 2:
        return ContainerRef("%s://%s/%s/%s" % (parts.scheme, parts.netloc, segments[0], segments[1]),
                            segments[0], segments[1])
    raise AccessError("The storage container URI '%s' is neither https://<account>.blob.core.windows.net/"
                      "<container> nor https://<host>:<port>/<account>/<container>." % uri)


def granted(entries, pipeline_name, identity, container):
    """The actions ``identity`` (of pipeline ``pipeline_name``) may do on ``container``."""
    names = identity.names() | {pipeline_name.lower()}
    actions = set()
    for entry in entries:
        principal = str(entry["principal"]).lower()
        scope = str(entry["container"]).lower()
        if principal != "*" and principal not in names:
            continue
        if scope not in ("*", "%s/*" % container.account.lower(), str(container).lower()):
            continue
        actions |= ROLES[str(entry["role"]).lower()]
    return actions


def require(entries, kind_noun, pipeline_name, identity, container, needed):
    """Raise AccessError (the 403 storage answers) unless ``identity`` has every action in ``needed``."""
    missing = [a for a in (READ, WRITE, DELETE) if a in needed and a not in granted(
        entries, pipeline_name, identity, container)]
    if missing:
        raise AccessError(
            "AuthorizationPermissionMismatch: This request is not authorized to perform this operation using "
            "this permission. The %s of %s '%s' has no role assignment on storage container '%s' that allows it "
            "to %s (assign %s)." % (identity.describe(), kind_noun, pipeline_name, container,
                                   " and ".join(_WHAT[a] for a in missing), _ROLE_FOR[missing[-1]]))


@dataclass
class StorageAccess:
    """A run's way into its container: a SAS token (SasToken mode) or a token credential."""

    container: ContainerRef
    mode: str
    sas_token: str = None
    credential: object = None
    key_vault_uri: str = None
    identity: Identity = None
    pipeline_uri: str = None         # the container URI as the pipeline names it

    def explain(self, error):
        """The run's message for a transfer error, with a hint when storage refused the credential.
        Locations read as the pipeline names its container (an account-style URI, not the local
        Azurite URL it maps to)."""
        from .storage import redact_text
        message = redact_text(str(error)).rstrip(".")
        if self.pipeline_uri:
            message = message.replace(self.container.uri.rstrip("/"), self.pipeline_uri.rstrip("/"))
        if "refused the credential" not in message:
            return message
        if self.mode == "SasToken":
            return ("%s. Check the SAS token in Key Vault secret %s: it must be for container %s, not expired, "
                    "with the permissions the run needs (export: read, add, create, write, list; import: read, "
                    "list, and delete with DeleteSourceBlobOnSuccess)." % (message, self.key_vault_uri,
                                                                          self.container))
        return "%s. Storage refused the token of the pipeline's %s." % (message, self.identity.describe())
