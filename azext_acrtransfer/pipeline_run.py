"""`az acr pipeline-run`: create, show, list, delete and clean.

Inputs arrive normalised by _validators.py. Each command makes one request (list follows nextLink),
except `create`, which follows the run it created (one GET per poll interval, see _run_wait.py),
and `clean`, which lists once, then deletes each failed run.
"""
# Command functions take `cmd` (and the client) by az convention even when unused.
# pylint: disable=unused-argument
import sys

from knack.log import get_logger

from ._constants import (
    CLEAN_MAX_WORKERS,
    EXPORT,
    PIPELINE_COLLECTIONS,
    PROVIDER,
    STORAGE_BLOB_TYPE,
)

logger = get_logger(__name__)


# ---------------------------------------------------------------------------------------------
# Request body
# ---------------------------------------------------------------------------------------------
def pipeline_resource_id(subscription_id, resource_group_name, registry_name, pipeline_type, pipeline_name):
    """The ARM ID of the pipeline a run executes, in the command's own subscription."""
    return "/subscriptions/{}/resourceGroups/{}/providers/{}/registries/{}/{}/{}".format(
        subscription_id, resource_group_name, PROVIDER, registry_name, PIPELINE_COLLECTIONS[pipeline_type],
        pipeline_name)


def build_pipeline_run_body(pipeline_id, pipeline_type, storage_blob, artifacts=None, force_update_tag=None):
    """The PUT body of a run: an export run names its target blob and artifacts, an import run its source blob."""
    request = {"pipelineResourceId": pipeline_id}
    blob = {"type": STORAGE_BLOB_TYPE, "name": storage_blob}
    if pipeline_type == EXPORT:
        request["target"] = blob
        if artifacts:
            request["artifacts"] = list(artifacts)
    else:
        request["source"] = blob
    properties = {"request": request}
    if force_update_tag is not None:
        properties["forceUpdateTag"] = force_update_tag
    return {"properties": properties}


def _utc_now_text():
    from datetime import datetime, timezone
    return datetime.now(timezone.utc).isoformat()


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------
def acr_pipeline_run_create(cmd, client, resource_group_name, registry_name, pipeline_run_name, pipeline_name,
                            pipeline_type, storage_blob, artifacts=None, force_redeploy=False, batch=False,
                            no_wait=False):
    """One PUT, then one GET of the run per poll interval until it ends, with progress on stderr
    (none with --no-wait). The interval is the service's Retry-After, else 5 s (_run_wait.PollPace).
    The outcome is the exit code: a failed run raises, a partial one exits PARTIAL_EXIT_CODE after
    the run is printed.

    With --batch: one PUT per batch of 50 artifacts and the same following per run, at most
    BATCH_MAX_WORKERS runs at a time; the summary is printed, then the exit code says how they ended.
    A rejection because the pipeline does not exist names that pipeline.
    """
    from azure.cli.core.commands.client_factory import get_subscription_id
    from ._run_wait import PollPace, check_run_outcome, wait_for_run

    pipeline_id = pipeline_resource_id(get_subscription_id(cmd.cli_ctx), resource_group_name, registry_name,
                                       pipeline_type, pipeline_name)
    force_update_tag = _utc_now_text() if force_redeploy else None
    pace = PollPace()

    def create(run_name, blob, items):
        """The PUT, answered at once (polling=False: the run resource is followed instead of the LRO)."""
        from azure.core.exceptions import HttpResponseError
        from ._errors import is_pipeline_not_found, pipeline_not_found_error
        body = build_pipeline_run_body(pipeline_id, pipeline_type, blob, artifacts=items,
                                       force_update_tag=force_update_tag)
        try:
            return client.begin_create(resource_group_name, registry_name, run_name, body, polling=False,
                                       raw_response_hook=pace.observe).result()
        except HttpResponseError as ex:
            if is_pipeline_not_found(ex, pipeline_name):
                raise pipeline_not_found_error(ex, pipeline_type, pipeline_name, registry_name,
                                               resource_group_name) from ex
            raise

    def get(run_name):
        return client.get(resource_group_name, registry_name, run_name, raw_response_hook=pace.observe)

    if batch:
        from ._batches import check_batch_outcome, plan_batches, run_batches
        summary = run_batches(cmd.cli_ctx, plan_batches(pipeline_run_name, storage_blob, artifacts),
                              lambda b: create(b.run_name, b.storage_blob, b.artifacts),
                              lambda b: get(b.run_name), wait=not no_wait, interval=pace)
        return check_batch_outcome(cmd.cli_ctx, summary)

    run = create(pipeline_run_name, storage_blob, artifacts)
    if no_wait:
        return run
    run = wait_for_run(cmd.cli_ctx, lambda: get(pipeline_run_name), pipeline_run_name, initial=run, interval=pace)
    return check_run_outcome(cmd.cli_ctx, run, resource_group_name, registry_name)


