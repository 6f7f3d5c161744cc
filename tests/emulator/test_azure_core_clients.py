"""The answers work with the ARM client machinery az uses: azure-mgmt-core's ARMPolling and azure-core's
retry policy (Retry-After on 429, a dropped connection retried)."""
import json
import time

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError
from azure.core.pipeline import policies
from azure.core.polling import LROPoller
from azure.core.rest import HttpRequest
from azure.mgmt.core import ARMPipelineClient
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy
from azure.mgmt.core.polling.arm_polling import ARMPolling

from emulator_helpers import API, export_body, export_run_body, registry_path


class _Credential:
    def __init__(self, emu):
        self.emu = emu

    def get_token(self, *scopes, **kwargs):
        return AccessToken(self.emu.token(), int(time.time()) + 3600)


@pytest.fixture
def client(fresh):
    pipeline_policies = [
        policies.RequestIdPolicy(),
        policies.HeadersPolicy(),
        policies.RetryPolicy(retry_backoff_factor=0.01),
        ARMChallengeAuthenticationPolicy(_Credential(fresh), "https://management.acrtransfer.localhost/.default"),
    ]
    with ARMPipelineClient(base_url=fresh.url, policies=pipeline_policies, connection_verify=fresh.ca_bundle) as arm:
        yield fresh, arm


def _lro(arm, method, path, body=None, final_state_via="azure-async-operation"):
    request = HttpRequest(method, arm._base_url + path, params={"api-version": API}, json=body)
    initial = arm._pipeline.run(request)
    if initial.http_response.status_code >= 400:
        raise HttpResponseError(response=initial.http_response)

    def deserialize(pipeline_response):
        text = pipeline_response.http_response.text()
        return json.loads(text) if text else None
    polling = ARMPolling(0, lro_options={"final-state-via": final_state_via})
    return LROPoller(arm, initial, deserialize, polling).result(timeout=15)


@pytest.mark.parametrize("registry", ["sourceregistry", "asyncregistry"])
def test_pipeline_create_and_delete_pollers(client, registry):
    emu, arm = client
    path = registry_path(registry) + "/exportPipelines/polled1"
    created = _lro(arm, "PUT", path, export_body())
    assert created["name"] == "polled1" and created["properties"]["provisioningState"] == "Succeeded"
    assert _lro(arm, "DELETE", path, final_state_via="location") is None
    assert emu.arm("GET", path).status_code == 404


@pytest.mark.parametrize("registry", ["sourceregistry", "asyncregistry"])
def test_run_poller_waits_for_the_run_and_reports_the_failure(client, registry):
    emu, arm = client
    _lro(arm, "PUT", registry_path(registry) + "/exportPipelines/export1", export_body())
    path = registry_path(registry) + "/pipelineRuns/polledrun1"
    with pytest.raises(HttpResponseError):
        _lro(arm, "PUT", path, export_run_body(registry, "export1"))
    run = emu.arm("GET", path).json()
    assert run["properties"]["provisioningState"] == "Failed"
    assert "no data plane" in run["properties"]["response"]["pipelineRunErrorMessage"]


def test_retry_policy_honours_429_and_survives_a_drop(client):
    emu, arm = client
    path = registry_path("sourceregistry") + "/exportPipelines"
    emu.admin("DELETE", "/requests")
    emu.admin("POST", "/faults", {"operation": "ExportPipelines_List", "kind": "429", "count": 1, "retry_after": 0})
    emu.admin("POST", "/faults", {"operation": "ExportPipelines_List", "kind": "drop", "count": 1})
    response = arm._pipeline.run(HttpRequest("GET", emu.url + path, params={"api-version": API})).http_response
    assert response.status_code == 200
    assert emu.admin("GET", "/requests").json()["operations"]["ExportPipelines_List"] == 3
