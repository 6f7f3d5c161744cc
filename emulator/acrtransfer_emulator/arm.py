"""ARM mechanics, written once: the JSON and error envelopes, systemData, provisioning states,
long-running-operation answers (201 + Azure-AsyncOperation, 202 + Location), operation-status
resources, and nextLink paging with ``$skipToken``.
"""
import base64
import datetime
import json
import uuid
from urllib.parse import urlencode

from starlette.responses import Response

from . import errors

# Provisioning states (spec: ProvisioningState) and which of them end an operation.
CREATING, UPDATING, DELETING = "Creating", "Updating", "Deleting"
SUCCEEDED, FAILED, CANCELED = "Succeeded", "Failed", "Canceled"
TERMINAL = (SUCCEEDED, FAILED, CANCELED)

# Operation-status values (ARM async operation protocol).
OP_IN_PROGRESS = "InProgress"

_STANDARD_HEADERS = {
    "Cache-Control": "no-cache",
    "Pragma": "no-cache",
    "Expires": "-1",
    "X-Content-Type-Options": "nosniff",
}


def utcnow():
    """ARM's timestamp form: ISO 8601 UTC with 7 fractional digits, as the recordings show."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0+00:00"


def dumps(body):
    # Compact separators: the real service sends no whitespace.
    return json.dumps(body, separators=(",", ":"))


def json_response(status, body, headers=None):
    merged = dict(_STANDARD_HEADERS)
    merged.update(headers or {})
    return Response(dumps(body), status_code=status, headers=merged, media_type="application/json; charset=utf-8")


def empty_response(status, headers=None):
    merged = dict(_STANDARD_HEADERS)
    merged.update(headers or {})
    return Response(b"", status_code=status, headers=merged)


def error_body(code, message, target=None):
    error = {"code": code, "message": message}
    if target:
        error["target"] = target
    return {"error": error}


def error_response(err):
    """The ARM error envelope for an ArmError."""
    return json_response(err.status, error_body(err.code, err.message, err.target), err.headers)


def system_data(claims, previous=None):
    """systemData for a create (``previous`` None) or an update (keeps the created* half)."""
    now = utcnow()
    actor = (claims or {}).get("appid") or (claims or {}).get("oid") or "unknown"
    if previous:
        data = {k: previous[k] for k in ("createdBy", "createdByType", "createdAt") if k in previous}
    else:
        data = {"createdBy": actor, "createdByType": "ManagedIdentity", "createdAt": now}
    data.update({"lastModifiedBy": actor, "lastModifiedByType": "ManagedIdentity", "lastModifiedAt": now})
    return data


# -- long-running operations ----------------------------------------------------------------------

def new_operation_id(collection):
    """Operation ids read like the spec examples: ``exportpipelines-<uuid>``."""
    return "{}-{}".format(collection.lower(), uuid.uuid4())


def async_operation_url(ctx, resource_path, op_id):
    return ctx.url("{}/operationStatuses/{}".format(resource_path, op_id), {"api-version": ctx.api_version})


def operation_result_url(ctx, resource_path, op_id):
    return ctx.url("{}/operationResults/{}".format(resource_path, op_id), {"api-version": ctx.api_version})


def accepted_put(ctx, status, doc, resource_path, op_id):
    """201 (create) or 200 (update) + Azure-AsyncOperation + Retry-After: the spec's PUT LRO."""
    return json_response(status, doc, {
        "Azure-AsyncOperation": async_operation_url(ctx, resource_path, op_id),
        "Retry-After": retry_after(ctx),
    })


def accepted_delete(ctx, resource_path, op_id):
    """202 + Location + Retry-After: the spec's DELETE LRO (final-state-via location)."""
    return empty_response(202, {
        "Location": operation_result_url(ctx, resource_path, op_id),
        "Retry-After": retry_after(ctx),
    })


def retry_after(ctx):
    value = ctx.config["retry_after"]
    return str(int(value)) if float(value).is_integer() else str(value)


def operation_status_body(ctx, resource_path, op):
    """The operation-status resource an Azure-AsyncOperation URL answers with."""
    body = {
        "id": "{}/operationStatuses/{}".format(resource_path, op["id"]),
        "name": op["id"],
        "status": op["status"],
        "startTime": op["start_time"],
    }
    if op["end_time"]:
        body["endTime"] = op["end_time"]
    if op["error"]:
        body["error"] = op["error"]
    return body


# -- paging ---------------------------------------------------------------------------------------

def encode_skip_token(seq):
    return base64.urlsafe_b64encode("seq:{}".format(seq).encode()).decode().rstrip("=")


def decode_skip_token(token):
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, _, value = text.partition(":")
        if prefix != "seq":
            raise ValueError(token)
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise errors.ArmError(400, errors.INVALID_PROPERTY_VALUE,
                              "The $skipToken '{}' is not one this service issued.".format(token), target="$skipToken")


def list_page(ctx, fetch):
    """A ``{value, nextLink?}`` page. ``fetch(after_seq, limit)`` returns records in creation order;
    one extra record is fetched to know whether a next page exists."""
    after = decode_skip_token(ctx.query["$skipToken"]) if "$skipToken" in ctx.query else 0
    size = ctx.config["page_size"]
    records = fetch(after, size + 1)
    body = {"value": [r.doc for r in records[:size]]}
    if len(records) > size:
        query = {k: v for k, v in ctx.query.items() if k != "$skipToken"}
        query["$skipToken"] = encode_skip_token(records[size - 1].seq)
        body["nextLink"] = ctx.url(ctx.path, query)
    return body


def query_string(query):
    # Keep "$" literal in $skipToken: ARM's nextLinks do, and clients pass them on unchanged.
    return urlencode(query, safe="$")
