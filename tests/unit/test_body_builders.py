"""Request-body builders (pipelines and runs), the pipeline ID a run names, and the permission advice.

Bodies are compared as serialised JSON, so key order is checked too: it must be the order acrtransfer
2.0.0 sends (docs: /work/shared/REFERENCE.md §3, and the 2.0.0 recordings).
"""
import json

from azext_acrtransfer._pipeline_common import (
    EXPORT_KIND,
    IMPORT_KIND,
    build_identity,
    build_storage,
    permission_advice,
)
from azext_acrtransfer.export_pipeline import build_export_pipeline_body
from azext_acrtransfer.import_pipeline import build_import_pipeline_body
from azext_acrtransfer.pipeline_run import build_pipeline_run_body, pipeline_resource_id

SUB = "00000000-0000-0000-0000-000000000000"
URI = "https://acrtransfer000002.blob.core.windows.net/export-container"
SECRET = "https://kv000005.vault.azure.net/secrets/sas-token-secret"
UAI = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/cli_test_acr_transfer_export_uai_000001"
       "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/identity000005")


def dumps(body):
    return json.dumps(body)


# --------------------------------------------------------------------------------------------- blocks
def test_identity_block():
    assert build_identity(None) == {"type": "SystemAssigned"}
    assert build_identity("[system]") == {"type": "SystemAssigned"}
    assert build_identity(UAI) == {"type": "UserAssigned", "userAssignedIdentities": {UAI: {}}}


def test_storage_block_omits_none_and_keeps_uri_as_typed():
    mixed_case = "https://Account.blob.core.windows.net/Transfer-Container"
    assert dumps(build_storage(mixed_case, "ManagedIdentity")) == dumps(
        {"type": "AzureStorageBlobContainer", "uri": mixed_case, "storageAccessMode": "ManagedIdentity"})
    assert dumps(build_storage(URI, "SasToken", SECRET)) == dumps(
        {"type": "AzureStorageBlobContainer", "uri": URI, "storageAccessMode": "SasToken", "keyVaultUri": SECRET})


# --------------------------------------------------------------------------------------------- pipelines
def test_export_body_managed_identity_system_assigned_as_2_0_0_sends_it():
    # 2.0.0 recording test_acr_export_pipeline_entra_mi_auth_no_identity
    expected = ('{"identity": {"type": "SystemAssigned"}, "properties": {"target": {"type": '
                '"AzureStorageBlobContainer", "uri": "' + URI + '", "storageAccessMode": "ManagedIdentity"}}}')
    assert dumps(build_export_pipeline_body(URI, "ManagedIdentity")) == expected


def test_export_body_user_assigned_as_2_0_0_sends_it():
    # 2.0.0 recording test_acr_export_pipeline_entra_mi_auth_user_assigned
    expected = ('{"identity": {"type": "UserAssigned", "userAssignedIdentities": {"' + UAI + '": {}}}, '
                '"properties": {"target": {"type": "AzureStorageBlobContainer", "uri": "' + URI + '", '
                '"storageAccessMode": "ManagedIdentity"}}}')
    assert dumps(build_export_pipeline_body(URI, "ManagedIdentity", assign_identity=UAI)) == expected


def test_export_body_sas_token_as_2_0_0_sends_it():
    # 2.0.0 recording test_acr_export_pipeline_sas_token
    expected = ('{"identity": {"type": "SystemAssigned"}, "properties": {"target": {"type": '
                '"AzureStorageBlobContainer", "uri": "' + URI + '", "storageAccessMode": "SasToken", '
                '"keyVaultUri": "' + SECRET + '"}}}')
    assert dumps(build_export_pipeline_body(URI, "SasToken", secret_uri=SECRET)) == expected


def test_export_body_with_options():
    body = build_export_pipeline_body(URI, "ManagedIdentity", assign_identity="[system]",
                                      options=["OverwriteBlobs", "ContinueOnErrors"])
    assert list(body) == ["identity", "properties"]
    assert list(body["properties"]) == ["target", "options"]
    assert body["properties"]["options"] == ["OverwriteBlobs", "ContinueOnErrors"]


def test_import_body_managed_identity_as_2_0_0_sends_it():
    uri = "https://acrtransfer000002.blob.core.windows.net/import-container"
    # 2.0.0 recording test_acr_import_pipeline_entra_mi_auth_no_identity
    expected = ('{"identity": {"type": "SystemAssigned"}, "properties": {"source": {"type": '
                '"AzureStorageBlobContainer", "uri": "' + uri + '", "storageAccessMode": "ManagedIdentity"}, '
                '"trigger": {"sourceTrigger": {"status": "Enabled"}}}}')
    assert dumps(build_import_pipeline_body(uri, "ManagedIdentity")) == expected
    # the three-state flag leaves None when -e is not given: still Enabled
    assert dumps(build_import_pipeline_body(uri, "ManagedIdentity", source_trigger_enabled=None)) == expected


def test_import_body_sas_token_as_2_0_0_sends_it():
    uri = "https://acrtransfer000002.blob.core.windows.net/import-container"
    # 2.0.0 recording test_acr_import_pipeline_sas_token
    expected = ('{"identity": {"type": "SystemAssigned"}, "properties": {"source": {"type": '
                '"AzureStorageBlobContainer", "uri": "' + uri + '", "storageAccessMode": "SasToken", '
                '"keyVaultUri": "' + SECRET + '"}, "trigger": {"sourceTrigger": {"status": "Enabled"}}}}')
    assert dumps(build_import_pipeline_body(uri, "SasToken", secret_uri=SECRET)) == expected


