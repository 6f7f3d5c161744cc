"""Faults injected by the service on each request of each command: 429 with Retry-After, 500, 503 and
a dropped connection. A single fault is retried away (the command ends as it does without it); a
fault that does not go away ends the command with a clear message. No command hangs: each runs under
a time limit.

The requests of each command are found by running it once without faults (the sync registry, and
the async one where the service answers with long-running operations); then each of them, in turn,
gets each fault (the service's fault ``after`` key picks the Nth matching request).
"""
import itertools
import re
import time
from urllib.parse import urlsplit

import pytest

from robustness_helpers import (
    CONTAINER_URI, RG, AzWorker, assert_clear_error, assert_no_traceback, az_environment)

pytestmark = pytest.mark.robustness

KINDS = ("429", "500", "503", "drop")
LIMIT = 60          # seconds: a command that takes longer hangs
_counter = itertools.count(1)


def _tag():
    return "f{:05d}".format(next(_counter))


# -- state set up straight through the service ----------------------------------------------------

def _path(emu, registry, collection, name=""):
    return "{}/{}{}".format(emu.registry_path(registry), collection, "/" + name if name else "")


def _put_pipeline(emu, registry, kind, name):
    side = "target" if kind == "export" else "source"
    body = {"identity": {"type": "SystemAssigned"}, "properties": {side: {
        "type": "AzureStorageBlobContainer", "uri": CONTAINER_URI, "storageAccessMode": "ManagedIdentity"}}}
    response = emu.arm("PUT", _path(emu, registry, kind + "Pipelines", name), json=body)
    assert response.status_code in (200, 201), response.text
    _wait(lambda: emu.arm("GET", _path(emu, registry, kind + "Pipelines", name)).json()["properties"][
        "provisioningState"] == "Succeeded")


def _put_run(emu, registry, pipeline, name):
    body = {"properties": {"request": {
        "pipelineResourceId": emu.registry_path(registry) + "/exportPipelines/" + pipeline,
        "target": {"type": "AzureStorageBlob", "name": name + ".tar"}, "artifacts": ["hello-world:latest"]}}}
    assert emu.arm("PUT", _path(emu, registry, "pipelineRuns", name), json=body).status_code in (200, 201)
    _wait(lambda: emu.arm("GET", _path(emu, registry, "pipelineRuns", name)).json()["properties"][
        "provisioningState"] in ("Succeeded", "Failed"))


