"""Waiting for a pipeline run to end, its progress on stderr, and its outcome as the exit code.

- `wait_for_run` reads the run (one GET per poll interval) until response.status ends it, and shows
  `<run>: Running  45%  0:12 elapsed` on stderr through az's progress controller. The run resource is
  polled rather than the create LRO: the service answers the PUT (provisioningState Succeeded) while
  the transfer still runs, and only the run carries progress.percentage.
- `PollPace`: the poll interval, from the service's Retry-After (the rule az's own LRO poller,
  azure-mgmt-core's ARMPolling, follows), else DEFAULT_POLL_SECONDS.
- `check_run_outcome`: Failed or Canceled raises `PipelineRunFailedError` (exit code 1) naming the
  run and its pipelineRunErrorMessage; a partial run (Succeeded with skipped artifacts or an error
  message, which only ContinueOnErrors allows) is printed as usual and the command then exits with
  PARTIAL_EXIT_CODE.
- `defer_exit_code`: how a command exits non-zero after its output is printed (see there).
"""
import time
from collections import namedtuple

from knack.log import get_logger
from azure.cli.core.azclierror import AzureResponseError

from ._format import get_field
from ._run_filters import as_run_dict, run_status

logger = get_logger(__name__)

# Seconds between GETs of a run: the Retry-After of the service's latest answer, kept within
# MIN..MAX (a local service answers 1), else DEFAULT_POLL_SECONDS.
DEFAULT_POLL_SECONDS = 5.0
MIN_POLL_SECONDS = 1.0
MAX_POLL_SECONDS = 60.0
_REDRAW_SECONDS = 1.0

# Exit codes: 0 done, 1 error (a failed run included), 2 usage error (argparse), 3 not found (az).
# 4 is the first code neither az, knack nor argparse gives a meaning.
PARTIAL_EXIT_CODE = 4

SUCCEEDED = "Succeeded"
PARTIAL = "Partial"
FAILED = "Failed"
CANCELED = "Canceled"
_DONE_STATUSES = ("succeeded", "failed", "canceled", "cancelled")

RunOutcome = namedtuple("RunOutcome", "status skipped message")
RunOutcome.__doc__ = """How a run ended. status: Succeeded, Partial, Failed, Canceled, or the run's own
status when it has not ended; skipped: artifacts known not to have been transferred; message: the
run's pipelineRunErrorMessage (None when empty)."""



# ---------------------------------------------------------------------------------------------
# Reading a run
# ---------------------------------------------------------------------------------------------
def is_run_done(run):
    """Has the run ended? A Failed or Canceled provisioningState ends it; otherwise response.status
    must be Succeeded, Failed or Canceled (an accepted run in progress reads provisioningState
    Succeeded, status Running). A Succeeded resource without any response status has nothing
    more to wait for."""
    run = as_run_dict(run)
    state = str(run.get("provisioningState") or "").lower()
    status = str(get_field(run, "response", "status") or "").lower()
    if state in ("failed", "canceled"):
        return True
    if status in _DONE_STATUSES:
        return True
    return state == "succeeded" and not status


def progress_percent(run):
    """response.progress.percentage (a string such as "45") as an int in 0..100, or None."""
    value = get_field(as_run_dict(run), "response", "progress", "percentage")
    if isinstance(value, str):
        value = value.strip().rstrip("%").strip()
    try:
        percent = int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
    return max(0, min(100, percent))


def format_elapsed(seconds):
    """0:07, 12:05, 1:02:03."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return "{}:{:02d}:{:02d}".format(hours, minutes, secs) if hours else "{}:{:02d}".format(minutes, secs)


def progress_message(run_name, run, elapsed_seconds):
    """`<run>: Running  45%  0:12 elapsed` (no percentage while the service reports none)."""
    parts = [run_status(run) or "Starting"]
    percent = progress_percent(run)
    if percent is not None:
        parts.append("{}%".format(percent))
    parts.append("{} elapsed".format(format_elapsed(elapsed_seconds)))
    return "{}: {}".format(run_name, "  ".join(parts))


# ---------------------------------------------------------------------------------------------
# The poll interval
# ---------------------------------------------------------------------------------------------
def parse_retry_after(value):
    """Seconds from a Retry-After header (delay-seconds, or an HTTP date), or None."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        seconds = float(text)
    except ValueError:
        from datetime import datetime, timezone
        from email.utils import parsedate_to_datetime
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if moment is None:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        seconds = (moment - datetime.now(timezone.utc)).total_seconds()
    return seconds if seconds == seconds else None  # NaN


