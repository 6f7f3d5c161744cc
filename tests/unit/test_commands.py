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

from azext_acrtransfer import _errors, _run_wait, pipeline_run
from azext_acrtransfer._run_wait import PipelineRunFailedError
from azext_acrtransfer.export_pipeline import (
    acr_export_pipeline_create, acr_export_pipeline_delete, acr_export_pipeline_show, acr_export_pipeline_update)
from azext_acrtransfer.import_pipeline import (
    acr_import_pipeline_create, acr_import_pipeline_list, acr_import_pipeline_update)
from azext_acrtransfer.pipeline_run import acr_pipeline_run_clean, acr_pipeline_run_create, acr_pipeline_run_list
from azext_acrtransfer.vendored_sdks import ExportPipeline, ImportPipeline, PipelineRun

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


class FakePipelineResponse:
    """What azure-core hands a raw_response_hook: only the headers matter here."""

    def __init__(self, headers):
        self.http_response = type("HttpResponse", (), {"headers": headers})()


class FakeOperations:
    """Records calls (the client's keyword arguments too); scripted answers.

    get_results: what successive GETs answer (the last one repeats); create_result: a value or a
    callable(name, body) answering the PUT; retry_after: the Retry-After header answers carry.
    """

    def __init__(self, items=None, create_result=None, create_error=None, delete_errors=None, delay=0.0,
                 get_results=None, retry_after=None):
        self.calls = []
        self.kwargs = []
        self.items = items or []
        self.create_result, self.create_error = create_result, create_error
        self.delete_errors = delete_errors or {}
        self.get_results = list(get_results or [])
        self.retry_after = retry_after
        self.delay = delay
        self.lock = threading.Lock()
        self.in_flight = self.max_in_flight = 0

    def _answer(self, kwargs):
        self.kwargs.append(kwargs)
        hook = kwargs.get("raw_response_hook")
        if hook is not None:
            hook(FakePipelineResponse({"Retry-After": self.retry_after} if self.retry_after is not None else {}))

    def get(self, rg, registry, name, **kwargs):
        with self.lock:
            self.calls.append(("get", rg, registry, name))
        self._answer(kwargs)
        if not self.get_results:
            return {"name": name}
        result = self.get_results.pop(0) if len(self.get_results) > 1 else self.get_results[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def list(self, rg, registry):
        self.calls.append(("list", rg, registry))
        return iter(self.items)

    def begin_create(self, rg, registry, name, body, polling=True, **kwargs):
        with self.lock:
            self.calls.append(("begin_create", rg, registry, name, body, polling))
        if self.create_error:
            raise self.create_error
        self._answer(kwargs)
        result = self.create_result(name, body) if callable(self.create_result) else self.create_result
        return FakePoller(result)

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
    cli.only_show_errors = True     # no progress line: each pause is one sleep (see `sleeps`)

    class Cmd:
        cli_ctx = cli
    return Cmd()


@pytest.fixture(name="sleeps")
def fixture_sleeps(monkeypatch):
    """The waits between GETs, recorded instead of slept."""
    slept = []
    monkeypatch.setattr(_run_wait.time, "sleep", slept.append)
    return slept


@pytest.fixture(name="deferred")
def fixture_deferred(monkeypatch):
    """Exit codes deferred until after the output (defer_exit_code itself is tested in test_run_wait)."""
    codes = []
    monkeypatch.setattr(_run_wait, "defer_exit_code", lambda cli_ctx, code: codes.append(code))
    return codes


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


# --------------------------------------------------------------------------------------------- pipeline update
def _pipeline(kind="export", mode="SasToken", identity=None, options=None, trigger=None, location=None):
    storage = {"type": "AzureStorageBlobContainer", "uri": URI, "storageAccessMode": mode}
    if mode == "SasToken":
        storage["keyVaultUri"] = "https://v.vault.azure.net/secrets/old"
    properties = {"provisioningState": "Succeeded", "target" if kind == "export" else "source": storage}
    if options is not None:
        properties["options"] = options
    if trigger is not None:
        properties["trigger"] = {"sourceTrigger": {"status": trigger}}
    doc = {"id": "/subscriptions/{}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/reg1x/"
                 "{}Pipelines/{}pipe1".format(SUB, kind, kind),
           "name": kind + "pipe1", "type": "Microsoft.ContainerRegistry/registries/{}Pipelines".format(kind),
           "identity": identity or {"type": "systemAssigned", "principalId": "pid-1", "tenantId": "tid-1"},
           "systemData": {"createdBy": "someone", "createdAt": "2026-01-01T00:00:00Z"},
           "properties": properties}
    if location:
        doc["location"] = location
    return (ExportPipeline if kind == "export" else ImportPipeline)._from_wire(doc)


_READ_ONLY = ("id", "name", "systemData", "provisioningState", "principalId", "tenantId", "clientId")


def _keys(obj):
    if isinstance(obj, dict):
        return set(obj) | {k for v in obj.values() for k in _keys(v)}
    return set()


def test_export_update_is_get_then_put_of_the_whole_pipeline_without_read_only_fields(cmd, caplog):
    client = FakeOperations(get_results=[_pipeline(options=["OverwriteBlobs"], location="westus")],
                            create_result=lambda name, body: {"name": name})
    acr_export_pipeline_update(cmd, client, "rg", "reg1x", "exportpipe1", options=["ContinueOnErrors"])
    assert [c[0] for c in client.calls] == ["get", "begin_create"]
    body = client.calls[1][4]
    assert body == {"location": "westus", "identity": {"type": "SystemAssigned"}, "properties": {
        "target": {"type": "AzureStorageBlobContainer", "uri": URI, "storageAccessMode": "SasToken",
                   "keyVaultUri": "https://v.vault.azure.net/secrets/old"},
        "options": ["ContinueOnErrors"]}}
    assert not _keys(body) & set(_READ_ONLY) and "type" not in body
    assert client.calls[1][5] is True
    assert not [r for r in caplog.records if "Key Vault" in r.getMessage()]     # no permission change: no advice


def test_update_clears_options_and_rotates_the_secret_with_advice(cmd, caplog):
    client = FakeOperations(get_results=[_pipeline(options=["OverwriteBlobs"])], create_result={"name": "p"})
    acr_export_pipeline_update(cmd, client, "rg", "reg1x", "exportpipe1", options=[],
                               secret_uri="https://v2.vault.azure.net/secrets/new/abc123")
    body = client.calls[1][4]
    assert "options" not in body["properties"]
    assert body["properties"]["target"]["keyVaultUri"] == "https://v2.vault.azure.net/secrets/new/abc123"
    advice = [r.getMessage() for r in caplog.records if "keyvault set-policy" in r.getMessage()]
    assert len(advice) == 1 and "--name v2 " in advice[0]


def test_import_update_keeps_what_is_not_given_and_sends_identity_types_in_pascal_case(cmd):
    uai = ("/subscriptions/{}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/"
           "ident1".format(SUB))
    identity = {"type": "userAssigned", "userAssignedIdentities": {uai: {"principalId": "p", "clientId": "c"}}}
    current = _pipeline("import", mode="ManagedIdentity", identity=identity, options=["OverwriteTags"],
                        trigger="Enabled")
    client = FakeOperations(get_results=[current], create_result={"name": "p"})
    acr_import_pipeline_update(cmd, client, "rg", "reg1x", "importpipe1", source_trigger_enabled=False)
    body = client.calls[1][4]
    assert body == {"identity": {"type": "UserAssigned", "userAssignedIdentities": {uai: {}}}, "properties": {
        "source": {"type": "AzureStorageBlobContainer", "uri": URI, "storageAccessMode": "ManagedIdentity"},
        "trigger": {"sourceTrigger": {"status": "Disabled"}},
        "options": ["OverwriteTags"]}}
    client = FakeOperations(get_results=[_pipeline("import", trigger="Disabled")], create_result={"name": "p"})
    acr_import_pipeline_update(cmd, client, "rg", "reg1x", "importpipe1", options=["ContinueOnErrors"])
    assert client.calls[1][4]["properties"]["trigger"] == {"sourceTrigger": {"status": "Disabled"}}


def test_update_carries_a_system_and_user_assigned_identity():
    from azext_acrtransfer._pipeline_common import build_identity, identity_from_resource
    uai = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"
    both = {"type": "systemAssigned, userAssigned", "principalId": "p",
            "userAssignedIdentities": {uai: {"principalId": "q", "clientId": "c"}}}
    assert build_identity(identity_from_resource(both)) == {
        "type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {uai: {}}}
    assert build_identity(identity_from_resource({"type": "None"})) == {"type": "None"}
    assert build_identity(identity_from_resource({"type": "SystemAssigned"})) == {"type": "SystemAssigned"}


def test_update_refuses_a_secret_for_a_managed_identity_pipeline_before_any_put(cmd):
    from azure.cli.core.azclierror import MutuallyExclusiveArgumentError
    client = FakeOperations(get_results=[_pipeline(mode="ManagedIdentity")])
    with pytest.raises(MutuallyExclusiveArgumentError) as info:
        acr_export_pipeline_update(cmd, client, "rg", "reg1x", "exportpipe1",
                                   secret_uri="https://v.vault.azure.net/secrets/s")
    assert "ManagedIdentity" in str(info.value) and "exportpipe1" in str(info.value)
    assert [c[0] for c in client.calls] == ["get"]


def test_update_adding_delete_source_blob_to_a_managed_identity_import_advises_the_contributor_role(cmd, caplog):
    client = FakeOperations(get_results=[_pipeline("import", mode="ManagedIdentity")], create_result={"name": "p"})
    acr_import_pipeline_update(cmd, client, "rg", "reg1x", "importpipe1", options=["DeleteSourceBlobOnSuccess"],
                               no_wait=True)
    assert client.calls[1][5] is False
    assert any("Storage Blob Data Contributor" in r.getMessage() for r in caplog.records)


def test_update_of_a_missing_pipeline_makes_no_put(cmd):
    client = FakeOperations(get_results=[http_error(404, "ResourceNotFound", "gone", cls=CoreNotFound)])
    with pytest.raises(CoreNotFound):
        acr_export_pipeline_update(cmd, client, "rg", "reg1x", "exportpipe1", options=[])
    assert [c[0] for c in client.calls] == ["get"]


# --------------------------------------------------------------------------------------------- runs
def run_model(name="run12345", status="Running", state="Creating", percent=None, message=None, artifacts=None,
              imported=None):
    response = {"status": status}
    if percent is not None:
        response["progress"] = {"percentage": str(percent)}
    if message:
        response["pipelineRunErrorMessage"] = message
    if imported is not None:
        response["importedArtifacts"] = imported
    request = {"artifacts": artifacts} if artifacts is not None else {}
    return PipelineRun._from_wire({"name": name, "properties": {
        "provisioningState": state, "request": request, "response": response}})


def test_run_create_names_the_pipeline_in_the_commands_subscription(cmd, sleeps):
    client = FakeOperations(create_result=run_model(status="Succeeded", state="Succeeded"))
    acr_pipeline_run_create(cmd, client, "rg", "sourceregistry", "run12345", "exportpipe1", "export", "blob1",
                            artifacts=["hello:1"], force_redeploy=True)
    body = client.calls[0][4]
    assert body["properties"]["request"]["pipelineResourceId"] == (
        "/subscriptions/{}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/sourceregistry/"
        "exportPipelines/exportpipe1".format(SUB))
    assert body["properties"]["forceUpdateTag"]
    assert len(client.calls) == 1 and sleeps == []        # the PUT answered an ended run: nothing to follow


def test_run_create_waits_one_get_per_retry_after_and_returns_the_run(cmd, sleeps):
    done = run_model(status="Succeeded", state="Succeeded", percent=100)
    client = FakeOperations(create_result=run_model(percent=0), retry_after="2",
                            get_results=[run_model(percent=10), run_model(percent=60), done])
    result = acr_pipeline_run_create(cmd, client, "rg", "sourceregistry", "run12345", "exportpipe1", "export",
                                     "blob1", artifacts=["hello:1"])
    assert result is done
    assert [c[0] for c in client.calls] == ["begin_create", "get", "get", "get"]
    assert client.calls[0][5] is False                      # the run is followed, not the LRO
    assert all(callable(kw.get("raw_response_hook")) for kw in client.kwargs)
    assert sleeps == [2, 2, 2]


def test_run_create_without_retry_after_polls_every_5_seconds_and_at_most_every_second(cmd, sleeps):
    client = FakeOperations(create_result=run_model(), get_results=[run_model(status="Succeeded", state="Succeeded")])
    acr_pipeline_run_create(cmd, client, "rg", "sourceregistry", "run12345", "exportpipe1", "export", "blob1",
                            artifacts=["hello:1"])
    assert sleeps == [5.0]
    sleeps.clear()
    client = FakeOperations(create_result=run_model(), retry_after="0",
                            get_results=[run_model(status="Succeeded", state="Succeeded")])
    acr_pipeline_run_create(cmd, client, "rg", "sourceregistry", "run12345", "exportpipe1", "export", "blob1",
                            artifacts=["hello:1"])
    assert sleeps == [1.0]


def test_run_create_failed_run_raises_naming_run_and_message(cmd, sleeps):
    client = FakeOperations(create_result=run_model(), get_results=[
        run_model(status="Failed", state="Failed", message="Key Vault access denied.")])
    with pytest.raises(PipelineRunFailedError) as info:
        acr_pipeline_run_create(cmd, client, "rg", "sourceregistry", "run12345", "exportpipe1", "export",
                                "blob1", artifacts=["hello:1"])
    assert str(info.value) == "Pipeline run 'run12345' failed: Key Vault access denied."
    assert "az acr pipeline-run show -g rg -r sourceregistry -n run12345" in info.value.recommendations[0]


def test_run_create_partial_run_is_returned_and_exits_4_after_output(cmd, sleeps, deferred, caplog):
    partial = run_model(status="Succeeded", state="Succeeded", artifacts=["a:1", "b:2"], imported=["a:1"])
    client = FakeOperations(create_result=run_model(), get_results=[partial])
    assert acr_pipeline_run_create(cmd, client, "rg", "sourceregistry", "run12345", "exportpipe1", "export",
                                   "blob1", artifacts=["a:1", "b:2"]) is partial
    assert deferred == [4]
    assert any("b:2" in r.getMessage() for r in caplog.records)


def test_run_create_no_wait_is_one_put(cmd, sleeps):
    client = FakeOperations(create_result=run_model())
    acr_pipeline_run_create(cmd, client, "rg", "targetregistry", "run12345", "importpipe1", "import", "blob1",
                            no_wait=True)
    assert [c[0] for c in client.calls] == ["begin_create"] and client.calls[0][5] is False
    assert client.calls[0][4]["properties"]["request"]["source"] == {"type": "AzureStorageBlob", "name": "blob1"}


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


def _artifacts(n):
    return ["repo{}:v1".format(i) for i in range(n)]


def test_run_create_batch_makes_one_run_per_50_and_returns_the_summary(cmd, deferred):
    client = FakeOperations(create_result=lambda name, body: run_model(
        name, status="Failed", state="Failed", message="No data plane.",
        artifacts=body["properties"]["request"]["artifacts"]))
    summary = acr_pipeline_run_create(cmd, client, "rg", "sourceregistry", "myrun", "exportpipe1", "export",
                                      "transfer.tar", artifacts=_artifacts(120), force_redeploy=True, batch=True)
    puts = sorted((c for c in client.calls if c[0] == "begin_create"), key=lambda c: c[3])
    assert [c[3] for c in puts] == ["myrun1of3", "myrun2of3", "myrun3of3"]
    assert [c[4]["properties"]["request"]["target"]["name"] for c in puts] == [
        "transfer-1of3.tar", "transfer-2of3.tar", "transfer-3of3.tar"]
    assert [len(c[4]["properties"]["request"]["artifacts"]) for c in puts] == [50, 50, 20]
    assert len({c[4]["properties"]["forceUpdateTag"] for c in puts}) == 1
    assert [(e["name"], e["status"], e["errorMessage"]) for e in summary] == [
        ("myrun{}of3".format(i), "Failed", "No data plane.") for i in (1, 2, 3)]
    assert deferred == [1]


def test_run_create_batch_with_a_missing_pipeline_names_it_in_every_entry(cmd, deferred):
    client = FakeOperations(create_error=http_error(400, "PipelineNotFound", "Pipeline 'nopipe1' not found."))
    summary = acr_pipeline_run_create(cmd, client, "rg", "sourceregistry", "myrun", "nopipe1", "export",
                                      "blob", artifacts=_artifacts(60), batch=True)
    assert [e["status"] for e in summary] == ["NotCreated", "NotCreated"]
    assert all("export pipeline 'nopipe1' was not found" in e["errorMessage"] for e in summary)
    assert deferred == [1]


def _run(name, status=None, state="Succeeded", start=None, pipeline=None):
    response = {}
    if status:
        response["status"] = status
    if start:
        response["startTime"] = start
    run = {"name": name, "provisioningState": state, "response": response}
    if pipeline:
        run["request"] = {"pipelineResourceId": "/subscriptions/{}/resourceGroups/rg/providers/"
                                                "Microsoft.ContainerRegistry/registries/reg1x/exportPipelines/{}"
                                                .format(SUB, pipeline)}
    return run


def test_list_top_is_the_most_recent_by_start_time(cmd):
    runs = [_run("old", start="2026-01-01T00:00:00Z"), _run("nostart"),
            _run("newest", start="2026-03-01T00:00:00.1234567+00:00"), _run("mid", start="2026-02-01T01:00:00+01:00")]
    client = FakeOperations(items=runs)
    assert [r["name"] for r in acr_pipeline_run_list(cmd, client, "rg", "reg1x", top=2)] == ["newest", "mid"]
    assert [r["name"] for r in acr_pipeline_run_list(cmd, client, "rg", "reg1x", top=10)] == [
        "newest", "mid", "old", "nostart"]


def test_list_without_filters_is_the_service_pager(cmd):
    client = FakeOperations(items=[_run("a")])
    pager = acr_pipeline_run_list(cmd, client, "rg", "reg1x")
    assert list(pager) == [_run("a")] and client.calls == [("list", "rg", "reg1x")]


def test_list_filters_by_pipeline_and_status_then_top(cmd):
    runs = [_run("a", "Failed", "Failed", "2026-01-01T00:00:00Z", "ExportPipe1"),
            _run("b", "Succeeded", start="2026-01-02T00:00:00Z", pipeline="exportpipe1"),
            _run("c", "Failed", start="2026-01-03T00:00:00Z", pipeline="exportpipe1"),
            _run("d", "Failed", start="2026-01-04T00:00:00Z", pipeline="otherpipe1")]
    client = FakeOperations(items=runs)
    names = [r["name"] for r in acr_pipeline_run_list(cmd, client, "rg", "reg1x", pipeline_name="exportPIPE1",
                                                      status="Failed")]
    assert names == ["a", "c"]
    assert [r["name"] for r in acr_pipeline_run_list(cmd, client, "rg", "reg1x", pipeline_name="exportpipe1",
                                                     status="Failed", top=1)] == ["c"]
    assert [r["name"] for r in acr_pipeline_run_list(cmd, client, "rg", "reg1x", status="Succeeded")] == ["b"]


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
