"""exportPipelines and importPipelines in sync mode: every operation and error path per spec."""
import pytest

from emulator_helpers import (CONTAINER, KEY_VAULT_SECRET, TENANT, UAI, assert_error, assert_pipeline_shape, delete,
                              export_body, get, import_body, put, registry_path)

KINDS = [("exportPipelines", export_body, "target"), ("importPipelines", import_body, "source")]


@pytest.mark.parametrize("collection,body,side", KINDS)
def test_create_get_list_delete(fresh, collection, body, side):
    created = put(fresh, "sourceregistry", collection, "pipeline1", body())
    # The real service answers pipeline PUT 200 synchronously, Succeeded, no async header.
    assert created.status_code == 200, created.text
    assert "Azure-AsyncOperation" not in created.headers
    doc = created.json()
    assert_pipeline_shape(doc, collection, "pipeline1", "sourceregistry")
    assert doc["properties"]["provisioningState"] == "Succeeded"
    assert doc["properties"][side] == {"type": "AzureStorageBlobContainer", "uri": CONTAINER,
                                       "storageAccessMode": "ManagedIdentity"}
    assert "location" not in doc

    fetched = get(fresh, "sourceregistry", collection, "pipeline1")
    assert fetched.status_code == 200 and fetched.json() == doc

    listed = get(fresh, "sourceregistry", collection)
    assert listed.status_code == 200
    assert listed.json() == {"value": [doc]}

    deleted = delete(fresh, "sourceregistry", collection, "pipeline1")
    # The real service answers DELETE 200 with an empty body.
    assert deleted.status_code == 200 and deleted.content == b""
    assert_error(get(fresh, "sourceregistry", collection, "pipeline1"), 404, "ResourceNotFound", "pipeline1")
    # Deleting what is not there: ARM's 204.
    assert delete(fresh, "sourceregistry", collection, "pipeline1").status_code == 204


def test_keys_come_back_in_the_recorded_order(fresh):
    doc = put(fresh, "sourceregistry", "exportPipelines", "ordered1",
              export_body("SasToken", key_vault_uri=KEY_VAULT_SECRET)).json()
    assert list(doc) == ["type", "identity", "id", "name", "systemData", "properties"]
    assert list(doc["identity"]) == ["principalId", "tenantId", "type"]
    assert list(doc["properties"]["target"]) == ["type", "uri", "keyVaultUri", "storageAccessMode"]
    assert list(doc["properties"]) == ["target", "provisioningState"]


@pytest.mark.parametrize("collection,body,side", KINDS)
def test_system_assigned_identity_echo(fresh, collection, body, side):
    doc = put(fresh, "sourceregistry", collection, "systemid1", body(identity="system")).json()
    identity = doc["identity"]
    assert identity["type"] == "systemAssigned"
    assert identity["tenantId"] == TENANT
    assert len(identity["principalId"]) == 36
    assert "userAssignedIdentities" not in identity
    # Stable: the same pipeline gets the same principal again.
    again = put(fresh, "sourceregistry", collection, "systemid1", body(identity="system")).json()
    assert again["identity"]["principalId"] == identity["principalId"]


@pytest.mark.parametrize("collection,body,side", KINDS)
def test_user_assigned_identity_echo(fresh, collection, body, side):
    doc = put(fresh, "sourceregistry", collection, "userid1", body(identity="user")).json()
    identity = doc["identity"]
    assert identity["type"] == "userAssigned"
    assert "principalId" not in identity and "tenantId" not in identity
    entry = identity["userAssignedIdentities"][UAI]
    assert set(entry) == {"principalId", "clientId"}
    assert entry["principalId"] != entry["clientId"]


def test_both_identity_kinds(fresh):
    body = export_body()
    body["identity"] = {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {UAI: {}}}
    identity = put(fresh, "sourceregistry", "exportPipelines", "bothids1", body).json()["identity"]
    assert identity["type"] == "systemAssigned, userAssigned"
    assert identity["tenantId"] == TENANT and UAI in identity["userAssignedIdentities"]