class PollPace:
    """How long to wait before the next GET of a run: what the service asked for in its latest
    answer (Retry-After, within MIN_POLL_SECONDS..MAX_POLL_SECONDS), else `default`: the rule
    azure-mgmt-core's ARMPolling (az's LongRunningOperation) follows. Pass `observe` as the
    request's `raw_response_hook` (an azure-core per-call keyword) and the pace itself as
    `wait_for_run`'s interval. One pace may serve several threads (a batch): the service's pace.
    """

    def __init__(self, default=DEFAULT_POLL_SECONDS):
        self.default = default
        self._seconds = default

    def observe(self, pipeline_response):
        headers = getattr(getattr(pipeline_response, "http_response", None), "headers", None) or {}
        try:
            seconds = parse_retry_after(headers.get("Retry-After"))
        except Exception:  # pylint: disable=broad-except
            seconds = None
        self._seconds = self.default if seconds is None else min(MAX_POLL_SECONDS, max(MIN_POLL_SECONDS, seconds))

    def __call__(self):
        return self._seconds


# ---------------------------------------------------------------------------------------------
# The progress line
# ---------------------------------------------------------------------------------------------
def progress_enabled(cli_ctx):
    """False with --only-show-errors, `-o none` or `az config set core.disable_progress_bar=true`
    (the settings az's own LongRunningOperation honours, plus `-o none`). Whether stderr is a
    terminal is decided by az's view: its spinner (humanfriendly) draws only when stderr.isatty()."""
    if getattr(cli_ctx, "only_show_errors", False):
        return False
    try:
        if cli_ctx.config.getboolean("core", "disable_progress_bar", False):
            return False
    except Exception:  # pylint: disable=broad-except
        pass
    data = getattr(getattr(cli_ctx, "invocation", None), "data", None)
    if isinstance(data, dict) and data.get("output") == "none":
        return False
    return callable(getattr(cli_ctx, "get_progress_controller", None))


class ProgressLine:
    """One self-rewriting line on stderr through `cli_ctx.get_progress_controller(det=False)`.

    The indeterminate view is used on purpose: its spinner checks that stderr is a terminal and
    carries our message (status, percentage, elapsed time). The determinate view writes `\\r` bars
    even into a redirected stderr, draws nothing at 0 % and prints its own 4-decimal percentage.
    Safe to call from several threads.
    """

    def __init__(self, cli_ctx):
        import threading
        self._hook = cli_ctx.get_progress_controller(det=False) if progress_enabled(cli_ctx) else None
        self._started = False
        self._lock = threading.Lock()

    @property
    def enabled(self):
        return self._hook is not None

    def show(self, message):
        if self._hook is None:
            return
        with self._lock:
            if self._started:
                self._hook.add(message=message)
            else:
                self._hook.begin(message=message)
                self._started = True

    def end(self):
        """Erase the line (the run ended or the wait failed: the result or error follows)."""
        with self._lock:
            if self._started:
                self._started = False
                self._hook.end()

    def stop(self):
        """Ctrl+C: az's 'Interrupted', then erase the line."""
        with self._lock:
            if self._started:
                self._started = False
                self._hook.stop()


# ---------------------------------------------------------------------------------------------
# Waiting
# ---------------------------------------------------------------------------------------------
def _initial_run(initial):
    """The run the PUT answered: a model/dict as is; an LROPoller's result (a poller that raises
    for a run that ended Failed hands the run over in `ex.model`)."""
    if initial is None or not (callable(getattr(initial, "result", None)) and callable(getattr(initial, "done", None))):
        return initial
    from azure.core.exceptions import HttpResponseError
    try:
        return initial.result()
    except HttpResponseError as ex:
        if getattr(ex, "model", None) is None:
            raise
        return ex.model


def _read(get_run, run_name):
    run = get_run()
    if run is None:
        raise AzureResponseError("The service answered the GET of pipeline run '{}' without the run.".format(run_name))
    return run


