"""pipelineRuns: one function per spec operationId.

A PUT records the run and hands it to the run executor; the run then goes Running to Succeeded or
Failed on its own. Re-PUT with identical properties returns the run untouched; a changed
``forceUpdateTag`` (or request) runs it again.
"""
import re
import uuid

from .. import arm, errors, validation
from ..config import registry_mode
from . import pipelines
from .registries import require_registry

RUN_TYPE = "Microsoft.ContainerRegistry/registries/pipelineRuns"
COLLECTION = "pipelineRuns"

PIPELINE_ID_RE = re.compile(
    r"^/subscriptions/(?P<subscription>[^/]+)/resourceGroups/(?P<resource_group>[^/]+)/providers/"
    r"Microsoft\.ContainerRegistry/registries/(?P<registry>[^/]+)/(?P<collection>exportPipelines|importPipelines)/"
    r"(?P<name>[^/]+)$", re.IGNORECASE)


def _pipeline(ctx, registry, pipeline_id):
    """The pipeline a run names: it must be a pipeline of this registry and exist."""
    target = "properties.request.pipelineResourceId"
    match = PIPELINE_ID_RE.match(pipeline_id)
    if not match:
        raise validation.invalid(target, "'{}' is not an export or import pipeline resource ID.".format(pipeline_id))
    same_registry = (match["subscription"].lower() == ctx.config["subscription_id"].lower()
                     and match["resource_group"].lower() == registry["resource_group"].lower()
                     and match["registry"].lower() == registry["name"].lower())
    if not same_registry:
        raise validation.invalid(target, "The pipeline '{}' does not belong to registry '{}': a run can only use a "
                                         "pipeline of its own registry.".format(pipeline_id, registry["name"]))
    kind = pipelines.KINDS[match["collection"].lower()]
    record = ctx.store.get(pipelines.resource_key(ctx, registry, kind.collection, match["name"]))
    if record is None:
        raise errors.ArmError(400, errors.PIPELINE_NOT_FOUND,
                              "The {} '{}' referenced by pipelineResourceId was not found in registry '{}'.".format(
                                  kind.collection[:-1], match["name"], registry["name"]), target=target)
    return kind, record


def _request(ctx, registry, body):
    """Validate ``properties.request`` and return ``(kind, pipeline record, normalised request)``."""
    properties = validation.obj(body, "properties", "properties", required=True)
    given = validation.obj(properties, "request", "properties.request", required=True)
    pipeline_id = validation.string(given, "pipelineResourceId", "properties.request.pipelineResourceId",
                                    required=True)
    kind, pipeline = _pipeline(ctx, registry, pipeline_id)
    request = {"pipelineResourceId": pipeline_id}
    artifacts = given.get("artifacts")
    if kind is pipelines.EXPORT:
        if not artifacts:
            raise validation.missing("properties.request.artifacts", " for an export run (1 to {} artifacts)".format(
                validation.MAX_ARTIFACTS))
        if not isinstance(artifacts, list) or not all(isinstance(a, str) and a for a in artifacts):
            raise validation.invalid("properties.request.artifacts", "artifacts must be an array of non-empty strings.")
        if len(artifacts) > validation.MAX_ARTIFACTS:
            raise errors.ArmError(400, errors.TOO_MANY_ARTIFACTS,
                                  "A pipeline run can transfer at most {} artifacts; {} were given.".format(
                                      validation.MAX_ARTIFACTS, len(artifacts)),
                                  target="properties.request.artifacts")
        request["artifacts"] = artifacts
        request["target"] = _blob(given, "target")
    else:
        if artifacts:
            raise validation.invalid("properties.request.artifacts",
                                     "artifacts apply to export runs; an import run imports what its blob holds.")
        request["source"] = _blob(given, "source")
    catalog_digest = validation.string(given, "catalogDigest", "properties.request.catalogDigest")
    if catalog_digest:
        request["catalogDigest"] = catalog_digest
    return kind, pipeline, request


def _blob(given, side):
    prefix = "properties.request." + side
    blob = validation.obj(given, side, prefix, required=True)
    kind = validation.enum(blob.get("type", "AzureStorageBlob"), validation.BLOB_TYPES, prefix + ".type")
    return {"type": kind, "name": validation.string(blob, "name", prefix + ".name", required=True)}


def initial_response(kind, pipeline_doc, request, trigger_timestamp=None):
    """The run's response at creation: Running at 0 %, with the blob it will read or write resolved,
    and for a source-trigger run the trigger (the blob's last-modified time)."""
    storage = pipeline_doc["properties"][kind.storage_key]
    side = "target" if kind is pipelines.EXPORT else "source"
    resolved = {"type": "AzureStorageBlob", "uri": storage["uri"].rstrip("/") + "/" + request[side]["name"]}
    if storage.get("keyVaultUri"):
        resolved["keyVaultUri"] = storage["keyVaultUri"]
    resolved["storageAccessMode"] = storage["storageAccessMode"]
    response = {"status": "Running", "progress": {"percentage": "0"}, "startTime": arm.utcnow(), side: resolved}
    if trigger_timestamp:
        response["trigger"] = {"sourceTrigger": {"timestamp": trigger_timestamp}}
    return response


