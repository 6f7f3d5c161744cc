"""Table formatters (`-o table`) over plain dicts as az's todict makes them: camelCase, properties flattened."""
from collections import OrderedDict

import pytest

from azext_acrtransfer._format import (
    export_pipeline_output_format,
    import_pipeline_output_format,
    parse_iso_datetime,
    pipeline_run_output_format,
)

EXPORT_PIPELINE = {
    "id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r/exportPipelines/exp1",
    "name": "exportpipe1",
    "type": "Microsoft.ContainerRegistry/registries/exportPipelines",
    "identity": {"type": "systemAssigned", "principalId": "p", "tenantId": "t"},
    "systemData": {"createdAt": "2026-04-07T14:19:13Z"},
    "provisioningState": "Succeeded",
    "target": {"type": "AzureStorageBlobContainer", "uri": "https://acct.blob.core.windows.net/Transfer",
               "storageAccessMode": "ManagedIdentity"},
    "options": ["OverwriteBlobs"],
}
IMPORT_PIPELINE = {
    "name": "importpipe1",
    "identity": {"type": "userAssigned", "userAssignedIdentities": {"/x": {"principalId": "p"}}},
    "provisioningState": "Succeeded",
    "source": {"type": "AzureStorageBlobContainer", "uri": "https://acct.blob.core.windows.net/transfer",
               "keyVaultUri": "https://v.vault.azure.net/secrets/s", "storageAccessMode": "SasToken"},
    "trigger": {"sourceTrigger": {"status": "Disabled"}},
}
EXPORT_RUN = {
    "name": "exportrun1",
    "provisioningState": "Succeeded",
    "request": {
        "pipelineResourceId": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ContainerRegistry/"
                              "registries/r/exportPipelines/exportpipe1",
        "target": {"type": "AzureStorageBlob", "name": "blob1"},
        "artifacts": ["hello-world:latest"],
    },
    "response": {
        "status": "Succeeded",
        "progress": {"percentage": "100"},
        "startTime": "2020-03-04T17:23:21.9261521+00:00",
        "finishTime": "2020-03-04T18:25:30.1+00:00",
    },
}
FAILED_IMPORT_RUN = {
    "name": "importpipe1_2026_trigger",
    "provisioningState": "Failed",
    "request": {
        "pipelineResourceId": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ContainerRegistry/"
                              "registries/r/importPipelines/importpipe1",
        "source": {"type": "AzureStorageBlob", "name": "blob1"},
    },
    "response": {
        "status": "Failed",
        "startTime": "2026-01-02T03:04:05Z",
        "pipelineRunErrorMessage": "The blob 'blob1' was not found in   the\nsource container. " + "x" * 200,
    },
}


def test_export_pipeline_row():
    assert export_pipeline_output_format(EXPORT_PIPELINE) == [OrderedDict([
        ("Name", "exportpipe1"),
        ("ProvisioningState", "Succeeded"),
        ("StorageAccessMode", "ManagedIdentity"),
        ("StorageUri", "https://acct.blob.core.windows.net/Transfer"),
        ("IdentityType", "systemAssigned"),
    ])]


def test_import_pipeline_row_has_the_source_trigger():
    assert import_pipeline_output_format([IMPORT_PIPELINE]) == [OrderedDict([
        ("Name", "importpipe1"),
        ("ProvisioningState", "Succeeded"),
        ("StorageAccessMode", "SasToken"),
        ("StorageUri", "https://acct.blob.core.windows.net/transfer"),
        ("IdentityType", "userAssigned"),
        ("SourceTrigger", "Disabled"),
    ])]


def test_pipeline_list_keeps_order():
    rows = export_pipeline_output_format([EXPORT_PIPELINE, dict(EXPORT_PIPELINE, name="second1")])
    assert [row["Name"] for row in rows] == ["exportpipe1", "second1"]


def test_export_run_row():
    assert pipeline_run_output_format(EXPORT_RUN) == [OrderedDict([
        ("Name", "exportrun1"),
        ("Pipeline", "exportpipe1"),
        ("PipelineType", "export"),
        ("Status", "Succeeded"),
        ("Progress", "100%"),
        ("StartTime", "2020-03-04 17:23:21"),
        ("Duration", "1:02:08"),
        ("ErrorMessage", ""),
    ])]


def test_failed_import_run_row():
    row = pipeline_run_output_format([FAILED_IMPORT_RUN])[0]
    assert row["Pipeline"] == "importpipe1"
    assert row["PipelineType"] == "import"
    assert row["Status"] == "Failed"
    assert row["Progress"] == ""
    assert row["StartTime"] == "2026-01-02 03:04:05"
    assert row["Duration"] == ""                                       # no finish time yet
    assert row["ErrorMessage"].startswith("The blob 'blob1' was not found in the source container.")
    assert len(row["ErrorMessage"]) == 100 and row["ErrorMessage"].endswith("...")


def test_run_type_from_the_request_block_when_the_id_is_missing():
    run = {"name": "r1", "request": {"target": {"name": "b"}}}
    assert pipeline_run_output_format(run)[0]["PipelineType"] == "export"
    run = {"name": "r1", "request": {"source": {"name": "b"}}}
    assert pipeline_run_output_format(run)[0]["PipelineType"] == "import"


def test_start_time_in_another_offset_is_shown_in_utc():
    run = {"name": "r1", "response": {"startTime": "2026-01-02T05:04:05.5+02:00", "progress": {"percentage": "20%"}}}
    row = pipeline_run_output_format(run)[0]
    assert row["StartTime"] == "2026-01-02 03:04:05"
    assert row["Progress"] == "20%"


@pytest.mark.parametrize("formatter", [
    export_pipeline_output_format, import_pipeline_output_format, pipeline_run_output_format])
@pytest.mark.parametrize("result", [
    None, {}, [], [None, 3, "x"], "text", 42,
    {"name": None, "identity": "odd", "target": [], "source": 5, "trigger": {"sourceTrigger": None}},
    {"name": "r", "request": "odd", "response": {"progress": None, "startTime": "not a date", "finishTime": 7}},
    {"name": "r", "response": {"startTime": "2026-01-02T03:04:05Z", "finishTime": "2026-01-01T00:00:00Z"}},
    {"name": "r", "response": {"startTime": "2026-13-40T99:99:99Z"}},
])
def test_formatters_never_raise(formatter, result):
    rows = formatter(result)
    assert isinstance(rows, list)
    for row in rows:
        assert all(isinstance(value, str) for value in row.values())


def test_no_wait_result_is_an_empty_table():
    assert pipeline_run_output_format(None) == []
    assert export_pipeline_output_format(None) == []


@pytest.mark.parametrize("text,expected", [
    ("2020-03-04T17:23:21.9261521+00:00", (2020, 3, 4, 17, 23, 21, 926152)),
    ("2020-03-04T17:23:21Z", (2020, 3, 4, 17, 23, 21, 0)),
    ("2020-03-04T17:23:21", (2020, 3, 4, 17, 23, 21, 0)),
    ("2020-03-04T19:23:21.5+0200", (2020, 3, 4, 17, 23, 21, 500000)),
])
def test_parse_iso_datetime(text, expected):
    from datetime import timezone
    moment = parse_iso_datetime(text).astimezone(timezone.utc)
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
            moment.microsecond) == expected


@pytest.mark.parametrize("text", [None, "", "yesterday", "2020-03-04", 12, "2020-02-30T00:00:00Z"])
def test_parse_iso_datetime_refuses_quietly(text):
    assert parse_iso_datetime(text) is None