def wait_for_run(cli_ctx, get_run, run_name, initial=None, interval=DEFAULT_POLL_SECONDS, on_update=None,
                 sleep=None, clock=time.monotonic):
    """Read the run until it ends (see `is_run_done`) and return the last run read (a model when
    `get_run` returns models).

    get_run: no-argument callable making one GET of the run (`lambda: client.get(rg, registry, name)`).
    initial: the create answer (the model of `begin_create(..., polling=False).result()`, or a poller);
        when it has already ended no request is made, otherwise the first GET follows after `interval`.
    interval: seconds between GETs, or a no-argument callable read before each pause (a `PollPace`);
        the progress line is redrawn every second in between.
    on_update: `on_update(run_name, run)` after each read instead of this function's own progress line
        (batches draw one line for all their runs).
    sleep, clock: injectable for tests (`sleep` may raise to abandon the wait).
    Ctrl+C stops waiting, not the run, and says how to follow it; errors of a GET propagate.
    """
    sleep = sleep or time.sleep
    started = clock()
    line = None if on_update is not None else ProgressLine(cli_ctx)

    def report(current):
        if on_update is not None:
            on_update(run_name, current)
        else:
            line.show(progress_message(run_name, current, clock() - started))

    def pause(current):
        seconds = interval() if callable(interval) else interval
        if line is None or not line.enabled:
            sleep(seconds)
            return
        # Count the pauses rather than watch the clock, so that a pause ends after `seconds` of
        # sleeping whatever `sleep` is (tests replace it with a no-op).
        remaining = seconds
        while remaining > 0:
            step = min(_REDRAW_SECONDS, remaining)
            sleep(step)
            remaining -= step
            line.show(progress_message(run_name, current, clock() - started))

    try:
        run = _initial_run(initial)
        if run is None:
            run = _read(get_run, run_name)
        report(run)
        while not is_run_done(run):
            pause(run)
            run = _read(get_run, run_name)
            report(run)
    except KeyboardInterrupt:
        if line is not None:
            line.stop()
        logger.warning("Stopped waiting for pipeline run '%s'; the run goes on in the service. Follow it with "
                       "'az acr pipeline-run show --name %s' (and the same --resource-group and --registry).",
                       run_name, run_name)
        raise
    finally:
        if line is not None:
            line.end()
    return run


# ---------------------------------------------------------------------------------------------
# Outcome
# ---------------------------------------------------------------------------------------------
def _artifact_form(reference):
    """(repository, form, key): form is 'digest' or 'tag'; a bare repository means its 'latest' tag."""
    text = str(reference).strip()
    if "@" in text:
        repo, digest = text.split("@", 1)
        return repo, "digest", "{}@{}".format(repo, digest.lower())
    head, sep, tag = text.rpartition(":")
    if sep and "/" not in tag:
        return head, "tag", "{}:{}".format(head, tag)
    return text, "tag", "{}:latest".format(text)


def skipped_artifacts(run):
    """The requested artifacts a Succeeded export run did not transfer, when the service says which
    it transferred (response.importedArtifacts); [] when it cannot be known.

    What can be known: an export request lists its artifacts; an import request lists none (the
    blob decides), so an import run's skipped artifacts can only come from its
    pipelineRunErrorMessage. Matching: a bare `repo` is `repo:latest`; a requested tag counts as
    transferred when the service lists the same repository by digest, and the other way round
    (the two forms cannot be compared without the registry).
    """
    run = as_run_dict(run)
    requested = get_field(run, "request", "artifacts")
    transferred = get_field(run, "response", "importedArtifacts")
    if not isinstance(requested, list) or not isinstance(transferred, list):
        return []
    keys, forms = set(), set()
    for item in transferred:
        repo, form, key = _artifact_form(item)
        keys.add(key)
        forms.add((repo, form))
    skipped = []
    for item in requested:
        repo, form, key = _artifact_form(item)
        other = "tag" if form == "digest" else "digest"
        if key not in keys and (repo, other) not in forms:
            skipped.append(item)
    return skipped


