"""The layers every request goes through, and the ARM resources az needs to log in and run."""
import pytest
import requests

from emulator_helpers import API, TENANT, assert_error, export_body, get, put, registry_path

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"


def test_request_ids(fresh):
    response = fresh.arm("GET", SUB)
    assert len(response.headers["x-ms-request-id"]) == 36
    assert response.headers["x-ms-correlation-request-id"] == response.headers["x-ms-request-id"]
    echoed = fresh.arm("GET", SUB, headers={"x-ms-correlation-request-id": "corr-1", "x-ms-client-request-id": "c-1"})
    assert echoed.headers["x-ms-correlation-request-id"] == "corr-1"
    assert echoed.headers["x-ms-client-request-id"] == "c-1"
    assert echoed.headers["x-ms-request-id"] != response.headers["x-ms-request-id"]
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert "server" not in response.headers


def test_api_version_required_and_checked(fresh):
    path = registry_path("sourceregistry") + "/exportPipelines"
    assert_error(fresh.arm("GET", path, api_version=None), 400, "MissingApiVersionParameter", "api-version")
    assert_error(fresh.arm("GET", path, api_version="yesterday"), 400, "InvalidApiVersionParameter", "yesterday")
    error = assert_error(fresh.arm("GET", path, api_version="2019-12-01-preview"), 400, "InvalidApiVersionParameter",
                         "2019-12-01-preview", API)
    assert error["message"]
    ok = fresh.arm("GET", path)
    assert ok.headers["api-supported-versions"] == API
    # Non-transfer ARM resources take any well-formed version (az uses many).
    assert fresh.arm("GET", SUB, api_version="2022-12-01").status_code == 200


def test_authentication(fresh):
    path = registry_path("sourceregistry") + "/exportPipelines"
    missing = fresh.arm("GET", path, token=False)
    assert_error(missing, 401, "AuthenticationFailed", "Authorization")
    assert missing.headers["WWW-Authenticate"].startswith("Bearer ")
    assert_error(fresh.arm("GET", path, token=False, headers={"Authorization": "Basic abc"}), 401,
                 "AuthenticationFailed")
    assert_error(fresh.arm("GET", path, token="not.a.token"), 401, "InvalidAuthenticationToken")
    # A well-formed JWT this service did not sign.
    good = fresh.token()
    header, claims, _ = good.split(".")
    assert_error(fresh.arm("GET", path, token=header + "." + claims + ".AAAA"), 401, "InvalidAuthenticationToken",
                 "signature")
    # A token for another audience (e.g. Key Vault) is not an ARM token.
    assert_error(fresh.arm("GET", path, token=fresh.token("https://vault.azure.net")), 401,
                 "InvalidAuthenticationTokenAudience")
    assert fresh.arm("GET", path, token=good).status_code == 200


def test_identity_endpoint(fresh):
    url = fresh.env["IDENTITY_ENDPOINT"]
    params = {"api-version": "2019-08-01", "resource": "https://management.acrtransfer.localhost/"}
    refused = requests.get(url, params=params, verify=fresh.ca_bundle)
    assert refused.status_code == 401 and refused.json()["statusCode"] == 401
    answer = requests.get(url, params=params, headers={"X-IDENTITY-HEADER": fresh.env["IDENTITY_HEADER"]},
                          verify=fresh.ca_bundle).json()
    assert set(answer) >= {"access_token", "expires_on", "resource", "token_type"}
    assert answer["token_type"] == "Bearer" and answer["resource"] == params["resource"]
    assert answer["expires_on"].isdigit()
    import base64
    import json
    claims = json.loads(base64.urlsafe_b64decode(answer["access_token"].split(".")[1] + "=="))
    assert claims["tid"] == TENANT and claims["aud"] == params["resource"]
    assert {"oid", "appid", "xms_mirid", "exp", "iss"} <= set(claims)
    # A user-assigned identity by client id gets its own principal.
    other = requests.get(url, params=dict(params, client_id="11111111-2222-3333-4444-555555555555"),
                         headers={"X-IDENTITY-HEADER": fresh.env["IDENTITY_HEADER"]}, verify=fresh.ca_bundle).json()
    other_claims = json.loads(base64.urlsafe_b64decode(other["access_token"].split(".")[1] + "=="))
    assert other_claims["appid"] == "11111111-2222-3333-4444-555555555555" and other_claims["oid"] != claims["oid"]


def test_metadata_endpoint(fresh):
    response = requests.get(fresh.url + "/metadata/endpoints", params={"api-version": "2022-09-01"},
                            verify=fresh.ca_bundle)
    assert response.status_code == 200
    metadata = response.json()
    assert metadata["resourceManager"] == fresh.url + "/"
    assert metadata["authentication"]["audiences"] == ["https://management.acrtransfer.localhost/"]
    assert metadata["authentication"]["loginEndpoint"]
    assert metadata["name"] == "AcrTransferLocal" and isinstance(metadata["suffixes"], dict)


