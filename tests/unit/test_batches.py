"""azext_acrtransfer._batches: planning, bounded concurrent runs, the summary and its table.

(The 50-artifact rule itself is tested with the validators.)"""
import re
import threading
import time
from types import SimpleNamespace

import pytest
from azure.core.exceptions import HttpResponseError

from azext_acrtransfer import _batches as b
from azext_acrtransfer import _format as f
from azext_acrtransfer._run_wait import PARTIAL_EXIT_CODE
from azext_acrtransfer.vendored_sdks import PipelineRun

RUN_NAME = re.compile(r"^[A-Za-z0-9]{5,50}$")


def artifacts(n):
    return ["repo{}:v1".format(i) for i in range(n)]


# ------------------------------------------------------------------------------------------ planning
def test_120_artifacts_make_three_runs_of_50_50_20_in_order():
    items = artifacts(120)
    plan = b.plan_batches("myexportrun", "transfer.tar", items)
    assert [len(p.artifacts) for p in plan] == [50, 50, 20]
    assert [a for p in plan for a in p.artifacts] == items
    assert [p.run_name for p in plan] == ["myexportrun1of3", "myexportrun2of3", "myexportrun3of3"]
    assert [p.storage_blob for p in plan] == ["transfer-1of3.tar", "transfer-2of3.tar", "transfer-3of3.tar"]
    assert [(p.index, p.count) for p in plan] == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize("n,runs", [(1, 1), (50, 1), (51, 2), (100, 2), (101, 3), (1000, 20), (1001, 21)])
def test_ceil_n_over_50_runs(n, runs):
    plan = b.plan_batches("myexportrun", "blob", artifacts(n))
    assert len(plan) == runs
    assert all(0 < len(p.artifacts) <= 50 for p in plan)


def test_one_batch_keeps_the_names_as_given():
    assert b.plan_batches("myexportrun", "dir/transfer.tar", artifacts(7)) == [
        b.Batch(1, 1, "myexportrun", "dir/transfer.tar", artifacts(7))]


@pytest.mark.parametrize("base", ["abcde", "A" * 50, "Run" + "9" * 47, "myexportrun"])
@pytest.mark.parametrize("n", [51, 501, 5001])
def test_run_names_stay_valid_and_distinct(base, n):
    plan = b.plan_batches(base, "blob", artifacts(n))
    names = [p.run_name for p in plan]
    assert all(RUN_NAME.match(name) for name in names), names
    assert len(set(names)) == len(names)
    assert len({name[:-len("{}of{}".format(p.index, p.count))] for name, p in zip(names, plan)}) == 1


def test_a_long_base_is_cut_to_fit():
    plan = b.plan_batches("A" * 50, "blob", artifacts(501))   # 11 runs: "10of11" needs 6 characters
    assert plan[0].run_name == "A" * 44 + "1of11"
    assert plan[-1].run_name == "A" * 44 + "11of11" and len(plan[-1].run_name) == 50


@pytest.mark.parametrize("blob,expected", [
    ("transfer.tar", "transfer-2of3.tar"),
    ("transfer.tar.gz", "transfer-2of3.tar.gz"),
    ("exports/2024-06/nightly.TAR.GZ", "exports/2024-06/nightly-2of3.TAR.GZ"),
    ("myblob", "myblob-2of3"),
    ("dir.v2/myblob", "dir.v2/myblob-2of3"),
    (".hidden", ".hidden-2of3"),
    ("my.blob.v2", "my.blob-2of3.v2"),
])
def test_blob_names_keep_directory_and_extension(blob, expected):
    assert b.batch_blob_name(blob, 2, 3) == expected


def test_blob_names_are_distinct_and_fit():
    long_blob = "d/" + "x" * 1015 + ".tar"                       # 1021 characters
    names = [p.storage_blob for p in b.plan_batches("myexportrun", long_blob, artifacts(1001))]
    assert len(set(names)) == len(names) == 21
    assert all(len(name) <= 1024 and name.endswith(".tar") and name.startswith("d/x") for name in names)


# ------------------------------------------------------------------------------------------ running
def run_model(name, status="Running", state="Succeeded", artifacts_=None, imported=None, message=None, percent=None):
    response = {"status": status}
    if imported is not None:
        response["importedArtifacts"] = imported
    if message is not None:
        response["pipelineRunErrorMessage"] = message
    if percent is not None:
        response["progress"] = {"percentage": str(percent)}
    return PipelineRun.from_dict({"name": name, "properties": {
        "provisioningState": state, "request": {"artifacts": artifacts_ or []}, "response": response}})