def test_import_body_trigger_disabled_and_options_last():
    body = build_import_pipeline_body(URI, "ManagedIdentity", assign_identity=UAI,
                                      options=["OverwriteTags", "DeleteSourceBlobOnSuccess"],
                                      source_trigger_enabled=False)
    assert list(body["properties"]) == ["source", "trigger", "options"]
    assert body["properties"]["trigger"] == {"sourceTrigger": {"status": "Disabled"}}
    assert body["identity"] == {"type": "UserAssigned", "userAssignedIdentities": {UAI: {}}}


# --------------------------------------------------------------------------------------------- runs
def test_pipeline_resource_id_uses_the_given_subscription():
    assert pipeline_resource_id("11111111-1111-1111-1111-111111111111", "transfer-rg", "sourceregistry",
                                "export", "exportpipe1") == (
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/transfer-rg/providers/"
        "Microsoft.ContainerRegistry/registries/sourceregistry/exportPipelines/exportpipe1")
    assert pipeline_resource_id(SUB, "rg", "targetregistry", "import", "importpipe1").endswith(
        "/registries/targetregistry/importPipelines/importpipe1")


def test_export_run_body():
    pid = pipeline_resource_id(SUB, "rg", "sourceregistry", "export", "exportpipe1")
    expected = ('{"properties": {"request": {"pipelineResourceId": "' + pid + '", "target": {"type": '
                '"AzureStorageBlob", "name": "blob1"}, "artifacts": ["hello-world", "nginx:1"]}}}')
    assert dumps(build_pipeline_run_body(pid, "export", "blob1", artifacts=["hello-world", "nginx:1"])) == expected


def test_import_run_body_with_force_update_tag():
    pid = pipeline_resource_id(SUB, "rg", "targetregistry", "import", "importpipe1")
    expected = ('{"properties": {"request": {"pipelineResourceId": "' + pid + '", "source": {"type": '
                '"AzureStorageBlob", "name": "exports/blob1"}}, "forceUpdateTag": "2026-01-01T00:00:00+00:00"}}')
    assert dumps(build_pipeline_run_body(pid, "import", "exports/blob1",
                                         force_update_tag="2026-01-01T00:00:00+00:00")) == expected


def test_import_run_body_never_carries_artifacts():
    body = build_pipeline_run_body("id", "import", "blob1", artifacts=["a:1"])
    assert "artifacts" not in body["properties"]["request"]


# --------------------------------------------------------------------------------------------- advice
def _system_result(principal="p-123"):
    return {"identity": {"type": "systemAssigned", "principalId": principal, "tenantId": "t"}}


def test_advice_export_managed_identity():
    body = build_export_pipeline_body("https://exportacct.blob.core.windows.net/transfer", "ManagedIdentity")
    text = permission_advice(EXPORT_KIND, body, _system_result(), "sub-of-the-command", "rg", "reg1x", "pipe1x")
    assert '--role "Storage Blob Data Contributor"' in text
    assert "--assignee-object-id p-123" in text
    assert ("--scope /subscriptions/sub-of-the-command/resourceGroups/<storage-account-resource-group>/providers/"
            "Microsoft.Storage/storageAccounts/exportacct") in text
    assert "keyvault" not in text


def test_advice_import_reader_or_contributor_with_delete_source_blob():
    uri = "https://127.0.0.1:10000/devstoreaccount1/transfer"
    reader = permission_advice(IMPORT_KIND, build_import_pipeline_body(uri, "ManagedIdentity"), _system_result(),
                               SUB, "rg", "reg1x", "pipe1x")
    assert '"Storage Blob Data Reader"' in reader and "storageAccounts/devstoreaccount1" in reader
    contributor = permission_advice(
        IMPORT_KIND, build_import_pipeline_body(uri, "ManagedIdentity", options=["DeleteSourceBlobOnSuccess"]),
        _system_result(), SUB, "rg", "reg1x", "pipe1x")
    assert '"Storage Blob Data Contributor"' in contributor and "DeleteSourceBlobOnSuccess" in contributor


def test_advice_sas_token_names_the_vault_and_subscription():
    body = build_export_pipeline_body(URI, "SasToken", secret_uri="https://myvault.vault.azure.cn/secrets/sas/abc1")
    text = permission_advice(EXPORT_KIND, body, _system_result("p-9"), "sub-2", "rg", "reg1x", "pipe1x")
    assert "az keyvault set-policy --name myvault --secret-permissions get --object-id p-9 --subscription sub-2" in text
    assert "Key Vault Secrets User" in text
    assert "role assignment" not in text


def test_advice_user_assigned_uses_the_entry_principal():
    body = build_export_pipeline_body(URI, "ManagedIdentity", assign_identity=UAI)
    result = {"identity": {"type": "userAssigned", "userAssignedIdentities": {
        UAI.replace("resourcegroups", "resourceGroups"): {"principalId": "uai-principal", "clientId": "c"}}}}
    text = permission_advice(EXPORT_KIND, body, result, SUB, "rg", "reg1x", "pipe1x")
    assert "--assignee-object-id uai-principal" in text and "user-assigned" in text


def test_advice_without_result_has_a_placeholder_and_how_to_find_it():
    body = build_export_pipeline_body(URI, "ManagedIdentity")
    text = permission_advice(EXPORT_KIND, body, None, SUB, "rg", "reg1x", "pipe1x")
    assert "--assignee-object-id <principal-id>" in text
    assert "az acr export-pipeline show -g rg -r reg1x -n pipe1x --query \"identity.principalId\"" in text
