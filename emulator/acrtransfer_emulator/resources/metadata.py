"""Cloud metadata (``/metadata/endpoints``) so ``az cloud register --endpoint-resource-manager`` works.

az reads ``authentication.loginEndpoint``, ``authentication.audiences[0]`` (the token audience for
ARM), ``resourceManager`` and ``suffixes``; endpoints we do not serve are left out (az treats them
as unset). Links use the request's host, so the metadata is right on whatever port the service has.
"""
from .. import arm


def Metadata_GetEndpoints(ctx):
    base = ctx.base_url + "/"
    return arm.json_response(200, {
        "name": ctx.config["cloud_name"],
        "portal": base,
        "resourceManager": base,
        "authentication": {
            "loginEndpoint": base,
            "audiences": [ctx.config["arm_audience"]],
            "tenant": ctx.config["tenant_id"],
            "identityProvider": "AAD",
        },
        "suffixes": {
            "acrLoginServer": "azurecr.localhost",
            "keyVaultDns": "vault.azure.net",
            "storage": "core.windows.net",
        },
    })
