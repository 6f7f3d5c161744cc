"""Models for exportPipelines, importPipelines and pipelineRuns (api-version 2025-06-01-preview).

Each model wraps the JSON the service sent and never rebuilds it: snake_case attributes read from
and write to that JSON, so every field (read-only and unknown ones included) survives, keys keep the
service's spelling and order, and date-times stay the strings the service sent. Only the standard
library is imported here, so the models cost nothing to import.
"""
import copy
from enum import Enum

__all__ = [
    "CreatedByType", "PipelineOptions", "PipelineRunSourceType", "PipelineRunTargetType",
    "PipelineSourceType", "ProvisioningState", "ResourceIdentityType", "StorageAccessMode",
    "TriggerStatus",
    "SystemData", "UserIdentityProperties", "IdentityProperties",
    "ExportPipelineTargetProperties", "ImportPipelineSourceProperties",
    "PipelineSourceTriggerProperties", "PipelineTriggerProperties",
    "PipelineRunSourceProperties", "PipelineRunTargetProperties", "PipelineRunRequest",
    "PipelineSourceTriggerDescriptor", "PipelineTriggerDescriptor", "ProgressProperties",
    "PipelineRunResponse",
    "ExportPipeline", "ImportPipeline", "PipelineRun",
]


# Enums of the spec. str-valued, so `model.provisioning_state == ProvisioningState.FAILED` works
# on the plain strings the models hold.

class ProvisioningState(str, Enum):
    CREATING = "Creating"
    UPDATING = "Updating"
    DELETING = "Deleting"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELED = "Canceled"


class StorageAccessMode(str, Enum):
    MANAGED_IDENTITY = "ManagedIdentity"
    SAS_TOKEN = "SasToken"


class PipelineOptions(str, Enum):
    OVERWRITE_TAGS = "OverwriteTags"
    OVERWRITE_BLOBS = "OverwriteBlobs"
    DELETE_SOURCE_BLOB_ON_SUCCESS = "DeleteSourceBlobOnSuccess"
    CONTINUE_ON_ERRORS = "ContinueOnErrors"


class ResourceIdentityType(str, Enum):
    """Values to send. The service answers in lower camel case; use IdentityProperties' helpers to test."""
    SYSTEM_ASSIGNED = "SystemAssigned"
    USER_ASSIGNED = "UserAssigned"
    SYSTEM_ASSIGNED_USER_ASSIGNED = "SystemAssigned, UserAssigned"
    NONE = "None"


