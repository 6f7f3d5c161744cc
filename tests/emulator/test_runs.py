"""pipelineRuns in sync mode: validation, lifecycle without a data plane, re-PUT semantics, delete."""
import pytest

from emulator_helpers import (CONTAINER, KEY_VAULT_SECRET, assert_error, assert_run_shape, delete, export_body,
                              export_run_body, get, import_body, import_run_body, pipeline_id, put, wait_run)


@pytest.fixture
def pipelines(fresh):
    assert put(fresh, "sourceregistry", "exportPipelines", "export1",
               export_body("SasToken", key_vault_uri=KEY_VAULT_SECRET)).status_code == 200
    assert put(fresh, "sourceregistry", "importPipelines", "import1", import_body()).status_code == 200
    return fresh


def test_export_run_goes_running_to_failed_without_a_data_plane(pipelines):
    emu = pipelines
    created = put(emu, "sourceregistry", "pipelineRuns", "run00001", export_run_body("sourceregistry", "export1"))
    assert created.status_code == 200, created.text
    doc = created.json()
    assert_run_shape(doc, "run00001", "sourceregistry")
    properties = doc["properties"]
    # Sync mode: 200 with a non-terminal provisioningState, so ARM pollers GET the run until it ends.
    assert properties["provisioningState"] == "Creating"
    assert created.headers["Retry-After"] == "0"
    assert properties["request"] == {
        "pipelineResourceId": pipeline_id("sourceregistry", "exportPipelines", "export1"),
        "artifacts": ["hello-world:latest"], "target": {"type": "AzureStorageBlob", "name": "transfer.tar"}}
    response = properties["response"]
    assert response["status"] == "Running" and response["progress"] == {"percentage": "0"}
    assert response["startTime"].endswith("+00:00") and "finishTime" not in response
    assert response["target"] == {"type": "AzureStorageBlob", "uri": CONTAINER + "/transfer.tar",
                                  "keyVaultUri": KEY_VAULT_SECRET, "storageAccessMode": "SasToken"}

    seen = wait_run(emu, "sourceregistry", "run00001")
    final = seen[-1]
    assert_run_shape(final, "run00001", "sourceregistry")
    assert final["properties"]["provisioningState"] == "Failed"
    response = final["properties"]["response"]
    assert response["status"] == "Failed"
    assert "no data plane" in response["pipelineRunErrorMessage"]
    assert "sourceregistry" in response["pipelineRunErrorMessage"]
    assert response["finishTime"] >= response["startTime"]
    # Progress advanced and never went back.
    percentages = [int(d["properties"]["response"]["progress"]["percentage"]) for d in seen]
    assert percentages == sorted(percentages) and percentages[-1] == 20
    assert any(0 < p < 20 for p in percentages), percentages
    assert "Retry-After" not in get(emu, "sourceregistry", "pipelineRuns", "run00001").headers


def test_import_run(pipelines):
    emu = pipelines
    doc = put(emu, "sourceregistry", "pipelineRuns", "importrun1", import_run_body("sourceregistry", "import1")).json()
    assert doc["properties"]["request"]["source"] == {"type": "AzureStorageBlob", "name": "transfer.tar"}
    assert doc["properties"]["response"]["source"] == {"type": "AzureStorageBlob", "uri": CONTAINER + "/transfer.tar",
                                                       "storageAccessMode": "ManagedIdentity"}
    final = wait_run(emu, "sourceregistry", "importrun1")[-1]
    assert final["properties"]["provisioningState"] == "Failed"
    assert "no artifacts were imported" in final["properties"]["response"]["pipelineRunErrorMessage"]


def test_run_type_defaults(pipelines):
    body = export_run_body("sourceregistry", "export1")
    del body["properties"]["request"]["target"]["type"]
    doc = put(pipelines, "sourceregistry", "pipelineRuns", "defaults1", body).json()
    assert doc["properties"]["request"]["target"]["type"] == "AzureStorageBlob"
    body = import_run_body("sourceregistry", "import1")
    del body["properties"]["request"]["source"]["type"]
    doc = put(pipelines, "sourceregistry", "pipelineRuns", "defaults2", body).json()
    assert doc["properties"]["request"]["source"]["type"] == "AzureStorageBlob"
    body["properties"]["request"]["source"]["type"] = "AzureFiles"
    assert_error(put(pipelines, "sourceregistry", "pipelineRuns", "defaults3", body), 400, "InvalidPropertyValue",
                 "properties.request.source.type")


def test_run_of_missing_pipeline_refused(pipelines):
    error = assert_error(put(pipelines, "sourceregistry", "pipelineRuns", "orphan1",
                             export_run_body("sourceregistry", "nosuchpipeline")),
                         400, "PipelineNotFound", "nosuchpipeline", "sourceregistry")
    assert error["target"] == "properties.request.pipelineResourceId"


def test_run_of_another_registrys_pipeline_refused(pipelines):
    put(pipelines, "targetregistry", "exportPipelines", "export1", export_body())
    assert_error(put(pipelines, "sourceregistry", "pipelineRuns", "foreign1", export_run_body("targetregistry", "export1")),
                 400, "InvalidPropertyValue", "targetregistry")


def test_export_run_needs_artifacts(pipelines):
    assert_error(put(pipelines, "sourceregistry", "pipelineRuns", "noartifacts1",
                     export_run_body("sourceregistry", "export1", artifacts=())),
                 400, "MissingRequiredProperty", "properties.request.artifacts")


