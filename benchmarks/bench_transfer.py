"""Benchmark 4: transfer throughput and the service's memory.

Export then import, through the service's ARM API (pipeline runs of ManagedIdentity pipelines; the
transfer path is measured, not az), of 1 GiB spread over 8 layers and of one 4 GiB layer, generated
on the fly. Each run is timed from its PUT to the terminal state seen by a GET every 0.05 s;
throughput = layer bytes / (export + import seconds). Baselines, in the same run on the same disk:

* the floor of the same components: the same layers pulled from the source registry (requests,
  streamed), staged as 8 MiB blocks of a block blob in Azurite (azure-storage-blob, one blob per
  layer), downloaded again and pushed to the target registry (POST + one streamed PUT), with no tar
  and no hashing beyond what the protocols do;
* ``cp`` of the same bytes (one file written once, then copied on the same disk; page-cache hot).

Memory: the resident set of the service's ``serve`` process, sampled every 0.1 s during the runs
(and its kernel high-water mark, VmHWM); the registries and Azurite are separate processes, not
counted. MB = 10^6 bytes.

Each case gets a fresh service home in the temp directory, removed after the case. A case is skipped,
with the reason, when the disk lacks room. ``--quick``: 256 MiB over 4 layers and one 512 MiB layer,
one run each.

    python benchmarks/bench_transfer.py [--quick]
"""
import argparse
import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Row, dataplane_config, median  # noqa: E402  (harness puts emulator/ on sys.path)

MIB = 1024 ** 2
GIB = 1024 ** 3
MB = 10 ** 6
FLOOR_BLOCK = 8 * MIB          # the service's block size too
BIG_CASE_MIN_FREE = 20 * 10 ** 9
MEMORY_TARGET_MB = 200
POLL = 0.05

CONFIG = dataplane_config({"sourcestorage": ["transfer"]}, trigger_interval=30)
CONTAINER = "https://sourcestorage.blob.core.windows.net/transfer"


# -- sampling the service's memory ----------------------------------------------------------------

class PeakRss(threading.Thread):
    """Peak RSS of one process, sampled every ``interval`` seconds until :meth:`finish`."""

    def __init__(self, pid, interval=0.1):
        super().__init__(daemon=True)
        import psutil
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = self.process.memory_info().rss
        self._done = threading.Event()

    def run(self):
        while not self._done.wait(self.interval):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def finish(self):
        self._done.set()
        self.join()
        self.peak = max(self.peak, self.process.memory_info().rss)
        return self.peak


def high_water_mark(pid):
    """VmHWM of ``pid`` in bytes (the kernel's peak resident set since the process started)."""
    try:
        with open("/proc/%d/status" % pid, encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# -- the image ------------------------------------------------------------------------------------

def _layer_digest(size, seed):
    from acrtransfer_emulator.dataplane.samples import random_layer_chunks
    hasher = hashlib.sha256()
    for chunk in random_layer_chunks(size, seed):
        hasher.update(chunk)
    return "sha256:" + hasher.hexdigest()


def push_layers(client, repo, sizes, seed):
    """Push one generated layer per size to ``repo`` (blobs only); returns [(digest, size)]."""
    from acrtransfer_emulator.dataplane.samples import random_layer_chunks
    layers = []
    for n, size in enumerate(sizes):
        digest = _layer_digest(size, seed + n)
        client.push_blob(repo, digest, size, random_layer_chunks(size, seed + n), verify=False)
        layers.append((digest, size))
    return layers


def tag_image(client, source_repo, repo, layers):
    """An image over ``layers`` in ``repo`` (blobs mounted from ``source_repo``) as ``repo:v1``;
    returns the manifest digest."""
    import json
    from acrtransfer_emulator.dataplane.oci import OCI_MANIFEST, sha256_digest
    from acrtransfer_emulator.dataplane.samples import OCI_CONFIG
    for digest, size in layers:
        if client.push_blob(repo, digest, size, [], mount_from=source_repo) != "mounted":
            raise RuntimeError("the registry did not mount %s into %s" % (digest, repo))
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": [d for d, _ in layers]}}).encode()
    client.push_blob(repo, sha256_digest(config), len(config), [config])
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": sha256_digest(config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": s}
                   for d, s in layers],
    }).encode()
    return client.push_manifest(repo, "v1", manifest, OCI_MANIFEST)


