"""What export and import pipelines share, written once and parameterised by kind: the identity
block, the storage block (`target` for export, `source` for import), options, the body builder,
create/update/show/list/delete and the permission advice printed after a create or an update.
"""
from collections import namedtuple

from knack.log import get_logger

from ._constants import (
    DELETE_SOURCE_BLOB_ON_SUCCESS,
    EXPORT,
    IMPORT,
    MANAGED_IDENTITY,
    ROLE_BLOB_DATA_CONTRIBUTOR,
    ROLE_BLOB_DATA_READER,
    ROLE_KEY_VAULT_SECRETS_USER,
    SAS_TOKEN,
    STORAGE_CONTAINER_TYPE,
    SYSTEM_ASSIGNED_IDENTITY,
    TRIGGER_DISABLED,
    TRIGGER_ENABLED,
)

logger = get_logger(__name__)

PipelineKind = namedtuple("PipelineKind", ["name", "storage_key"])
EXPORT_KIND = PipelineKind(EXPORT, "target")
IMPORT_KIND = PipelineKind(IMPORT, "source")

STORAGE_ACCOUNT_RG_PLACEHOLDER = "<storage-account-resource-group>"
PRINCIPAL_ID_PLACEHOLDER = "<principal-id>"


# ---------------------------------------------------------------------------------------------
# Request body
# ---------------------------------------------------------------------------------------------
def build_identity(assign_identity=None):
    """System-assigned unless a user-assigned identity resource ID is given.

    assign_identity may also be a list (what `identity_from_resource` reads back from an existing
    pipeline): [system] and/or user-assigned IDs; an empty list is no identity (type None).
    Types are sent in PascalCase whatever case the service echoes.
    """
    if assign_identity is None:
        return {"type": "SystemAssigned"}
    identities = [assign_identity] if isinstance(assign_identity, str) else list(assign_identity)
    system = any(i.lower() == SYSTEM_ASSIGNED_IDENTITY for i in identities)
    users = [i for i in identities if i.lower() != SYSTEM_ASSIGNED_IDENTITY]
    if not users:
        return {"type": "SystemAssigned" if system else "None"}
    return {"type": "SystemAssigned, UserAssigned" if system else "UserAssigned",
            "userAssignedIdentities": {identity: {} for identity in users}}


def build_storage(storage_container_uri, storage_access_mode, secret_uri=None):
    """The pipeline's `target`/`source` block; URIs exactly as typed."""
    block = {"type": STORAGE_CONTAINER_TYPE, "uri": storage_container_uri}
    if storage_access_mode is not None:
        block["storageAccessMode"] = storage_access_mode
    if secret_uri is not None:
        block["keyVaultUri"] = secret_uri
    return block


def build_pipeline_body(kind, storage_container_uri, storage_access_mode, secret_uri=None,
                        assign_identity=None, options=None, source_trigger_enabled=None, location=None):
    """The PUT body of an export or import pipeline, keys in the order acrtransfer 2.0.0 sends them.

    The import trigger is always sent (Enabled unless source_trigger_enabled is False); options only
    when some are given; location only when given (update keeps the one the pipeline has).
    """
    properties = {kind.storage_key: build_storage(storage_container_uri, storage_access_mode, secret_uri)}
    if kind.name == IMPORT:
        status = TRIGGER_DISABLED if source_trigger_enabled is False else TRIGGER_ENABLED
        properties["trigger"] = {"sourceTrigger": {"status": status}}
    if options:
        properties["options"] = list(options)
    body = {"location": location} if location else {}
    body.update({"identity": build_identity(assign_identity), "properties": properties})
    return body


def identity_from_resource(identity):
    """The `assign_identity` that rebuilds an existing pipeline's identity: None (system-assigned),
    one user-assigned ID, or a list for the rarer shapes (both kinds, several, none). Reads the type
    in any case (the service echoes `systemAssigned`); principal, tenant and client IDs are read-only
    and are not carried over."""
    if not isinstance(identity, dict):
        return []
    kinds = {part.strip().lower() for part in str(identity.get("type") or "").split(",")}
    users = list((identity.get("userAssignedIdentities") or {}).keys())
    system = "systemassigned" in kinds
    if "userassigned" not in kinds:
        users = []
    if system and not users:
        return None
    if not system and len(users) == 1:
        return users[0]
    return ([SYSTEM_ASSIGNED_IDENTITY] if system else []) + users