def test_export_run_needs_a_target_name(pipelines):
    body = export_run_body("sourceregistry", "export1")
    del body["properties"]["request"]["target"]["name"]
    assert_error(put(pipelines, "sourceregistry", "pipelineRuns", "notarget1", body), 400,
                 "MissingRequiredProperty", "properties.request.target.name")
    del body["properties"]["request"]["target"]
    assert_error(put(pipelines, "sourceregistry", "pipelineRuns", "notarget1", body), 400,
                 "MissingRequiredProperty", "properties.request.target")


def test_import_run_needs_a_source_name(pipelines):
    body = import_run_body("sourceregistry", "import1")
    body["properties"]["request"]["source"] = {"type": "AzureStorageBlob"}
    assert_error(put(pipelines, "sourceregistry", "pipelineRuns", "nosource1", body), 400,
                 "MissingRequiredProperty", "properties.request.source.name")


def test_at_most_50_artifacts(pipelines):
    fifty = ["repo{}:v1".format(i) for i in range(50)]
    assert put(pipelines, "sourceregistry", "pipelineRuns", "fifty1",
               export_run_body("sourceregistry", "export1", artifacts=fifty)).status_code == 200
    assert_error(put(pipelines, "sourceregistry", "pipelineRuns", "fiftyone1",
                     export_run_body("sourceregistry", "export1", artifacts=fifty + ["one:more"])),
                 400, "TooManyArtifacts", "50", "51")


def test_run_needs_request_and_pipeline_id(pipelines):
    assert_error(put(pipelines, "sourceregistry", "pipelineRuns", "norequest1", {"properties": {}}), 400,
                 "MissingRequiredProperty", "properties.request")
    assert_error(put(pipelines, "sourceregistry", "pipelineRuns", "norequest1", {"properties": {"request": {}}}),
                 400, "MissingRequiredProperty", "properties.request.pipelineResourceId")
    assert_error(put(pipelines, "sourceregistry", "pipelineRuns", "norequest1",
                     {"properties": {"request": {"pipelineResourceId": "/not/a/pipeline"}}}),
                 400, "InvalidPropertyValue", "/not/a/pipeline")


def test_run_name_rules_and_basic_registry(pipelines):
    assert_error(put(pipelines, "sourceregistry", "pipelineRuns", "run", export_run_body("sourceregistry", "export1")),
                 400, "InvalidResourceName", "pipelineRunName")
    assert_error(put(pipelines, "basicregistry", "pipelineRuns", "basicrun1",
                     export_run_body("basicregistry", "export1")), 400, "RegistrySkuNotSupported")


def test_identical_reput_does_nothing_and_force_update_tag_reruns(pipelines):
    emu = pipelines
    body = export_run_body("sourceregistry", "export1", force="tag1")
    first = put(emu, "sourceregistry", "pipelineRuns", "rerun1", body).json()
    done = wait_run(emu, "sourceregistry", "rerun1")[-1]
    again = put(emu, "sourceregistry", "pipelineRuns", "rerun1", body)
    assert again.status_code == 200 and again.json() == done          # nothing happened
    rerun = put(emu, "sourceregistry", "pipelineRuns", "rerun1",
                export_run_body("sourceregistry", "export1", force="tag2")).json()
    assert rerun["properties"]["provisioningState"] == "Creating"
    assert rerun["properties"]["forceUpdateTag"] == "tag2"
    assert rerun["properties"]["response"]["progress"] == {"percentage": "0"}
    assert rerun["systemData"]["createdAt"] == first["systemData"]["createdAt"]
    # Changing a run while it is still executing is refused.
    assert_error(put(emu, "sourceregistry", "pipelineRuns", "rerun1",
                     export_run_body("sourceregistry", "export1", force="tag3")), 409, "AnotherOperationInProgress")
    final = wait_run(emu, "sourceregistry", "rerun1")[-1]
    assert final["properties"]["provisioningState"] == "Failed"


def test_run_fails_when_its_pipeline_has_no_identity(pipelines):
    body = export_body()
    del body["identity"]
    put(pipelines, "sourceregistry", "exportPipelines", "noidentity1", body)
    put(pipelines, "sourceregistry", "pipelineRuns", "noidrun1", export_run_body("sourceregistry", "noidentity1"))
    final = wait_run(pipelines, "sourceregistry", "noidrun1")[-1]
    assert "no managed identity" in final["properties"]["response"]["pipelineRunErrorMessage"]


def test_delete_run_while_running_and_after(pipelines):
    emu = pipelines
    put(emu, "sourceregistry", "pipelineRuns", "deleted1", export_run_body("sourceregistry", "export1"))
    deleted = delete(emu, "sourceregistry", "pipelineRuns", "deleted1")
    assert deleted.status_code == 200 and deleted.content == b""
    assert_error(get(emu, "sourceregistry", "pipelineRuns", "deleted1"), 404, "ResourceNotFound", "deleted1")
    assert delete(emu, "sourceregistry", "pipelineRuns", "deleted1").status_code == 204
    # The executor noticed and did not bring it back.
    import time
    time.sleep(0.4)
    assert get(emu, "sourceregistry", "pipelineRuns", "deleted1").status_code == 404


def test_list_runs(pipelines):
    for name in ("listrun1", "listrun2", "listrun3"):
        put(pipelines, "sourceregistry", "pipelineRuns", name, export_run_body("sourceregistry", "export1"))
    listed = get(pipelines, "sourceregistry", "pipelineRuns").json()
    assert [d["name"] for d in listed["value"]] == ["listrun1", "listrun2", "listrun3"]
    assert "nextLink" not in listed
