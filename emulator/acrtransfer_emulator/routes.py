"""The exact route table: method, path pattern, operationId, handler, and which layers apply.

ARM paths are matched case-insensitively (ARM does), and path parameters keep the caller's casing.
``resolve`` is pure so the fault, counting and logging layers know the operationId before routing
answers. Anything not in the table gets an ARM error from ``unknown_route``.
"""
import re

from . import API_VERSION, admin, errors
from .resources import (export_pipelines, identity, import_pipelines, metadata, operations, pipeline_runs,
                        registries, subscriptions)

# Which layers a route goes through (see app.py).
ARM = "arm"              # api-version check + bearer authentication
METADATA = "metadata"    # no authentication (az reads it before it can log in)
IDENTITY = "identity"    # its own X-IDENTITY-HEADER check
ADMIN = "admin"          # /_emulator: no authentication, never faulted or delayed
DATAPLANE = "dataplane"  # routes a data plane adds; it authenticates them itself

PIPELINE_API_VERSIONS = (API_VERSION,)


class Route:
    def __init__(self, method, pattern, operation_id, handler, kind=ARM, api_versions=None):
        self.method = method
        self.pattern = pattern
        self.regex = re.compile("^" + pattern + "$", re.IGNORECASE)
        self.operation_id = operation_id
        self.handler = handler
        self.kind = kind
        self.api_versions = api_versions   # None: any well-formed api-version

    def __repr__(self):
        return "Route({} {} {})".format(self.method, self.pattern, self.operation_id)


SEG = r"[^/]+"
SUB = r"/subscriptions/(?P<subscription>{})".format(SEG)
RG = SUB + r"/resourceGroups/(?P<resource_group>{})".format(SEG)
REGISTRIES = r"/providers/Microsoft\.ContainerRegistry/registries"
REG = RG + REGISTRIES + r"/(?P<registry>{})".format(SEG)


def _collection_routes(collection, module, prefix):
    item = REG + "/" + collection + r"/(?P<name>{})".format(SEG)
    ops = REG + r"/(?P<collection>{})/(?P<name>{})".format(collection, SEG)
    v = PIPELINE_API_VERSIONS
    return [
        Route("GET", REG + "/" + collection, prefix + "_List", getattr(module, prefix + "_List"), api_versions=v),
        Route("GET", item, prefix + "_Get", getattr(module, prefix + "_Get"), api_versions=v),
        Route("PUT", item, prefix + "_Create", getattr(module, prefix + "_Create"), api_versions=v),
        Route("DELETE", item, prefix + "_Delete", getattr(module, prefix + "_Delete"), api_versions=v),
        Route("GET", ops + r"/operationStatuses/(?P<operation>{})".format(SEG), prefix + "_GetOperationStatus",
              operations.GetOperationStatus, api_versions=v),
        Route("GET", ops + r"/operationResults/(?P<operation>{})".format(SEG), prefix + "_GetOperationResult",
              operations.GetOperationResult, api_versions=v),
    ]


ROUTES = [
    Route("GET", r"/metadata/endpoints", "Metadata_GetEndpoints", metadata.Metadata_GetEndpoints, kind=METADATA),
    Route("GET", r"/msi/token", "ManagedIdentity_GetToken", identity.ManagedIdentity_GetToken, kind=IDENTITY),
    Route("GET", r"/subscriptions", "Subscriptions_List", subscriptions.Subscriptions_List),
    Route("GET", SUB, "Subscriptions_Get", subscriptions.Subscriptions_Get),
    Route("GET", r"/tenants", "Tenants_List", subscriptions.Tenants_List),
    Route("GET", SUB + r"/resourceGroups", "ResourceGroups_List", subscriptions.ResourceGroups_List),
    Route("GET", RG, "ResourceGroups_Get", subscriptions.ResourceGroups_Get),
    Route("HEAD", RG, "ResourceGroups_CheckExistence", subscriptions.ResourceGroups_CheckExistence),
    Route("PUT", RG, "ResourceGroups_CreateOrUpdate", subscriptions.ResourceGroups_CreateOrUpdate),
    Route("GET", SUB + REGISTRIES, "Registries_List", registries.Registries_List),
    Route("GET", RG + REGISTRIES, "Registries_ListByResourceGroup", registries.Registries_ListByResourceGroup),
    Route("GET", REG, "Registries_Get", registries.Registries_Get),
    *_collection_routes("exportPipelines", export_pipelines, "ExportPipelines"),
    *_collection_routes("importPipelines", import_pipelines, "ImportPipelines"),
    *_collection_routes("pipelineRuns", pipeline_runs, "PipelineRuns"),
    Route("GET", r"/_emulator/health", "Admin_Health", admin.health, kind=ADMIN),
    Route("GET", r"/_emulator/faults", "Admin_ListFaults", admin.list_faults, kind=ADMIN),
    Route("POST", r"/_emulator/faults", "Admin_AddFault", admin.add_fault, kind=ADMIN),
    Route("DELETE", r"/_emulator/faults", "Admin_ClearFaults", admin.clear_faults, kind=ADMIN),
    Route("GET", r"/_emulator/requests", "Admin_RequestCounts", admin.request_counts, kind=ADMIN),
    Route("DELETE", r"/_emulator/requests", "Admin_ResetRequestCounts", admin.reset_request_counts, kind=ADMIN),
    Route("POST", r"/_emulator/latency", "Admin_SetLatency", admin.set_latency, kind=ADMIN),
    Route("POST", r"/_emulator/reset", "Admin_Reset", admin.reset, kind=ADMIN),
]


class RouteTable:
    def __init__(self, routes):
        self.routes = list(routes)

    def extend(self, routes):
        self.routes.extend(routes)

    def resolve(self, method, path):
        """``(route, params)`` for a match, ``(None, allowed_methods)`` when only the method is wrong,
        ``(None, [])`` when nothing matches."""
        allowed = []
        for route in self.routes:
            match = route.regex.match(path)
            if not match:
                continue
            if route.method == method:
                return route, match.groupdict()
            allowed.append(route.method)
        return None, allowed


PROVIDER_RE = re.compile(r"/providers/(?P<namespace>[^/]+)(?P<rest>(/[^/]+)*)", re.IGNORECASE)


def unknown_route(method, path, allowed, api_version):
    """The ARM error for a request the table does not serve (405, or 404 with the most precise code)."""
    if allowed:
        return errors.ArmError(405, errors.METHOD_NOT_ALLOWED,
                               "The requested resource does not support http method '{}'.".format(method),
                               headers={"Allow": ", ".join(sorted(set(allowed)))})
    provider = PROVIDER_RE.search(path)
    if provider and provider["namespace"].lower() == "microsoft.containerregistry":
        types = [part for i, part in enumerate(provider["rest"].strip("/").split("/")) if i % 2 == 0]
        return errors.ArmError(404, errors.INVALID_RESOURCE_TYPE,
                               "The resource type '{}' could not be found in the namespace "
                               "'Microsoft.ContainerRegistry' for api version '{}'.".format(
                                   "/".join(types), api_version or ""))
    if provider:
        return errors.ArmError(404, errors.NO_REGISTERED_PROVIDER,
                               "No registered resource provider found for namespace '{}': this local service serves "
                               "only Microsoft.ContainerRegistry registries and their transfer resources.".format(
                                   provider["namespace"]))
    return errors.ArmError(404, errors.PATH_NOT_FOUND,
                           "The path '{}' is not served by the local ACR Transfer service.".format(path))
