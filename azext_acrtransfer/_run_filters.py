"""Pure readers of pipeline runs: a run's status, `pipeline-run list` filters and `--top`.

Runs are read in the shape az prints (`todict`/`_asdict()`: camelCase, `properties` flattened);
models are converted on the way in. Nothing here makes a request or raises on an odd run.
"""
from ._format import get_field, parse_iso_datetime

# provisioningState values that end a run whatever response.status says.
_FINAL_STATES = ("failed", "canceled")
_SPELLINGS = {"cancelled": "canceled"}


def as_run_dict(run):
    """The run as az prints it: a dict stays as is, a model becomes its `_asdict()`, anything else {}."""
    if isinstance(run, dict):
        return run
    to_dict = getattr(run, "_asdict", None) or getattr(run, "as_dict", None)
    if callable(to_dict):
        value = to_dict()
        return value if isinstance(value, dict) else {}
    return {}



def _text(value):
    return value.strip() if isinstance(value, str) else ""


def _canonical(status):
    low = _text(status).lower()
    return _SPELLINGS.get(low, low)


def run_status(run):
    """What a run is doing, as the service spells it: a Failed or Canceled provisioningState, else
    response.status, else provisioningState; "" when the run says nothing.

    The service accepts a run (provisioningState Succeeded) long before it ends: an export run in
    progress reads `provisioningState: Succeeded, response.status: Running` (spec example
    PipelineRunList), so response.status is what tells whether the transfer is done.
    """
    run = as_run_dict(run)
    state = _text(run.get("provisioningState"))
    if _canonical(state) in _FINAL_STATES:
        return state
    return _text(get_field(run, "response", "status")) or state


def run_pipeline_name(run):
    """The last segment of request.pipelineResourceId ("" when absent)."""
    pipeline_id = _text(get_field(as_run_dict(run), "request", "pipelineResourceId"))
    return pipeline_id.rstrip("/").split("/")[-1] if pipeline_id else ""


def filter_runs(runs, pipeline=None, status=None):
    """The runs (as dicts, in the order given) of pipeline `pipeline` whose status is `status`.

    pipeline: a pipeline name, matched case-insensitively against the last segment of
        request.pipelineResourceId (an export and an import pipeline of the same name both match);
        a value containing '/' is a pipeline resource ID and must match the whole ID.
    status: one status or a list of them, matched case-insensitively against `run_status(run)`
        ("Cancelled" and "Canceled" are the same). None or empty filters nothing.
    """
    wanted_pipeline = _text(pipeline).rstrip("/").lower() if pipeline else None
    if isinstance(status, str):
        status = [status]
    wanted_status = {_canonical(s) for s in status or () if _text(s)}
    selected = []
    for run in runs:
        run = as_run_dict(run)
        if wanted_pipeline is not None:
            if "/" in wanted_pipeline:
                found = _text(get_field(run, "request", "pipelineResourceId")).rstrip("/").lower()
            else:
                found = run_pipeline_name(run).lower()
            if found != wanted_pipeline:
                continue
        if wanted_status and _canonical(run_status(run)) not in wanted_status:
            continue
        selected.append(run)
    return selected


def most_recent(runs, top):
    """The `top` most recent runs (as dicts) by response.startTime, newest first; runs without a
    readable start time come last, in the order given. `top` of 0 or less keeps none."""
    def _key(indexed):
        index, run = indexed
        started = parse_iso_datetime(get_field(run, "response", "startTime"))
        return (started is None, -started.timestamp() if started else 0.0, index)

    if top is None or top <= 0:
        return []
    ordered = sorted(enumerate(as_run_dict(run) for run in runs), key=_key)
    return [run for _, run in ordered[:top]]


def select_runs(runs, pipeline=None, status=None, top=None):
    """`pipeline-run list`: filter by pipeline and status, then keep the `top` most recent.

    Without any of the three the runs come back as dicts in service order.
    """
    selected = filter_runs(runs, pipeline=pipeline, status=status)
    return selected if top is None else most_recent(selected, top)
