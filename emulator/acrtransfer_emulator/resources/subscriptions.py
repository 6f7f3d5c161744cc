"""Subscriptions, tenants and resource groups: what ``az login`` and ``az group`` need."""
from .. import arm, errors


def subscription_doc(config):
    return {
        "id": "/subscriptions/" + config["subscription_id"],
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": config["subscription_id"],
        "tenantId": config["tenant_id"],
        "displayName": config["subscription_name"],
        "state": "Enabled",
        "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "Internal_2014-09-01",
                                 "spendingLimit": "Off"},
    }


def require_subscription(ctx):
    subscription = ctx.params["subscription"]
    if subscription.lower() != ctx.config["subscription_id"].lower():
        raise errors.ArmError(404, errors.SUBSCRIPTION_NOT_FOUND,
                              "The subscription '{}' could not be found.".format(subscription))
    return ctx.config["subscription_id"]


def require_resource_group(ctx):
    subscription = require_subscription(ctx)
    group = ctx.store.get_resource_group(subscription, ctx.params["resource_group"])
    if group is None:
        raise errors.ArmError(404, errors.RESOURCE_GROUP_NOT_FOUND,
                              "Resource group '{}' could not be found.".format(ctx.params["resource_group"]))
    return group


def resource_group_doc(subscription, name, location, tags=None):
    doc = {
        "id": "/subscriptions/{}/resourceGroups/{}".format(subscription, name),
        "name": name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": location,
        "properties": {"provisioningState": "Succeeded"},
    }
    if tags:
        doc["tags"] = tags
    return doc


# -- operations (operationId per function) --------------------------------------------------------

def Subscriptions_List(ctx):
    return arm.json_response(200, {"value": [subscription_doc(ctx.config)],
                                   "count": {"type": "Total", "value": 1}})


def Subscriptions_Get(ctx):
    require_subscription(ctx)
    return arm.json_response(200, subscription_doc(ctx.config))


def Tenants_List(ctx):
    tenant = ctx.config["tenant_id"]
    return arm.json_response(200, {"value": [{
        "id": "/tenants/" + tenant, "tenantId": tenant, "tenantCategory": "Home", "country": "US",
        "countryCode": "US", "displayName": ctx.config["subscription_name"], "domains": ["acrtransfer.localhost"],
        "defaultDomain": "acrtransfer.localhost", "tenantType": "AAD",
    }]})


def ResourceGroups_List(ctx):
    subscription = require_subscription(ctx)
    return arm.json_response(200, {"value": ctx.store.list_resource_groups(subscription)})


def ResourceGroups_Get(ctx):
    return arm.json_response(200, require_resource_group(ctx))


def ResourceGroups_CheckExistence(ctx):
    subscription = require_subscription(ctx)
    found = ctx.store.get_resource_group(subscription, ctx.params["resource_group"]) is not None
    return arm.empty_response(204 if found else 404)


def ResourceGroups_CreateOrUpdate(ctx):
    subscription = require_subscription(ctx)
    body = ctx.json_body()
    existing = ctx.store.get_resource_group(subscription, ctx.params["resource_group"])
    location = body.get("location")
    if not location:
        raise errors.ArmError(400, errors.LOCATION_REQUIRED,
                              "The location property is required for this definition.", target="location")
    name = existing["name"] if existing else ctx.params["resource_group"]
    doc = resource_group_doc(subscription, name, location, body.get("tags"))
    ctx.store.put_resource_group(subscription, doc)
    return arm.json_response(200 if existing else 201, doc)
