"""Export and import pipelines, written once and parameterised by kind.

The two differ only in where the storage lives (``properties.target`` vs ``properties.source``) and
in the import pipeline's source trigger; everything else (validation, identity echo, modes, LRO
answers, paging) is shared.
"""
import time

from .. import arm, errors, validation
from ..config import registry_mode
from ..store import ResourceKey
from .registries import REGISTRY_TYPE, registry_id, require_registry


class PipelineKind:
    def __init__(self, collection, storage_key, has_trigger):
        self.collection = collection
        self.type = REGISTRY_TYPE + "/" + collection
        self.storage_key = storage_key
        self.has_trigger = has_trigger
        self.name_parameter = collection[:-1] + "Name"   # exportPipelineName / importPipelineName


EXPORT = PipelineKind("exportPipelines", "target", has_trigger=False)
IMPORT = PipelineKind("importPipelines", "source", has_trigger=True)
KINDS = {EXPORT.collection.lower(): EXPORT, IMPORT.collection.lower(): IMPORT}
CONTAINER_DEFAULT = "AzureStorageBlobContainer"


def require_premium_registry(ctx):
    """Pipelines (and their runs) exist only on Premium registries."""
    registry = require_registry(ctx)
    if registry["sku"] != "Premium":
        raise errors.ArmError(
            400, errors.REGISTRY_SKU_NOT_SUPPORTED,
            "Registry '{}' has the {} SKU; export pipelines, import pipelines and pipeline runs require the "
            "Premium SKU.".format(registry["name"], registry["sku"]))
    return registry


def resource_key(ctx, registry, collection, name):
    """``ctx``: anything with ``.config``, a request context or the service (the source trigger)."""
    return ResourceKey(ctx.config["subscription_id"], registry["resource_group"], registry["name"], collection, name)


def resource_path(ctx, registry, collection, name):
    return "{}/{}/{}".format(registry_id(ctx.config, registry), collection, name)


def _storage(kind, properties):
    """Validate and echo target (export) or source (import), keys in the order the service sends them."""
    prefix = "properties." + kind.storage_key
    given = validation.obj(properties, kind.storage_key, prefix, required=True)
    storage = {"type": validation.enum(given.get("type", CONTAINER_DEFAULT), validation.CONTAINER_TYPES,
                                       prefix + ".type")}
    storage["uri"] = validation.uri(validation.string(given, "uri", prefix + ".uri", required=True), prefix + ".uri")
    mode = validation.enum(given.get("storageAccessMode", "SasToken"), validation.STORAGE_ACCESS_MODES,
                           prefix + ".storageAccessMode")
    key_vault_uri = validation.string(given, "keyVaultUri", prefix + ".keyVaultUri")
    if mode == "SasToken" and not key_vault_uri:
        raise validation.missing(prefix + ".keyVaultUri",
                                 " when storageAccessMode is SasToken (the default): the pipeline identity reads the "
                                 "SAS token from that Key Vault secret")
    if key_vault_uri:
        storage["keyVaultUri"] = validation.uri(key_vault_uri, prefix + ".keyVaultUri", schemes=("https",))
    storage["storageAccessMode"] = mode
    return storage


def _trigger(properties):
    given = validation.obj(properties, "trigger", "properties.trigger") or {}
    source_trigger = validation.obj(given, "sourceTrigger", "properties.trigger.sourceTrigger") or {}
    status = validation.enum(source_trigger.get("status", "Enabled"), validation.TRIGGER_STATUSES,
                             "properties.trigger.sourceTrigger.status")
    return {"sourceTrigger": {"status": status}}


def build_doc(ctx, kind, registry, name, body, provisioning_state, previous=None):
    """The pipeline resource as the service answers it (key order as recorded from the real service)."""
    path = resource_path(ctx, registry, kind.collection, name)
    given = validation.obj(body, "properties", "properties", required=True)
    properties = {kind.storage_key: _storage(kind, given)}
    if kind.has_trigger:
        properties["trigger"] = _trigger(given)
    pipeline_options = validation.options(given.get("options"), "properties.options")
    if pipeline_options is not None:
        properties["options"] = pipeline_options
    properties["provisioningState"] = provisioning_state
    doc = {"type": kind.type}
    identity = validation.identity(body.get("identity"), path, ctx.config["tenant_id"])
    if identity is not None:
        doc["identity"] = identity
    if body.get("location"):
        doc["location"] = validation.string(body, "location", "location")
    doc["id"] = path
    doc["name"] = name
    doc["systemData"] = arm.system_data(ctx.claims, previous["systemData"] if previous else None)
    doc["properties"] = properties
    return doc


