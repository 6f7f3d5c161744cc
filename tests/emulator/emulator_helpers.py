"""Request bodies, HTTP helpers and spec shape checks for the service's own tests."""
import time

from acrtransfer_emulator.testing import SUBSCRIPTION

API = "2025-06-01-preview"
TENANT = "00000000-0000-0000-0000-000000000001"
UAI = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/transfer-rg/providers/"
       "Microsoft.ManagedIdentity/userAssignedIdentities/transferidentity")
KEY_VAULT_SECRET = "https://transferkv.vault.azure.net/secrets/sas-token"
CONTAINER = "https://transferstore.blob.core.windows.net/transfer"

# Fast timings: tests poll, and the whole emulator suite must stay well under 90 s.
FAST = {"run_step_delay": 0.1, "lro_delay": 0.1, "retry_after": 0}


def registry_path(registry):
    return "/subscriptions/{}/resourceGroups/transfer-rg/providers/Microsoft.ContainerRegistry/registries/{}".format(
        SUBSCRIPTION, registry)


def pipeline_id(registry, collection, name):
    return "{}/{}/{}".format(registry_path(registry), collection, name)


def identity_body(identity):
    if identity == "user":
        return {"type": "UserAssigned", "userAssignedIdentities": {UAI: {}}}
    return {"type": "SystemAssigned"}


def export_body(mode="ManagedIdentity", identity="system", key_vault_uri=None, options=None):
    target = {"type": "AzureStorageBlobContainer", "uri": CONTAINER, "storageAccessMode": mode}
    if key_vault_uri:
        target["keyVaultUri"] = key_vault_uri
    body = {"identity": identity_body(identity), "properties": {"target": target}}
    if options is not None:
        body["properties"]["options"] = options
    return body


def import_body(mode="ManagedIdentity", identity="system", key_vault_uri=None, trigger=None, options=None):
    source = {"type": "AzureStorageBlobContainer", "uri": CONTAINER, "storageAccessMode": mode}
    if key_vault_uri:
        source["keyVaultUri"] = key_vault_uri
    body = {"identity": identity_body(identity), "properties": {"source": source}}
    if trigger is not None:
        body["properties"]["trigger"] = {"sourceTrigger": {"status": trigger}}
    if options is not None:
        body["properties"]["options"] = options
    return body


def export_run_body(registry, pipeline, artifacts=("hello-world:latest",), blob="transfer.tar", force=None):
    request = {"pipelineResourceId": pipeline_id(registry, "exportPipelines", pipeline),
               "target": {"type": "AzureStorageBlob", "name": blob}, "artifacts": list(artifacts)}
    body = {"properties": {"request": request}}
    if force is not None:
        body["properties"]["forceUpdateTag"] = force
    return body


def import_run_body(registry, pipeline, blob="transfer.tar", force=None):
    request = {"pipelineResourceId": pipeline_id(registry, "importPipelines", pipeline),
               "source": {"type": "AzureStorageBlob", "name": blob}}
    body = {"properties": {"request": request}}
    if force is not None:
        body["properties"]["forceUpdateTag"] = force
    return body


def put(emu, registry, collection, name, body, **kwargs):
    return emu.arm("PUT", "{}/{}/{}".format(registry_path(registry), collection, name), json=body, **kwargs)


def get(emu, registry, collection, name="", **kwargs):
    return emu.arm("GET", "{}/{}{}".format(registry_path(registry), collection, "/" + name if name else ""), **kwargs)


def delete(emu, registry, collection, name, **kwargs):
    return emu.arm("DELETE", "{}/{}/{}".format(registry_path(registry), collection, name), **kwargs)


def wait_for(predicate, timeout=10.0, interval=0.03):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within {} s".format(timeout))
        time.sleep(interval)


def wait_run(emu, registry, name, timeout=10.0):
    """Poll a run until its provisioningState is terminal; returns every doc seen, last one terminal."""
    seen = []

    def done():
        doc = get(emu, registry, "pipelineRuns", name).json()
        seen.append(doc)
        return doc["properties"]["provisioningState"] in ("Succeeded", "Failed", "Canceled")
    wait_for(done, timeout)
    return seen


def assert_error(response, status, code, *fragments):
    """An ARM error envelope with this status and code, whose message contains every fragment."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    for fragment in fragments:
        assert fragment in error["message"], (fragment, error["message"])
    return error


SYSTEM_DATA_KEYS = {"createdBy", "createdByType", "createdAt", "lastModifiedBy", "lastModifiedByType",
                    "lastModifiedAt"}
PROVISIONING_STATES = {"Creating", "Updating", "Deleting", "Succeeded", "Failed", "Canceled"}


def assert_resource_shape(doc, collection, name, registry):
    """What every pipeline and run carries (spec ProxyResource + systemData)."""
    assert doc["type"] == "Microsoft.ContainerRegistry/registries/" + collection
    assert doc["id"] == pipeline_id(registry, collection, name)
    assert doc["name"] == name
    assert set(doc["systemData"]) == SYSTEM_DATA_KEYS
    assert doc["systemData"]["createdAt"].endswith("+00:00")
    assert doc["properties"]["provisioningState"] in PROVISIONING_STATES


def assert_pipeline_shape(doc, collection, name, registry):
    assert_resource_shape(doc, collection, name, registry)
    side = "target" if collection == "exportPipelines" else "source"
    storage = doc["properties"][side]
    assert storage["type"] == "AzureStorageBlobContainer"
    assert storage["storageAccessMode"] in ("ManagedIdentity", "SasToken")
    assert set(storage) <= {"type", "uri", "keyVaultUri", "storageAccessMode"}
    allowed = {side, "options", "provisioningState"} | ({"trigger"} if side == "source" else set())
    assert set(doc["properties"]) <= allowed
    assert set(doc) <= {"type", "identity", "location", "id", "name", "systemData", "properties"}


def assert_run_shape(doc, name, registry):
    assert_resource_shape(doc, "pipelineRuns", name, registry)
    assert set(doc["properties"]) <= {"request", "response", "forceUpdateTag", "provisioningState"}
    response = doc["properties"]["response"]
    assert set(response) <= {"status", "importedArtifacts", "progress", "startTime", "finishTime", "source",
                             "target", "catalogDigest", "trigger", "pipelineRunErrorMessage"}
    assert isinstance(response["progress"]["percentage"], str)
    assert 0 <= int(response["progress"]["percentage"]) <= 100
