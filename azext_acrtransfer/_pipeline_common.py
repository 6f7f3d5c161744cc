# --------------------------------------------------------------------------------------------
# Copyright (c) Microsoft Corporation. All rights reserved.
# Licensed under the MIT License. See License.txt in the project root for license information.
# --------------------------------------------------------------------------------------------
"""What export and import pipelines share, written once and parameterised by kind: the identity
block, the storage block (`target` for export, `source` for import), options, the body builder,
create/show/list/delete and the permission advice printed after a create.
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
    """System-assigned unless a user-assigned identity resource ID is given."""
    if assign_identity is None or assign_identity.lower() == SYSTEM_ASSIGNED_IDENTITY:
        return {"type": "SystemAssigned"}
    return {"type": "UserAssigned", "userAssignedIdentities": {assign_identity: {}}}


def build_storage(storage_container_uri, storage_access_mode, secret_uri=None):
    """The pipeline's `target`/`source` block; URIs exactly as typed."""
    block = {"type": STORAGE_CONTAINER_TYPE, "uri": storage_container_uri}
    if storage_access_mode is not None:
        block["storageAccessMode"] = storage_access_mode
    if secret_uri is not None:
        block["keyVaultUri"] = secret_uri
    return block


def build_pipeline_body(kind, storage_container_uri, storage_access_mode, secret_uri=None,
                        assign_identity=None, options=None, source_trigger_enabled=None):
    """The PUT body of an export or import pipeline, keys in the order acrtransfer 2.0.0 sends them.

    The import trigger is always sent (Enabled unless source_trigger_enabled is False); options only
    when some are given.
    """
    properties = {kind.storage_key: build_storage(storage_container_uri, storage_access_mode, secret_uri)}
    if kind.name == IMPORT:
        status = TRIGGER_DISABLED if source_trigger_enabled is False else TRIGGER_ENABLED
        properties["trigger"] = {"sourceTrigger": {"status": status}}
    if options:
        properties["options"] = list(options)
    return {"identity": build_identity(assign_identity), "properties": properties}


# ---------------------------------------------------------------------------------------------
# Operations: one request each (create polls only when the service answers asynchronously)
# ---------------------------------------------------------------------------------------------
def create_pipeline(cmd, client, kind, resource_group_name, registry_name, pipeline_name, body, no_wait=False):
    """One PUT; polling only if the service answers 201 + Azure-AsyncOperation. Then the advice."""
    from azure.cli.core.commands.client_factory import get_subscription_id
    from azure.cli.core.util import sdk_no_wait, todict

    poller = sdk_no_wait(no_wait, client.begin_create, resource_group_name, registry_name, pipeline_name, body)
    if no_wait:
        result = None
    else:
        from azure.cli.core.commands import LongRunningOperation
        result = LongRunningOperation(cmd.cli_ctx)(poller)
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
