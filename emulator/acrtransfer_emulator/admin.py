"""Admin endpoints under ``/_emulator/`` for tests and benchmarks (127.0.0.1 only, no authentication)."""
import os

from . import __version__, arm, errors


def _bad_request(message):
    return errors.ArmError(400, errors.INVALID_REQUEST_CONTENT, message)


def health(ctx):
    service = ctx.service
    return arm.json_response(200, {
        "status": "ok", "version": __version__, "pid": os.getpid(), "mode": service.config["mode"],
        "url": ctx.base_url, "state": service.store.path,
        "registries": [{"name": r["name"], "resourceGroup": r["resource_group"], "sku": r["sku"],
                        "mode": r.get("mode") or service.config["mode"],
                        "dataPlane": service.dataplane.for_registry(r) is not None}
                       for r in service.config["registries"]],
    })


def list_faults(ctx):
    return arm.json_response(200, {"value": ctx.service.faults.list()})


def add_fault(ctx):
    try:
        fault = ctx.service.faults.add(ctx.json_body())
    except ValueError as exc:
        raise _bad_request(str(exc))
    return arm.json_response(201, fault)


def clear_faults(ctx):
    ctx.service.faults.clear()
    return arm.empty_response(204)


def request_counts(ctx):
    counts = ctx.service.request_counts.snapshot()
    return arm.json_response(200, {"total": sum(counts.values()), "operations": counts})


def reset_request_counts(ctx):
    ctx.service.request_counts.clear()
    return arm.empty_response(204)


def set_latency(ctx):
    seconds = ctx.json_body().get("seconds")
    if not isinstance(seconds, (int, float)) or seconds < 0:
        raise _bad_request("latency needs {\"seconds\": <number >= 0>}")
    ctx.service.latency = float(seconds)
    return arm.json_response(200, {"seconds": ctx.service.latency})


def reset(ctx):
    """Forget all pipelines, runs and operations; clear faults, counts and latency."""
    ctx.service.reset()
    return arm.empty_response(204)