def test_bad_identities_refused(fresh):
    body = export_body()
    body["identity"] = {"type": "UserAssigned"}
    assert_error(put(fresh, "sourceregistry", "exportPipelines", "badid1", body), 400, "MissingRequiredProperty",
                 "identity.userAssignedIdentities")
    body["identity"] = {"type": "UserAssigned", "userAssignedIdentities": {"/subscriptions/x/identity": {}}}
    assert_error(put(fresh, "sourceregistry", "exportPipelines", "badid1", body), 400, "InvalidPropertyValue",
                 "/subscriptions/x/identity")
    body["identity"] = {"type": "Magic"}
    assert_error(put(fresh, "sourceregistry", "exportPipelines", "badid1", body), 400, "InvalidPropertyValue",
                 "identity.type")


def test_sas_token_is_the_default_and_needs_key_vault_uri(fresh):
    body = export_body()
    del body["properties"]["target"]["storageAccessMode"]
    assert_error(put(fresh, "sourceregistry", "exportPipelines", "sasdefault1", body), 400,
                 "MissingRequiredProperty", "properties.target.keyVaultUri", "SasToken")
    body["properties"]["target"]["keyVaultUri"] = KEY_VAULT_SECRET
    doc = put(fresh, "sourceregistry", "exportPipelines", "sasdefault1", body).json()
    assert doc["properties"]["target"]["storageAccessMode"] == "SasToken"
    assert doc["properties"]["target"]["keyVaultUri"] == KEY_VAULT_SECRET


@pytest.mark.parametrize("collection,body,side", KINDS)
def test_explicit_sas_token_without_key_vault_uri_refused(fresh, collection, body, side):
    error = assert_error(put(fresh, "sourceregistry", collection, "nokv12345", body("SasToken")), 400,
                         "MissingRequiredProperty", "keyVaultUri")
    assert error["target"] == "properties.{}.keyVaultUri".format(side)


def test_import_trigger_defaults_to_enabled(fresh):
    doc = put(fresh, "sourceregistry", "importPipelines", "trigger1", import_body()).json()
    assert doc["properties"]["trigger"] == {"sourceTrigger": {"status": "Enabled"}}
    doc = put(fresh, "sourceregistry", "importPipelines", "trigger2", import_body(trigger="Disabled")).json()
    assert doc["properties"]["trigger"] == {"sourceTrigger": {"status": "Disabled"}}
    assert_error(put(fresh, "sourceregistry", "importPipelines", "trigger3", import_body(trigger="Sometimes")),
                 400, "InvalidPropertyValue", "properties.trigger.sourceTrigger.status")


def test_source_type_default_and_enum(fresh):
    body = import_body()
    del body["properties"]["source"]["type"]
    doc = put(fresh, "sourceregistry", "importPipelines", "sourcetype1", body).json()
    assert doc["properties"]["source"]["type"] == "AzureStorageBlobContainer"
    body["properties"]["source"]["type"] = "AzureFiles"
    assert_error(put(fresh, "sourceregistry", "importPipelines", "sourcetype2", body), 400, "InvalidPropertyValue",
                 "properties.source.type")


def test_options_enum(fresh):
    doc = put(fresh, "sourceregistry", "exportPipelines", "options1",
              export_body(options=["OverwriteBlobs", "ContinueOnErrors"])).json()
    assert doc["properties"]["options"] == ["OverwriteBlobs", "ContinueOnErrors"]
    assert list(doc["properties"]) == ["target", "options", "provisioningState"]
    assert_error(put(fresh, "sourceregistry", "importPipelines", "options2",
                     import_body(options=["DisableSourceTrigger"])), 400, "InvalidPropertyValue", "DisableSourceTrigger")


def test_enum_values_accepted_case_insensitively(fresh):
    body = export_body()
    body["properties"]["target"]["storageAccessMode"] = "managedidentity"
    doc = put(fresh, "sourceregistry", "exportPipelines", "caseenum1", body).json()
    assert doc["properties"]["target"]["storageAccessMode"] == "ManagedIdentity"


def test_required_properties(fresh):
    assert_error(put(fresh, "sourceregistry", "exportPipelines", "required1", {"identity": {"type": "SystemAssigned"}}),
                 400, "MissingRequiredProperty", "properties")
    assert_error(put(fresh, "sourceregistry", "exportPipelines", "required1", {"properties": {}}),
                 400, "MissingRequiredProperty", "properties.target")
    assert_error(put(fresh, "sourceregistry", "importPipelines", "required1", {"properties": {"target": {}}}),
                 400, "MissingRequiredProperty", "properties.source")
    body = export_body()
    del body["properties"]["target"]["uri"]
    assert_error(put(fresh, "sourceregistry", "exportPipelines", "required1", body), 400,
                 "MissingRequiredProperty", "properties.target.uri")
    body["properties"]["target"]["uri"] = "not a uri"
    assert_error(put(fresh, "sourceregistry", "exportPipelines", "required1", body), 400,
                 "InvalidPropertyValue", "properties.target.uri")