def submit_run(service, registry, name, kind, pipeline_doc, request, system_data, force_update_tag=None,
               trigger_timestamp=None, with_operation=False):
    """Record a run as Creating (response Running at 0 %) and hand it to the executor.

    Shared by the PUT handler and a data plane's source trigger, which creates runs itself (its run
    names carry '_', which a PUT refuses). ``with_operation`` adds the async-mode operation status.
    Returns ``(doc, meta)``.
    """
    path = pipelines.resource_path(service, registry, COLLECTION, name)
    key = pipelines.resource_key(service, registry, COLLECTION, name)
    properties = {"request": request,
                  "response": initial_response(kind, pipeline_doc, request, trigger_timestamp)}
    if force_update_tag is not None:
        properties["forceUpdateTag"] = force_update_tag
    properties["provisioningState"] = arm.CREATING
    doc = {"type": RUN_TYPE, "id": path, "name": name, "systemData": system_data, "properties": properties}
    store = service.store
    for op in store.operations_in_progress(resource_id=path):
        store.finish_operation(op["id"], arm.CANCELED, arm.utcnow())
    meta = {"exec_id": str(uuid.uuid4())}
    if with_operation:
        meta["operation_id"] = arm.new_operation_id(COLLECTION)
        store.create_operation(meta["operation_id"], path, "run", properties["response"]["startTime"])
    store.put(key, doc, meta)
    service.executor.submit(key, meta["exec_id"])
    return doc, meta


# -- operations -----------------------------------------------------------------------------------

def PipelineRuns_Get(ctx):
    registry = require_registry(ctx)
    record = ctx.store.get(pipelines.resource_key(ctx, registry, COLLECTION, ctx.params["name"]))
    if record is None:
        raise errors.not_found(RUN_TYPE, ctx.params["name"], ctx.params["resource_group"])
    return _run_answer(ctx, registry, 200, record.doc)


def PipelineRuns_List(ctx):
    registry = require_registry(ctx)
    key = pipelines.resource_key(ctx, registry, COLLECTION, "")
    return arm.json_response(200, arm.list_page(ctx, lambda after, limit: ctx.store.list(
        key.subscription, key.resource_group, key.registry, COLLECTION, after, limit)))


def PipelineRuns_Create(ctx):
    registry = pipelines.require_premium_registry(ctx)
    name = ctx.params["name"]
    validation.check_name(name, "pipelineRunName")
    body = ctx.json_body()
    kind, pipeline, request = _request(ctx, registry, body)
    force_update_tag = validation.string(body["properties"], "forceUpdateTag", "properties.forceUpdateTag")
    key = pipelines.resource_key(ctx, registry, COLLECTION, name)
    existing = ctx.store.get(key)
    if existing is not None:
        properties = existing.doc["properties"]
        if properties["request"] == request and properties.get("forceUpdateTag") == force_update_tag \
                and properties["provisioningState"] != arm.DELETING:
            return _run_answer(ctx, registry, 200, existing.doc)   # identical re-PUT: nothing to do
        pipelines.check_not_busy(existing, "pipeline run")
        name = existing.doc["name"]
    asynchronous = registry_mode(ctx.config, registry) == "async"
    doc, meta = submit_run(ctx.service, registry, name, kind, pipeline.doc, request,
                           arm.system_data(ctx.claims, existing.doc["systemData"] if existing else None),
                           force_update_tag=force_update_tag, with_operation=asynchronous)
    if asynchronous:
        return arm.accepted_put(ctx, 200 if existing else 201, doc, doc["id"], meta["operation_id"])
    return _run_answer(ctx, registry, 200, doc)


def PipelineRuns_Delete(ctx):
    # Deleting a run forgets the record; it does not undo what the run transferred.
    return pipelines.delete_resource(ctx, require_registry(ctx), COLLECTION)


def _run_answer(ctx, registry, status, doc):
    """A run that is still going carries Retry-After in sync mode: azure-mgmt-core then polls the run
    itself (a 200 with a non-terminal provisioningState) at that pace instead of its 30 s default."""
    headers = {}
    if doc["properties"]["provisioningState"] not in arm.TERMINAL and registry_mode(ctx.config, registry) == "sync":
        headers["Retry-After"] = arm.retry_after(ctx)
    return arm.json_response(status, doc, headers)
