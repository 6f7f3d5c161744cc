"""The one place service errors become az errors.

`transfer_exception_handler` is every command's exception handler (registered on each
CliCommandType): 404 is "not found" (az exit code 3), 401 "authentication failed", 403 "access
denied" (never "not found"), anything else the service's `code: message`. Every message carries the
correlation id a support request needs. az's own `show_command` turns a 404 on show into exit code 3
before this handler runs; `wait` needs the raw 404 too, so command functions do not translate.
"""
import json

_CORRELATION_HEADERS = ("x-ms-correlation-request-id", "x-ms-request-id")


def _error_code_and_message(ex):
    """(code, message) of an azure-core HttpResponseError, from the ARM error body when there is one."""
    code = message = None
    error = getattr(ex, "error", None)
    if error is not None:
        code = getattr(error, "code", None)
        message = getattr(error, "message", None)
    if not code or not message:
        response = getattr(ex, "response", None)
        try:
            body = json.loads(response.text())
            body = body.get("error", body) if isinstance(body, dict) else {}
            code = code or body.get("code")
            message = message or body.get("message")
        except Exception:  # pylint: disable=broad-except
            pass
    if not message:
        # No ARM error: the client's own message (a resource that ended Failed says so), else the reason.
        lines = [line for line in str(getattr(ex, "message", None) or ex).splitlines() if line.strip()]
        message = lines[0] if lines else (getattr(ex, "reason", None) or type(ex).__name__)
    return (str(code) if code else None), str(message)


def correlation_id(ex):
    headers = getattr(getattr(ex, "response", None), "headers", None) or {}
    for name in _CORRELATION_HEADERS:
        try:
            value = headers.get(name)
        except Exception:  # pylint: disable=broad-except
            value = None
        if value:
            return value
    return None


def describe_http_error(ex):
    """`code: message` of a service error, for one line of a report."""
    code, message = _error_code_and_message(ex)
    return "{}: {}".format(code, message) if code else message


def _recommendations(ex, *lines):
    found = [line for line in lines if line]
    cid = correlation_id(ex)
    if cid:
        found.append("Correlation ID: {}".format(cid))
    return found


def translate_http_error(ex):
    """The az error for an azure-core HttpResponseError."""
    from azure.cli.core.azclierror import (
        AzureResponseError, ForbiddenError, ResourceNotFoundError, UnauthorizedError)
    status = getattr(ex, "status_code", None)
    detail = describe_http_error(ex)
    if status == 404:
        return ResourceNotFoundError(
            "Not found: {}".format(detail),
            _recommendations(ex, "Check the names, the resource group (-g), the registry (-r) and the "
                                 "subscription (--subscription)."))
    if status == 401:
        return UnauthorizedError(
            "Authentication failed: {}".format(detail),
            _recommendations(ex, "Sign in again with 'az login'."))
    if status == 403:
        return ForbiddenError(
            "Access denied: {}".format(detail),
            _recommendations(ex, "The signed-in identity needs permission on the registry in this subscription "
                                 "(for example the Contributor role on the registry)."))
    return AzureResponseError(
        "The service answered {}: {}".format(status, detail) if status and status >= 400 else detail,
        _recommendations(ex))


def transfer_exception_handler(ex):
    """Exception handler of every acrtransfer command: raise the az error for a service error."""
    from azure.core.exceptions import HttpResponseError
    if isinstance(ex, HttpResponseError):
        raise translate_http_error(ex) from ex
    raise ex


_NOT_FOUND_WORDS = ("not found", "notfound", "does not exist", "doesn't exist", "could not be found",
                    "cannot be found")


def is_pipeline_not_found(ex, pipeline_name):
    """Does this service error reject a run because its pipeline does not exist?"""
    code, message = _error_code_and_message(ex)
    code = (code or "").lower()
    text = message.lower()
    if code == "pipelinenotfound":
        return True
    names_pipeline = pipeline_name.lower() in text
    says_missing = code in ("resourcenotfound", "notfound") or any(word in text for word in _NOT_FOUND_WORDS)
    return names_pipeline and says_missing


def pipeline_not_found_error(ex, kind, pipeline_name, registry_name, resource_group_name):
    from azure.cli.core.azclierror import ResourceNotFoundError
    return ResourceNotFoundError(
        "The {} pipeline '{}' was not found in registry '{}' (resource group '{}'): {}".format(
            kind, pipeline_name, registry_name, resource_group_name, describe_http_error(ex)),
        _recommendations(ex, "List the {0} pipelines with: az acr {0}-pipeline list -g {1} -r {2}".format(
            kind, resource_group_name, registry_name)))
