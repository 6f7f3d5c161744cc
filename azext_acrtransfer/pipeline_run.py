# --------------------------------------------------------------------------------------------
# Copyright (c) Microsoft Corporation. All rights reserved.
# Licensed under the MIT License. See License.txt in the project root for license information.
# --------------------------------------------------------------------------------------------
"""`az acr pipeline-run`: create, show, list, delete and clean.

Inputs arrive normalised by _validators.py. Each command makes one request (list follows nextLink);
`clean` lists once, then deletes each failed run.
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
                            pipeline_type, storage_blob, artifacts=None, force_redeploy=False, no_wait=False):
    """One PUT (polling only when the service answers asynchronously).

    A rejection because the pipeline does not exist is reported as that pipeline not being found.
    """
    from azure.core.exceptions import HttpResponseError
    from azure.cli.core.commands.client_factory import get_subscription_id
    from azure.cli.core.util import sdk_no_wait
    from ._errors import is_pipeline_not_found, pipeline_not_found_error

    pipeline_id = pipeline_resource_id(get_subscription_id(cmd.cli_ctx), resource_group_name, registry_name,
                                       pipeline_type, pipeline_name)
    body = build_pipeline_run_body(pipeline_id, pipeline_type, storage_blob, artifacts=artifacts,
                                   force_update_tag=_utc_now_text() if force_redeploy else None)
    try:
        poller = sdk_no_wait(no_wait, client.begin_create, resource_group_name, registry_name, pipeline_run_name,
                             body)
        if no_wait:
            return poller
        from azure.cli.core.commands import LongRunningOperation
        return LongRunningOperation(cmd.cli_ctx)(poller)
    except HttpResponseError as ex:
        if is_pipeline_not_found(ex, pipeline_name):
            raise pipeline_not_found_error(ex, pipeline_type, pipeline_name, registry_name,
                                           resource_group_name) from ex
        raise


def acr_pipeline_run_show(cmd, client, resource_group_name, registry_name, pipeline_run_name):
    """One GET."""
    return client.get(resource_group_name, registry_name, pipeline_run_name)


def acr_pipeline_run_list(cmd, client, resource_group_name, registry_name, top=None):
    """One GET per page (nextLink). With --top, the N most recent runs by start time."""
    runs = client.list(resource_group_name, registry_name)
    if top is None:
        return runs
    from azure.cli.core.util import todict
    return most_recent_runs([todict(run) for run in runs], top)


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
    from azure.cli.core.util import todict

    failed = [run for run in (todict(r) for r in client.list(resource_group_name, registry_name))
              if is_failed_run(run)]
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


def is_failed_run(run):
    """A run dict (todict shape) failed when its response status or its provisioning state says so."""
    response = run.get("response") if isinstance(run, dict) else None
    status = response.get("status") if isinstance(response, dict) else None
    return str(status).lower() == "failed" or str(run.get("provisioningState")).lower() == "failed"


def most_recent_runs(runs, top):
    """The `top` most recent runs by response.startTime; runs without a start time come last,
    in service order."""
    from ._format import parse_iso_datetime

    def _key(indexed):
        index, run = indexed
        response = run.get("response") if isinstance(run, dict) else None
        started = parse_iso_datetime(response.get("startTime")) if isinstance(response, dict) else None
        return (started is None, -started.timestamp() if started else 0.0, index)

    return [run for _, run in sorted(enumerate(runs), key=_key)[:top]]


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
