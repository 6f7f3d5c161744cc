"""`pipeline-run create --batch`: more than 50 artifacts as several export runs.

(The rule that more than 50 artifacts need --batch is `_validators.validate_artifact_count`; the
summary's `-o table` is `_format.pipeline_run_create_output_format`.)
- `plan_batches`: ceil(n/50) runs of 50, 50, ..., the rest, in the order given; run names
  `<name><i>of<n>` (letters and digits, at most 50: the base is cut when needed) and blob names
  `<stem>-<i>of<n><extension>` (the extension, `.tar.gz` included, is kept).
- `run_batches`: creates and follows the runs, at most BATCH_MAX_WORKERS at a time; one failure
  never stops the others. One progress line for all runs on stderr.
- `batch_summary_outcome` / `check_batch_outcome`: the summary's exit code (1 when any run failed,
  PARTIAL_EXIT_CODE when any was partial).
"""
import threading
import time
from collections import OrderedDict, namedtuple

from knack.log import get_logger

from ._constants import BATCH_MAX_WORKERS, BLOB_NAME_MAX_LENGTH, MAX_ARTIFACTS_PER_RUN, NAME_MAX_LENGTH

logger = get_logger(__name__)

_COMPOUND_EXTENSIONS = (".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst")

Batch = namedtuple("Batch", "index count run_name storage_blob artifacts")
Batch.__doc__ = "One run of a batched transfer: index is 1-based, count the number of runs."

# Summary statuses besides a run's own outcome (Succeeded, Partial, Failed, Canceled, Running...).
NOT_CREATED = "NotCreated"   # the PUT was refused: no run exists
UNKNOWN = "Unknown"          # created, but following it failed: it may still be running
_FAILURE_STATUSES = ("failed", "canceled", NOT_CREATED.lower(), UNKNOWN.lower())


def _ceil_div(n, size):
    return -(-n // size)


# ---------------------------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------------------------
def _split_extension(segment):
    """('transfer', '.tar.gz') for 'transfer.tar.gz'; a leading dot is part of the stem."""
    low = segment.lower()
    for extension in _COMPOUND_EXTENSIONS:
        if low.endswith(extension) and len(segment) > len(extension):
            return segment[:-len(extension)], segment[-len(extension):]
    dot = segment.rfind(".")
    if dot <= 0:
        return segment, ""
    return segment[:dot], segment[dot:]


def batch_run_name(run_name, index, count):
    """`<run_name><index>of<count>`, the base cut so every name of the batch fits in 50 characters."""
    longest = "{0}of{0}".format(count)
    return "{}{}of{}".format(run_name[:NAME_MAX_LENGTH - len(longest)], index, count)


def batch_blob_name(storage_blob, index, count):
    """`<dir>/<stem>-<index>of<count><extension>`, the stem cut so the name fits in 1024 characters."""
    directory, slash, segment = storage_blob.rpartition("/")
    stem, extension = _split_extension(segment)
    suffix = "-{}of{}".format(index, count)
    room = BLOB_NAME_MAX_LENGTH - len(directory) - len(slash) - len("-{0}of{0}".format(count)) - len(extension)
    return "{}{}{}{}{}".format(directory, slash, stem[:max(1, room)], suffix, extension)


def plan_batches(run_name, storage_blob, artifacts, size=MAX_ARTIFACTS_PER_RUN):
    """The runs for `artifacts`: ceil(n/size) Batches of `size`, ..., the rest, in order.

    One batch keeps the names as given; several get `batch_run_name`/`batch_blob_name` names,
    valid (letters and digits, 5-50) and distinct from each other.
    """
    artifacts = list(artifacts or [])
    if size < 1:
        raise ValueError("size must be at least 1")
    count = max(1, _ceil_div(len(artifacts), size))
    if count == 1:
        return [Batch(1, 1, run_name, storage_blob, artifacts)]
    return [Batch(i, count, batch_run_name(run_name, i, count), batch_blob_name(storage_blob, i, count),
                  artifacts[(i - 1) * size:i * size])
            for i in range(1, count + 1)]


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------
class _Cancelled(Exception):
    """Ctrl+C in the main thread: followers stop at their next pause."""


class BatchProgress:
    """One progress line for all runs: `3 pipeline runs: 45%  (1 Succeeded, 2 Running)  1:02 elapsed`."""

    def __init__(self, cli_ctx, run_names, clock=time.monotonic):
        from ._run_wait import ProgressLine
        self._line = ProgressLine(cli_ctx)
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()
        self._runs = OrderedDict((name, None) for name in run_names)

    def message(self):
        from ._run_filters import run_status
        from ._run_wait import format_elapsed, is_run_done, progress_percent
        counts = OrderedDict()
        total = 0
        for run in self._runs.values():
            status = (run_status(run) or "Starting") if run is not None else "Starting"
            counts[status] = counts.get(status, 0) + 1
            percent = progress_percent(run) if run is not None else None
            if run is not None and is_run_done(run):
                percent = 100
            total += percent or 0
        overall = total // max(1, len(self._runs))
        return "{} pipeline runs: {}%  ({})  {} elapsed".format(
            len(self._runs), overall, ", ".join("{} {}".format(n, s) for s, n in counts.items()),
            format_elapsed(self._clock() - self._started))

    def update(self, run_name, run):
        with self._lock:
            self._runs[run_name] = run
            message = self.message()
        self._line.show(message)

    def end(self):
        self._line.end()

    def stop(self):
        self._line.stop()


def _describe(ex):
    from azure.core.exceptions import HttpResponseError
    if isinstance(ex, HttpResponseError):
        from ._errors import correlation_id, describe_http_error
        text = describe_http_error(ex)
        cid = correlation_id(ex)
        return "{} (correlation ID {})".format(text, cid) if cid else text
    return str(ex) or type(ex).__name__


def summary_entry(batch, run=None, status=None, error=None):
    """One summary entry: name, status, storageBlob, artifacts, skippedArtifacts, errorMessage."""
    from ._run_wait import run_outcome
    outcome = run_outcome(run) if run is not None else None
    entry = OrderedDict()
    entry["name"] = batch.run_name
    entry["status"] = status or (outcome.status if outcome else UNKNOWN)
    entry["storageBlob"] = batch.storage_blob
    entry["artifacts"] = list(batch.artifacts)
    entry["skippedArtifacts"] = list(outcome.skipped) if outcome else []
    entry["errorMessage"] = error or (outcome.message if outcome else None)
    return entry


def run_batches(cli_ctx, batches, create_run, get_run, max_workers=BATCH_MAX_WORKERS, wait=True,
                interval=None, sleep=None):
    """Create (and with `wait`, follow to the end) one run per batch; return the summary, one entry
    per batch in batch order (`summary_entry`).

    create_run(batch): one PUT, returning the run (`begin_create(..., polling=False).result()`).
    get_run(batch): one GET of the run.
    interval: seconds between GETs of each run, or a no-argument callable (a `_run_wait.PollPace`);
        None: DEFAULT_POLL_SECONDS.
    At most `max_workers` runs are created and followed at once. An error of one batch (refused PUT:
    NotCreated; failed GET while following: Unknown) is recorded in its entry and the others go on.
    Ctrl+C stops following (runs already created go on in the service) and propagates.
    """
    from concurrent.futures import ThreadPoolExecutor, wait as wait_futures
    from ._run_wait import DEFAULT_POLL_SECONDS, wait_for_run

    batches = list(batches)
    if not batches:
        return []
    interval = DEFAULT_POLL_SECONDS if interval is None else interval
    cancel = threading.Event()
    created, created_lock = [], threading.Lock()
    progress = BatchProgress(cli_ctx, [b.run_name for b in batches]) if wait else None

    def pause(seconds):
        if sleep is not None:
            sleep(seconds)
        elif cancel.wait(seconds):
            raise _Cancelled()
        if cancel.is_set():
            raise _Cancelled()

    def one(batch):
        if cancel.is_set():
            raise _Cancelled()
        try:
            run = create_run(batch)
        except Exception as ex:  # pylint: disable=broad-except
            return summary_entry(batch, status=NOT_CREATED, error="The run was not created: " + _describe(ex))
        with created_lock:
            created.append(batch.run_name)
        if not wait:
            return summary_entry(batch, run)
        try:
            run = wait_for_run(cli_ctx, lambda: get_run(batch), batch.run_name, initial=run, interval=interval,
                               on_update=progress.update, sleep=pause)
        except _Cancelled:
            raise
        except Exception as ex:  # pylint: disable=broad-except
            return summary_entry(batch, status=UNKNOWN,
                                 error="The run was created but could not be followed: " + _describe(ex))
        return summary_entry(batch, run)

    pool = ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(batches))),
                              thread_name_prefix="acrt-batch")
    futures = [pool.submit(one, batch) for batch in batches]
    try:
        pending = futures
        while pending:
            # Short waits keep the main thread able to take Ctrl+C.
            _, pending = wait_futures(pending, timeout=0.5)
    except KeyboardInterrupt:
        cancel.set()
        pool.shutdown(wait=False, cancel_futures=True)
        if progress is not None:
            progress.stop()
        with created_lock:
            names = ", ".join(created) or "none"
        logger.warning("Stopped waiting; the pipeline runs already created go on in the service: %s. "
                       "Follow them with 'az acr pipeline-run list --pipeline <pipeline> -o table'.",
                       names)
        raise
    pool.shutdown(wait=True)
    if progress is not None:
        progress.end()
    return [future.result() for future in futures]