def run_outcome(run):
    """The RunOutcome of a run (pure). Partial: Succeeded, yet artifacts were skipped (see
    `skipped_artifacts`) or the service left a pipelineRunErrorMessage, which a Succeeded run
    carries only when ContinueOnErrors let it go on past errors."""
    run = as_run_dict(run)
    status = run_status(run)
    message = get_field(run, "response", "pipelineRunErrorMessage")
    message = message.strip() if isinstance(message, str) and message.strip() else None
    low = status.lower()
    if low == "failed":
        return RunOutcome(FAILED, [], message)
    if low in ("canceled", "cancelled"):
        return RunOutcome(CANCELED, [], message)
    if low == "succeeded":
        skipped = skipped_artifacts(run)
        if skipped or message:
            return RunOutcome(PARTIAL, skipped, message)
        return RunOutcome(SUCCEEDED, [], None)
    return RunOutcome(status, [], message)


class PipelineRunFailedError(AzureResponseError):
    """A pipeline run ended Failed or Canceled (exit code 1)."""

    def __init__(self, run_name, status, message, recommendation=None):
        self.run_name = run_name
        self.status = status
        self.run_error_message = message
        verb = "was canceled" if status == CANCELED else "failed"
        text = "Pipeline run '{}' {}: {}".format(run_name, verb, message) if message else \
            "Pipeline run '{}' {} (the service gave no pipelineRunErrorMessage).".format(run_name, verb)
        super().__init__(text, recommendation)


def partial_message(run_name, outcome):
    """One stderr line naming what a partial run skipped."""
    parts = ["Pipeline run '{}' succeeded partially".format(run_name)]
    if outcome.skipped:
        parts.append("{} artifact(s) were skipped: {}".format(len(outcome.skipped), ", ".join(outcome.skipped)))
    if outcome.message:
        parts.append("the service reported: {}".format(outcome.message))
    return "{} (exit code {}).".format("; ".join(parts), PARTIAL_EXIT_CODE)


def check_run_outcome(cli_ctx, run, resource_group_name=None, registry_name=None):
    """Return the run when it succeeded. Failed/Canceled: raise PipelineRunFailedError. Partial:
    warn naming the skipped artifacts, return the run (az prints it) and make az exit with
    PARTIAL_EXIT_CODE afterwards. A run not yet ended (--no-wait) is returned as is."""
    outcome = run_outcome(run)
    name = as_run_dict(run).get("name") or "<unnamed>"
    if outcome.status in (FAILED, CANCELED):
        recommendation = None
        if resource_group_name and registry_name:
            recommendation = "See the run: az acr pipeline-run show -g {} -r {} -n {}".format(
                resource_group_name, registry_name, name)
        raise PipelineRunFailedError(name, outcome.status, outcome.message, recommendation)
    if outcome.status == PARTIAL:
        logger.warning(partial_message(name, outcome))
        defer_exit_code(cli_ctx, PARTIAL_EXIT_CODE)
    return run


# ---------------------------------------------------------------------------------------------
# Exit codes
# ---------------------------------------------------------------------------------------------
def defer_exit_code(cli_ctx, code):
    """Make az exit with `code` once the command's output has been printed. Call once per command.

    az offers a command no way to return a result with a non-zero exit code: AzCliCommandInvoker
    builds `CommandResultItem(result)` with exit code 0, and knack's `CLI.invoke` reads that code
    before it prints. Right after printing, `invoke` raises EVENT_CLI_SUCCESSFUL_EXECUTE (az's own
    aaz paging registers a handler on it from inside a command the same way); a handler that raises
    SystemExit(code) there is re-raised by `invoke`, and az's __main__ exits with `code` after
    telemetry. The handler unregisters itself; an EVENT_CLI_POST_EXECUTE handler removes both if the
    command failed before printing. `cli_ctx` may be the command's copy: copies share the handlers.
    In-process callers (the testsdk's ScenarioTest.cmd) see the SystemExit.
    """
    from knack.events import EVENT_CLI_POST_EXECUTE, EVENT_CLI_SUCCESSFUL_EXECUTE

    def _forget():
        cli_ctx.unregister_event(EVENT_CLI_SUCCESSFUL_EXECUTE, _exit_after_output)
        cli_ctx.unregister_event(EVENT_CLI_POST_EXECUTE, _cleanup)

    def _exit_after_output(_cli_ctx, **_kwargs):
        _forget()
        raise SystemExit(code)

    def _cleanup(_cli_ctx, **_kwargs):
        _forget()

    cli_ctx.register_event(EVENT_CLI_SUCCESSFUL_EXECUTE, _exit_after_output)
    cli_ctx.register_event(EVENT_CLI_POST_EXECUTE, _cleanup)
