"""Command functions over a fake client (the management client is not needed), and the error translation.

The fake records every call, so "one request per command" is checked as one client call.
"""
import json
import threading
import time

import pytest
from azure.cli.core.azclierror import AzureResponseError, ForbiddenError, ResourceNotFoundError, UnauthorizedError
from azure.cli.core.mock import DummyCli
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.core.exceptions import ResourceNotFoundError as CoreNotFound
from azure.mgmt.core.exceptions import ARMErrorFormat

from azext_acrtransfer import _errors, pipeline_run
from azext_acrtransfer.export_pipeline import (
    acr_export_pipeline_create, acr_export_pipeline_delete, acr_export_pipeline_show)
from azext_acrtransfer.import_pipeline import acr_import_pipeline_create, acr_import_pipeline_list
from azext_acrtransfer.pipeline_run import (
    acr_pipeline_run_clean, acr_pipeline_run_create, acr_pipeline_run_list, is_failed_run, most_recent_runs)

SUB = "11111111-2222-3333-4444-555555555555"
URI = "https://acct.blob.core.windows.net/transfer"


class FakeResponse:
    def __init__(self, status, code=None, message=None, headers=None):
        self.status_code = status
        self.reason = "Reason"
        self.headers = headers or {}
        self.content_type = "application/json"
        self.request = None
        self._text = json.dumps({"error": {"code": code, "message": message}}) if code else ""

    def text(self, encoding=None):  # pylint: disable=unused-argument
        return self._text

    def body(self):
        return self._text.encode()


def http_error(status, code=None, message=None, cls=HttpResponseError, headers=None):
    return cls(response=FakeResponse(status, code, message, headers), error_format=ARMErrorFormat)


class FakePoller:
    def __init__(self, result=None, error=None):
        self._result, self._error = result, error

    def done(self):
        return True

    def status(self):
        return "Succeeded"

    def result(self, timeout=None):  # pylint: disable=unused-argument
        if self._error:
            raise self._error
        return self._result


class FakeOperations:
    """Records calls; answers from `results` (name -> value or exception)."""

    def __init__(self, items=None, create_result=None, create_error=None, delete_errors=None, delay=0.0):
        self.calls = []
        self.items = items or []
        self.create_result, self.create_error = create_result, create_error
        self.delete_errors = delete_errors or {}
        self.delay = delay
        self.lock = threading.Lock()
        self.in_flight = self.max_in_flight = 0

    def get(self, rg, registry, name):
        self.calls.append(("get", rg, registry, name))
        return {"name": name}

    def list(self, rg, registry):
        self.calls.append(("list", rg, registry))
        return iter(self.items)

    def begin_create(self, rg, registry, name, body, polling=True):
        self.calls.append(("begin_create", rg, registry, name, body, polling))
        if self.create_error:
            raise self.create_error
        return FakePoller(self.create_result)

    def begin_delete(self, rg, registry, name, polling=True):
        with self.lock:
            self.calls.append(("begin_delete", rg, registry, name, polling))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        time.sleep(self.delay)
        with self.lock:
            self.in_flight -= 1
        return FakePoller(error=self.delete_errors.get(name))


@pytest.fixture(name="cmd")
def fixture_cmd():
    cli = DummyCli()
    cli.data["subscription_id"] = SUB
    cli.data["command"] = "acr test"

    class Cmd:
        cli_ctx = cli
    return Cmd()


# --------------------------------------------------------------------------------------------- pipelines
def test_export_create_is_one_put_and_prints_advice(cmd, caplog):
    created = {"name": "exportpipe1", "identity": {"type": "systemAssigned", "principalId": "pid-1"}}
    client = FakeOperations(create_result=created)
    result = acr_export_pipeline_create(cmd, client, "rg", "sourceregistry", "exportpipe1", URI,
                                        storage_access_mode="ManagedIdentity", options=["OverwriteBlobs"])
    assert result == created
    assert len(client.calls) == 1
    name, rg, registry, pipeline, body, polling = client.calls[0]
    assert (name, rg, registry, pipeline, polling) == ("begin_create", "rg", "sourceregistry", "exportpipe1", True)
    assert body["properties"]["target"]["uri"] == URI and body["properties"]["options"] == ["OverwriteBlobs"]
    advice = [r.getMessage() for r in caplog.records if "role assignment create" in r.getMessage()]
    assert len(advice) == 1 and "pid-1" in advice[0] and "/subscriptions/{}/".format(SUB) in advice[0]