# -- the service's runs ---------------------------------------------------------------------------

class Service:
    def __init__(self, home):
        from acrtransfer_emulator.testing import Emulator
        self.emu = Emulator(home, mode="sync", config=CONFIG, startup_timeout=90)

    def __enter__(self):
        self.emu.start()
        env = self.emu.env
        self.source_url = env["ACRT_REGISTRY_SOURCEREGISTRY_URL"]
        self.target_url = env["ACRT_REGISTRY_TARGETREGISTRY_URL"]
        self.storage_url = env["ACRT_STORAGE_SOURCESTORAGE_URL"]
        self.storage_key = env["ACRT_STORAGE_SOURCESTORAGE_KEY"]
        self.export = self._pipeline("sourceregistry", "exportPipelines", "benchexport", "target")
        self.import_ = self._pipeline("targetregistry", "importPipelines", "benchimport", "source")
        return self

    def __exit__(self, *exc):
        self.emu.stop()

    @property
    def pid(self):
        return self.emu.process.pid

    def _pipeline(self, registry, kind, name, side):
        properties = {side: {"type": "AzureStorageBlobContainer", "uri": CONTAINER,
                             "storageAccessMode": "ManagedIdentity"}, "options": []}
        if kind == "importPipelines":
            properties["trigger"] = {"sourceTrigger": {"status": "Disabled"}}
        response = self.emu.arm("PUT", "%s/%s/%s" % (self.emu.registry_path(registry), kind, name),
                                {"identity": {"type": "SystemAssigned"}, "properties": properties})
        if response.status_code not in (200, 201):
            raise RuntimeError("creating %s %s: %s" % (kind, name, response.text))
        return response.json()

    def run(self, registry, request, timeout):
        """PUT a run, poll it to its end; returns (seconds, run document)."""
        path = "%s/pipelineRuns/r%s" % (self.emu.registry_path(registry), uuid.uuid4().hex[:12])
        started = time.monotonic()
        response = self.emu.arm("PUT", path, {"properties": {"request": request}}, timeout=60)
        if response.status_code not in (200, 201):
            raise RuntimeError("PUT run: %s" % response.text)
        while True:
            doc = self.emu.arm("GET", path).json()
            if doc["properties"]["provisioningState"] in ("Succeeded", "Failed"):
                elapsed = time.monotonic() - started
                break
            if time.monotonic() - started > timeout:
                raise RuntimeError("run %s still %s after %d s" % (path, doc["properties"], timeout))
            time.sleep(POLL)
        if doc["properties"]["provisioningState"] != "Succeeded":
            raise RuntimeError("run failed: %s" % doc["properties"]["response"].get("pipelineRunErrorMessage"))
        return elapsed, doc

    def container_client(self):
        from azure.core.credentials import AzureNamedKeyCredential
        from azure.storage.blob import ContainerClient
        return ContainerClient(self.storage_url, "transfer", connection_verify=self.emu.ca_bundle,
                               credential=AzureNamedKeyCredential("sourcestorage", self.storage_key))


# -- the floor: the same components, the simplest streaming script -------------------------------

def _session():
    import requests
    session = requests.Session()
    session.trust_env = False          # no proxy from the environment on loopback
    return session


def floor_export(service, session, container, repo, layers, prefix):
    """Each layer: GET from the source registry, streamed into staged blocks of one block blob."""
    from azure.storage.blob import BlobBlock
    for n, (digest, _size) in enumerate(layers):
        blob = container.get_blob_client("%s-%d" % (prefix, n))
        blocks = []
        with session.get("%s/v2/%s/blobs/%s" % (service.source_url, repo, digest), stream=True, timeout=60) as resp:
            resp.raise_for_status()
            for chunk in resp.iter_content(chunk_size=FLOOR_BLOCK):
                block_id = base64.b64encode(b"%08d" % len(blocks)).decode()
                blob.stage_block(block_id, chunk, length=len(chunk))
                blocks.append(BlobBlock(block_id=block_id))
        blob.commit_block_list(blocks)