def _wait(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the service did not settle"
        time.sleep(0.05)


def _clear_runs(emu, registry):
    for run in emu.arm("GET", _path(emu, registry, "pipelineRuns")).json()["value"]:
        emu.arm("DELETE", _path(emu, registry, "pipelineRuns", run["name"]))


# -- the commands, each with the state it needs ---------------------------------------------------
# A scenario returns the command line for fresh names (tag), after setting up what it needs.

def _pipeline_scenarios(kind, registry, mode):
    group = "{}-pipeline".format(kind)
    scope = ["-g", RG, "-r", registry]
    create_args = ["-c", CONTAINER_URI, "-m", "ManagedIdentity"] + (["-e", "false"] if kind == "import" else [])
    options = "OverwriteBlobs" if kind == "export" else "OverwriteTags"

    def existing(verb, *extra):
        def scenario(emu, tag):
            _put_pipeline(emu, registry, kind, "p" + tag)
            return ["acr", group, verb] + scope + ["-n", "p" + tag] + list(extra)
        return scenario
    scenarios = {
        "create": lambda emu, tag: ["acr", group, "create"] + scope + ["-n", "p" + tag] + create_args,
        "delete": existing("delete"),
    }
    if mode == "sync":
        scenarios.update({
            "update": existing("update", "-z", options),
            "show": existing("show"),
            "list": lambda emu, tag: (_put_pipeline(emu, registry, kind, "p" + tag),
                                      ["acr", group, "list"] + scope)[1],
            "wait": existing("wait", "--created", "--timeout", "20", "--interval", "1"),
        })
    return {"{} {} ({})".format(group, verb, mode): scenario for verb, scenario in scenarios.items()}


def _run_scenarios(registry, mode):
    scope = ["-g", RG, "-r", registry]

    def create(*extra):
        def scenario(emu, tag):
            _put_pipeline(emu, registry, "export", "p" + tag)
            return ["acr", "pipeline-run", "create"] + scope + ["-n", "r" + tag, "-p", "p" + tag, "-t", "export",
                                                                 "-b", tag + ".tar", "-a", "hello-world:v1"] + list(extra)
        return scenario

    def existing(verb, *extra):
        def scenario(emu, tag):
            _put_pipeline(emu, registry, "export", "p" + tag)
            _put_run(emu, registry, "p" + tag, "r" + tag)
            return ["acr", "pipeline-run", verb] + scope + ["-n", "r" + tag] + list(extra)
        return scenario

    def clean(emu, tag):
        _clear_runs(emu, registry)
        _put_pipeline(emu, registry, "export", "p" + tag)
        for index in (1, 2):
            _put_run(emu, registry, "p" + tag, "r{}{}".format(tag, index))
        return ["acr", "pipeline-run", "clean"] + scope + ["--yes"]
    scenarios = {"create": create(), "create --no-wait": create("--no-wait"), "delete": existing("delete")}
    if mode == "sync":
        scenarios.update({
            "show": existing("show"),
            "list": lambda emu, tag: (existing("show")(emu, tag), ["acr", "pipeline-run", "list"] + scope)[1],
            "wait": existing("wait", "--created", "--timeout", "20", "--interval", "1"),
            "clean": clean,
        })
    return {"pipeline-run {} ({})".format(verb, mode): scenario for verb, scenario in scenarios.items()}


SCENARIOS = {}
for _kind in ("export", "import"):
    SCENARIOS.update(_pipeline_scenarios(_kind, "sourceregistry", "sync"))
    SCENARIOS.update(_pipeline_scenarios(_kind, "asyncregistry", "async"))
SCENARIOS.update(_run_scenarios("sourceregistry", "sync"))
SCENARIOS.update(_run_scenarios("asyncregistry", "async"))


# -- faults ---------------------------------------------------------------------------------------

def _request_patterns(requests, tag_then, tag_now):
    """For each request: a regex matching it in the service's ``"METHOD /path"`` with the new names, and
    how many earlier requests the same regex matches (the fault's ``after``)."""
    patterns = []
    for request in requests:
        segments = urlsplit(request["url"]).path.replace(tag_then, tag_now).split("/")
        escaped = []
        for index, segment in enumerate(segments):
            previous = segments[index - 1] if index else ""
            escaped.append("[^/]+" if previous in ("operationStatuses", "operationResults") else re.escape(segment))
        patterns.append("^{} {}$".format(request["method"], "/".join(escaped)))
    return [(pattern, patterns[:index].count(pattern)) for index, pattern in enumerate(patterns)]


def _arm_requests(result):
    return [r for r in result.requests if urlsplit(r["url"]).path.startswith("/subscriptions/")]


def _add_fault(emu, **spec):
    response = emu.admin("POST", "/faults", spec)
    assert response.status_code == 201, response.text
    return response.json()


def _pending_faults(emu):
    return emu.admin("GET", "/faults").json()["value"]


@pytest.fixture(scope="module")
def workers(service):
    """Warm az processes to run fault cases side by side: most of a case is waiting (LRO polls, run
    polls, retry back-off), so four at a time on two cores keeps the matrix within a minute or two."""
    started = [AzWorker(az_environment(service)) for _ in range(4)]
    try:
        yield started
    finally:
        for case_worker in started:
            case_worker.stop()


def _run_cases(workers, cases, parallel):
    """Run ``case(worker)`` callables, side by side when ``parallel``; results in order."""
    from concurrent.futures import ThreadPoolExecutor
    if not parallel:
        return [case(workers[0]) for case in cases]
    with ThreadPoolExecutor(len(workers)) as pool:
        futures = [pool.submit(case, workers[index % len(workers)]) for index, case in enumerate(cases)]
        return [future.result() for future in futures]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_each_request_survives_each_fault(service, workers, scenario):
    """One fault of each kind on each request: retried, and the command ends as it does without it."""
    setup = SCENARIOS[scenario]
    assert service.admin("DELETE", "/faults").status_code == 204
    tag = _tag()
    baseline = workers[0].run(*setup(service, tag), timeout=LIMIT)
    assert_no_traceback(baseline)
    assert baseline.code in (0, 1), baseline          # 1: a run fails without a data plane, by design
    requests = _arm_requests(baseline)
    assert requests, baseline

    def case(index, kind):
        def run(case_worker):
            case_tag = _tag()
            argv = setup(service, case_tag)
            pattern, after = _request_patterns(requests, tag, case_tag)[index]
            _add_fault(service, operation=pattern, kind=kind, after=after, count=1, retry_after=0)
            result = case_worker.run(*argv, timeout=LIMIT)
            pending = [f for f in _pending_faults(service) if f["operation"] == pattern]
            return index, kind, pattern, result, pending
        return run
    # Lists and clean read a whole collection: their faults would hit each other's commands.
    parallel = not any(verb in scenario for verb in (" list ", " clean "))
    outcomes = _run_cases(workers, [case(i, k) for i, k in itertools.product(range(len(requests)), KINDS)], parallel)
    assert service.admin("DELETE", "/faults").status_code == 204
    for index, kind, pattern, result, pending in outcomes:
        where = "fault {} on request {} ({}) of: {!r}".format(kind, index + 1, pattern, result)
        assert_no_traceback(result)
        assert result.code == baseline.code, where
        # A run's polling may end one GET sooner when the run finished early; then the fault is unused.
        assert not pending or requests[index]["method"] == "GET", where


def test_retry_after_is_honoured(service, workers):
    """429 with Retry-After: the command waits that long, retries, and succeeds."""
    tag = _tag()
    _put_pipeline(service, "sourceregistry", "export", "p" + tag)
    _add_fault(service, operation="^GET .*/exportPipelines/p{}$".format(tag), kind="429", retry_after=2)
    result = workers[0].run("acr", "export-pipeline", "show", "-g", RG, "-r", "sourceregistry", "-n", "p" + tag,
                        timeout=LIMIT)
    assert result.code == 0, result
    assert [r.get("status") for r in result.requests] == [429, 200], result
    assert result.seconds >= 2, result


PERSISTENT = {
    "show": lambda emu, tag: (_put_pipeline(emu, "sourceregistry", "export", "p" + tag), (
        ["acr", "export-pipeline", "show", "-g", RG, "-r", "sourceregistry", "-n", "p" + tag],
        "^GET .*/exportPipelines/p{}$".format(tag)))[1],
    "create": lambda emu, tag: (
        ["acr", "import-pipeline", "create", "-g", RG, "-r", "targetregistry", "-n", "p" + tag, "-c", CONTAINER_URI,
         "-m", "ManagedIdentity"], "^PUT .*/importPipelines/p{}$".format(tag)),
    "delete": lambda emu, tag: (_put_pipeline(emu, "sourceregistry", "export", "p" + tag), (
        ["acr", "export-pipeline", "delete", "-g", RG, "-r", "sourceregistry", "-n", "p" + tag],
        "^DELETE .*/exportPipelines/p{}$".format(tag)))[1],
    "run polling": lambda emu, tag: (_put_pipeline(emu, "sourceregistry", "export", "p" + tag), (
        ["acr", "pipeline-run", "create", "-g", RG, "-r", "sourceregistry", "-n", "r" + tag, "-p", "p" + tag,
         "-t", "export", "-b", "b.tar", "-a", "hello-world:v1"], "^GET .*/pipelineRuns/r{}$".format(tag)))[1],
}
WORDS = {"429": ("429", "TooManyRequests"), "500": ("500", "InternalServerError"),
         "503": ("503", "ServiceUnavailable"), "drop": ("onnection", "aborted", "closed")}


def test_faults_that_do_not_go_away_end_with_a_clear_message(service, workers):
    """The same fault on every try: az gives up after its retries with a message saying what failed.
    The cases run side by side (each on its own names): retries back off for seconds."""
    def case(name, kind):
        def run(case_worker):
            tag = _tag()
            argv, pattern = PERSISTENT[name](service, tag)
            _add_fault(service, operation=pattern, kind=kind, count=-1, retry_after=0)
            return name, kind, case_worker.run(*argv, timeout=LIMIT)
        return run
    try:
        outcomes = _run_cases(workers, [case(name, kind) for name in sorted(PERSISTENT) for kind in KINDS], True)
    finally:
        service.admin("DELETE", "/faults")
    for name, kind, result in outcomes:
        where = "{} with a lasting {} fault: {!r}".format(name, kind, result)
        assert_clear_error(result)
        text = "\n".join(line for line in result.stderr.split("\n") if line.startswith("ERROR"))
        assert any(word in text for word in WORDS[kind]), where
        assert 2 <= len(result.requests) <= 12, where         # retried, then gave up