def pipeline_body_from_resource(kind, resource, options=None, secret_uri=None, source_trigger_enabled=None):
    """The PUT body of an update: `build_pipeline_body` fed from the pipeline as read (a todict
    dict), with the changes given (None: keep). `options=[]` clears the options. Only what create
    sends is carried, so read-only fields (id, name, type, systemData, provisioningState, identity
    principal/tenant/client IDs) never reach the request."""
    storage = resource.get(kind.storage_key) or {}
    if options is None:
        options = resource.get("options") or None
    if source_trigger_enabled is None and kind.name == IMPORT:
        status = ((resource.get("trigger") or {}).get("sourceTrigger") or {}).get("status")
        source_trigger_enabled = str(status).lower() != TRIGGER_DISABLED.lower()
    return build_pipeline_body(
        kind, storage.get("uri"), storage.get("storageAccessMode"),
        secret_uri=secret_uri if secret_uri is not None else storage.get("keyVaultUri"),
        assign_identity=identity_from_resource(resource.get("identity")), options=options,
        source_trigger_enabled=source_trigger_enabled, location=resource.get("location"))


# ---------------------------------------------------------------------------------------------
# Operations: one request each (create polls only when the service answers asynchronously)
# ---------------------------------------------------------------------------------------------
def create_pipeline(cmd, client, kind, resource_group_name, registry_name, pipeline_name, body, no_wait=False):
    """One PUT; polling only if the service answers 201 + Azure-AsyncOperation. Then the advice."""
    return _put_pipeline(cmd, client, kind, resource_group_name, registry_name, pipeline_name, body, no_wait,
                         advise=True)


def update_pipeline(cmd, client, kind, resource_group_name, registry_name, pipeline_name, options=None,
                    secret_uri=None, source_trigger_enabled=None, no_wait=False):
    """One GET (the API has no PATCH: the whole resource is PUT back), then one PUT like create.

    The changes replace what the pipeline has: options (`[]` clears them), the SAS token secret
    (refused for a ManagedIdentity pipeline), the import source trigger. The permission advice is
    printed when the change needs a permission the identity may not have yet: a new secret, or
    DeleteSourceBlobOnSuccess added to a ManagedIdentity import pipeline.
    """
    from azure.cli.core.util import todict

    current = todict(client.get(resource_group_name, registry_name, pipeline_name)) or {}
    mode = (current.get(kind.storage_key) or {}).get("storageAccessMode") or SAS_TOKEN
    if secret_uri is not None and mode.lower() == MANAGED_IDENTITY.lower():
        from azure.cli.core.azclierror import MutuallyExclusiveArgumentError
        raise MutuallyExclusiveArgumentError(
            "--secret-uri/-s cannot be used: the {} pipeline '{}' uses storage access mode {}, so its identity "
            "authenticates to storage itself and reads no SAS token.".format(
                kind.name, pipeline_name, MANAGED_IDENTITY),
            recommendation="To use a SAS token instead, delete the pipeline and create it again with "
                           "--storage-access-mode SasToken --secret-uri <Key Vault secret URI>.")
    body = pipeline_body_from_resource(kind, current, options=options, secret_uri=secret_uri,
                                       source_trigger_enabled=source_trigger_enabled)
    added = set((body["properties"].get("options") or [])) - set(current.get("options") or [])
    advise = secret_uri is not None or (kind.name == IMPORT and mode.lower() == MANAGED_IDENTITY.lower()
                                        and DELETE_SOURCE_BLOB_ON_SUCCESS in added)
    return _put_pipeline(cmd, client, kind, resource_group_name, registry_name, pipeline_name, body, no_wait,
                         advise=advise)


def _put_pipeline(cmd, client, kind, resource_group_name, registry_name, pipeline_name, body, no_wait, advise):
    from azure.cli.core.commands.client_factory import get_subscription_id
    from azure.cli.core.util import sdk_no_wait, todict

    poller = sdk_no_wait(no_wait, client.begin_create, resource_group_name, registry_name, pipeline_name, body)
    if no_wait:
        result = None
    else:
        from azure.cli.core.commands import LongRunningOperation
        result = LongRunningOperation(cmd.cli_ctx)(poller)
    if advise:
        logger.warning(permission_advice(kind, body, todict(result) if result is not None else None,
                                         get_subscription_id(cmd.cli_ctx), resource_group_name, registry_name,
                                         pipeline_name))
    return poller if no_wait else result


def show_pipeline(client, resource_group_name, registry_name, pipeline_name):
    """One GET. A 404 stays an azure-core error: `show` and `wait` need it raw (see _errors.py)."""
    return client.get(resource_group_name, registry_name, pipeline_name)


def list_pipelines(client, resource_group_name, registry_name):
    """One GET per page (nextLink)."""
    return client.list(resource_group_name, registry_name)