def floor_import(service, session, container, repo, layers, prefix):
    """Each layer: downloaded from Azurite, streamed into one upload to the target registry."""
    from urllib.parse import urljoin
    for n, (digest, _size) in enumerate(layers):
        blob = container.get_blob_client("%s-%d" % (prefix, n))
        resp = session.post("%s/v2/%s/blobs/uploads/" % (service.target_url, repo), timeout=60)
        resp.raise_for_status()
        location = urljoin(service.target_url + "/", resp.headers["Location"])
        sep = "&" if "?" in location else "?"
        resp = session.put(location + sep + "digest=" + digest, data=blob.download_blob(max_concurrency=1).chunks(),
                           headers={"Content-Type": "application/octet-stream"}, timeout=600)
        if resp.status_code != 201:
            raise RuntimeError("floor push of %s: %s %s" % (digest, resp.status_code, resp.text[:300]))


# -- one case -------------------------------------------------------------------------------------

def measure_case(sizes, runs, workdir):
    """Service, floor and cp over the layer ``sizes``; a dict of timings and memory."""
    from acrtransfer_emulator.dataplane.oci import RegistryClient
    from acrtransfer_emulator.dataplane.samples import random_layer_chunks
    payload = sum(sizes)
    out = {"payload": payload, "export": [], "import": [], "floor_export": [], "floor_import": [], "cp": []}
    home = tempfile.mkdtemp(prefix="acrt-bench-transfer-", dir=workdir)
    try:
        with Service(os.path.join(home, "service")) as service, \
                RegistryClient(service.source_url) as source, RegistryClient(service.target_url) as target:
            out["idle_rss"] = PeakRss(service.pid).peak
            layers = push_layers(source, "bench/layers", sizes, seed=len(sizes))
            container = service.container_client()
            session = _session()
            peaks = []
            try:
                for i in range(runs):
                    repo = "bench/run%d" % i
                    manifest_digest = tag_image(source, "bench/layers", repo, layers)
                    blob = "run%d.tar" % i
                    timeout = 120 + payload / (5 * MB)
                    sampler = PeakRss(service.pid)
                    sampler.start()
                    try:
                        seconds, _ = service.run("sourceregistry", {
                            "pipelineResourceId": service.export["id"], "artifacts": [repo + ":v1"],
                            "target": {"type": "AzureStorageBlob", "name": blob}}, timeout)
                        out["export"].append(seconds)
                        seconds, doc = service.run("targetregistry", {
                            "pipelineResourceId": service.import_["id"],
                            "source": {"type": "AzureStorageBlob", "name": blob}}, timeout)
                        out["import"].append(seconds)
                    finally:
                        peaks.append(sampler.finish())
                    if target.get_tag_digest(repo, "v1") != manifest_digest:
                        raise RuntimeError("the import run did not land %s:v1 with digest %s" % (repo, manifest_digest))
                    container.delete_blob(blob)

                    prefix = "floor%d" % i
                    started = time.monotonic()
                    floor_export(service, session, container, repo, layers, prefix)
                    middle = time.monotonic()
                    floor_import(service, session, container, "floor/run%d" % i, layers, prefix)
                    out["floor_export"].append(middle - started)
                    out["floor_import"].append(time.monotonic() - middle)
                    for n in range(len(layers)):
                        container.delete_blob("%s-%d" % (prefix, n))
            finally:
                session.close()
                container.close()
            out["peak_rss"] = max(peaks)
            out["hwm"] = high_water_mark(service.pid)

        # cp of the same bytes on the same disk (the service and its components are stopped).
        src, dst = os.path.join(home, "payload.bin"), os.path.join(home, "payload-copy.bin")
        with open(src, "wb") as f:
            for n, size in enumerate(sizes):
                for chunk in random_layer_chunks(size, len(sizes) + n):
                    f.write(chunk)
        for _ in range(runs):
            started = time.monotonic()
            subprocess.run(["cp", src, dst], check=True)
            out["cp"].append(time.monotonic() - started)
            os.remove(dst)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return out


# -- rows -----------------------------------------------------------------------------------------

def _mb_s(payload, secs):
    return payload / MB / secs


