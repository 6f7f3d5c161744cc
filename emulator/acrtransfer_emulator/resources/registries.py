"""Registries: declared in the configuration, read-only over ARM (GET one, list)."""
from .. import arm, errors
from ..config import find_registry
from .subscriptions import require_resource_group, require_subscription

REGISTRY_TYPE = "Microsoft.ContainerRegistry/registries"


def require_registry(ctx):
    """The configured registry the path names, or ARM's 404 for the first missing level."""
    group = require_resource_group(ctx)
    registry = find_registry(ctx.config, group["name"], ctx.params["registry"])
    if registry is None:
        raise errors.not_found(REGISTRY_TYPE, ctx.params["registry"], ctx.params["resource_group"])
    return registry


def registry_id(config, registry):
    return "/subscriptions/{}/resourceGroups/{}/providers/{}/{}".format(
        config["subscription_id"], registry["resource_group"], REGISTRY_TYPE, registry["name"])


def registry_doc(ctx, registry):
    group = ctx.store.get_resource_group(ctx.config["subscription_id"], registry["resource_group"]) or {}
    login_server = ctx.service.dataplane.login_server(registry) or registry.get("login_server") or \
        "{}.azurecr.localhost".format(registry["name"].lower())
    return {
        "sku": {"name": registry["sku"], "tier": registry["sku"]},
        "type": REGISTRY_TYPE,
        "id": registry_id(ctx.config, registry),
        "name": registry["name"],
        "location": registry.get("location") or group.get("location", "westus"),
        "tags": {},
        "properties": {
            "loginServer": login_server,
            "provisioningState": "Succeeded",
            "adminUserEnabled": False,
            "publicNetworkAccess": "Enabled",
            "dataEndpointEnabled": False,
            "zoneRedundancy": "Disabled",
        },
    }


def Registries_Get(ctx):
    return arm.json_response(200, registry_doc(ctx, require_registry(ctx)))


def Registries_ListByResourceGroup(ctx):
    group = require_resource_group(ctx)
    return arm.json_response(200, {"value": [
        registry_doc(ctx, r) for r in ctx.config["registries"] if r["resource_group"].lower() == group["name"].lower()]})


def Registries_List(ctx):
    require_subscription(ctx)
    return arm.json_response(200, {"value": [registry_doc(ctx, r) for r in ctx.config["registries"]]})