class FakeService:
    """A thread-safe fake of create (PUT) and get (GET) that measures concurrency."""

    def __init__(self, delay=0.01, polls=2, outcomes=None):
        self.delay = delay
        self.polls = polls
        self.outcomes = outcomes or {}
        self.lock = threading.Lock()
        self.active = 0
        self.max_active = 0
        self.gets = {}
        self.created = []

    def _enter(self):
        with self.lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)

    def _leave(self):
        with self.lock:
            self.active -= 1

    def create(self, batch):
        self._enter()
        try:
            time.sleep(self.delay)
            outcome = self.outcomes.get(batch.index)
            if outcome == "refuse":
                error = HttpResponseError(message="PipelineNotFound: gone")
                raise error
            with self.lock:
                self.created.append(batch.run_name)
            return run_model(batch.run_name, artifacts_=batch.artifacts, percent=0)
        finally:
            self._leave()

    def get(self, batch):
        self._enter()
        try:
            time.sleep(self.delay)
            with self.lock:
                count = self.gets[batch.run_name] = self.gets.get(batch.run_name, 0) + 1
            outcome = self.outcomes.get(batch.index, "ok")
            if outcome == "lost":
                raise HttpResponseError(message="Throttled")
            if count < self.polls:
                return run_model(batch.run_name, artifacts_=batch.artifacts, percent=50)
            if outcome == "fail":
                return run_model(batch.run_name, status="Failed", state="Failed", artifacts_=batch.artifacts,
                                 message="Key Vault denied")
            if outcome == "partial":
                return run_model(batch.run_name, status="Succeeded", artifacts_=batch.artifacts,
                                 imported=batch.artifacts[1:])
            return run_model(batch.run_name, status="Succeeded", artifacts_=batch.artifacts,
                             imported=batch.artifacts)
        finally:
            self._leave()


def quiet_ctx():
    return SimpleNamespace(only_show_errors=True)


def run(plan, service, **kwargs):
    kwargs.setdefault("interval", 0)
    kwargs.setdefault("sleep", lambda seconds: None)
    return b.run_batches(quiet_ctx(), plan, service.create, service.get, **kwargs)


@pytest.mark.parametrize("bound", [1, 2, 4])
def test_concurrency_is_bounded(bound):
    plan = b.plan_batches("myexportrun", "blob.tar", artifacts(500))      # 10 runs
    service = FakeService(delay=0.005, polls=3)
    summary = run(plan, service, max_workers=bound)
    assert service.max_active <= bound
    assert service.max_active == bound          # and the bound is used
    assert [e["status"] for e in summary] == ["Succeeded"] * 10


def test_the_interval_may_be_a_pace_shared_by_all_runs():
    plan = b.plan_batches("myexportrun", "blob.tar", artifacts(120))
    slept = []
    summary = run(plan, FakeService(polls=2), interval=lambda: 1.5, sleep=slept.append)
    assert [e["status"] for e in summary] == ["Succeeded"] * 3
    assert slept and set(slept) == {1.5}


def test_summary_lists_each_run_in_order_with_status_blob_and_artifacts():
    plan = b.plan_batches("myexportrun", "transfer.tar", artifacts(120))
    summary = run(plan, FakeService())
    assert [dict(e) for e in summary] == [
        {"name": p.run_name, "status": "Succeeded", "storageBlob": p.storage_blob, "artifacts": p.artifacts,
         "skippedArtifacts": [], "errorMessage": None} for p in plan]


def test_one_failure_never_stops_the_others():
    plan = b.plan_batches("myexportrun", "transfer.tar", artifacts(250))   # 5 runs
    service = FakeService(outcomes={1: "refuse", 2: "fail", 3: "partial", 4: "lost"})
    summary = run(plan, service, max_workers=2)
    assert [e["status"] for e in summary] == ["NotCreated", "Failed", "Partial", "Unknown", "Succeeded"]
    assert summary[0]["errorMessage"].startswith("The run was not created: ")
    assert "PipelineNotFound" in summary[0]["errorMessage"]
    assert summary[1]["errorMessage"] == "Key Vault denied"
    assert summary[2]["skippedArtifacts"] == [plan[2].artifacts[0]]
    assert summary[3]["errorMessage"].startswith("The run was created but could not be followed: ")
    assert sorted(service.created) == sorted(p.run_name for p in plan[1:])
    assert b.batch_summary_outcome(summary)[0] == 1


def test_without_wait_runs_are_only_created():
    plan = b.plan_batches("myexportrun", "transfer.tar", artifacts(120))
    service = FakeService()
    summary = run(plan, service, wait=False)
    assert service.gets == {}
    assert [e["status"] for e in summary] == ["Running"] * 3


def test_empty_plan():
    assert b.run_batches(quiet_ctx(), [], None, None) == []


