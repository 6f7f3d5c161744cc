"""Fault injection (admin endpoint and configuration), request counts, latency and reset."""
import time

import pytest
import requests

from acrtransfer_emulator.testing import Emulator
from emulator_helpers import FAST, assert_error, export_body, get, put, registry_path

LIST = registry_path("sourceregistry") + "/exportPipelines"


def _fault(emu, **spec):
    response = emu.admin("POST", "/faults", spec)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("kind,status,code", [("429", 429, "TooManyRequests"), ("500", 500, "InternalServerError"),
                                              ("503", 503, "ServiceUnavailable")])
def test_error_faults_count_down(fresh, kind, status, code):
    _fault(fresh, operation="ExportPipelines_List", kind=kind, count=2, retry_after=7)
    for _ in range(2):
        response = fresh.arm("GET", LIST)
        assert_error(response, status, code, "fault injected")
        if kind in ("429", "503"):
            assert response.headers["Retry-After"] == "7"
        assert response.headers["x-ms-request-id"]
    assert fresh.arm("GET", LIST).status_code == 200          # used up
    assert fresh.admin("GET", "/faults").json() == {"value": []}


def test_fault_matches_only_its_operation(fresh):
    _fault(fresh, operation="ExportPipelines_Create", kind="500")
    assert fresh.arm("GET", LIST).status_code == 200
    assert put(fresh, "sourceregistry", "exportPipelines", "faulted1", export_body()).status_code == 500
    assert put(fresh, "sourceregistry", "exportPipelines", "faulted1", export_body()).status_code == 200


def test_after_lets_requests_through_first(fresh):
    """``after`` targets the Nth matching request (the robustness tests fault each request of a command)."""
    _fault(fresh, operation="ExportPipelines_List", kind="500", after=2)
    assert [fresh.arm("GET", LIST).status_code for _ in range(4)] == [200, 200, 500, 200]
    for bad in (-1, "1", True):
        assert fresh.admin("POST", "/faults", {"operation": "ExportPipelines_List", "kind": "500",
                                               "after": bad}).status_code == 400


def test_fault_by_method_and_path_regex(fresh):
    _fault(fresh, operation=r"^PUT .*/pipelineRuns/", kind="503", count=1, retry_after=0)
    assert put(fresh, "sourceregistry", "exportPipelines", "regex001", export_body()).status_code == 200
    response = put(fresh, "sourceregistry", "pipelineRuns", "regexrun1", {})
    assert_error(response, 503, "ServiceUnavailable")
    assert response.headers["Retry-After"] == "0"


def test_drop_closes_the_connection(fresh):
    _fault(fresh, operation="ExportPipelines_Get", kind="drop", count=1)
    with pytest.raises(requests.ConnectionError):
        get(fresh, "sourceregistry", "exportPipelines", "dropped1")
    # The next request is answered normally (a fresh connection).
    assert get(fresh, "sourceregistry", "exportPipelines", "dropped1").status_code == 404


def test_slow_delays_then_answers(fresh):
    _fault(fresh, operation="ExportPipelines_List", kind="slow", delay=0.6, count=1)
    started = time.monotonic()
    response = fresh.arm("GET", LIST)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.6
    started = time.monotonic()
    fresh.arm("GET", LIST)
    assert time.monotonic() - started < 0.5


def test_unlimited_fault_and_clear(fresh):
    _fault(fresh, operation="ExportPipelines_List", kind="500", count=-1)
    for _ in range(3):
        assert fresh.arm("GET", LIST).status_code == 500
    assert len(fresh.admin("GET", "/faults").json()["value"]) == 1
    assert fresh.admin("DELETE", "/faults").status_code == 204
    assert fresh.arm("GET", LIST).status_code == 200


@pytest.mark.parametrize("spec", [{"operation": "ExportPipelines_List", "kind": "418"},
                                  {"kind": "500"},
                                  {"operation": "ExportPipelines_List", "kind": "500", "count": 0},
                                  {"operation": "([", "kind": "500"},
                                  {"operation": "ExportPipelines_List", "kind": "500", "colour": "red"}])
def test_bad_fault_specs_refused(fresh, spec):
    assert_error(fresh.admin("POST", "/faults", spec), 400, "InvalidRequestContent")


def test_admin_is_never_faulted(fresh):
    _fault(fresh, operation=".*", kind="500", count=-1)
    assert fresh.admin("GET", "/health").status_code == 200
    assert fresh.arm("GET", LIST).status_code == 500
    assert fresh.admin("DELETE", "/faults").status_code == 204


def test_request_counts(fresh):
    fresh.admin("DELETE", "/requests")
    put(fresh, "sourceregistry", "exportPipelines", "counted1", export_body())
    get(fresh, "sourceregistry", "exportPipelines", "counted1")
    get(fresh, "sourceregistry", "exportPipelines", "counted1")
    fresh.arm("GET", "/nothing/here")
    counts = fresh.admin("GET", "/requests").json()
    assert counts["operations"] == {"ExportPipelines_Create": 1, "ExportPipelines_Get": 2, "Unknown": 1}
    assert counts["total"] == 4
    assert fresh.admin("DELETE", "/requests").status_code == 204
    assert fresh.admin("GET", "/requests").json() == {"total": 0, "operations": {}}


def test_latency(fresh):
    assert fresh.admin("POST", "/latency", {"seconds": 0.3}).json() == {"seconds": 0.3}
    started = time.monotonic()
    fresh.arm("GET", LIST)
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    fresh.admin("GET", "/health")                          # admin is not delayed
    assert time.monotonic() - started < 0.3
    assert_error(fresh.admin("POST", "/latency", {"seconds": -1}), 400, "InvalidRequestContent")
    fresh.admin("POST", "/latency", {"seconds": 0})


def test_reset(fresh):
    put(fresh, "sourceregistry", "exportPipelines", "resetme1", export_body())
    _fault(fresh, operation="ExportPipelines_Get", kind="500", count=5)
    fresh.admin("POST", "/latency", {"seconds": 0.01})
    assert fresh.admin("POST", "/reset").status_code == 204
    assert fresh.admin("GET", "/faults").json() == {"value": []}
    assert get(fresh, "sourceregistry", "exportPipelines").json() == {"value": []}
    assert fresh.admin("GET", "/requests").json()["operations"] == {"ExportPipelines_List": 1}


def test_faults_from_configuration(tmp_path):
    config = dict(FAST, faults=[{"operation": "ExportPipelines_List", "kind": "429", "count": 1, "retry_after": 3}])
    with Emulator(tmp_path, config=config) as emu:
        response = emu.arm("GET", LIST)
        assert_error(response, 429, "TooManyRequests")
        assert response.headers["Retry-After"] == "3"
        assert emu.arm("GET", LIST).status_code == 200


def test_access_log_has_no_secrets(fresh):
    token = fresh.token()
    fresh.arm("GET", LIST, params={"sig": "SECRETSIGNATURE"}, token=token)
    with open(fresh.home + "/emulator.log", encoding="utf-8") as f:
        text = f.read()
    assert "ExportPipelines_List" in text and "sig=***" in text
    assert "SECRETSIGNATURE" not in text
    assert token not in text and token.split(".")[2] not in text
    assert fresh.env["IDENTITY_HEADER"] not in text
