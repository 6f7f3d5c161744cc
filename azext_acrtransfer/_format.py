"""`-o table` shapes. Inputs are what az's `todict` makes of a result: one resource dict (create,
show), a list of them (list, clean, the summary of `pipeline-run create --batch`) or None
(--no-wait). Keys are camelCase with the `properties` envelope flattened. Formatters never raise:
a missing or odd field becomes an empty cell.
"""
import re
from collections import OrderedDict
from datetime import datetime, timedelta, timezone

_ERROR_CELL_WIDTH = 100

_ISO_8601 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(Z|z|[+-]\d{2}:?\d{2})?$")


def get_field(obj, *path):
    """obj[path[0]][path[1]]...; None as soon as a step is missing or not a dict. The one nested getter
    of the extension's readers (formatters, run filters, run waiting)."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def parse_iso_datetime(value):
    """An aware datetime (UTC when no offset is given) from the service's ISO 8601 text, or None.

    The service writes up to 7 fractional digits ("2020-03-04T17:23:21.9261521+00:00"), more than
    `datetime.fromisoformat` reads on older Pythons; the date helper every formatter shares.
    """
    if not isinstance(value, str):
        return None
    match = _ISO_8601.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        microsecond = int((fraction or "0")[:6].ljust(6, "0"))
        tz = timezone.utc
        if offset and offset not in ("Z", "z"):
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                        microsecond, tzinfo=tz)
    except (ValueError, OverflowError):
        return None


def _time_cell(value):
    moment = parse_iso_datetime(value)
    if moment is None:
        return value if isinstance(value, str) else ""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _duration_cell(start, finish):
    began, ended = parse_iso_datetime(start), parse_iso_datetime(finish)
    if began is None or ended is None or ended < began:
        return ""
    seconds = int((ended - began).total_seconds())
    return "{}:{:02d}:{:02d}".format(seconds // 3600, seconds // 60 % 60, seconds % 60)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _items(result):
    if isinstance(result, dict):
        return [result]
    if isinstance(result, (list, tuple)):
        return [item for item in result if isinstance(item, dict)]
    return []


def _pipeline_row(item, storage_key, with_trigger):
    row = OrderedDict()
    row["Name"] = _text(item.get("name"))
    row["ProvisioningState"] = _text(item.get("provisioningState"))
    row["StorageAccessMode"] = _text(get_field(item, storage_key, "storageAccessMode"))
    row["StorageUri"] = _text(get_field(item, storage_key, "uri"))
    row["IdentityType"] = _text(get_field(item, "identity", "type"))
    if with_trigger:
        row["SourceTrigger"] = _text(get_field(item, "trigger", "sourceTrigger", "status"))
    return row


def export_pipeline_output_format(result):
    return [_pipeline_row(item, "target", with_trigger=False) for item in _items(result)]


def import_pipeline_output_format(result):
    return [_pipeline_row(item, "source", with_trigger=True) for item in _items(result)]


def _run_pipeline_type(request):
    pipeline_id = _text(get_field(request, "pipelineResourceId")).lower()
    if "/exportpipelines/" in pipeline_id:
        return "export"
    if "/importpipelines/" in pipeline_id:
        return "import"
    if isinstance(get_field(request, "target"), dict):
        return "export"
    if isinstance(get_field(request, "source"), dict):
        return "import"
    return ""


def _progress_cell(percentage):
    text = _text(percentage).strip()
    return text + "%" if text and not text.endswith("%") else text


def _error_cell(message):
    text = " ".join(_text(message).split())
    return text if len(text) <= _ERROR_CELL_WIDTH else text[:_ERROR_CELL_WIDTH - 3] + "..."


def _pipeline_run_row(item):
    request = get_field(item, "request")
    response = get_field(item, "response")
    row = OrderedDict()
    row["Name"] = _text(item.get("name"))
    row["Pipeline"] = _text(get_field(request, "pipelineResourceId")).rstrip("/").split("/")[-1]
    row["PipelineType"] = _run_pipeline_type(request)
    row["Status"] = _text(get_field(response, "status"))
    row["Progress"] = _progress_cell(get_field(response, "progress", "percentage"))
    row["StartTime"] = _time_cell(get_field(response, "startTime"))
    row["Duration"] = _duration_cell(get_field(response, "startTime"), get_field(response, "finishTime"))
    row["ErrorMessage"] = _error_cell(get_field(response, "pipelineRunErrorMessage"))
    return row


def pipeline_run_output_format(result):
    return [_pipeline_run_row(item) for item in _items(result)]


def _is_batch_summary(result):
    return (isinstance(result, list) and bool(result)
            and all(isinstance(e, dict) and "storageBlob" in e and "request" not in e for e in result))


def _batch_row(entry):
    row = OrderedDict()
    row["Name"] = _text(entry.get("name"))
    row["Status"] = _text(entry.get("status"))
    row["StorageBlob"] = _text(entry.get("storageBlob"))
    artifacts = entry.get("artifacts")
    row["Artifacts"] = str(len(artifacts)) if isinstance(artifacts, list) else ""
    row["Skipped"] = _error_cell(entry.get("skippedArtifacts"))
    row["ErrorMessage"] = _error_cell(entry.get("errorMessage"))
    return row


def pipeline_run_batch_output_format(result):
    """A `pipeline-run create --batch` summary: one row per run."""
    return [_batch_row(entry) for entry in _items(result)]


def pipeline_run_create_output_format(result):
    """`pipeline-run create`: a --batch summary as `pipeline_run_batch_output_format`, a run as
    `pipeline_run_output_format`."""
    if _is_batch_summary(result):
        return pipeline_run_batch_output_format(result)
    return pipeline_run_output_format(result)
