"""Async mode (the spec's LRO answers): the per-registry override and a service started with --mode async."""
import pytest

from acrtransfer_emulator.testing import Emulator
from emulator_helpers import (FAST, assert_error, assert_pipeline_shape, delete, export_body, export_run_body, get,
                              import_body, put, registry_path, wait_for)


def _status(emu, url):
    response = emu.arm("GET", url, api_version=None)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("collection,body", [("exportPipelines", export_body), ("importPipelines", import_body)])
def test_async_registry_pipeline_put_and_delete(fresh, collection, body):
    emu = fresh
    created = put(emu, "asyncregistry", collection, "asyncpipe1", body())
    assert created.status_code == 201, created.text
    assert created.headers["Retry-After"] == "0"
    operation_url = created.headers["Azure-AsyncOperation"]
    path = registry_path("asyncregistry") + "/{}/asyncpipe1".format(collection)
    assert operation_url.startswith(emu.url + path + "/operationStatuses/" + collection.lower() + "-")
    assert "api-version=2025-06-01-preview" in operation_url
    doc = created.json()
    assert_pipeline_shape(doc, collection, "asyncpipe1", "asyncregistry")
    assert doc["properties"]["provisioningState"] == "Creating"

    answer = emu.arm("GET", operation_url, api_version=None)
    status = answer.json()
    assert status["status"] in ("InProgress", "Succeeded")
    # In progress, the status carries Retry-After (azure-core polls at that pace, else every 30 s).
    assert answer.headers.get("Retry-After") == ("0" if status["status"] == "InProgress" else None)
    assert status["name"] == operation_url.split("/")[-1].split("?")[0]
    assert status["id"] == path + "/operationStatuses/" + status["name"]
    final = wait_for(lambda: (lambda s: s if s["status"] == "Succeeded" else None)(_status(emu, operation_url)))
    assert set(final) == {"id", "name", "status", "startTime", "endTime"}
    assert get(emu, "asyncregistry", collection, "asyncpipe1").json()["properties"]["provisioningState"] == "Succeeded"

    # An update answers 200 with the async header.
    updated = put(emu, "asyncregistry", collection, "asyncpipe1", body(options=["ContinueOnErrors"]))
    assert updated.status_code == 200 and "Azure-AsyncOperation" in updated.headers
    assert updated.json()["properties"]["provisioningState"] == "Updating"
    # ... and while it is updating, another change is a conflict.
    assert_error(put(emu, "asyncregistry", collection, "asyncpipe1", body()), 409, "AnotherOperationInProgress")
    wait_for(lambda: _status(emu, updated.headers["Azure-AsyncOperation"])["status"] == "Succeeded")

    deleted = delete(emu, "asyncregistry", collection, "asyncpipe1")
    assert deleted.status_code == 202 and deleted.content == b""
    location = deleted.headers["Location"]
    assert location.startswith(emu.url + path + "/operationResults/")
    assert deleted.headers["Retry-After"] == "0"
    first = emu.arm("GET", location, api_version=None)
    assert first.status_code in (202, 204)
    if first.status_code == 202:
        assert first.headers["Location"] == location
        assert get(emu, "asyncregistry", collection, "asyncpipe1").json()["properties"]["provisioningState"] == "Deleting"
    wait_for(lambda: emu.arm("GET", location, api_version=None).status_code == 204)
    assert get(emu, "asyncregistry", collection, "asyncpipe1").status_code == 404
    assert delete(emu, "asyncregistry", collection, "asyncpipe1").status_code == 204


def test_async_registry_run(fresh):
    emu = fresh
    put(emu, "asyncregistry", "exportPipelines", "asyncpipe1", export_body())
    wait_for(lambda: get(emu, "asyncregistry", "exportPipelines", "asyncpipe1").json()
             ["properties"]["provisioningState"] == "Succeeded")
    created = put(emu, "asyncregistry", "pipelineRuns", "asyncrun1", export_run_body("asyncregistry", "asyncpipe1"))
    assert created.status_code == 201, created.text
    assert created.json()["properties"]["provisioningState"] == "Creating"
    operation_url = created.headers["Azure-AsyncOperation"]
    assert "/pipelineRuns/asyncrun1/operationStatuses/pipelineruns-" in operation_url
    final = wait_for(lambda: (lambda s: s if s["status"] != "InProgress" else None)(_status(emu, operation_url)))
    assert final["status"] == "Failed"
    assert final["error"]["code"] == "PipelineRunFailed"
    assert "no data plane" in final["error"]["message"]
    run = get(emu, "asyncregistry", "pipelineRuns", "asyncrun1").json()
    assert run["properties"]["provisioningState"] == "Failed"
    assert run["properties"]["response"]["pipelineRunErrorMessage"] == final["error"]["message"]
    # Identical re-PUT: 200, nothing new, no async header.
    again = put(emu, "asyncregistry", "pipelineRuns", "asyncrun1", export_run_body("asyncregistry", "asyncpipe1"))
    assert again.status_code == 200 and "Azure-AsyncOperation" not in again.headers
    assert again.json() == run


def test_operation_urls_reject_strangers(fresh):
    emu = fresh
    put(emu, "asyncregistry", "exportPipelines", "asyncpipe2", export_body())
    base = registry_path("asyncregistry") + "/exportPipelines/asyncpipe2"
    assert_error(emu.arm("GET", base + "/operationStatuses/exportpipelines-nope"), 404, "OperationNotFound")
    assert_error(emu.arm("GET", base + "/operationResults/exportpipelines-nope"), 404, "OperationNotFound")


def test_service_started_in_async_mode(tmp_path):
    with Emulator(tmp_path, mode="async", config=FAST) as emu:
        created = put(emu, "sourceregistry", "exportPipelines", "asyncpipe3", export_body())
        assert created.status_code == 201 and "Azure-AsyncOperation" in created.headers
        health = emu.admin("GET", "/health").json()
        assert health["mode"] == "async"
        assert {r["name"]: r["mode"] for r in health["registries"]}["sourceregistry"] == "async"
        wait_for(lambda: get(emu, "sourceregistry", "exportPipelines", "asyncpipe3").json()
                 ["properties"]["provisioningState"] == "Succeeded")
        deleted = delete(emu, "sourceregistry", "exportPipelines", "asyncpipe3")
        assert deleted.status_code == 202 and "Location" in deleted.headers
