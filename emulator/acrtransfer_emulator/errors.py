"""Every ARM error code this service returns, and the one exception type that carries them.

Handlers raise ``ArmError``; the serialiser in ``arm.py`` turns it into the ARM envelope
``{"error": {"code", "message", "target"?}}``. Codes the real service was not seen returning are
our choice and are listed in ``differences.py``.
"""


class ArmError(Exception):
    """An ARM error answer: HTTP status, error code, human message, optional target and headers."""

    def __init__(self, status, code, message, target=None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.headers = dict(headers or {})

    def __repr__(self):
        return "ArmError({}, {!r}, {!r})".format(self.status, self.code, self.message)


# Request shape (400)
MISSING_API_VERSION = "MissingApiVersionParameter"
INVALID_API_VERSION = "InvalidApiVersionParameter"
NO_REGISTERED_PROVIDER = "NoRegisteredProviderFound"       # api-version not served for the type; unknown namespace
INVALID_REQUEST_CONTENT = "InvalidRequestContent"           # body is not a JSON object
MISSING_REQUIRED_PROPERTY = "MissingRequiredProperty"
INVALID_PROPERTY_VALUE = "InvalidPropertyValue"             # enum, URI or identity id not acceptable
INVALID_RESOURCE_NAME = "InvalidResourceName"               # 5-50 letters and digits
TOO_MANY_ARTIFACTS = "TooManyArtifacts"                     # more than 50 artifacts in one run
PIPELINE_NOT_FOUND = "PipelineNotFound"                     # a run names a pipeline that does not exist
REGISTRY_SKU_NOT_SUPPORTED = "RegistrySkuNotSupported"      # pipelines need a Premium registry
LOCATION_REQUIRED = "LocationRequired"                      # resource group PUT without location

# Authentication (401)
AUTHENTICATION_FAILED = "AuthenticationFailed"              # no bearer token at all
INVALID_AUTHENTICATION_TOKEN = "InvalidAuthenticationToken"
EXPIRED_AUTHENTICATION_TOKEN = "ExpiredAuthenticationToken"
INVALID_AUTHENTICATION_TOKEN_AUDIENCE = "InvalidAuthenticationTokenAudience"

# Not found (404) and wrong method (405)
SUBSCRIPTION_NOT_FOUND = "SubscriptionNotFound"
RESOURCE_GROUP_NOT_FOUND = "ResourceGroupNotFound"
RESOURCE_NOT_FOUND = "ResourceNotFound"
INVALID_RESOURCE_TYPE = "InvalidResourceType"
OPERATION_NOT_FOUND = "OperationNotFound"
PATH_NOT_FOUND = "NotFound"                                 # a path outside ARM's shape
METHOD_NOT_ALLOWED = "MethodNotAllowed"

# Conflicts (409)
ANOTHER_OPERATION_IN_PROGRESS = "AnotherOperationInProgress"

# Operation status errors (inside an operationStatuses body, not an HTTP status)
PIPELINE_RUN_FAILED = "PipelineRunFailed"

# Injected faults and unexpected failures
TOO_MANY_REQUESTS = "TooManyRequests"                       # 429
INTERNAL_SERVER_ERROR = "InternalServerError"               # 500
SERVICE_UNAVAILABLE = "ServiceUnavailable"                  # 503

ALL_CODES = sorted(
    value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str)
)


def not_found(resource_type, name, resource_group):
    """ARM's 404 for a missing resource, worded like ARM's own."""
    return ArmError(
        404, RESOURCE_NOT_FOUND,
        "The Resource '{}/{}' under resource group '{}' was not found.".format(resource_type, name, resource_group),
    )
