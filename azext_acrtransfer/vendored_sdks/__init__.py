"""The acrtransfer extension's management client (azure-mgmt-core), exportPipelines, importPipelines
and pipelineRuns at api-version 2025-06-01-preview.

Names load on first use (PEP 562), so importing this package costs nothing until the client or a
model is touched: `from azext_acrtransfer.vendored_sdks import ContainerRegistryTransferClient`.
"""
import importlib

from ._version import API_VERSION, VERSION

_CLIENT_NAMES = {
    "ContainerRegistryTransferClient": "._client",
    "ContainerRegistryTransferClientConfiguration": "._configuration",
    "ExportPipelinesOperations": "._operations",
    "ImportPipelinesOperations": "._operations",
    "PipelineRunsOperations": "._operations",
    "build_get_request": "._operations",
    "build_list_request": "._operations",
    "build_create_request": "._operations",
    "build_delete_request": "._operations",
}
_MODEL_NAMES = (
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
)
_LAZY = dict(_CLIENT_NAMES, **{name: "._models" for name in _MODEL_NAMES})

__all__ = ["API_VERSION", "VERSION"] + list(_LAZY)


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