def test_import_create_no_wait_sends_polling_false(cmd):
    client = FakeOperations()
    poller = acr_import_pipeline_create(cmd, client, "rg", "targetregistry", "importpipe1", URI,
                                        storage_access_mode="SasToken",
                                        secret_uri="https://v.vault.azure.net/secrets/s",
                                        source_trigger_enabled=None, no_wait=True)
    assert isinstance(poller, FakePoller)
    assert client.calls[0][-1] is False
    assert client.calls[0][4]["properties"]["trigger"] == {"sourceTrigger": {"status": "Enabled"}}


def test_show_list_delete_are_one_call_each(cmd):
    client = FakeOperations()
    acr_export_pipeline_show(cmd, client, "rg", "sourceregistry", "exportpipe1")
    list(acr_import_pipeline_list(cmd, client, "rg", "targetregistry"))
    acr_export_pipeline_delete(cmd, client, "rg", "sourceregistry", "exportpipe1", no_wait=True)
    assert [c[0] for c in client.calls] == ["get", "list", "begin_delete"]
    assert client.calls[2][-1] is False


# --------------------------------------------------------------------------------------------- runs
def test_run_create_names_the_pipeline_in_the_commands_subscription(cmd):
    client = FakeOperations(create_result={"name": "run12345"})
    acr_pipeline_run_create(cmd, client, "rg", "sourceregistry", "run12345", "exportpipe1", "export", "blob1",
                            artifacts=["hello:1"], force_redeploy=True)
    body = client.calls[0][4]
    assert body["properties"]["request"]["pipelineResourceId"] == (
        "/subscriptions/{}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/sourceregistry/"
        "exportPipelines/exportpipe1".format(SUB))
    assert body["properties"]["forceUpdateTag"]
    assert len(client.calls) == 1


@pytest.mark.parametrize("status,code,message", [
    (404, "PipelineNotFound", "Pipeline does not exist."),
    (400, "ResourceNotFound", "The export pipeline 'exportpipe1' was not found."),
    (400, "InvalidRequest", "Pipeline exportpipe1 does not exist in registry sourceregistry."),
])
def test_run_create_pipeline_not_found_names_the_pipeline(cmd, status, code, message):
    client = FakeOperations(create_error=http_error(status, code, message))
    with pytest.raises(ResourceNotFoundError) as info:
        acr_pipeline_run_create(cmd, client, "rg", "sourceregistry", "run12345", "exportpipe1", "export",
                                "blob1", artifacts=["hello:1"])
    assert "export pipeline 'exportpipe1'" in str(info.value) and "'sourceregistry'" in str(info.value)


def test_run_create_other_errors_pass_through(cmd):
    error = http_error(400, "InvalidArtifact", "Artifact hello:1 is invalid.")
    client = FakeOperations(create_error=error)
    with pytest.raises(HttpResponseError) as info:
        acr_pipeline_run_create(cmd, client, "rg", "sourceregistry", "run12345", "exportpipe1", "export",
                                "blob1", artifacts=["hello:1"])
    assert info.value is error


def _run(name, status=None, state="Succeeded", start=None):
    response = {}
    if status:
        response["status"] = status
    if start:
        response["startTime"] = start
    return {"name": name, "provisioningState": state, "response": response}


def test_list_top_is_the_most_recent_by_start_time(cmd):
    runs = [_run("old", start="2026-01-01T00:00:00Z"), _run("nostart"),
            _run("newest", start="2026-03-01T00:00:00.1234567+00:00"), _run("mid", start="2026-02-01T01:00:00+01:00")]
    client = FakeOperations(items=runs)
    assert [r["name"] for r in acr_pipeline_run_list(cmd, client, "rg", "reg1x", top=2)] == ["newest", "mid"]
    assert [r["name"] for r in most_recent_runs(runs, 10)] == ["newest", "mid", "old", "nostart"]
    assert most_recent_runs([_run("a"), _run("b")], 1) == [_run("a")]


def test_is_failed_run():
    assert is_failed_run(_run("a", status="Failed"))
    assert is_failed_run(_run("a", status="Succeeded", state="Failed"))
    assert not is_failed_run(_run("a", status="Running"))
    assert not is_failed_run({"name": "a"})


def _failed_runs(count):
    return [_run("failed{}".format(i), status="Failed") for i in range(count)] + [_run("ok1", status="Succeeded")]