def delete_pipeline(client, resource_group_name, registry_name, pipeline_name, no_wait=False):
    """One DELETE; polling only if the service answers 202 + Location."""
    from azure.cli.core.util import sdk_no_wait
    return sdk_no_wait(no_wait, client.begin_delete, resource_group_name, registry_name, pipeline_name)


# ---------------------------------------------------------------------------------------------
# Permission advice
# ---------------------------------------------------------------------------------------------
def _principal_id(assign_identity, result):
    identity = (result or {}).get("identity") if isinstance(result, dict) else None
    if not isinstance(identity, dict):
        return None
    if assign_identity is None or assign_identity.lower() == SYSTEM_ASSIGNED_IDENTITY:
        return identity.get("principalId")
    entries = identity.get("userAssignedIdentities")
    if not isinstance(entries, dict):
        return None
    entry = next((v for k, v in entries.items() if k.lower() == assign_identity.lower()), None)
    if entry is None and len(entries) == 1:
        entry = next(iter(entries.values()))
    return entry.get("principalId") if isinstance(entry, dict) else None


def _storage_account(uri):
    from ._validators import parse_storage_container_uri
    try:
        account, _ = parse_storage_container_uri(uri)
    except ValueError:
        account = None
    return account or "<storage-account>"


def _vault_name(secret_uri):
    from ._validators import parse_secret_uri
    try:
        host, _, _ = parse_secret_uri(secret_uri)
    except ValueError:
        return "<key-vault-name>"
    labels = host.split(".")
    return labels[0] if len(labels) >= 3 else "<key-vault-name>"


def permission_advice(kind, body, result, subscription_id, resource_group_name, registry_name, pipeline_name):
    """The one permission the new pipeline's identity still needs, as ready commands (one text block).

    kind: EXPORT_KIND or IMPORT_KIND; body: what was sent; result: the created resource as a dict
    (None with --no-wait); subscription_id: the command's own subscription.
    """
    properties = body.get("properties", {})
    storage = properties.get(kind.storage_key, {})
    mode = storage.get("storageAccessMode") or SAS_TOKEN
    user_identities = (body.get("identity") or {}).get("userAssignedIdentities") or {}
    assign_identity = next(iter(user_identities), None)
    principal = _principal_id(assign_identity, result) or PRINCIPAL_ID_PLACEHOLDER
    who = "The {} pipeline '{}' ({} identity)".format(
        kind.name, pipeline_name, "user-assigned" if assign_identity else "system-assigned")

    if mode == MANAGED_IDENTITY:
        options = properties.get("options") or []
        if kind.name == EXPORT:
            role, why = ROLE_BLOB_DATA_CONTRIBUTOR, "to write the export blob"
        elif DELETE_SOURCE_BLOB_ON_SUCCESS in options:
            role, why = ROLE_BLOB_DATA_CONTRIBUTOR, "to read blobs and delete them (DeleteSourceBlobOnSuccess)"
        else:
            role, why = ROLE_BLOB_DATA_READER, "to read the blobs"
        account = _storage_account(storage.get("uri", ""))
        scope = "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Storage/storageAccounts/{}".format(
            subscription_id, STORAGE_ACCOUNT_RG_PLACEHOLDER, account)
        lines = [
            "{} needs the '{}' role on storage account '{}' {}. Grant it with (replace {} with the storage "
            "account's resource group):".format(who, role, account, why, STORAGE_ACCOUNT_RG_PLACEHOLDER),
            '  az role assignment create --assignee-object-id {} --assignee-principal-type ServicePrincipal '
            '--role "{}" --scope {}'.format(principal, role, scope),
        ]
    else:
        secret_uri = storage.get("keyVaultUri", "")
        vault = _vault_name(secret_uri)
        lines = [
            "{} needs permission to get the SAS token secret {} from Key Vault '{}'. Grant it with:".format(
                who, secret_uri, vault),
            "  az keyvault set-policy --name {} --secret-permissions get --object-id {} --subscription {}".format(
                vault, principal, subscription_id),
            "  (A vault that uses Azure RBAC needs the '{}' role for this object ID instead.)".format(
                ROLE_KEY_VAULT_SECRETS_USER),
        ]
    if principal == PRINCIPAL_ID_PLACEHOLDER:
        query = ("identity.principalId" if not assign_identity
                 else 'identity.userAssignedIdentities.*.principalId | [0]')
        lines.append("  Find {} with: az acr {}-pipeline show -g {} -r {} -n {} --query \"{}\" -o tsv".format(
            PRINCIPAL_ID_PLACEHOLDER, kind.name, resource_group_name, registry_name, pipeline_name, query))
    return "\n".join(lines)
