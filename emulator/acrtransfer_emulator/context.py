"""What a handler gets: the request as read once, the route's path parameters, the caller's claims,
and the service (config, store, executor)."""
import json

from . import errors


class RequestContext:
    def __init__(self, service, method, path, query, headers, body, base_url):
        self.service = service
        self.method = method
        self.path = path               # normalised: no duplicate or trailing slashes
        self.query = query             # dict of the query string (last value wins)
        self.headers = headers         # starlette Headers (case-insensitive)
        self.body = body
        self.base_url = base_url       # https://<Host header>, so returned links work for the client
        self.params = {}
        self.route = None
        self.claims = None
        self.request_id = None
        self.correlation_id = None

    @property
    def config(self):
        return self.service.config

    @property
    def store(self):
        return self.service.store

    @property
    def api_version(self):
        return self.query.get("api-version")

    @property
    def operation_id(self):
        return self.route.operation_id if self.route else "Unknown"

    def url(self, path, query=None):
        from .arm import query_string
        return self.base_url + path + ("?" + query_string(query) if query else "")

    def json_body(self):
        """The body as a JSON object, or the ARM 400 for anything else."""
        if not self.body:
            raise errors.ArmError(400, errors.INVALID_REQUEST_CONTENT,
                                  "The request content was invalid and could not be deserialized: the body is empty.")
        try:
            value = json.loads(self.body)
        except ValueError as exc:
            raise errors.ArmError(400, errors.INVALID_REQUEST_CONTENT,
                                  "The request content was invalid and could not be deserialized: {}.".format(exc))
        if not isinstance(value, dict):
            raise errors.ArmError(400, errors.INVALID_REQUEST_CONTENT,
                                  "The request content was invalid and could not be deserialized: "
                                  "expected a JSON object.")
        return value
