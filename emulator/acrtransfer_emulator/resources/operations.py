"""Operation-status resources behind Azure-AsyncOperation (PUT) and Location (DELETE) links.

They exist for every collection (``{collection}/{name}/operationStatuses/{id}`` and
``.../operationResults/{id}``); the route table names them ``<Collection>_GetOperationStatus`` and
``<Collection>_GetOperationResult`` (not spec operations: the spec only names the links).
"""
import time

from .. import arm, errors
from ..store import ResourceKey
from .registries import registry_id, require_registry


def _operation(ctx):
    registry = require_registry(ctx)
    path = "{}/{}/{}".format(registry_id(ctx.config, registry), ctx.params["collection"], ctx.params["name"])
    op = ctx.store.get_operation(ctx.params["operation"])
    if op is None or op["resource_id"].lower() != path.lower():
        raise errors.ArmError(404, errors.OPERATION_NOT_FOUND,
                              "The operation '{}' was not found for resource '{}'.".format(ctx.params["operation"], path))
    return op["resource_id"], op


def GetOperationStatus(ctx):
    """The status; Retry-After while it is in progress (as ARM does: without it azure-core's poller
    falls back to its default interval, 30 s)."""
    path, op = _operation(ctx)
    headers = {"Retry-After": arm.retry_after(ctx)} if op["status"] == arm.OP_IN_PROGRESS else None
    return arm.json_response(200, arm.operation_status_body(ctx, path, op), headers)


def GetOperationResult(ctx):
    """202 while the operation runs, 204 once it succeeded, the ARM error if it failed."""
    path, op = _operation(ctx)
    if op["status"] == arm.OP_IN_PROGRESS:
        return arm.accepted_delete(ctx, path, op["id"])
    if op["status"] == arm.SUCCEEDED:
        return arm.empty_response(204)
    error = op["error"] or {"code": errors.INTERNAL_SERVER_ERROR, "message": "The operation was {}.".format(
        op["status"].lower())}
    return arm.json_response(500 if op["status"] == arm.FAILED else 409, {"error": error})


def settle_due(store, now=None):
    """Finish the pipeline PUT and DELETE operations whose time has come (async mode).

    Called by the executor's ticker. Run operations have no due time: the run executor ends them.
    """
    for op in store.operations_in_progress(due_before=now if now is not None else time.time()):
        key = key_from_id(op["resource_id"])
        if op["kind"] == "delete":
            store.delete(key)
        elif op["kind"] == "put":
            def succeed(doc, meta):
                if doc["properties"].get("provisioningState") in (arm.CREATING, arm.UPDATING):
                    doc["properties"]["provisioningState"] = arm.SUCCEEDED
                return doc, meta
            store.update(key, succeed)
        store.finish_operation(op["id"], arm.SUCCEEDED, arm.utcnow())


def key_from_id(resource_id):
    parts = resource_id.strip("/").split("/")
    # subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ContainerRegistry/registries/{r}/{collection}/{name}
    return ResourceKey(parts[1], parts[3], parts[7], parts[8], parts[9])