def test_subscriptions_and_tenants(fresh):
    subscriptions = fresh.arm("GET", "/subscriptions", api_version="2022-12-01").json()["value"]
    assert [s["subscriptionId"] for s in subscriptions] == ["00000000-0000-0000-0000-000000000000"]
    assert subscriptions[0]["tenantId"] == TENANT and subscriptions[0]["state"] == "Enabled"
    assert fresh.arm("GET", SUB, api_version="2022-12-01").json() == subscriptions[0]
    assert_error(fresh.arm("GET", "/subscriptions/99999999-0000-0000-0000-000000000000", api_version="2022-12-01"),
                 404, "SubscriptionNotFound")
    tenants = fresh.arm("GET", "/tenants", api_version="2022-12-01").json()["value"]
    assert tenants[0]["tenantId"] == TENANT


def test_resource_groups(fresh):
    groups = fresh.arm("GET", SUB + "/resourcegroups", api_version="2022-09-01").json()["value"]
    assert [g["name"] for g in groups] == ["transfer-rg"] and groups[0]["location"] == "westus"
    assert fresh.arm("GET", SUB + "/resourceGroups/TRANSFER-RG", api_version="2022-09-01").json()["name"] == "transfer-rg"
    assert fresh.arm("HEAD", SUB + "/resourcegroups/transfer-rg", api_version="2022-09-01").status_code == 204
    assert fresh.arm("HEAD", SUB + "/resourcegroups/other-rg", api_version="2022-09-01").status_code == 404
    assert_error(fresh.arm("PUT", SUB + "/resourcegroups/other-rg", json={}, api_version="2022-09-01"),
                 400, "LocationRequired")
    created = fresh.arm("PUT", SUB + "/resourcegroups/other-rg", json={"location": "eastus"}, api_version="2022-09-01")
    assert created.status_code == 201 and created.json()["location"] == "eastus"
    assert fresh.arm("PUT", SUB + "/resourcegroups/other-rg", json={"location": "eastus"},
                     api_version="2022-09-01").status_code == 200
    assert_error(fresh.arm("GET", SUB + "/resourcegroups/missing-rg", api_version="2022-09-01"), 404,
                 "ResourceGroupNotFound", "missing-rg")
    # A group without registries holds no pipelines: the registry is missing.
    path = SUB + "/resourceGroups/other-rg/providers/Microsoft.ContainerRegistry/registries/sourceregistry/exportPipelines"
    assert_error(fresh.arm("GET", path), 404, "ResourceNotFound")


def test_registries(fresh):
    registry = fresh.arm("GET", registry_path("sourceregistry"), api_version="2025-04-01").json()
    assert registry["sku"] == {"name": "Premium", "tier": "Premium"}
    assert registry["name"] == "sourceregistry" and registry["location"] == "westus"
    assert registry["properties"]["loginServer"] and registry["type"] == "Microsoft.ContainerRegistry/registries"
    basic = fresh.arm("GET", registry_path("basicregistry"), api_version="2025-04-01").json()
    assert basic["sku"]["name"] == "Basic"
    listed = fresh.arm("GET", SUB + "/resourceGroups/transfer-rg/providers/Microsoft.ContainerRegistry/registries",
                       api_version="2025-04-01").json()["value"]
    assert {r["name"] for r in listed} == {"sourceregistry", "targetregistry", "asyncregistry", "basicregistry"}
    assert len(fresh.arm("GET", SUB + "/providers/Microsoft.ContainerRegistry/registries",
                         api_version="2025-04-01").json()["value"]) == 4
    assert_error(fresh.arm("GET", registry_path("nosuchregistry"), api_version="2025-04-01"), 404,
                 "ResourceNotFound", "nosuchregistry")


@pytest.mark.parametrize("method,path,status,code", [
    ("GET", registry_path("sourceregistry") + "/webhooks", 404, "InvalidResourceType"),
    ("GET", SUB + "/resourceGroups/transfer-rg/providers/Microsoft.Storage/storageAccounts/x", 404,
     "NoRegisteredProviderFound"),
    ("GET", "/nothing/here", 404, "NotFound"),
    ("PATCH", registry_path("sourceregistry") + "/exportPipelines/pipeline1", 405, "MethodNotAllowed"),
    ("POST", registry_path("sourceregistry") + "/pipelineRuns", 405, "MethodNotAllowed"),
])
def test_unknown_routes_get_arm_errors(fresh, method, path, status, code):
    response = fresh.arm(method, path, json={})
    assert_error(response, status, code)
    if status == 405:
        assert response.headers["Allow"]


def test_paths_are_case_insensitive_and_tolerate_slashes(fresh):
    put(fresh, "sourceregistry", "exportPipelines", "pipeline1", export_body())
    path = registry_path("sourceregistry").replace("resourceGroups", "resourcegroups").replace(
        "Microsoft.ContainerRegistry", "microsoft.containerregistry") + "/EXPORTPIPELINES/pipeline1/"
    assert fresh.arm("GET", path).status_code == 200
    assert fresh.arm("GET", "/" + path).status_code == 200
    assert get(fresh, "sourceregistry", "exportPipelines", "pipeline1").status_code == 200
