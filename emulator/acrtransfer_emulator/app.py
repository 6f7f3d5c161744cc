"""Where a request goes, in order. Every layer is here, once, with a comment saying what it does.

Starlette gives the request/response objects and the lifespan; one catch-all endpoint runs the
layers below against our own route table (``routes.py``), because ARM matching is case-insensitive
and every layer before the handler needs the operationId.
"""
import asyncio
import contextlib
import logging
import re
import time
import uuid

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute

from . import arm, errors, faults, routes
from .auth import bearer_token
from .context import RequestContext

access_log = logging.getLogger("acrtransfer_emulator.access")
log = logging.getLogger("acrtransfer_emulator")

METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"]
API_VERSION_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(-(preview|alpha|beta|privatepreview))?$")
ARM_PREFIX_RE = re.compile(r"^/(subscriptions|tenants|providers)(/|$)", re.IGNORECASE)
# Query parameters safe to write to the log; anything else (SAS signatures...) is masked.
LOGGED_QUERY = {"api-version", "$skiptoken", "resource"}


def build_app(service):
    @contextlib.asynccontextmanager
    async def lifespan(app):
        service.start()
        try:
            yield
        finally:
            service.stop()

    async def endpoint(request):
        return await handle(service, request)

    app = Starlette(routes=[StarletteRoute("/{path:path}", endpoint, methods=METHODS)], lifespan=lifespan)
    return ConnectionDropper(app)


async def handle(service, request):
    started = time.monotonic()
    path = re.sub(r"/{2,}", "/", request.url.path).rstrip("/") or "/"
    host = request.headers.get("host") or "{}:{}".format(*request.scope["server"])
    ctx = RequestContext(service, request.method, path, dict(request.query_params), request.headers,
                         await request.body(), "https://" + host)

    # 1. Request id: a fresh x-ms-request-id; the caller's correlation id echoed (or the request id).
    ctx.request_id = str(uuid.uuid4())
    ctx.correlation_id = request.headers.get("x-ms-correlation-request-id") or ctx.request_id

    # Route resolution is pure; the layers below need the operationId before routing answers.
    route, found = service.routes.resolve(ctx.method, ctx.path)
    if route is not None:
        ctx.route, ctx.params = route, found
    admin = route is not None and route.kind == routes.ADMIN
    if not admin:
        service.request_counts.count(ctx.operation_id)
    fault = None
    try:
        # 2. Fault injection (tests): 429/500/503, a dropped connection, or a slow answer.
        if not admin:
            fault = service.faults.take(ctx.operation_id, ctx.method, ctx.path)
            if fault is not None:
                if fault["kind"] == "drop":
                    raise faults.DropConnection()
                if fault["kind"] == "slow":
                    await asyncio.sleep(float(fault["delay"]))
                else:
                    raise faults.as_error(fault)
        # Added latency (benchmarks) on ARM requests.
        is_arm = route.kind == routes.ARM if route is not None else bool(ARM_PREFIX_RE.match(ctx.path))
        if is_arm and service.latency:
            await asyncio.sleep(service.latency)
        # 3. api-version: required and well-formed on ARM paths; one of the route's versions if it has a list.
        if is_arm:
            check_api_version(ctx, route)
        # 4. Authentication: a bearer token this service issued, for the ARM audience.
        if is_arm:
            ctx.claims = service.tokens.verify(bearer_token(request.headers.get("authorization")),
                                               audience=service.config["arm_audience"])
        # 5. Routing: the exact table; anything else is an ARM 404/405, never a crash.
        if route is None:
            raise routes.unknown_route(ctx.method, ctx.path, found, ctx.api_version)
        # 6. Handler: thin, synchronous (SQLite), so it runs in the thread pool.
        response = await run_in_threadpool(route.handler, ctx)
    except faults.DropConnection:
        response = Dropped()
    except errors.ArmError as err:
        # 7. ARM error serialiser: every failure leaves as {"error": {code, message, target?}}.
        response = arm.error_response(err)
    except Exception as exc:
        log.exception("unhandled error in %s", ctx.operation_id)
        response = arm.error_response(errors.ArmError(500, errors.INTERNAL_SERVER_ERROR,
                                                      "The local service failed: {}".format(exc)))
    if not isinstance(response, Dropped):
        response.headers["x-ms-request-id"] = ctx.request_id
        response.headers["x-ms-correlation-request-id"] = ctx.correlation_id
        if request.headers.get("x-ms-client-request-id"):
            response.headers["x-ms-client-request-id"] = request.headers["x-ms-client-request-id"]
        if route is not None and route.api_versions:
            response.headers["api-supported-versions"] = ", ".join(route.api_versions)
    # 8. Access log: method, path, masked query, status, duration, operationId. Never headers or bodies.
    access_log.info("%s %s %s %dms %s rid=%s%s", ctx.method, loggable_path(ctx), response.status_code,
                    (time.monotonic() - started) * 1000, ctx.operation_id, ctx.request_id,
                    " fault={}".format(fault["kind"]) if fault else "")
    return response


def check_api_version(ctx, route):
    version = ctx.api_version
    if not version:
        raise errors.ArmError(400, errors.MISSING_API_VERSION,
                              "The api-version query parameter (?api-version=) is required for all requests.")
    supported = route.api_versions if route is not None else None
    if not API_VERSION_RE.match(version) or (supported and version not in supported):
        raise errors.ArmError(
            400, errors.INVALID_API_VERSION,
            "The api-version '{}' is invalid. The supported versions are '{}'.".format(
                version, ", ".join(supported) if supported else "YYYY-MM-DD[-preview]"))


def loggable_path(ctx):
    if not ctx.query:
        return ctx.path
    parts = ["{}={}".format(k, v if k.lower() in LOGGED_QUERY else "***") for k, v in ctx.query.items()]
    return ctx.path + "?" + "&".join(parts)


class Dropped(Response):
    """A response that is never sent: the connection is closed instead (the ``drop`` fault)."""

    def __init__(self):
        super().__init__(status_code=0)

    async def __call__(self, scope, receive, send):
        await scope["acrtransfer.drop"]()


class ConnectionDropper:
    """Outermost ASGI layer: gives inner layers a way to drop the TCP connection without answering.

    ASGI has no abort message, so this reaches uvicorn's transport through the server's own ``send``
    (a bound method of its request cycle); it is the only place that knows about uvicorn internals.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            async def drop():
                cycle = getattr(send, "__self__", None)
                transport = getattr(cycle, "transport", None)
                if transport is None:
                    raise RuntimeError("the server does not expose its transport; cannot drop the connection")
                transport.abort()
                # Let the server see the disconnect before the app returns, so it does not try a 500.
                for _ in range(50):
                    if getattr(cycle, "disconnected", True):
                        break
                    await asyncio.sleep(0.01)
            scope["acrtransfer.drop"] = drop
        await self.app(scope, receive, send)