def test_body_must_be_a_json_object(fresh):
    path = registry_path("sourceregistry") + "/exportPipelines/badbody1"
    assert_error(fresh.arm("PUT", path, data=b"{not json", headers={"Content-Type": "application/json"}),
                 400, "InvalidRequestContent")
    assert_error(fresh.arm("PUT", path, json=[1, 2]), 400, "InvalidRequestContent")
    assert_error(fresh.arm("PUT", path), 400, "InvalidRequestContent", "empty")


@pytest.mark.parametrize("name", ["abcd", "a" * 51, "bad-name", "bad_name1", "spaces in"])
def test_name_rules(fresh, name):
    error = assert_error(put(fresh, "sourceregistry", "exportPipelines", name, export_body()), 400,
                         "InvalidResourceName", "5 to 50")
    assert error["target"] == "exportPipelineName"


@pytest.mark.parametrize("name", ["abcde", "A" * 50, "Pipeline01"])
def test_name_rules_accept(fresh, name):
    assert put(fresh, "sourceregistry", "exportPipelines", name, export_body()).status_code == 200


def test_names_are_case_insensitive_and_keep_their_casing(fresh):
    put(fresh, "sourceregistry", "exportPipelines", "MixedCase1", export_body())
    fetched = get(fresh, "sourceregistry", "exportPipelines", "mixedcase1")
    assert fetched.status_code == 200 and fetched.json()["name"] == "MixedCase1"
    updated = put(fresh, "sourceregistry", "exportPipelines", "MIXEDCASE1", export_body(options=["OverwriteBlobs"]))
    assert updated.json()["name"] == "MixedCase1"
    assert len(get(fresh, "sourceregistry", "exportPipelines").json()["value"]) == 1


def test_update_keeps_created_system_data(fresh):
    first = put(fresh, "sourceregistry", "exportPipelines", "update1", export_body()).json()
    second = put(fresh, "sourceregistry", "exportPipelines", "update1", export_body(options=["OverwriteBlobs"])).json()
    assert second["systemData"]["createdAt"] == first["systemData"]["createdAt"]
    assert second["systemData"]["lastModifiedAt"] >= first["systemData"]["lastModifiedAt"]
    assert second["systemData"]["createdByType"] == "ManagedIdentity"
    assert second["properties"]["options"] == ["OverwriteBlobs"]


def test_location_echoed_only_when_sent(fresh):
    body = export_body()
    body["location"] = "westus"
    assert put(fresh, "sourceregistry", "exportPipelines", "located1", body).json()["location"] == "westus"


@pytest.mark.parametrize("collection,body,side", KINDS)
def test_basic_registry_refuses_pipelines(fresh, collection, body, side):
    assert_error(put(fresh, "basicregistry", collection, "pipeline1", body()), 400, "RegistrySkuNotSupported",
                 "basicregistry", "Premium")
    # Reading is harmless: nothing can exist there.
    assert get(fresh, "basicregistry", collection).json() == {"value": []}


def test_missing_parents_are_404s(fresh):
    assert_error(put(fresh, "noregistry1", "exportPipelines", "pipeline1", export_body()), 404, "ResourceNotFound",
                 "Microsoft.ContainerRegistry/registries/noregistry1")
    path = registry_path("sourceregistry").replace("transfer-rg", "missing-rg") + "/exportPipelines"
    assert_error(fresh.arm("GET", path), 404, "ResourceGroupNotFound", "missing-rg")
    path = registry_path("sourceregistry").replace("00000000-0000-0000-0000-000000000000",
                                                   "11111111-1111-1111-1111-111111111111") + "/exportPipelines"
    assert_error(fresh.arm("GET", path), 404, "SubscriptionNotFound", "11111111")


def test_pipelines_are_per_registry_and_per_kind(fresh):
    put(fresh, "sourceregistry", "exportPipelines", "shared1", export_body())
    assert get(fresh, "targetregistry", "exportPipelines").json() == {"value": []}
    assert get(fresh, "sourceregistry", "importPipelines").json() == {"value": []}
    assert get(fresh, "targetregistry", "exportPipelines", "shared1").status_code == 404