def acr_pipeline_run_show(cmd, client, resource_group_name, registry_name, pipeline_run_name):
    """One GET."""
    return client.get(resource_group_name, registry_name, pipeline_run_name)


def acr_pipeline_run_list(cmd, client, resource_group_name, registry_name, top=None, pipeline_name=None,
                          status=None):
    """One GET per page (nextLink). --pipeline and --status filter (in the client: the API has no
    filter), then --top keeps the N most recent by start time."""
    runs = client.list(resource_group_name, registry_name)
    if top is None and pipeline_name is None and status is None:
        return runs
    from ._run_filters import select_runs
    return select_runs(runs, pipeline=pipeline_name, status=status, top=top)


def acr_pipeline_run_delete(cmd, client, resource_group_name, registry_name, pipeline_run_name,
                            no_wait=False):
    """One DELETE (polling only when the service answers asynchronously). Deleting a run does not undo it."""
    from azure.cli.core.util import sdk_no_wait
    return sdk_no_wait(no_wait, client.begin_delete, resource_group_name, registry_name, pipeline_run_name)


def acr_pipeline_run_clean(cmd, client, resource_group_name, registry_name, dry_run=False, yes=False):
    """Delete every failed run: one list (plus nextLink pages), then one DELETE per failed run,
    at most CLEAN_MAX_WORKERS at a time. One failed delete does not stop the others; the command
    reports how many were deleted and fails (non-zero exit) naming every run it could not delete.
    """
    from ._run_filters import select_runs

    failed = select_runs(client.list(resource_group_name, registry_name), status="Failed")
    names = [run.get("name") for run in failed]
    if dry_run:
        logger.warning("Dry run: %d failed pipeline run(s) in registry '%s' would be deleted%s. "
                       "Nothing was deleted.", len(failed), registry_name,
                       ": " + ", ".join(names) if names else "")
        return failed
    if not failed:
        logger.warning("No failed pipeline runs in registry '%s': nothing was deleted.", registry_name)
        return []
    if not yes and _stdin_is_terminal():
        from knack.prompting import prompt_y_n
        if not prompt_y_n("Delete {} failed pipeline run(s) from registry '{}': {}?".format(
                len(failed), registry_name, ", ".join(names)), default="n"):
            logger.warning("Nothing was deleted.")
            return []

    errors = delete_runs(client, resource_group_name, registry_name, names)
    deleted = [run for run in failed if run.get("name") not in errors]
    logger.warning("Deleted %d of %d failed pipeline run(s) from registry '%s'.",
                   len(deleted), len(failed), registry_name)
    if errors:
        from azure.cli.core.azclierror import AzureResponseError
        raise AzureResponseError(
            "Could not delete {} failed pipeline run(s): {}".format(
                len(errors), "; ".join("{} ({})".format(name, reason) for name, reason in errors.items())),
            "Run the command again to retry; the runs already deleted are gone.")
    return deleted


# ---------------------------------------------------------------------------------------------
# Helpers (pure, or over the client only)
# ---------------------------------------------------------------------------------------------
def _stdin_is_terminal():
    try:
        return bool(sys.stdin) and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def delete_runs(client, resource_group_name, registry_name, names):
    """Delete runs concurrently (bounded); {name: reason} for each one that could not be deleted.

    A run already gone (404) counts as deleted.
    """
    from concurrent.futures import ThreadPoolExecutor
    from azure.core.exceptions import HttpResponseError
    from ._errors import describe_http_error

    def _delete(name):
        client.begin_delete(resource_group_name, registry_name, name).result()

    errors = {}
    if not names:
        return errors
    with ThreadPoolExecutor(max_workers=min(CLEAN_MAX_WORKERS, len(names))) as pool:
        futures = [(name, pool.submit(_delete, name)) for name in names]
    for name, future in futures:
        ex = future.exception()
        if ex is None:
            continue
        if isinstance(ex, HttpResponseError):
            if getattr(ex, "status_code", None) == 404:
                continue
            errors[name] = describe_http_error(ex)
        else:
            errors[name] = "{}: {}".format(type(ex).__name__, ex)
    return errors