class TriggerStatus(str, Enum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"


class PipelineSourceType(str, Enum):
    AZURE_STORAGE_BLOB_CONTAINER = "AzureStorageBlobContainer"


class PipelineRunSourceType(str, Enum):
    AZURE_STORAGE_BLOB = "AzureStorageBlob"


class PipelineRunTargetType(str, Enum):
    AZURE_STORAGE_BLOB = "AzureStorageBlob"


class CreatedByType(str, Enum):
    USER = "User"
    APPLICATION = "Application"
    MANAGED_IDENTITY = "ManagedIdentity"
    KEY = "Key"


# The model machinery.

class _Field:
    """A snake_case attribute backed by one camelCase key of the wrapped JSON.

    `model` wraps a JSON object in a model class on read; `mapping` does so for each value of a JSON
    object (userAssignedIdentities); `flattened` reads from the resource's `properties` envelope
    (x-ms-client-flatten).
    """

    def __init__(self, key, model=None, mapping=False, flattened=False):
        self.key = key
        self.model = model
        self.mapping = mapping
        self.flattened = flattened
        self.name = None

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        source = obj._data.get("properties") if self.flattened else obj._data
        if not isinstance(source, dict):
            return None
        value = source.get(self.key)
        if self.model is None or value is None:
            return value
        if self.mapping:
            if not isinstance(value, dict):
                return value
            return {k: _wrap(self.model, v) for k, v in value.items()}
        return _wrap(self.model, value)

    def __set__(self, obj, value):
        if self.flattened:
            target = obj._data.get("properties")
            if not isinstance(target, dict):
                if value is None:
                    return
                target = obj._data["properties"] = {}
        else:
            target = obj._data
        if value is None:
            # Absent stays absent: no null the service would read as "clear this".
            target.pop(self.key, None)
        else:
            target[self.key] = _to_wire(value)


def _wrap(model_cls, value):
    # Something other than an object where the spec says object: hand it back untouched.
    return model_cls._from_wire(value) if isinstance(value, dict) else value


def _to_wire(value):
    # Models share their dict rather than copy it, so later edits through the model still land.
    if isinstance(value, Model):
        return value._data
    if isinstance(value, dict):
        return {k: _to_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_wire(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


class Model:
    """Base of every model: a view over one JSON object."""

    __slots__ = ("_data",)
    _flatten = False  # resources flatten their `properties` envelope in _asdict()

    def __init__(self, **kwargs):
        self._data = {}
        fields = self._fields()
        for name, value in kwargs.items():
            if name not in fields:
                raise TypeError("{}() got an unexpected keyword argument '{}'".format(type(self).__name__, name))
            setattr(self, name, value)

    @classmethod
    def _fields(cls):
        found = {}
        for klass in reversed(cls.__mro__):
            for name, attr in vars(klass).items():
                if isinstance(attr, _Field):
                    found[name] = attr
        return found

    @classmethod
    def _from_wire(cls, data):
        # Wraps the parsed JSON without copying: it was parsed for this model alone.
        obj = cls.__new__(cls)
        obj._data = data
        return obj

    @classmethod
    def from_dict(cls, data):
        """A model over a copy of `data`, a JSON object in the service's (wire) shape."""
        if not isinstance(data, dict):
            raise TypeError("{}.from_dict() needs a dict, got {}".format(cls.__name__, type(data).__name__))
        return cls._from_wire(copy.deepcopy(data))

    def serialize(self):
        """The JSON object in the service's shape (`properties` nested), ready to send."""
        return copy.deepcopy(self._data)

    def _asdict(self):
        """The JSON object as Azure CLI prints it: camelCase keys as sent, `properties` flattened."""
        data = copy.deepcopy(self._data)
        props = data.get("properties")
        if not self._flatten or not isinstance(props, dict):
            return data
        flat = {}
        for key, value in data.items():
            if key == "properties":
                # Spliced in where the envelope was; a resource-level key wins a (never seen) clash.
                flat.update((k, v) for k, v in props.items() if k not in data)
            else:
                flat[key] = value
        return flat

    as_dict = _asdict

    def __eq__(self, other):
        return type(self) is type(other) and self._data == other._data

    def __ne__(self, other):
        return not self == other

    __hash__ = None  # mutable

    def __repr__(self):
        return "{}({!r})".format(type(self).__name__, self._data)


class _Resource(Model):
    """ProxyResource fields shared by the three resource types."""

    __slots__ = ()
    _flatten = True

    id = _Field("id")
    name = _Field("name")
    type = _Field("type")
    system_data = _Field("systemData")  # set to SystemData below, once defined


# Parts.

class SystemData(Model):
    __slots__ = ()
    created_by = _Field("createdBy")
    created_by_type = _Field("createdByType")
    created_at = _Field("createdAt")
    last_modified_by = _Field("lastModifiedBy")
    last_modified_by_type = _Field("lastModifiedByType")
    last_modified_at = _Field("lastModifiedAt")


_Resource.system_data.model = SystemData


class UserIdentityProperties(Model):
    __slots__ = ()
    principal_id = _Field("principalId")
    client_id = _Field("clientId")


class IdentityProperties(Model):
    __slots__ = ()
    principal_id = _Field("principalId")
    tenant_id = _Field("tenantId")
    type = _Field("type")
    user_assigned_identities = _Field("userAssignedIdentities", UserIdentityProperties, mapping=True)

    def _types(self):
        # The service answers `systemAssigned`/`userAssigned`; requests say `SystemAssigned`.
        value = self.type if isinstance(self.type, str) else ""
        return {part.strip().lower() for part in value.split(",")}

    @property
    def is_system_assigned(self):
        return "systemassigned" in self._types()

    @property
    def is_user_assigned(self):
        return "userassigned" in self._types()


class ExportPipelineTargetProperties(Model):
    __slots__ = ()
    type = _Field("type")
    uri = _Field("uri")
    key_vault_uri = _Field("keyVaultUri")
    storage_access_mode = _Field("storageAccessMode")


class ImportPipelineSourceProperties(Model):
    __slots__ = ()
    type = _Field("type")
    uri = _Field("uri")
    key_vault_uri = _Field("keyVaultUri")
    storage_access_mode = _Field("storageAccessMode")


class PipelineSourceTriggerProperties(Model):
    __slots__ = ()
    status = _Field("status")


class PipelineTriggerProperties(Model):
    __slots__ = ()
    source_trigger = _Field("sourceTrigger", PipelineSourceTriggerProperties)


class PipelineRunSourceProperties(Model):
    __slots__ = ()
    type = _Field("type")
    name = _Field("name")


class PipelineRunTargetProperties(Model):
    __slots__ = ()
    type = _Field("type")
    name = _Field("name")


class PipelineRunRequest(Model):
    __slots__ = ()
    pipeline_resource_id = _Field("pipelineResourceId")
    artifacts = _Field("artifacts")
    source = _Field("source", PipelineRunSourceProperties)
    target = _Field("target", PipelineRunTargetProperties)
    catalog_digest = _Field("catalogDigest")


class PipelineSourceTriggerDescriptor(Model):
    __slots__ = ()
    timestamp = _Field("timestamp")


class PipelineTriggerDescriptor(Model):
    __slots__ = ()
    source_trigger = _Field("sourceTrigger", PipelineSourceTriggerDescriptor)


class ProgressProperties(Model):
    __slots__ = ()
    percentage = _Field("percentage")  # a string, e.g. "20"


class PipelineRunResponse(Model):
    __slots__ = ()
    status = _Field("status")
    imported_artifacts = _Field("importedArtifacts")
    progress = _Field("progress", ProgressProperties)
    start_time = _Field("startTime")
    finish_time = _Field("finishTime")
    source = _Field("source", ImportPipelineSourceProperties)
    target = _Field("target", ExportPipelineTargetProperties)
    catalog_digest = _Field("catalogDigest")
    trigger = _Field("trigger", PipelineTriggerDescriptor)
    pipeline_run_error_message = _Field("pipelineRunErrorMessage")


# Resources.

class ExportPipeline(_Resource):
    __slots__ = ()
    location = _Field("location")
    identity = _Field("identity", IdentityProperties)
    target = _Field("target", ExportPipelineTargetProperties, flattened=True)
    options = _Field("options", flattened=True)
    provisioning_state = _Field("provisioningState", flattened=True)


class ImportPipeline(_Resource):
    __slots__ = ()
    location = _Field("location")
    identity = _Field("identity", IdentityProperties)
    source = _Field("source", ImportPipelineSourceProperties, flattened=True)
    trigger = _Field("trigger", PipelineTriggerProperties, flattened=True)
    options = _Field("options", flattened=True)
    provisioning_state = _Field("provisioningState", flattened=True)


class PipelineRun(_Resource):
    __slots__ = ()
    provisioning_state = _Field("provisioningState", flattened=True)
    request = _Field("request", PipelineRunRequest, flattened=True)
    response = _Field("response", PipelineRunResponse, flattened=True)
    force_update_tag = _Field("forceUpdateTag", flattened=True)