# -- operations (one per operationId; the kind-specific modules bind them) ----------------------------

def get(kind, ctx):
    registry = require_registry(ctx)
    record = ctx.store.get(resource_key(ctx, registry, kind.collection, ctx.params["name"]))
    if record is None:
        raise errors.not_found(kind.type, ctx.params["name"], ctx.params["resource_group"])
    return arm.json_response(200, record.doc)


def list_(kind, ctx):
    registry = require_registry(ctx)
    key = resource_key(ctx, registry, kind.collection, "")
    body = arm.list_page(ctx, lambda after, limit: ctx.store.list(
        key.subscription, key.resource_group, key.registry, kind.collection, after, limit))
    return arm.json_response(200, body)


def create(kind, ctx):
    registry = require_premium_registry(ctx)
    name = ctx.params["name"]
    validation.check_name(name, kind.name_parameter)
    body = ctx.json_body()
    key = resource_key(ctx, registry, kind.collection, name)
    existing = ctx.store.get(key)
    if existing is not None:
        check_not_busy(existing, kind.collection[:-1])
        name = existing.doc["name"]   # ARM keeps the casing the resource was created with
    asynchronous = registry_mode(ctx.config, registry) == "async"
    state = (arm.UPDATING if existing else arm.CREATING) if asynchronous else arm.SUCCEEDED
    doc = build_doc(ctx, kind, registry, name, body, state, existing.doc if existing else None)
    ctx.store.put(key, doc)
    if not asynchronous:
        return arm.json_response(200, doc)
    path = resource_path(ctx, registry, kind.collection, name)
    op_id = arm.new_operation_id(kind.collection)
    ctx.store.create_operation(op_id, path, "put", arm.utcnow(), due=time.time() + ctx.config["lro_delay"],
                               created=time.time())
    return arm.accepted_put(ctx, 200 if existing else 201, doc, path, op_id)


def delete(kind, ctx):
    return delete_resource(ctx, require_registry(ctx), kind.collection)


def check_not_busy(record, noun):
    """409 while an operation on the resource is still running (ARM answers AnotherOperationInProgress)."""
    state = record.doc["properties"].get("provisioningState")
    if state in (arm.CREATING, arm.UPDATING, arm.DELETING):
        raise errors.ArmError(
            409, errors.ANOTHER_OPERATION_IN_PROGRESS,
            "The {} '{}' is in provisioning state {}; wait for that operation to finish before changing it.".format(
                noun, record.doc["name"], state))


def delete_resource(ctx, registry, collection):
    """ARM delete, shared by pipelines and runs: 204 when absent; sync 200 empty; async 202 + Location."""
    key = resource_key(ctx, registry, collection, ctx.params["name"])
    record = ctx.store.get(key)
    if record is None:
        return arm.empty_response(204)
    path = record.doc["id"]
    if registry_mode(ctx.config, registry) != "async":
        ctx.store.delete(key)
        for op in ctx.store.operations_in_progress(resource_id=path):
            ctx.store.finish_operation(op["id"], arm.CANCELED, arm.utcnow())
        return arm.empty_response(200)
    pending = [op for op in ctx.store.operations_in_progress(resource_id=path) if op["kind"] == "delete"]
    if pending:
        return arm.accepted_delete(ctx, path, pending[0]["id"])
    for op in ctx.store.operations_in_progress(resource_id=path):
        ctx.store.finish_operation(op["id"], arm.CANCELED, arm.utcnow())

    def mark_deleting(doc, meta):
        doc["properties"]["provisioningState"] = arm.DELETING
        meta.pop("exec_id", None)     # a run being deleted stops executing
        return doc, meta
    ctx.store.update(key, mark_deleting)
    op_id = arm.new_operation_id(collection)
    ctx.store.create_operation(op_id, path, "delete", arm.utcnow(), due=time.time() + ctx.config["lro_delay"],
                               created=time.time())
    return arm.accepted_delete(ctx, path, op_id)
