"""Benchmark 3: `az acr pipeline-run clean --yes` of 200 failed runs with 50 ms of latency added at
the service, against deleting them one by one.

Figure: the wall time of the real `az acr pipeline-run clean --yes` process (start-up included).
Baseline: the same requests one after another: one list (with its nextLink pages), then one DELETE
per failed run, each waited for before the next, through the extension's own management client in
this (already running) Python process. Its clock starts at the list, so the baseline pays no az
start-up: it is the request pattern alone, the fairest reading of "one by one". A shell loop of
`az acr pipeline-run delete` would also pay one az start-up per run (benchmark 1's delete row).
The runs are made Failed straight through the service's API before each measurement.
"""
import time
from concurrent.futures import ThreadPoolExecutor

from harness import RESOURCE_GROUP, Row, median, seconds, subscription_id

RUNS = 200
LATENCY = 0.05
TARGET = 5.0
REGISTRY = "targetregistry"          # its own registry: no other benchmark's runs in the way
PIPELINE = "cleanexport1"


class _ServiceToken:
    """A TokenCredential over the service's managed-identity endpoint (what az uses, without az)."""

    def __init__(self, emu):
        self.emu = emu

    def get_token(self, *scopes, **kwargs):  # pylint: disable=unused-argument
        from azure.core.credentials import AccessToken
        return AccessToken(self.emu.token(), int(time.time()) + 3600)


def _failed_runs(bench):
    """Make RUNS failed runs (no data plane: each fails after the service's checks), without latency."""
    base = bench.registry_path(REGISTRY)
    bench.admin("POST", "/latency", {"seconds": 0})
    body = {"identity": {"type": "SystemAssigned"}, "properties": {"target": {
        "type": "AzureStorageBlobContainer", "uri": "https://benchstore.blob.core.windows.net/transfer",
        "storageAccessMode": "ManagedIdentity"}}}
    assert bench.arm("PUT", base + "/exportPipelines/" + PIPELINE, body).status_code in (200, 201)
    run = {"properties": {"request": {"pipelineResourceId": base + "/exportPipelines/" + PIPELINE,
                                      "target": {"type": "AzureStorageBlob", "name": "clean.tar"},
                                      "artifacts": ["hello-world:v1"]}}}
    names = ["cleanrun{:04d}".format(i) for i in range(RUNS)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda n: bench.arm("PUT", base + "/pipelineRuns/" + n, run).status_code, names))
    assert all(s in (200, 201) for s in statuses), statuses
    for name in names:
        assert bench.wait_run(REGISTRY, name)["properties"]["provisioningState"] == "Failed"
    return names


def _remaining(bench):
    count, url = 0, bench.registry_path(REGISTRY) + "/pipelineRuns"
    while url:
        page = bench.emu.arm("GET", url, api_version=None if url.startswith("https://") else "2025-06-01-preview").json()
        count += len(page["value"])
        url = page.get("nextLink")
    return count


def _clean(bench):
    _failed_runs(bench)
    bench.admin("POST", "/latency", {"seconds": LATENCY})
    elapsed, result = bench.az("acr", "pipeline-run", "clean", "-g", RESOURCE_GROUP, "-r", REGISTRY, "--yes",
                               "-o", "none")
    bench.admin("POST", "/latency", {"seconds": 0})
    if result.returncode != 0:
        raise RuntimeError("clean failed:\n" + result.stderr[-2000:])
    assert _remaining(bench) == 0
    return elapsed


def _one_by_one(bench):
    from azext_acrtransfer.vendored_sdks import ContainerRegistryTransferClient
    _failed_runs(bench)
    client = ContainerRegistryTransferClient(_ServiceToken(bench.emu), subscription_id(), base_url=bench.emu.url,
                                             credential_scopes=["https://management.acrtransfer.localhost/.default"],
                                             connection_verify=bench.emu.ca_bundle)
    runs = client.pipeline_runs
    runs.get(RESOURCE_GROUP, REGISTRY, "cleanrun0000")        # connection and token ready, as az's would be
    bench.admin("POST", "/latency", {"seconds": LATENCY})
    started = time.monotonic()
    failed = [r.name for r in runs.list(RESOURCE_GROUP, REGISTRY) if r.provisioning_state == "Failed"]
    for name in failed:
        runs.begin_delete(RESOURCE_GROUP, REGISTRY, name).result()
    elapsed = time.monotonic() - started
    bench.admin("POST", "/latency", {"seconds": 0})
    client.close()
    assert len(failed) == RUNS and _remaining(bench) == 0
    return elapsed


def run(bench, runs, log):
    times = {"clean": [], "one by one": []}
    for i in range(runs):
        for side in (("clean", "one by one") if i % 2 == 0 else ("one by one", "clean")):
            elapsed = _clean(bench) if side == "clean" else _one_by_one(bench)
            times[side].append(elapsed)
            log("  3. run {}: {:10s} {}".format(i + 1, side, seconds(elapsed)))
    clean, baseline = median(times["clean"]), median(times["one by one"])
    speedup = baseline / clean
    return [Row("3. clean {} failed runs, +{:.0f} ms latency".format(RUNS, LATENCY * 1000), seconds(clean),
                "{} (200 DELETEs one after another, same client, no az start-up)".format(seconds(baseline)),
                "{:.1f}x faster".format(speedup), ">= {:.0f}x faster".format(TARGET),
                "yes" if speedup >= TARGET else "no")]
