"""Unit tests of the vendored management client: request builders, models, paging, LROs, errors.

HTTP goes to a fake transport that answers canned responses and records every request, so the
tests can assert the exact number and order of requests. Response bodies below are copied from the
real service's recordings (acrtransfer 2.0.0, April 2026) and the spec's examples.
"""
import json
import os
import sys
from http import HTTPStatus

import pytest
import requests
from azure.core.credentials import AccessToken
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.core.pipeline.transport import HttpTransport
from azure.core.polling import NoPolling
from azure.core.rest._requests_basic import RestRequestsTransportResponse
from requests.structures import CaseInsensitiveDict

# The checkout root holds the extension package; pytest puts only tests/ on sys.path.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from azext_acrtransfer.vendored_sdks import (  # noqa: E402  pylint: disable=wrong-import-position
    API_VERSION,
    VERSION,
    ContainerRegistryTransferClient,
    ExportPipeline,
    ExportPipelineTargetProperties,
    IdentityProperties,
    ImportPipeline,
    PipelineRun,
    ProvisioningState,
    build_create_request,
    build_delete_request,
    build_get_request,
    build_list_request,
)

SUB = "00000000-0000-0000-0000-000000000000"
ARM = "https://management.azure.com"
REGISTRY_PATH = "/subscriptions/{}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/reg".format(SUB)
Q = "?api-version=" + API_VERSION

# --- recorded bodies (real service) -----------------------------------------------------------

EXPORT_SAS = (
    '{"type":"Microsoft.ContainerRegistry/registries/exportPipelines","identity":{"principalId":'
    '"00494523-498d-431e-8ffe-f9560ec82206","tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47","type":'
    '"systemAssigned"},"id":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/'
    'cli_test_acr_transfer_export_sas_000001/providers/Microsoft.ContainerRegistry/registries/acrtest000003/'
    'exportPipelines/pipeline000004","name":"pipeline000004","systemData":{"createdBy":"test@example.com",'
    '"createdByType":"User","createdAt":"2026-04-07T14:20:10.752646+00:00","lastModifiedBy":"test@example.com",'
    '"lastModifiedByType":"User","lastModifiedAt":"2026-04-07T14:20:10.752646+00:00"},"properties":{"target":'
    '{"type":"AzureStorageBlobContainer","uri":"https://acrtransfer000002.blob.core.windows.net/export-container",'
    '"keyVaultUri":"https://kv000005.vault.azure.net/secrets/sas-token-secret","storageAccessMode":"SasToken"},'
    '"provisioningState":"Succeeded"}}'
)
UAI_ID = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/cli_test_acr_transfer_export_uai_000001"
          "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/identity000005")