def test_clean_dry_run_deletes_nothing(cmd, caplog):
    client = FakeOperations(items=_failed_runs(3))
    result = acr_pipeline_run_clean(cmd, client, "rg", "reg1x", dry_run=True)
    assert [r["name"] for r in result] == ["failed0", "failed1", "failed2"]
    assert [c[0] for c in client.calls] == ["list"]
    assert any("Nothing was deleted" in r.getMessage() for r in caplog.records)


def test_clean_deletes_concurrently_with_a_bound(cmd, monkeypatch):
    monkeypatch.setattr(pipeline_run, "_stdin_is_terminal", lambda: False)
    client = FakeOperations(items=_failed_runs(20), delay=0.05)
    result = acr_pipeline_run_clean(cmd, client, "rg", "reg1x")
    assert len(result) == 20
    deletes = [c for c in client.calls if c[0] == "begin_delete"]
    assert sorted(c[3] for c in deletes) == sorted("failed{}".format(i) for i in range(20))
    assert 1 < client.max_in_flight <= 8


def test_clean_goes_on_after_a_failed_delete_and_fails_naming_it(cmd, monkeypatch, caplog):
    monkeypatch.setattr(pipeline_run, "_stdin_is_terminal", lambda: False)
    client = FakeOperations(items=_failed_runs(4), delete_errors={
        "failed1": http_error(409, "Conflict", "Run is in use."),
        "failed2": http_error(404, "NotFound", "gone", cls=CoreNotFound),     # already gone: counts as deleted
    })
    with pytest.raises(AzureResponseError) as info:
        acr_pipeline_run_clean(cmd, client, "rg", "reg1x")
    assert "failed1 (Conflict: Run is in use.)" in str(info.value)
    assert len([c for c in client.calls if c[0] == "begin_delete"]) == 4
    assert any("Deleted 3 of 4" in r.getMessage() for r in caplog.records)


def test_clean_asks_only_on_a_terminal(cmd, monkeypatch):
    import knack.prompting
    asked = []
    monkeypatch.setattr(knack.prompting, "prompt_y_n", lambda *a, **k: asked.append(a) or False)
    monkeypatch.setattr(pipeline_run, "_stdin_is_terminal", lambda: True)
    client = FakeOperations(items=_failed_runs(2))
    assert acr_pipeline_run_clean(cmd, client, "rg", "reg1x") == []
    assert len(asked) == 1 and not [c for c in client.calls if c[0] == "begin_delete"]
    assert len(acr_pipeline_run_clean(cmd, client, "rg", "reg1x", yes=True)) == 2
    assert len(asked) == 1


# --------------------------------------------------------------------------------------------- errors
def test_404_is_not_found():
    error = _errors.translate_http_error(http_error(404, "ResourceNotFound", "No such pipeline.", cls=CoreNotFound,
                                                    headers={"x-ms-correlation-request-id": "corr-1"}))
    assert isinstance(error, ResourceNotFoundError)
    assert "ResourceNotFound: No such pipeline." in error.error_msg
    assert "Correlation ID: corr-1" in error.recommendations


def test_403_is_access_denied_never_not_found():
    error = _errors.translate_http_error(http_error(403, "AuthorizationFailed", "The client has no access.",
                                                    cls=ClientAuthenticationError))
    assert isinstance(error, ForbiddenError)
    assert "Access denied" in error.error_msg and "not found" not in error.error_msg.lower()


def test_401_is_authentication():
    assert isinstance(_errors.translate_http_error(http_error(401, "InvalidAuthenticationToken", "Expired.")),
                      UnauthorizedError)


def test_other_errors_carry_code_message_and_request_id():
    error = _errors.translate_http_error(http_error(429, "TooManyRequests", "Slow down.",
                                                    headers={"x-ms-request-id": "req-9"}))
    assert isinstance(error, AzureResponseError)
    assert "TooManyRequests: Slow down." in error.error_msg
    assert "Correlation ID: req-9" in error.recommendations


def test_error_without_body_still_describes_itself():
    assert _errors.describe_http_error(http_error(502))


def test_exception_handler_raises_az_errors_and_passes_others():
    with pytest.raises(ResourceNotFoundError):
        _errors.transfer_exception_handler(http_error(404, "NotFound", "x", cls=CoreNotFound))
    with pytest.raises(KeyError):
        _errors.transfer_exception_handler(KeyError("k"))
