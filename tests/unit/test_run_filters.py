"""azext_acrtransfer._run_filters: run status, `pipeline-run list --pipeline/--status/--top`."""
import pytest

from azext_acrtransfer._run_filters import (
    as_run_dict,
    filter_runs,
    most_recent,
    run_pipeline_name,
    run_status,
    select_runs,
)
from azext_acrtransfer.vendored_sdks import PipelineRun

BASE = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/transfer-rg/providers/"
        "Microsoft.ContainerRegistry/registries/sourceregistry/")


def run(name, pipeline="exportone", kind="exportPipelines", status=None, state="Succeeded", start=None):
    response = {}
    if status is not None:
        response["status"] = status
    if start is not None:
        response["startTime"] = start
    return {"name": name, "provisioningState": state,
            "request": {"pipelineResourceId": BASE + kind + "/" + pipeline},
            "response": response}


# ------------------------------------------------------------------------------------------ status
@pytest.mark.parametrize("state,status,expected", [
    ("Succeeded", "Running", "Running"),      # spec example: accepted, still transferring
    ("Creating", "Running", "Running"),       # the local service while a run works
    ("Succeeded", "Succeeded", "Succeeded"),
    ("Succeeded", "Failed", "Failed"),
    ("Failed", "Running", "Failed"),          # a failed provisioning state wins
    ("Canceled", None, "Canceled"),
    ("Creating", None, "Creating"),
    (None, None, ""),
])
def test_run_status(state, status, expected):
    assert run_status(run("r", status=status, state=state)) == expected


def test_run_status_of_odd_runs_never_raises():
    assert run_status(None) == ""
    assert run_status({"response": "oops", "provisioningState": 3}) == ""
    assert run_pipeline_name({"request": {"pipelineResourceId": BASE + "importPipelines/imp/"}}) == "imp"
    assert run_pipeline_name({}) == ""


def test_models_become_dicts_in_printed_shape():
    model = PipelineRun.from_dict({"name": "abcde", "properties": {"provisioningState": "Succeeded",
                                                                   "response": {"status": "Running"}}})
    assert as_run_dict(model) == {"name": "abcde", "provisioningState": "Succeeded", "response": {"status": "Running"}}
    assert run_status(model) == "Running"
    assert as_run_dict(42) == {}


# ------------------------------------------------------------------------------------------ filters
RUNS = [
    run("run1", pipeline="ExportOne", status="Succeeded"),
    run("run2", pipeline="exporttwo", status="Running"),
    run("run3", pipeline="exportone", status="Failed", state="Failed"),
    run("run4", pipeline="exportone", kind="importPipelines", status="Cancelled"),
    run("run5", pipeline="exportone", status=None, state="Creating"),
]


def names(runs):
    return [r["name"] for r in runs]


def test_no_filter_keeps_everything_in_order():
    assert names(filter_runs(RUNS)) == ["run1", "run2", "run3", "run4", "run5"]


def test_pipeline_matches_last_id_segment_case_insensitively():
    assert names(filter_runs(RUNS, pipeline="EXPORTONE")) == ["run1", "run3", "run4", "run5"]
    assert names(filter_runs(RUNS, pipeline="exporttwo")) == ["run2"]
    assert filter_runs(RUNS, pipeline="export") == []


def test_pipeline_resource_id_matches_the_whole_id():
    full = (BASE + "importPipelines/exportone").upper()
    assert names(filter_runs(RUNS, pipeline=full)) == ["run4"]


def test_status_matches_effective_status_case_insensitively():
    assert names(filter_runs(RUNS, status="running")) == ["run2"]
    assert names(filter_runs(RUNS, status="SUCCEEDED")) == ["run1"]   # run2 is provisioned but Running
    assert names(filter_runs(RUNS, status="failed")) == ["run3"]
    assert names(filter_runs(RUNS, status="Canceled")) == ["run4"]    # the service's 'Cancelled' too
    assert names(filter_runs(RUNS, status="creating")) == ["run5"]
    assert names(filter_runs(RUNS, status=["Failed", "Running"])) == ["run2", "run3"]
    assert names(filter_runs(RUNS, status=[])) == names(RUNS)


def test_pipeline_and_status_combine():
    assert names(filter_runs(RUNS, pipeline="exportone", status="failed")) == ["run3"]


# ------------------------------------------------------------------------------------------ top
TIMED = [
    run("old", start="2026-01-01T10:00:00Z"),
    run("nostart1"),
    run("newest", start="2026-04-02T10:00:00.1234567+00:00"),
    run("badstart", start="yesterday"),
    run("middle", start="2026-03-01T12:00:00+02:00"),
]


def test_most_recent_by_start_time_newest_first_runs_without_start_last():
    assert names(most_recent(TIMED, 10)) == ["newest", "middle", "old", "nostart1", "badstart"]
    assert names(most_recent(TIMED, 2)) == ["newest", "middle"]
    assert most_recent(TIMED, 0) == []


def test_most_recent_compares_offsets():
    runs = [run("a", start="2026-03-01T11:00:00+02:00"),   # 09:00 UTC
            run("b", start="2026-03-01T10:00:00Z")]
    assert names(most_recent(runs, 2)) == ["b", "a"]


def test_select_runs_filters_then_keeps_top():
    runs = [run("a", status="Failed", state="Failed", start="2026-01-01T00:00:00Z"),
            run("b", status="Succeeded", start="2026-01-03T00:00:00Z"),
            run("c", status="Failed", state="Failed", start="2026-01-02T00:00:00Z")]
    assert names(select_runs(runs, status="failed", top=1)) == ["c"]
    assert names(select_runs(runs)) == ["a", "b", "c"]
    assert names(select_runs(iter(runs), top=2)) == ["b", "c"]