EXPORT_UAI = (
    '{"type":"Microsoft.ContainerRegistry/registries/exportPipelines","identity":{"type":"userAssigned",'
    '"userAssignedIdentities":{"' + UAI_ID + '":{"principalId":"1017ddb6-9016-4475-84d9-398a39964352",'
    '"clientId":"1d3bbf06-0307-4c03-80fe-42d756db32df"}}},"id":"/subscriptions/00000000-0000-0000-0000-000000000000/'
    'resourceGroups/cli_test_acr_transfer_export_uai_000001/providers/Microsoft.ContainerRegistry/registries/'
    'acrtest000003/exportPipelines/pipeline000004","name":"pipeline000004","systemData":{"createdBy":'
    '"test@example.com","createdByType":"User","createdAt":"2026-04-07T14:19:30.5970722+00:00","lastModifiedBy":'
    '"test@example.com","lastModifiedByType":"User","lastModifiedAt":"2026-04-07T14:19:30.5970722+00:00"},'
    '"properties":{"target":{"type":"AzureStorageBlobContainer","uri":'
    '"https://acrtransfer000002.blob.core.windows.net/export-container","storageAccessMode":"ManagedIdentity"},'
    '"provisioningState":"Succeeded"}}'
)
IMPORT_MI = (
    '{"type":"Microsoft.ContainerRegistry/registries/importPipelines","identity":{"principalId":'
    '"c1c854c1-48c8-4158-b854-b0758c8b2402","tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47","type":'
    '"systemAssigned"},"id":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/'
    'cli_test_acr_transfer_import_mi_000001/providers/Microsoft.ContainerRegistry/registries/acrtest000003/'
    'importPipelines/pipeline000004","name":"pipeline000004","systemData":{"createdBy":"test@example.com",'
    '"createdByType":"User","createdAt":"2026-04-07T14:19:26.4156871+00:00","lastModifiedBy":"test@example.com",'
    '"lastModifiedByType":"User","lastModifiedAt":"2026-04-07T14:19:26.4156871+00:00"},"properties":{"source":'
    '{"type":"AzureStorageBlobContainer","uri":"https://acrtransfer000002.blob.core.windows.net/import-container",'
    '"storageAccessMode":"ManagedIdentity"},"trigger":{"sourceTrigger":{"status":"Enabled"}},'
    '"provisioningState":"Succeeded"}}'
)
# Export run from the spec's PipelineRunGet example.
RUN_EXPORT = {
    "id": REGISTRY_PATH + "/pipelineRuns/myPipelineRun",
    "name": "myPipelineRun",
    "type": "Microsoft.ContainerRegistry/registries/pipelineRuns",
    "properties": {
        "request": {
            "pipelineResourceId": REGISTRY_PATH + "/exportPipelines/myExportPipeline",
            "artifacts": ["sourceRepository/hello-world",
                          "sourceRepository2@sha256:00000000000000000000000000000000000"],
        },
        "response": {
            "status": "Running",
            "catalogDigest": "sha256@",
            "progress": {"percentage": "20"},
            "startTime": "2020-03-04T17:23:21.9261521+00:00",
            "target": {
                "type": "AzureStorageBlob",
                "uri": "https://accountname.blob.core.windows.net/containername/myblob.tar.gz",
                "keyVaultUri": "https://myvault.vault.azure.net/secrets/acrexportsas",
                "storageAccessMode": "SasToken",
            },
        },
        "provisioningState": "Succeeded",
    },
}


def run_body(state, status=None, **response_extra):
    body = json.loads(json.dumps(RUN_EXPORT))
    body["properties"]["provisioningState"] = state
    body["properties"]["response"]["status"] = status or state
    body["properties"]["response"].update(response_extra)
    return body


def arm_error(code, message):
    return {"error": {"code": code, "message": message}}


# --- fakes ------------------------------------------------------------------------------------

class FakeCredential:
    def __init__(self):
        self.scopes = []

    def get_token(self, *scopes, **kwargs):  # pylint: disable=unused-argument
        self.scopes.append(scopes)
        return AccessToken("fake-token", 4102444800)  # 2100-01-01