def _size(n):
    return "%d GiB" % (n // GIB) if n % GIB == 0 else "%d MiB" % (n // MIB)


def _name(label, sizes):
    return "%s transfer %s / %d layer%s: export+import" % (label, _size(sum(sizes)), len(sizes),
                                                           "s" if len(sizes) > 1 else "")


def case_rows(label, sizes, runs, result, quick):
    payload = result["payload"]
    export, import_ = median(result["export"]), median(result["import"])
    totals = [e + i for e, i in zip(result["export"], result["import"])]
    floors = [e + i for e, i in zip(result["floor_export"], result["floor_import"])]
    service = _mb_s(payload, median(totals))
    floor = _mb_s(payload, median(floors))
    cp = _mb_s(payload, median(result["cp"]))
    ratio = service / floor
    how = "median of %d runs" % runs if runs > 1 else "1 run"
    if quick:
        how += ", quick sizes"
    return Row(
        _name(label, sizes),
        "%.0f MB/s (%.1f s export, %.1f s import; %s)" % (service, export, import_, how),
        "floor %.0f MB/s (%.1f s + %.1f s); cp %.0f MB/s (page-cache hot, same disk)" % (
            floor, median(result["floor_export"]), median(result["floor_import"]), cp),
        "%.2f of floor; %.2f of cp" % (ratio, service / cp),
        ">= 0.8 of floor",
        "yes" if ratio >= 0.8 else "no")


def _skipped(label, sizes, reason):
    return Row(_name(label, sizes), "not measured: " + reason, "-", "-", ">= 0.8 of floor", "-")


def transfer_rows(quick=False):
    cases = ([("4a", [64 * MIB] * 4, 1, 0), ("4b", [512 * MIB], 1, 0)] if quick else
             [("4a", [128 * MIB] * 8, 3, 0), ("4b", [4 * GIB], 1, BIG_CASE_MIN_FREE)])
    workdir = tempfile.gettempdir()
    rows, memory = [], []
    for label, sizes, runs, min_free in cases:
        payload = sum(sizes)
        need = max(min_free, 6 * payload + 2 * GIB)     # source + target registry, 2 Azurite blobs, 2 cp files
        free = shutil.disk_usage(workdir).free
        if free < need:
            rows.append(_skipped(label, sizes, "%.1f GB free in %s, needs %.0f GB" % (free / 1e9, workdir, need / 1e9)))
            continue
        try:
            result = measure_case(sizes, runs, workdir)
        except Exception as exc:     # one failed case must not hide the others
            rows.append(_skipped(label, sizes, "failed: %s" % re.sub(r"\s+", " ", str(exc))[:200]))
            continue
        rows.append(case_rows(label, sizes, runs, result, quick))
        memory.append((label, _size(payload), result))
    if memory:
        peak = max(max(r["peak_rss"], r["hwm"]) for _, _, r in memory)
        detail = "; ".join("%s %s: %.0f MB sampled, VmHWM %.0f MB" % (label, size, r["peak_rss"] / MB, r["hwm"] / MB)
                           for label, size, r in memory)
        idle = max(r["idle_rss"] for _, _, r in memory)
        rows.append(Row("4c service peak memory (serve process RSS)", "%.0f MB (%s)" % (peak / MB, detail),
                        "idle %.0f MB; registries and Azurite are separate processes, not counted" % (idle / MB),
                        "%.2f of target" % (peak / MB / MEMORY_TARGET_MB), "<= %d MB" % MEMORY_TARGET_MB,
                        "yes" if peak / MB <= MEMORY_TARGET_MB else "no"))
    else:
        rows.append(Row("4c service peak memory (serve process RSS)", "not measured: no case ran", "-", "-",
                        "<= %d MB" % MEMORY_TARGET_MB, "-"))
    return rows


# -- the hooks run.py calls (the service of ``bench`` has no data plane: each benchmark starts its own) --

def throughput(bench, runs, log):
    """Benchmark 4 for run.py: ``bench`` and ``runs`` are not used (own service, fixed run counts)."""
    log("4. Transfer throughput and service memory (own service with the data plane)")
    return transfer_rows()


def trigger_latency(bench, runs, log):
    """Benchmark 5 for run.py, from bench_trigger."""
    import bench_trigger
    log("5. Source-trigger latency (own service with the data plane)")
    return bench_trigger.trigger_rows()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="256 MiB / 4 layers and 512 MiB / 1 layer, one run each")
    args = parser.parse_args(argv)
    started = time.monotonic()
    for row in transfer_rows(quick=args.quick):
        print(" | ".join(row.cells()))
    print("(%.0f s)" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
