"""Request builders and the operations of exportPipelines, importPipelines and pipelineRuns.

The three operation groups differ only by collection name and model class, so one base class holds
get, list, begin_create and begin_delete, and each group is a two-line subclass.
"""
import json
from urllib.parse import quote, urlparse

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.core.paging import ItemPaged
from azure.core.polling import LROPoller, NoPolling, PollingMethod
from azure.core.rest import HttpRequest
from azure.mgmt.core.exceptions import ARMErrorFormat
from azure.mgmt.core.polling.arm_polling import ARMPolling

from ._version import API_VERSION
from ._models import ExportPipeline, ImportPipeline, PipelineRun

COLLECTIONS = ("exportPipelines", "importPipelines", "pipelineRuns")

# One error map for every operation; anything else is a plain HttpResponseError.
ERROR_MAP = {
    401: ClientAuthenticationError,
    403: ClientAuthenticationError,
    404: ResourceNotFoundError,
    409: ResourceExistsError,
}

_ACCEPT = {"Accept": "application/json"}
_FAILED_STATES = ("failed", "canceled")


# Request builders: pure functions, URL relative to the ARM endpoint.

def _path(subscription_id, resource_group_name, registry_name, collection, name=None):
    if collection not in COLLECTIONS:
        raise ValueError("Unknown collection {!r}; expected one of {}".format(collection, ", ".join(COLLECTIONS)))
    segments = [subscription_id, resource_group_name, registry_name] + ([] if name is None else [name])
    for segment in segments:
        # An empty segment would silently address another URL (a PUT on the collection, say).
        if not isinstance(segment, str) or not segment:
            raise ValueError("Path segments must be non-empty strings, got {!r}".format(segment))
    path = "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.ContainerRegistry/registries/{}/{}".format(
        _quote(subscription_id), _quote(resource_group_name), _quote(registry_name), collection)
    return path if name is None else "{}/{}".format(path, _quote(name))


def _quote(segment):
    return quote(segment, safe="")


def build_get_request(subscription_id, resource_group_name, registry_name, collection, name, *,
                      api_version=API_VERSION):
    return HttpRequest("GET", _path(subscription_id, resource_group_name, registry_name, collection, name),
                       params={"api-version": api_version}, headers=dict(_ACCEPT))


def build_list_request(subscription_id, resource_group_name, registry_name, collection, *, api_version=API_VERSION):
    return HttpRequest("GET", _path(subscription_id, resource_group_name, registry_name, collection),
                       params={"api-version": api_version}, headers=dict(_ACCEPT))


def build_create_request(subscription_id, resource_group_name, registry_name, collection, name, body, *,
                         api_version=API_VERSION):
    """PUT of `body`, a JSON-ready dict sent as is (key order kept)."""
    return HttpRequest("PUT", _path(subscription_id, resource_group_name, registry_name, collection, name),
                       params={"api-version": api_version}, headers=dict(_ACCEPT), json=body)


def build_delete_request(subscription_id, resource_group_name, registry_name, collection, name, *,
                         api_version=API_VERSION):
    return HttpRequest("DELETE", _path(subscription_id, resource_group_name, registry_name, collection, name),
                       params={"api-version": api_version}, headers=dict(_ACCEPT))


# Errors.

def _raise_for_response(response):
    """Raise the mapped exception for an unexpected answer, with the ARM error parsed and the response kept."""
    raise ERROR_MAP.get(response.status_code, HttpResponseError)(response=response, error_format=ARMErrorFormat)


def _is_failed(status):
    return isinstance(status, str) and status.lower() in _FAILED_STATES


def _json_or_none(response):
    try:
        return json.loads(response.text()) if response.content else None
    except (ValueError, TypeError):
        return None


class _TransferARMPolling(ARMPolling):
    """ARMPolling whose failures read like the operations' own: mapped type, ARM error, reason.

    ARMPolling raises a bare HttpResponseError; a resource that ended Failed carries no ARM error,
    so the message then names the state and the run's pipelineRunErrorMessage, and `.model` holds
    the failed resource.
    """

    _failed_at_once = False

    def initialize(self, client, initial_response, deserialization_callback):
        super().initialize(client, initial_response, deserialization_callback)
        # A synchronous answer can already be Failed; ARMPolling would report it done and return the
        # failed resource. Keep it unfinished so LROPoller calls run(), which raises it like a polled failure.
        self._failed_at_once = _is_failed(self.status())

    def finished(self):
        return super().finished() and not self._failed_at_once

    def run(self):
        try:
            if self._failed_at_once:
                self._failed_at_once = False
                raise HttpResponseError(response=self._pipeline_response.http_response)
            super().run()
        except HttpResponseError as err:
            response = err.response
            body = _json_or_none(response) if response is not None else None
            message, model = err.message, None
            if isinstance(body, dict) and "error" not in body:
                props = body.get("properties") if isinstance(body.get("properties"), dict) else {}
                status, state = body.get("status"), props.get("provisioningState")
                if _is_failed(status):  # an operation-status resource
                    message = "The operation ended with status '{}'.".format(status)
                elif _is_failed(state):  # the resource itself
                    message = "The resource ended with provisioningState '{}'.".format(state)
                    run_response = props.get("response")
                    detail = run_response.get("pipelineRunErrorMessage") if isinstance(run_response, dict) else None
                    if detail:
                        message = "{} {}".format(message, detail)
                    model = self._safe_resource()
            error_type = ERROR_MAP.get(getattr(response, "status_code", None), HttpResponseError)
            raise error_type(message=message, response=response, error_format=ARMErrorFormat, model=model) from err

    def _safe_resource(self):
        try:
            return self._deserialization_callback(self._pipeline_response)
        except Exception:  # pylint: disable=broad-except
            return None  # the error must still surface even if the body does not parse