def test_one_progress_line_for_all_runs():
    from azext_acrtransfer._run_wait import ProgressLine  # noqa: F401  (the line BatchProgress draws on)
    messages = []

    class Hook:
        def begin(self, message=None):
            messages.append(message)

        add = begin

        def end(self):
            messages.append("<end>")

        def stop(self):
            messages.append("<stop>")

    ctx = SimpleNamespace(only_show_errors=False, config=None, invocation=None,
                          get_progress_controller=lambda det=False, spinner=None: Hook())
    clock = iter(range(0, 1000)).__next__
    progress = b.BatchProgress(ctx, ["runa1of3", "runa2of3", "runa3of3"], clock=clock)
    progress.update("runa1of3", run_model("runa1of3", percent=30))
    progress.update("runa2of3", run_model("runa2of3", status="Succeeded"))
    progress.end()
    assert messages == [
        "3 pipeline runs: 10%  (1 Running, 2 Starting)  0:01 elapsed",
        "3 pipeline runs: 43%  (1 Running, 1 Succeeded, 1 Starting)  0:02 elapsed",
        "<end>",
    ]


def test_ctrl_c_stops_following_and_propagates(monkeypatch):
    plan = b.plan_batches("myexportrun", "transfer.tar", artifacts(120))
    service = FakeService(delay=0.001, polls=10 ** 9)      # never ends
    calls = {"n": 0}
    real_wait = __import__("concurrent.futures", fromlist=["wait"]).wait

    def interrupting_wait(futures, timeout=None, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_wait(futures, timeout=0.01, **kwargs)

    monkeypatch.setattr("concurrent.futures.wait", interrupting_wait)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        b.run_batches(quiet_ctx(), plan, service.create, service.get, interval=0.01)
    assert time.monotonic() - started < 5


# ------------------------------------------------------------------------------------------ outcome and output
def entry(status, skipped=(), error=None):
    return {"name": "r" + status, "status": status, "storageBlob": "b", "artifacts": ["a:1"],
            "skippedArtifacts": list(skipped), "errorMessage": error}


@pytest.mark.parametrize("statuses,code", [
    (["Succeeded", "Succeeded"], 0),
    (["Succeeded", "Partial"], PARTIAL_EXIT_CODE),
    (["Partial", "Failed"], 1),
    (["Succeeded", "Canceled"], 1),
    (["NotCreated"], 1),
    (["Unknown", "Partial"], 1),
])
def test_batch_exit_codes(statuses, code):
    assert b.batch_summary_outcome([entry(s) for s in statuses])[0] == code


class Events:
    def __init__(self):
        self.registered = []

    def register_event(self, name, handler):
        self.registered.append(name)

    def unregister_event(self, name, handler):
        pass


def test_check_batch_outcome_reports_and_defers(caplog):
    import logging
    ctx = Events()
    summary = [entry("Succeeded"), entry("Failed", error="Key Vault denied"), entry("Partial", skipped=["x:1"])]
    with caplog.at_level(logging.WARNING):
        assert b.check_batch_outcome(ctx, summary) is summary
    assert "1 of 3 pipeline runs did not succeed: rFailed Failed (Key Vault denied)" in caplog.text
    assert "1 of 3 pipeline runs skipped artifacts: rPartial (x:1)" in caplog.text
    assert ctx.registered == ["Cli.SuccessfulExecute", "Cli.PostExecute"]
    quiet = Events()
    b.check_batch_outcome(quiet, [entry("Succeeded")])
    assert quiet.registered == []


def test_table_of_a_summary():
    rows = f.pipeline_run_create_output_format([entry("Partial", skipped=["x:1", "y:2"]),
                                                entry("NotCreated", error="The run was not created: gone")])
    assert [list(r.items()) for r in rows] == [
        [("Name", "rPartial"), ("Status", "Partial"), ("StorageBlob", "b"), ("Artifacts", "1"),
         ("Skipped", "x:1, y:2"), ("ErrorMessage", "")],
        [("Name", "rNotCreated"), ("Status", "NotCreated"), ("StorageBlob", "b"), ("Artifacts", "1"),
         ("Skipped", ""), ("ErrorMessage", "The run was not created: gone")],
    ]


def test_table_of_a_single_run_is_the_run_table():
    from azext_acrtransfer._format import pipeline_run_output_format
    run_dict = run_model("myexportrun", status="Succeeded").as_dict()
    assert f.pipeline_run_create_output_format(run_dict) == pipeline_run_output_format(run_dict)
    assert f.pipeline_run_create_output_format(None) == pipeline_run_output_format(None)


@pytest.mark.parametrize("odd", [[], [1, None], {"storageBlob": 1}, "text", [{"storageBlob": None}]])
def test_tables_never_raise(odd):
    f.pipeline_run_create_output_format(odd)
    f.pipeline_run_batch_output_format(odd)
