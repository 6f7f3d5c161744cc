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
__all__ = ["API_VERSION", "VERSION"] + list(_CLIENT_NAMES)  # and every name of _models.__all__


def _module_of(name):
    """Where a public name lives. The model names are listed once, in _models.__all__; reading it
    imports _models, which costs little (standard library only) and happens only when asked."""
    if name in _CLIENT_NAMES:
        return _CLIENT_NAMES[name]
    if not name.startswith("_") and name in importlib.import_module("._models", __name__).__all__:
        return "._models"
    return None


def __getattr__(name):
    module = _module_of(name)
    if module is None:
        raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    from ._models import __all__ as model_names
    return sorted(set(globals()) | set(_CLIENT_NAMES) | set(model_names))