class _PipelineResourceOperations:
    """get / list / begin_create / begin_delete over one collection of a registry."""

    _collection = None  # set by each operation group
    _model = None

    def __init__(self, client, config):
        self._client = client
        self._config = config

    # Plumbing.

    def _absolute(self, url):
        # nextLink and Location are absolute and used as given; builders give a path.
        if urlparse(url).scheme:
            return url
        return self._config.base_url.rstrip("/") + "/" + url.lstrip("/")

    def _send(self, request, expected, **kwargs):
        request.url = self._absolute(request.url)
        pipeline = self._client._pipeline  # pylint: disable=protected-access
        pipeline_response = pipeline.run(request, stream=False, **kwargs)
        if pipeline_response.http_response.status_code not in expected:
            _raise_for_response(pipeline_response.http_response)
        return pipeline_response

    def _deserialize(self, pipeline_response):
        body = _json_or_none(pipeline_response.http_response)
        return self._model._from_wire(body) if isinstance(body, dict) else None  # pylint: disable=protected-access

    def _begin(self, make_request, expected, final_state_via, deserialize, polling, polling_interval, cont_token,
               **kwargs):
        interval = self._config.polling_interval if polling_interval is None else polling_interval
        if polling is True:
            method = _TransferARMPolling(interval, lro_options={"final-state-via": final_state_via}, **kwargs)
        elif polling is False:
            method = NoPolling()  # az's --no-wait (sdk_no_wait passes polling=False)
        elif isinstance(polling, PollingMethod):
            method = polling
        else:
            raise TypeError("polling must be True, False or a PollingMethod, got {!r}".format(polling))
        if cont_token:
            return LROPoller.from_continuation_token(polling_method=method, continuation_token=cont_token,
                                                     client=self._client, deserialization_callback=deserialize)
        initial = self._send(make_request(), expected, **kwargs)
        return LROPoller(self._client, initial, deserialize, method)

    # Operations.

    def get(self, resource_group_name, registry_name, name, **kwargs):
        """GET one resource. Raises ResourceNotFoundError on 404."""
        request = build_get_request(self._config.subscription_id, resource_group_name, registry_name,
                                    self._collection, name)
        return self._deserialize(self._send(request, (200,), **kwargs))

    def list(self, resource_group_name, registry_name, **kwargs):
        """Every resource of the registry, page by page (one GET per page, following nextLink)."""
        def get_next(next_link=None):
            if next_link is None:
                request = build_list_request(self._config.subscription_id, resource_group_name, registry_name,
                                             self._collection)
            else:
                request = HttpRequest("GET", next_link, headers=dict(_ACCEPT))  # carries its own api-version
            return self._send(request, (200,), **kwargs)

        def extract_data(pipeline_response):
            body = _json_or_none(pipeline_response.http_response) or {}
            wrap = self._model._from_wire  # pylint: disable=protected-access
            items = [wrap(item) if isinstance(item, dict) else item for item in body.get("value") or []]
            return body.get("nextLink") or None, iter(items)

        return ItemPaged(get_next, extract_data)

    def begin_create(self, resource_group_name, registry_name, name, body, *, polling=True, polling_interval=None,
                     cont_token=None, **kwargs):
        """PUT `body` (a JSON-ready dict sent as is, or a model) and poll to the end (final-state-via
        azure-async-operation). A synchronous 200 with a terminal provisioningState costs one request."""
        payload = body.serialize() if hasattr(body, "serialize") else body

        def make_request():
            return build_create_request(self._config.subscription_id, resource_group_name, registry_name,
                                        self._collection, name, payload)

        return self._begin(make_request, (200, 201), "azure-async-operation", self._deserialize,
                           polling, polling_interval, cont_token, **kwargs)

    def begin_delete(self, resource_group_name, registry_name, name, *, polling=True, polling_interval=None,
                     cont_token=None, **kwargs):
        """DELETE and poll to the end (final-state-via location). 200/204 cost one request."""
        def make_request():
            return build_delete_request(self._config.subscription_id, resource_group_name, registry_name,
                                        self._collection, name)

        return self._begin(make_request, (200, 202, 204), "location", lambda pipeline_response: None,
                           polling, polling_interval, cont_token, **kwargs)


class ExportPipelinesOperations(_PipelineResourceOperations):
    _collection = "exportPipelines"
    _model = ExportPipeline


class ImportPipelinesOperations(_PipelineResourceOperations):
    _collection = "importPipelines"
    _model = ImportPipeline


class PipelineRunsOperations(_PipelineResourceOperations):
    _collection = "pipelineRuns"
    _model = PipelineRun
