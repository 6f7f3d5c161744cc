"""Spec rules the service checks on request bodies and names, each raising the ARM 400 it answers with."""
import re
from urllib.parse import urlparse

from . import errors
from .auth import stable_uuid

NAME_RE = re.compile(r"^[a-zA-Z0-9]{5,50}$")
USER_IDENTITY_RE = re.compile(
    r"^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/Microsoft\.ManagedIdentity/userAssignedIdentities/[^/]+$",
    re.IGNORECASE)
MAX_ARTIFACTS = 50

STORAGE_ACCESS_MODES = ("ManagedIdentity", "SasToken")
PIPELINE_OPTIONS = ("OverwriteTags", "OverwriteBlobs", "DeleteSourceBlobOnSuccess", "ContinueOnErrors")
TRIGGER_STATUSES = ("Enabled", "Disabled")
CONTAINER_TYPES = ("AzureStorageBlobContainer",)
BLOB_TYPES = ("AzureStorageBlob",)
IDENTITY_TYPES = ("SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned", "None")


def check_name(name, parameter):
    """Registry, pipeline and run names: 5-50 letters and digits (spec pattern ^[a-zA-Z0-9]*$)."""
    if not NAME_RE.match(name):
        raise errors.ArmError(
            400, errors.INVALID_RESOURCE_NAME,
            "The resource name '{}' is invalid: {} must be 5 to 50 characters long and contain only letters "
            "and digits.".format(name, parameter), target=parameter)


def missing(target, why=""):
    return errors.ArmError(400, errors.MISSING_REQUIRED_PROPERTY,
                           "The property '{}' is required{}.".format(target, why), target=target)


def invalid(target, message):
    return errors.ArmError(400, errors.INVALID_PROPERTY_VALUE, message, target=target)


def obj(container, key, target, required=False):
    """``container[key]`` as a dict (None when absent and optional)."""
    value = container.get(key)
    if value is None:
        if required:
            raise missing(target)
        return None
    if not isinstance(value, dict):
        raise invalid(target, "The property '{}' must be a JSON object.".format(target))
    return value


def string(container, key, target, required=False):
    value = container.get(key)
    if value is None or value == "":
        if required:
            raise missing(target)
        return None
    if not isinstance(value, str):
        raise invalid(target, "The property '{}' must be a string.".format(target))
    return value


def enum(value, allowed, target):
    """The canonical spelling of an enum value (accepted case-insensitively, as ARM does)."""
    for candidate in allowed:
        if isinstance(value, str) and value.lower() == candidate.lower():
            return candidate
    raise invalid(target, "The value '{}' of '{}' is not valid. Allowed values: {}.".format(
        value, target, ", ".join(allowed)))


def uri(value, target, schemes=("https", "http")):
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not parsed.netloc:
        raise invalid(target, "The property '{}' must be an absolute {} URI, not '{}'.".format(
            target, " or ".join(schemes), value))
    return value


def options(body_options, target):
    if body_options is None:
        return None
    if not isinstance(body_options, list):
        raise invalid(target, "The property '{}' must be an array.".format(target))
    return [enum(o, PIPELINE_OPTIONS, "{}[{}]".format(target, i)) for i, o in enumerate(body_options)]


def identity(body_identity, resource_id, tenant_id):
    """The identity as the service echoes it: type in lower camel case, ids filled in.

    System-assigned: top-level principalId and tenantId. User-assigned: principalId and clientId per
    entry, none at top level. Ids are stable hashes, so the same resource always gets the same ones.
    """
    if body_identity is None:
        return None
    if not isinstance(body_identity, dict):
        raise invalid("identity", "The property 'identity' must be a JSON object.")
    kind = enum(body_identity.get("type"), IDENTITY_TYPES, "identity.type")
    system = kind.startswith("SystemAssigned")
    user = kind.endswith("UserAssigned")
    entries = body_identity.get("userAssignedIdentities")
    if user:
        if not isinstance(entries, dict) or not entries:
            raise missing("identity.userAssignedIdentities", " when identity.type is {}".format(kind))
        for key in entries:
            if not USER_IDENTITY_RE.match(key):
                raise invalid("identity.userAssignedIdentities",
                              "'{}' is not a user-assigned identity resource ID (/subscriptions/{{id}}/resourceGroups/"
                              "{{group}}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{{name}}).".format(key))
    elif entries:
        raise invalid("identity.userAssignedIdentities",
                      "userAssignedIdentities can only be given when identity.type includes UserAssigned.")
    echoed = {}
    if system:
        echoed["principalId"] = stable_uuid("system-assigned", resource_id)
        echoed["tenantId"] = tenant_id
    echoed["type"] = {"SystemAssigned": "systemAssigned", "UserAssigned": "userAssigned",
                      "SystemAssigned, UserAssigned": "systemAssigned, userAssigned", "None": "none"}[kind]
    if user:
        echoed["userAssignedIdentities"] = {
            key: {"principalId": stable_uuid("principal", key), "clientId": stable_uuid("client", key)}
            for key in entries}
    return echoed