# ---------------------------------------------------------------------------------------------
# Outcome and output
# ---------------------------------------------------------------------------------------------
def batch_summary_outcome(summary):
    """(exit code, failed entries, partial entries): 1 when any run failed, was canceled, was not
    created or could not be followed; else PARTIAL_EXIT_CODE when any was partial; else 0."""
    from ._run_wait import PARTIAL, PARTIAL_EXIT_CODE
    failed = [e for e in summary if str(e.get("status")).lower() in _FAILURE_STATUSES]
    partial = [e for e in summary if e.get("status") == PARTIAL]
    if failed:
        return 1, failed, partial
    if partial:
        return PARTIAL_EXIT_CODE, failed, partial
    return 0, failed, partial


def check_batch_outcome(cli_ctx, summary):
    """Return the summary (az prints it); say on stderr which runs failed or skipped artifacts and
    make az exit with `batch_summary_outcome`'s code after printing."""
    from ._run_wait import defer_exit_code
    code, failed, partial = batch_summary_outcome(summary)
    if failed:
        # Runs that failed alike (the usual case: same pipeline, same cause) are named together.
        alike = OrderedDict()
        for e in failed:
            alike.setdefault((e["status"], e.get("errorMessage")), []).append(e["name"])
        logger.error("%d of %d pipeline runs did not succeed: %s", len(failed), len(summary), "; ".join(
            "{} {}{}".format(", ".join(names), status, " ({})".format(message) if message else "")
            for (status, message), names in alike.items()))
    if partial:
        logger.warning("%d of %d pipeline runs skipped artifacts: %s", len(partial), len(summary), "; ".join(
            "{} ({})".format(e["name"], ", ".join(e["skippedArtifacts"]) or e.get("errorMessage") or "")
            for e in partial))
    if code:
        defer_exit_code(cli_ctx, code)
    return summary
