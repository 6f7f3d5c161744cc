"""The managed-identity token endpoint ``az login --identity`` uses.

With IDENTITY_ENDPOINT and IDENTITY_HEADER set, az (msal) speaks the App Service protocol:
``GET $IDENTITY_ENDPOINT?api-version=2019-08-01&resource=<audience>[&client_id|object_id|mi_res_id]``
with ``X-IDENTITY-HEADER: $IDENTITY_HEADER``. The answer carries ``expires_on`` in epoch seconds.
Errors use App Service's ``{statusCode, message}`` shape, which msal turns into its error message.
"""
from .. import arm


def ManagedIdentity_GetToken(ctx):
    if ctx.headers.get("x-identity-header") != ctx.service.identity_header:
        return arm.json_response(401, {"statusCode": 401, "message": "The X-IDENTITY-HEADER header is missing or "
                                                                     "does not match IDENTITY_HEADER."})
    resource = ctx.query.get("resource")
    if not resource:
        return arm.json_response(400, {"statusCode": 400, "message": "The 'resource' query parameter is required."})
    token, expires_on = ctx.service.tokens.issue(
        resource, client_id=ctx.query.get("client_id"), object_id=ctx.query.get("object_id"),
        resource_id=ctx.query.get("mi_res_id"))
    claims_client = ctx.service.tokens.identity_claims(
        client_id=ctx.query.get("client_id"), object_id=ctx.query.get("object_id"),
        resource_id=ctx.query.get("mi_res_id"))["appid"]
    return arm.json_response(200, {
        "access_token": token,
        "expires_on": str(expires_on),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": claims_client,
    })
