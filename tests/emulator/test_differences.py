"""Every known difference from the real service is true of the service, and listed in its README."""
import os

import pytest

from acrtransfer_emulator.differences import DIFFERENCES
from emulator_helpers import (assert_error, delete, export_body, export_run_body, get, import_body, import_run_body,
                              put, registry_path, wait_run)

README = os.path.join(os.path.dirname(__file__), "..", "..", "emulator", "README.md")


def _pipeline(emu):
    assert put(emu, "sourceregistry", "exportPipelines", "export1", export_body()).status_code == 200
    return emu


def check_error_codes(emu):
    assert_error(put(emu, "basicregistry", "exportPipelines", "export1", export_body()), 400,
                 "RegistrySkuNotSupported")
    assert_error(put(emu, "sourceregistry", "pipelineRuns", "run00001", export_run_body("sourceregistry", "nope1")),
                 400, "PipelineNotFound")


def check_run_provisioning_state(emu):
    doc = put(_pipeline(emu), "sourceregistry", "pipelineRuns", "run00001",
              export_run_body("sourceregistry", "export1")).json()
    assert doc["properties"]["provisioningState"] == "Creating"
    assert doc["properties"]["response"]["status"] == "Running"


def check_sync_run_retry_after(emu):
    put(_pipeline(emu), "sourceregistry", "pipelineRuns", "run00001", export_run_body("sourceregistry", "export1"))
    response = get(emu, "sourceregistry", "pipelineRuns", "run00001")
    if response.json()["properties"]["provisioningState"] == "Creating":
        assert "Retry-After" in response.headers


def check_stable_identity_ids(emu):
    first = put(emu, "sourceregistry", "exportPipelines", "export1", export_body()).json()["identity"]["principalId"]
    delete(emu, "sourceregistry", "exportPipelines", "export1")
    again = put(emu, "sourceregistry", "exportPipelines", "export1", export_body()).json()["identity"]["principalId"]
    assert first == again


def check_systemdata_actor(emu):
    assert _pipeline(emu).arm("GET", registry_path("sourceregistry") + "/exportPipelines/export1").json()[
        "systemData"]["createdByType"] == "ManagedIdentity"


def check_api_versions(emu):
    assert_error(emu.arm("GET", registry_path("sourceregistry") + "/exportPipelines", api_version="2025-12-01-preview"),
                 400, "InvalidApiVersionParameter")


def check_registries_from_config(emu):
    assert emu.arm("PUT", registry_path("newregistry1"), json={"sku": {"name": "Premium"}}).status_code == 405
    login_server = emu.arm("GET", registry_path("sourceregistry")).json()["properties"]["loginServer"]
    assert login_server == "sourceregistry.azurecr.localhost"


def check_no_data_plane(emu):
    put(_pipeline(emu), "sourceregistry", "pipelineRuns", "run00001", export_run_body("sourceregistry", "export1"))
    final = wait_run(emu, "sourceregistry", "run00001")[-1]
    assert "no data plane" in final["properties"]["response"]["pipelineRunErrorMessage"]


def check_busy_run_update(emu):
    put(_pipeline(emu), "sourceregistry", "pipelineRuns", "run00001", export_run_body("sourceregistry", "export1"))
    assert_error(put(emu, "sourceregistry", "pipelineRuns", "run00001",
                     export_run_body("sourceregistry", "export1", force="again")), 409, "AnotherOperationInProgress")


def check_import_run_artifacts(emu):
    put(emu, "sourceregistry", "importPipelines", "import1", import_body())
    body = import_run_body("sourceregistry", "import1")
    body["properties"]["request"]["artifacts"] = ["hello:1"]
    assert_error(put(emu, "sourceregistry", "pipelineRuns", "run00001", body), 400, "InvalidPropertyValue")


def check_options_not_per_kind(emu):
    assert put(emu, "sourceregistry", "exportPipelines", "export1",
               export_body(options=["DeleteSourceBlobOnSuccess"])).status_code == 200


def check_async_mode_from_spec(emu):
    assert put(emu, "asyncregistry", "exportPipelines", "export1", export_body()).status_code == 201


def check_canonical_casing(emu):
    path = registry_path("SourceRegistry").replace("transfer-rg", "TRANSFER-RG") + "/exportPipelines/export1"
    doc = emu.arm("PUT", path, json=export_body()).json()
    assert "/resourceGroups/transfer-rg/" in doc["id"] and "/registries/sourceregistry/" in doc["id"]


def check_auth_without_rbac(emu):
    other_identity = emu.token(client_id="11111111-2222-3333-4444-555555555555")
    assert put(emu, "sourceregistry", "exportPipelines", "export1", export_body(),
               token=other_identity).status_code == 200


CHECKS = {
    "error-codes": check_error_codes,
    "run-provisioning-state": check_run_provisioning_state,
    "sync-run-retry-after": check_sync_run_retry_after,
    "stable-identity-ids": check_stable_identity_ids,
    "systemdata-actor": check_systemdata_actor,
    "api-versions": check_api_versions,
    "registries-from-config": check_registries_from_config,
    "no-data-plane": check_no_data_plane,
    # Needs a restart: checked by test_persistence.py::test_restart_keeps_everything.
    "restart-fails-running-runs": None,
    "busy-run-update": check_busy_run_update,
    "import-run-artifacts": check_import_run_artifacts,
    "options-not-per-kind": check_options_not_per_kind,
    "async-mode-from-spec": check_async_mode_from_spec,
    "canonical-casing": check_canonical_casing,
    "auth-without-rbac": check_auth_without_rbac,
    # The data plane's differences need its registries and Azurite: checked by
    # tests/live/test_service_transfer_live.py (test_no_permission_fails_with_403, test_bad_sas_fails_clearly,
    # test_source_trigger, test_export_continue_on_errors) and tests/live/test_transfer_live.py (the format).
    "storage-roles-from-config": None,
    "local-key-vault": None,
    "fast-source-trigger": None,
    "transfer-blob-format": None,
    "continue-on-errors-message": None,
}


def test_every_difference_has_a_check_and_a_readme_line():
    ids = [d.id for d in DIFFERENCES]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(CHECKS)
    with open(README, encoding="utf-8") as f:
        readme = f.read()
    for difference in DIFFERENCES:
        assert "`{}`".format(difference.id) in readme, difference.id


@pytest.mark.parametrize("difference", [d for d in DIFFERENCES if CHECKS.get(d.id)], ids=lambda d: d.id)
def test_difference_holds(fresh, difference):
    CHECKS[difference.id](fresh)