class FakeTransport(HttpTransport):
    """Answers canned (status, headers, body) tuples in order; records requests and sleeps."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []
        self.sleeps = []

    def send(self, request, **kwargs):
        self.requests.append(request)
        assert self.answers, "unexpected request {} {}".format(request.method, request.url)
        status, headers, body = self.answers.pop(0)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        content = (body or "").encode("utf-8")
        headers = dict(headers or {})
        if content:
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        headers.setdefault("Content-Length", str(len(content)))
        raw = requests.Response()
        raw.status_code = status
        raw.reason = HTTPStatus(status).phrase
        raw.headers = CaseInsensitiveDict(headers)
        raw._content = content  # pylint: disable=protected-access
        raw._content_consumed = True  # pylint: disable=protected-access
        raw.url = request.url
        response = RestRequestsTransportResponse(request=request, internal_response=raw)
        response.read()
        return response

    def sleep(self, duration):
        self.sleeps.append(duration)

    def open(self):
        pass

    def close(self):
        pass

    def __exit__(self, *args):
        pass

    def calls(self):
        return [(r.method, r.url) for r in self.requests]


def make_client(*answers, **kwargs):
    transport = FakeTransport(*answers)
    kwargs.setdefault("polling_interval", 0)
    client = ContainerRegistryTransferClient(FakeCredential(), SUB, transport=transport, **kwargs)
    return client, transport


def url(path):
    return ARM + REGISTRY_PATH + path + Q


# --- request builders -------------------------------------------------------------------------

@pytest.mark.parametrize("collection", ["exportPipelines", "importPipelines", "pipelineRuns"])
def test_builders_address_the_collection_with_the_api_version(collection):
    get = build_get_request(SUB, "rg", "reg", collection, "p1")
    assert (get.method, get.url) == ("GET", "{}/{}/p1{}".format(REGISTRY_PATH, collection, Q))
    lst = build_list_request(SUB, "rg", "reg", collection)
    assert (lst.method, lst.url) == ("GET", "{}/{}{}".format(REGISTRY_PATH, collection, Q))
    delete = build_delete_request(SUB, "rg", "reg", collection, "p1")
    assert (delete.method, delete.url) == ("DELETE", "{}/{}/p1{}".format(REGISTRY_PATH, collection, Q))
    put = build_create_request(SUB, "rg", "reg", collection, "p1", {"properties": {}})
    assert (put.method, put.url) == ("PUT", "{}/{}/p1{}".format(REGISTRY_PATH, collection, Q))
    assert get.headers["Accept"] == "application/json"


def test_builders_quote_every_path_segment():
    request = build_get_request("s/1", "my rg(1)", "re?g", "exportPipelines", "a/b#c%")
    assert request.url == ("/subscriptions/s%2F1/resourceGroups/my%20rg%281%29/providers/Microsoft.ContainerRegistry"
                           "/registries/re%3Fg/exportPipelines/a%2Fb%23c%25" + Q)


def test_create_request_sends_the_body_as_is_in_key_order():
    body = {"identity": {"type": "SystemAssigned"},
            "properties": {"target": {"type": "AzureStorageBlobContainer", "uri": "https://a/c",
                                      "storageAccessMode": "SasToken", "keyVaultUri": "https://v/secrets/s"},
                           "options": ["OverwriteBlobs"]}}
    request = build_create_request(SUB, "rg", "reg", "exportPipelines", "p1", body)
    assert request.content == json.dumps(body)  # the byte form 2.0.0 sent too
    assert request.headers["Content-Type"] == "application/json"


def test_builders_refuse_unknown_collections_and_empty_segments():
    with pytest.raises(ValueError):
        build_get_request(SUB, "rg", "reg", "webhooks", "p1")
    with pytest.raises(ValueError):
        build_create_request(SUB, "rg", "reg", "exportPipelines", "", {})
    with pytest.raises(ValueError):
        build_list_request(SUB, "", "reg", "pipelineRuns")


# --- client construction ----------------------------------------------------------------------

def test_client_names_the_extension_and_asks_for_the_base_url_scope():
    client, transport = make_client((200, {}, EXPORT_SAS), base_url="https://arm.example/")
    client.export_pipelines.get("rg", "reg", "p1")
    request = transport.requests[0]
    assert request.url == "https://arm.example" + REGISTRY_PATH + "/exportPipelines/p1" + Q
    assert "azext-acrtransfer/" + VERSION in request.headers["User-Agent"]
    assert request.headers["Authorization"] == "Bearer fake-token"
    assert client._config.credential.scopes == [("https://arm.example/.default",)]  # pylint: disable=protected-access


def test_client_takes_what_az_get_mgmt_service_client_passes():
    from azure.cli.core.commands.client_factory import get_mgmt_service_client
    from azure.cli.core.mock import DummyCli
    from azure.cli.core.util import is_track2

    assert is_track2(ContainerRegistryTransferClient)
    transport = FakeTransport((200, {}, IMPORT_MI))
    credential = FakeCredential()
    client = get_mgmt_service_client(DummyCli(), ContainerRegistryTransferClient, subscription_id=SUB,
                                     credential=credential, transport=transport, headers={"X-Test": "1"})
    client.import_pipelines.get("rg", "reg", "p1")
    request = transport.requests[0]
    assert request.url.startswith(ARM + REGISTRY_PATH)  # az's base_url has a trailing slash
    user_agent = request.headers["User-Agent"]
    assert user_agent.startswith("AZURECLI/") and user_agent.count("azext-acrtransfer/" + VERSION) == 1
    assert request.headers["CommandName"]  # az's headers reach the wire
    assert credential.scopes == [("https://management.core.windows.net//.default",)]  # az's credential_scopes


def test_client_honours_az_style_kwargs():
    client, transport = make_client((500, {}, arm_error("InternalError", "boom")),
                                    credential_scopes=["https://custom/.default"], user_agent="my-app/1",
                                    headers={"CommandName": "acr export-pipeline show"}, retry_total=0,
                                    logging_enable=True)
    with pytest.raises(HttpResponseError) as caught:
        client.export_pipelines.get("rg", "reg", "p1")
    assert caught.value.status_code == 500 and len(transport.requests) == 1  # retry_total=0
    request = transport.requests[0]
    assert request.headers["User-Agent"].startswith("my-app/1 ")
    assert request.headers["CommandName"] == "acr export-pipeline show"
    assert client._config.credential.scopes == [("https://custom/.default",)]  # pylint: disable=protected-access


def test_client_speaks_one_api_version():
    ContainerRegistryTransferClient(FakeCredential(), SUB, api_version=API_VERSION)
    with pytest.raises(ValueError):
        ContainerRegistryTransferClient(FakeCredential(), SUB, api_version="2023-01-01-preview")


# --- models -----------------------------------------------------------------------------------

def test_export_pipeline_model_reads_the_recorded_body():
    pipeline = ExportPipeline.from_dict(json.loads(EXPORT_SAS))
    assert pipeline.name == "pipeline000004"
    assert pipeline.type == "Microsoft.ContainerRegistry/registries/exportPipelines"
    assert pipeline.provisioning_state == ProvisioningState.SUCCEEDED
    assert pipeline.target.storage_access_mode == "SasToken"
    assert pipeline.target.key_vault_uri == "https://kv000005.vault.azure.net/secrets/sas-token-secret"
    assert pipeline.identity.type == "systemAssigned"
    assert pipeline.identity.is_system_assigned and not pipeline.identity.is_user_assigned
    assert pipeline.identity.principal_id == "00494523-498d-431e-8ffe-f9560ec82206"
    assert pipeline.system_data.created_at == "2026-04-07T14:20:10.752646+00:00"  # not reformatted
    assert pipeline.options is None and pipeline.location is None


def test_user_assigned_identity_entries_are_models():
    pipeline = ExportPipeline.from_dict(json.loads(EXPORT_UAI))
    identity = pipeline.identity
    assert identity.is_user_assigned and not identity.is_system_assigned
    assert identity.principal_id is None
    assert identity.user_assigned_identities[UAI_ID].client_id == "1d3bbf06-0307-4c03-80fe-42d756db32df"
    assert pipeline.as_dict()["identity"]["userAssignedIdentities"][UAI_ID]["principalId"] == \
        "1017ddb6-9016-4475-84d9-398a39964352"


@pytest.mark.parametrize("value,system,user", [
    ("SystemAssigned", True, False), ("systemAssigned", True, False), ("userAssigned", False, True),
    ("SystemAssigned, UserAssigned", True, True), ("None", False, False), (None, False, False),
])
def test_identity_type_is_compared_case_insensitively(value, system, user):
    identity = IdentityProperties.from_dict({} if value is None else {"type": value})
    assert (identity.is_system_assigned, identity.is_user_assigned) == (system, user)


def test_asdict_flattens_properties_and_keeps_the_service_keys():
    raw = json.loads(IMPORT_MI)
    flat = ImportPipeline.from_dict(raw)._asdict()
    expected = {k: v for k, v in raw.items() if k != "properties"}
    expected.update(raw["properties"])
    assert flat == expected
    assert list(flat) == ["type", "identity", "id", "name", "systemData", "source", "trigger", "provisioningState"]
    assert flat["trigger"] == {"sourceTrigger": {"status": "Enabled"}}
    assert "location" not in flat and "options" not in flat  # absent stays absent, no nulls


def test_asdict_keeps_unknown_fields_at_every_level():
    raw = json.loads(EXPORT_SAS)
    raw["etag"] = "W/1"
    raw["properties"]["newTopLevelThing"] = {"a": 1}
    raw["properties"]["target"]["futureField"] = True
    pipeline = ExportPipeline.from_dict(raw)
    flat = pipeline.as_dict()
    assert flat["etag"] == "W/1" and flat["newTopLevelThing"] == {"a": 1}
    assert flat["target"]["futureField"] is True
    assert pipeline.target.as_dict()["futureField"] is True
    assert pipeline.serialize() == raw  # the wire shape round-trips unchanged


def test_azure_cli_todict_prints_the_flattened_resource():
    from azure.cli.core.util import todict
    pipeline = ExportPipeline.from_dict(json.loads(EXPORT_SAS))
    assert todict(pipeline) == pipeline._asdict()
    assert todict([pipeline.target]) == [json.loads(EXPORT_SAS)["properties"]["target"]]


def test_asdict_is_a_copy():
    pipeline = ExportPipeline.from_dict(json.loads(EXPORT_SAS))
    pipeline.as_dict()["target"]["uri"] = "changed"
    assert pipeline.target.uri.startswith("https://acrtransfer000002")


def test_pipeline_run_model():
    run = PipelineRun.from_dict(RUN_EXPORT)
    assert run.request.artifacts == RUN_EXPORT["properties"]["request"]["artifacts"]
    assert run.request.pipeline_resource_id.endswith("/exportPipelines/myExportPipeline")
    assert run.response.progress.percentage == "20"
    assert run.response.start_time == "2020-03-04T17:23:21.9261521+00:00"
    assert run.response.target.storage_access_mode == "SasToken"
    assert run.response.finish_time is None and run.response.trigger is None and run.force_update_tag is None
    flat = run._asdict()
    assert set(flat) == {"id", "name", "type", "request", "response", "provisioningState"}


def test_triggered_import_run_model():
    body = {"name": "run_1", "properties": {
        "provisioningState": "Failed", "forceUpdateTag": "2026-01-01T00:00:00Z",
        "request": {"pipelineResourceId": "/x/importPipelines/ip",
                    "source": {"type": "AzureStorageBlob", "name": "blob.tar"}},
        "response": {"status": "Failed", "importedArtifacts": ["a:1"], "pipelineRunErrorMessage": "no access",
                     "trigger": {"sourceTrigger": {"timestamp": "2026-01-01T00:00:01Z"}},
                     "source": {"type": "AzureStorageBlob", "uri": "https://s/c/blob.tar"}}}}
    run = PipelineRun.from_dict(body)
    assert run.request.source.name == "blob.tar" and run.request.target is None
    assert run.response.trigger.source_trigger.timestamp == "2026-01-01T00:00:01Z"
    assert run.response.pipeline_run_error_message == "no access"
    assert run.response.source.uri == "https://s/c/blob.tar"
    assert run.response.imported_artifacts == ["a:1"]
    assert run.force_update_tag == "2026-01-01T00:00:00Z"


def test_models_built_from_keywords_serialize_to_the_wire_shape():
    pipeline = ExportPipeline(identity=IdentityProperties(type="SystemAssigned"),
                              target=ExportPipelineTargetProperties(type="AzureStorageBlobContainer",
                                                                    uri="https://a/c", storage_access_mode="SasToken"),
                              options=["OverwriteBlobs"])
    assert pipeline.serialize() == {
        "identity": {"type": "SystemAssigned"},
        "properties": {"target": {"type": "AzureStorageBlobContainer", "uri": "https://a/c",
                                  "storageAccessMode": "SasToken"},
                       "options": ["OverwriteBlobs"]}}
    pipeline.target.key_vault_uri = "https://v/secrets/s"  # edits through a part land in the resource
    pipeline.options = None  # None removes the key rather than sending null
    assert pipeline.serialize()["properties"] == {"target": {
        "type": "AzureStorageBlobContainer", "uri": "https://a/c", "storageAccessMode": "SasToken",
        "keyVaultUri": "https://v/secrets/s"}}
    with pytest.raises(TypeError):
        ExportPipeline(tagret=None)


# --- get and errors ---------------------------------------------------------------------------

def test_get_returns_the_model():
    client, transport = make_client((200, {}, EXPORT_UAI))
    pipeline = client.export_pipelines.get("rg", "reg", "pipeline000004")
    assert isinstance(pipeline, ExportPipeline) and pipeline.identity.is_user_assigned
    assert transport.calls() == [("GET", url("/exportPipelines/pipeline000004"))]


@pytest.mark.parametrize("status,error_type", [
    (404, ResourceNotFoundError), (401, ClientAuthenticationError), (403, ClientAuthenticationError),
    (409, ResourceExistsError), (400, HttpResponseError),
])
def test_errors_are_mapped_with_the_arm_error_and_the_response(status, error_type):
    headers = {"x-ms-correlation-request-id": "corr-1", "x-ms-request-id": "req-1"}
    body = arm_error("SomeCode", "Some message.")
    body["error"]["additionalInfo"] = [{"type": "PolicyViolation", "info": {"policy": "p"}}]
    client, _ = make_client((status, headers, body))
    with pytest.raises(error_type) as caught:
        client.import_pipelines.get("rg", "reg", "p1")
    error = caught.value
    assert type(error) is error_type  # pylint: disable=unidiomatic-typecheck
    assert error.status_code == status
    assert (error.error.code, error.error.message) == ("SomeCode", "Some message.")
    assert error.error.additional_info[0].type == "PolicyViolation"  # ARMErrorFormat, not plain OData
    assert error.response.headers["x-ms-correlation-request-id"] == "corr-1"
    assert error.response.headers["x-ms-request-id"] == "req-1"


def test_error_without_a_json_body_still_raises_the_mapped_type():
    client, _ = make_client((404, {}, ""))
    with pytest.raises(ResourceNotFoundError) as caught:
        client.pipeline_runs.get("rg", "reg", "r1")
    assert caught.value.error is None and caught.value.status_code == 404


# --- list -------------------------------------------------------------------------------------

def test_list_follows_next_link_as_given():
    page2 = ARM + REGISTRY_PATH + "/importPipelines" + Q + "&%24skipToken=abc"
    page3 = ARM + REGISTRY_PATH + "/importPipelines" + Q + "&%24skipToken=def"
    second = json.loads(IMPORT_MI)
    second["name"] = "second"
    client, transport = make_client(
        (200, {}, {"value": [json.loads(IMPORT_MI)], "nextLink": page2}),
        (200, {}, {"value": [second], "nextLink": page3}),
        (200, {}, {"value": []}),
    )
    items = list(client.import_pipelines.list("rg", "reg"))
    assert [p.name for p in items] == ["pipeline000004", "second"]
    assert all(isinstance(p, ImportPipeline) for p in items)
    assert transport.calls() == [("GET", url("/importPipelines")), ("GET", page2), ("GET", page3)]


def test_list_is_lazy_and_empty_list_costs_one_request():
    client, transport = make_client((200, {}, '{"value":[]}'))
    pager = client.pipeline_runs.list("rg", "reg")
    assert transport.requests == []
    assert list(pager) == []
    assert transport.calls() == [("GET", url("/pipelineRuns"))]


def test_list_error_is_mapped():
    client, _ = make_client((403, {}, arm_error("AuthorizationFailed", "no")))
    with pytest.raises(ClientAuthenticationError):
        list(client.export_pipelines.list("rg", "reg"))


# --- begin_create -----------------------------------------------------------------------------

BODY = {"identity": {"type": "SystemAssigned"},
        "properties": {"target": {"type": "AzureStorageBlobContainer", "uri": "https://a/c",
                                  "storageAccessMode": "ManagedIdentity"}}}


def test_create_synchronous_200_succeeded_is_one_request():
    client, transport = make_client((200, {}, EXPORT_SAS))
    poller = client.export_pipelines.begin_create("rg", "reg", "p1", BODY)
    assert poller.done()
    result = poller.result()
    assert isinstance(result, ExportPipeline) and result.provisioning_state == "Succeeded"
    assert transport.calls() == [("PUT", url("/exportPipelines/p1"))]
    assert transport.requests[0].content == json.dumps(BODY)


def test_create_200_non_terminal_polls_the_resource_until_terminal():
    client, transport = make_client(
        (200, {}, run_body("Creating", "Queued")),
        (200, {}, run_body("Running", "Running")),
        (200, {}, run_body("Succeeded", "Succeeded", finishTime="2020-03-04T17:30:00+00:00")),
    )
    poller = client.pipeline_runs.begin_create("rg", "reg", "r1", {"properties": {"request": {}}})
    run = poller.result()
    assert run.provisioning_state == "Succeeded" and run.response.finish_time == "2020-03-04T17:30:00+00:00"
    resource = url("/pipelineRuns/r1")
    assert transport.calls() == [("PUT", resource), ("GET", resource), ("GET", resource)]
    # azure-core polls once at once, then waits polling_interval (no Retry-After was sent).
    assert transport.sleeps == [0]


def test_create_201_async_operation_polls_the_status_then_gets_the_resource():
    status_url = ARM + REGISTRY_PATH + "/pipelineRuns/r1/operationStatuses/op1" + Q
    client, transport = make_client(
        (201, {"Azure-AsyncOperation": status_url, "Retry-After": "7"}, run_body("Creating", "Queued")),
        (200, {"Retry-After": "3"}, {"status": "InProgress"}),
        (200, {}, {"status": "Succeeded"}),
        (200, {}, run_body("Succeeded")),
    )
    run = client.pipeline_runs.begin_create("rg", "reg", "r1", {"properties": {}}).result()
    assert run.provisioning_state == "Succeeded"
    resource = url("/pipelineRuns/r1")
    assert transport.calls() == [("PUT", resource), ("GET", status_url), ("GET", status_url), ("GET", resource)]
    # The first status poll is immediate; then the latest Retry-After wins over polling_interval.
    assert transport.sleeps == [3]


def test_create_async_failure_raises_with_the_arm_error():
    status_url = ARM + "/op/status1"
    client, transport = make_client(
        (201, {"Azure-AsyncOperation": status_url}, ""),
        (200, {"x-ms-correlation-request-id": "corr-9"},
         {"status": "Failed", "error": arm_error("PipelineRunFailed", "Blob not found.")["error"]}),
    )
    poller = client.pipeline_runs.begin_create("rg", "reg", "r1", {"properties": {}})
    with pytest.raises(HttpResponseError) as caught:
        poller.result()
    error = caught.value
    assert (error.error.code, error.error.message) == ("PipelineRunFailed", "Blob not found.")
    assert error.response.headers["x-ms-correlation-request-id"] == "corr-9"
    assert len(transport.requests) == 2  # no final GET after a failure


def test_create_failed_provisioning_state_raises_with_the_run_error_message_and_model():
    client, _ = make_client(
        (200, {}, run_body("Running", "Running")),
        (200, {}, run_body("Failed", "Failed", pipelineRunErrorMessage="Storage access denied.")),
    )
    with pytest.raises(HttpResponseError) as caught:
        client.pipeline_runs.begin_create("rg", "reg", "r1", {"properties": {}}).result()
    error = caught.value
    assert "Failed" in str(error) and "Storage access denied." in str(error)
    assert isinstance(error.model, PipelineRun)
    assert error.model.response.pipeline_run_error_message == "Storage access denied."


def test_create_failed_in_the_first_answer_raises_at_once():
    client, transport = make_client((200, {}, run_body("Failed", "Failed", pipelineRunErrorMessage="bad")))
    poller = client.pipeline_runs.begin_create("rg", "reg", "r1", {"properties": {}})
    with pytest.raises(HttpResponseError, match="bad") as caught:
        poller.result()  # raised by result(), as a polled failure is
    assert caught.value.model.provisioning_state == "Failed"
    assert len(transport.requests) == 1


def test_create_initial_error_is_mapped_before_any_polling():
    client, transport = make_client((409, {}, arm_error("Conflict", "A run with this name is in progress.")))
    with pytest.raises(ResourceExistsError) as caught:
        client.pipeline_runs.begin_create("rg", "reg", "r1", {"properties": {}})
    assert caught.value.error.code == "Conflict" and len(transport.requests) == 1


def test_create_with_polling_false_returns_the_first_answer():
    status_url = ARM + "/op/status1"
    client, transport = make_client(
        (201, {"Azure-AsyncOperation": status_url}, run_body("Creating", "Queued")))
    poller = client.pipeline_runs.begin_create("rg", "reg", "r1", {"properties": {}}, polling=False)
    assert isinstance(poller.polling_method(), NoPolling)
    assert poller.result().provisioning_state == "Creating"
    assert len(transport.requests) == 1


def test_create_accepts_a_model_body():
    client, transport = make_client((200, {}, EXPORT_SAS))
    model = ExportPipeline.from_dict(BODY)
    client.export_pipelines.begin_create("rg", "reg", "p1", model).result()
    assert json.loads(transport.requests[0].content) == BODY


def test_create_resumes_from_a_continuation_token():
    status_url = ARM + "/op/status1"
    client, transport = make_client(
        (201, {"Azure-AsyncOperation": status_url}, ""),
        (200, {}, {"status": "Succeeded"}),
        (200, {}, run_body("Succeeded")),
        (200, {}, {"status": "Succeeded"}),
        (200, {}, run_body("Succeeded")),
    )
    first = client.pipeline_runs.begin_create("rg", "reg", "r1", {"properties": {}})
    first.result()
    run = client.pipeline_runs.begin_create("rg", "reg", "r1", None, cont_token=first.continuation_token()).result()
    assert run.provisioning_state == "Succeeded"
    assert [m for m, _ in transport.calls()] == ["PUT", "GET", "GET", "GET", "GET"]  # no second PUT


# --- begin_delete -----------------------------------------------------------------------------

def test_delete_200_with_an_empty_body_is_one_request():
    client, transport = make_client((200, {}, ""))
    poller = client.export_pipelines.begin_delete("rg", "reg", "p1")
    assert poller.done() and poller.result() is None
    assert transport.calls() == [("DELETE", url("/exportPipelines/p1"))]


def test_delete_204_is_one_request():
    client, transport = make_client((204, {}, ""))
    assert client.import_pipelines.begin_delete("rg", "reg", "p1").result() is None
    assert len(transport.requests) == 1


def test_delete_202_polls_the_location_until_done():
    location = ARM + REGISTRY_PATH + "/pipelineRuns/r1/operationResults/op1" + Q
    client, transport = make_client(
        (202, {"Location": location, "Retry-After": "5"}, ""),
        (202, {"Location": location, "Retry-After": "4"}, ""),
        (204, {}, ""),
    )
    assert client.pipeline_runs.begin_delete("rg", "reg", "r1").result() is None
    assert transport.calls() == [("DELETE", url("/pipelineRuns/r1")), ("GET", location), ("GET", location)]
    assert transport.sleeps == [4]


def test_delete_with_polling_false_is_one_request():
    client, transport = make_client((202, {"Location": ARM + "/op/1"}, ""))
    poller = client.pipeline_runs.begin_delete("rg", "reg", "r1", polling=False)
    assert poller.result() is None and len(transport.requests) == 1


def test_delete_not_found_is_mapped():
    client, _ = make_client((404, {}, arm_error("ResourceNotFound", "gone")))
    with pytest.raises(ResourceNotFoundError):
        client.export_pipelines.begin_delete("rg", "reg", "p1")


def test_delete_polling_error_is_mapped():
    location = ARM + "/op/1"
    client, _ = make_client((202, {"Location": location}, ""),
                            (403, {}, arm_error("AuthorizationFailed", "no read on the operation")))
    with pytest.raises(ClientAuthenticationError) as caught:
        client.export_pipelines.begin_delete("rg", "reg", "p1").result()
    assert caught.value.error.code == "AuthorizationFailed"
