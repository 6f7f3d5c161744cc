"""Fault injection for tests: answer chosen operations with 429, 500, 503, a dropped connection or a
slow response, N times.

A fault is ``{"operation": <operationId or "METHOD path" regex>, "kind": "429|500|503|drop|slow",
"count": N (default 1, -1 = until removed), "after": N (let the first N matching requests through,
default 0), "retry_after": s (429/503, default 1), "delay": s (slow, default 2)}``. ``operation`` is an operationId (``ExportPipelines_Create``) when it looks like one,
otherwise a regular expression searched in ``"<METHOD> <path>"``.
"""
import re
import threading

from . import errors

KINDS = ("429", "500", "503", "drop", "slow")
OPERATION_ID_RE = re.compile(r"^[A-Za-z]+_[A-Za-z]+$")


class DropConnection(Exception):
    """Raised by the fault layer; the outermost layer closes the socket without answering."""


def parse_fault(spec):
    """Validate one fault spec; returns the normalised dict or raises ValueError."""
    if not isinstance(spec, dict):
        raise ValueError("a fault must be a JSON object")
    unknown = set(spec) - {"operation", "kind", "count", "after", "retry_after", "delay"}
    if unknown:
        raise ValueError("unknown fault key(s): " + ", ".join(sorted(unknown)))
    operation = spec.get("operation")
    if not isinstance(operation, str) or not operation:
        raise ValueError("a fault needs 'operation' (an operationId or a 'METHOD path' regex)")
    kind = str(spec.get("kind", ""))
    if kind not in KINDS:
        raise ValueError("fault kind must be one of {}, not {!r}".format(", ".join(KINDS), spec.get("kind")))
    count = spec.get("count", 1)
    if not isinstance(count, int) or (count < 1 and count != -1):
        raise ValueError("fault count must be a positive integer or -1 (every time)")
    after = spec.get("after", 0)
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise ValueError("fault 'after' must be a non-negative integer (matching requests let through first)")
    if not OPERATION_ID_RE.match(operation):
        try:
            re.compile(operation)
        except re.error as exc:
            raise ValueError("fault operation {!r} is neither an operationId nor a valid regex: {}".format(
                operation, exc))
    return {"operation": operation, "kind": kind, "count": count, "after": after,
            "retry_after": spec.get("retry_after", 1), "delay": spec.get("delay", 2)}


class FaultInjector:
    def __init__(self, faults=()):
        self._lock = threading.Lock()
        self._faults = []
        for spec in faults:
            self.add(spec)

    def add(self, spec):
        fault = parse_fault(spec)
        with self._lock:
            self._faults.append(fault)
        return dict(fault)

    def list(self):
        with self._lock:
            return [dict(f) for f in self._faults]

    def clear(self):
        with self._lock:
            self._faults.clear()

    def take(self, operation_id, method, path):
        """The first fault matching this request, counted down (and removed when used up)."""
        subject = "{} {}".format(method, path)
        with self._lock:
            for fault in self._faults:
                if OPERATION_ID_RE.match(fault["operation"]):
                    matched = fault["operation"].lower() == operation_id.lower()
                else:
                    matched = re.search(fault["operation"], subject) is not None
                if not matched:
                    continue
                if fault["after"] > 0:          # let this one through (the fault targets a later request)
                    fault["after"] -= 1
                    continue
                if fault["count"] != -1:
                    fault["count"] -= 1
                    if fault["count"] == 0:
                        self._faults.remove(fault)
                return dict(fault)
        return None


def as_error(fault):
    """The ARM answer for a 429/500/503 fault (drop and slow are handled by the caller)."""
    retry = {"Retry-After": str(fault["retry_after"])}
    if fault["kind"] == "429":
        return errors.ArmError(429, errors.TOO_MANY_REQUESTS,
                               "The request was throttled (fault injected by the local service). Retry after {} "
                               "second(s).".format(fault["retry_after"]), headers=retry)
    if fault["kind"] == "503":
        return errors.ArmError(503, errors.SERVICE_UNAVAILABLE,
                               "The service is temporarily unavailable (fault injected by the local service).",
                               headers=retry)
    return errors.ArmError(500, errors.INTERNAL_SERVER_ERROR,
                           "The server encountered an internal error (fault injected by the local service).")
