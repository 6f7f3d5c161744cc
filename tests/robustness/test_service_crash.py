"""The service killed with SIGKILL during a run: after the restart the run ends Failed with a message
(or completes), no pipeline is lost, nothing acknowledged is lost, the az that was following the run
ends with that message instead of hanging, and (with the data plane) no artifact is partially tagged."""
import random
import subprocess
import threading
import time

import pytest

from acrtransfer_emulator import launcher
from acrtransfer_emulator.executor import RESTARTED_MESSAGE
from acrtransfer_emulator.testing import Emulator
from robustness_helpers import CONTAINER_URI, RG, Hung, az_environment, require_dev_extension

pytestmark = pytest.mark.robustness

TERMINAL = ("Succeeded", "Failed", "Canceled")


def _pipeline_body(side, trigger=None):
    body = {"identity": {"type": "SystemAssigned"}, "properties": {side: {
        "type": "AzureStorageBlobContainer", "uri": CONTAINER_URI, "storageAccessMode": "ManagedIdentity"}}}
    if trigger:
        body["properties"]["trigger"] = {"sourceTrigger": {"status": trigger}}
    return body


def _run_body(emu, registry, pipeline, name):
    return {"properties": {"request": {
        "pipelineResourceId": emu.registry_path(registry) + "/exportPipelines/" + pipeline,
        "target": {"type": "AzureStorageBlob", "name": name + ".tar"}, "artifacts": ["hello-world:latest"]}}}


def _collection(emu, registry, collection):
    docs, url = [], emu.registry_path(registry) + "/" + collection
    while url:
        page = emu.arm("GET", url, api_version=None if url.startswith("https://") else "2025-06-01-preview").json()
        docs += page["value"]
        url = page.get("nextLink")
    return docs


def _names(emu, registry, collection):
    return sorted(doc["name"] for doc in _collection(emu, registry, collection))


def _wait(predicate, timeout=30, what="the condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, "{} was not met within {} s".format(what, timeout)
        time.sleep(0.05)


def test_sigkill_while_az_follows_a_run(tmp_path):
    """`az acr pipeline-run create` is following a run when the service is killed and restarted: it
    rides out the outage (its GETs are retried), then reports the run Failed with the restart message."""
    require_dev_extension()
    with Emulator(tmp_path / "home", config={"run_step_delay": 1.0, "lro_delay": 0.05, "retry_after": 1},
                  login=True) as emu:
        source = emu.registry_path("sourceregistry")
        assert emu.arm("PUT", source + "/exportPipelines/crashexport1", json=_pipeline_body("target")).ok
        assert emu.arm("PUT", emu.registry_path("targetregistry") + "/importPipelines/crashimport1",
                       json=_pipeline_body("source", "Disabled")).ok
        assert emu.arm("PUT", source + "/pipelineRuns/before1",
                       json=_run_body(emu, "sourceregistry", "crashexport1", "before1")).ok
        _wait(lambda: emu.arm("GET", source + "/pipelineRuns/before1").json()["properties"]["provisioningState"]
              in TERMINAL, what="the first run ending")
        pipelines_before = {(r, c): _collection(emu, r, c) for r, c in (
            ("sourceregistry", "exportPipelines"), ("targetregistry", "importPipelines"))}
        finished_before = emu.arm("GET", source + "/pipelineRuns/before1").json()

        az = subprocess.Popen(
            launcher.az_command() + ["acr", "pipeline-run", "create", "-g", RG, "-r", "sourceregistry", "-n",
                                     "crashrun1", "-p", "crashexport1", "-t", "export", "-b", "crash.tar", "-a",
                                     "hello-world:v1"],
            env=az_environment(emu, fast_tls=False), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        try:
            _wait(lambda: int(((emu.arm("GET", source + "/pipelineRuns/crashrun1").json().get("properties") or {})
                               .get("response") or {}).get("progress", {}).get("percentage", "0")) >= 10,
                  what="the run being under way")
            emu.kill()                       # SIGKILL: no shutdown, no flush
            time.sleep(0.5)
            emu.start()                      # same home, same state, same port
            try:
                out, err = az.communicate(timeout=90)
            except subprocess.TimeoutExpired:
                raise Hung("az did not finish after the restart")
        finally:
            if az.poll() is None:
                az.kill()
                az.communicate()

        assert az.returncode == 1, err
        assert "Traceback" not in err and "unexpected error" not in err, err
        assert "crashrun1" in err and RESTARTED_MESSAGE in err.replace("\n", " "), err

        run = emu.arm("GET", source + "/pipelineRuns/crashrun1").json()["properties"]
        assert run["provisioningState"] == "Failed"
        assert run["response"]["status"] == "Failed"
        assert run["response"]["pipelineRunErrorMessage"] == RESTARTED_MESSAGE
        # Nothing was imported or exported by the interrupted run.
        assert not run["response"].get("importedArtifacts")
        assert not run["response"].get("catalogDigest")
        # No pipeline lost or changed; the earlier run intact; each run listed once.
        for (registry, collection), docs in pipelines_before.items():
            assert _collection(emu, registry, collection) == docs
        assert emu.arm("GET", source + "/pipelineRuns/before1").json() == finished_before
        assert _names(emu, "sourceregistry", "pipelineRuns") == ["before1", "crashrun1"]


def test_nothing_acknowledged_is_lost_across_repeated_sigkills(tmp_path):
    """Writers create pipelines, async pipelines and runs while the service is SIGKILLed three times.
    Every PUT that was answered 2xx is there after the restarts; every run and async pipeline ends;
    no resource is duplicated."""
    emu = Emulator(tmp_path / "home", config={"run_step_delay": 0.2, "lro_delay": 0.5, "retry_after": 1})
    acknowledged = {"exportPipelines": set(), "asyncPipelines": set(), "pipelineRuns": set()}
    stop = threading.Event()
    lock = threading.Lock()

    def writer(kind, registry, collection):
        index = 0
        while not stop.is_set():
            index += 1
            name = "{}{:05d}".format(kind[:5], index)
            if kind == "pipelineRuns":
                path, body = (emu.registry_path(registry) + "/pipelineRuns/" + name,
                              _run_body(emu, registry, "keepexport1", name))
            else:
                path, body = emu.registry_path(registry) + "/" + collection + "/" + name, _pipeline_body("target")
            try:
                response = emu.arm("PUT", path, json=body, timeout=5)
            except Exception:  # pylint: disable=broad-except  (the service is down: not acknowledged)
                time.sleep(0.05)
                continue
            if response.status_code in (200, 201):
                with lock:
                    acknowledged[kind].add(name)
            time.sleep(0.01)

    with emu:
        assert emu.arm("PUT", emu.registry_path("sourceregistry") + "/exportPipelines/keepexport1",
                       json=_pipeline_body("target")).ok
        threads = [threading.Thread(target=writer, args=args, daemon=True) for args in (
            ("exportPipelines", "sourceregistry", "exportPipelines"),
            ("asyncPipelines", "asyncregistry", "exportPipelines"),
            ("pipelineRuns", "sourceregistry", "pipelineRuns"))]
        for thread in threads:
            thread.start()
        rng = random.Random(20261127)
        try:
            for _ in range(3):
                time.sleep(rng.uniform(0.8, 1.6))
                emu.kill()
                time.sleep(rng.uniform(0.1, 0.4))
                emu.start()
            time.sleep(1.0)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=10)

        assert all(len(names) >= 3 for names in acknowledged.values()), acknowledged
        exports = _collection(emu, "sourceregistry", "exportPipelines")
        names = [doc["name"] for doc in exports]
        assert len(names) == len(set(names))
        assert acknowledged["exportPipelines"] | {"keepexport1"} <= set(names)

        def settled(registry, collection, expected):
            docs = _collection(emu, registry, collection)
            listed = [doc["name"] for doc in docs]
            assert len(listed) == len(set(listed)), "a duplicated {}".format(collection)
            assert expected <= set(listed), "lost {}: {}".format(collection, sorted(expected - set(listed)))
            return all(doc["properties"]["provisioningState"] in TERMINAL for doc in docs) and docs
        _wait(lambda: settled("asyncregistry", "exportPipelines", acknowledged["asyncPipelines"]),
              what="every async pipeline settling")
        runs = _wait(lambda: settled("sourceregistry", "pipelineRuns", acknowledged["pipelineRuns"]),
                     what="every run ending")
        for run in runs:
            response = run["properties"]["response"]
            if run["properties"]["provisioningState"] == "Failed":
                assert response.get("pipelineRunErrorMessage"), run
            assert not response.get("importedArtifacts"), run


DATAPLANE_CONFIG = {
    "run_step_delay": 0, "retry_after": 1, "lro_delay": 0.05,
    "registries": [{"name": "sourceregistry", "resource_group": RG, "sku": "Premium"},
                   {"name": "targetregistry", "resource_group": RG, "sku": "Premium"}],
    "dataplane": {"factory": "acrtransfer_emulator.dataplane:create", "accounts": {"sourcestorage": ["transfer"]},
                  "trigger_interval": 3600},
}
DATAPLANE_CONTAINER = "https://sourcestorage.blob.core.windows.net/transfer"


def _assert_every_tag_complete(client, repos):
    """Every tag in the target registry points at a whole artifact: its manifest, and every blob and
    child manifest it names. A tag over a partial artifact is what must never happen."""
    for repo in repos:
        for tag in client.list_tags(repo):
            manifest = client.get_manifest(repo, tag)
            for child in manifest.children:
                assert client.manifest_exists(repo, child["digest"]), (repo, tag, child)
            for blob in manifest.blobs:
                assert client.blob_exists(repo, blob["digest"]) is not None, (repo, tag, blob)


def test_sigkill_during_an_import_leaves_no_artifact_partially_tagged(tmp_path):
    """With the data plane: an import run of a blob (a 48 MiB image and the sample images) is killed
    half-way. After the restart the run ends Failed with the restart message (or Succeeded, had it
    finished), the pipelines are intact, and each tag in the target registry is complete."""
    from acrtransfer_emulator.dataplane import processes
    from acrtransfer_emulator.dataplane.oci import RegistryClient
    from acrtransfer_emulator.dataplane.samples import push_big_image, push_samples
    if not (processes.find_registry_binary() and processes.find_azurite_binary()):
        pytest.skip("the data plane needs the distribution registry and Azurite (make setup installs both)")
    emu = Emulator(tmp_path / "home", config=DATAPLANE_CONFIG, startup_timeout=90)
    with emu:
        def pipeline(registry, collection, name, side):
            properties = {side: {"type": "AzureStorageBlobContainer", "uri": DATAPLANE_CONTAINER,
                                 "storageAccessMode": "ManagedIdentity"}}
            if side == "source":
                properties["trigger"] = {"sourceTrigger": {"status": "Disabled"}}
            response = emu.arm("PUT", emu.registry_path(registry) + "/" + collection + "/" + name,
                               json={"identity": {"type": "SystemAssigned"}, "properties": properties})
            assert response.status_code in (200, 201), response.text
            return response.json()
        export = pipeline("sourceregistry", "exportPipelines", "killexport1", "target")
        import_ = pipeline("targetregistry", "importPipelines", "killimport1", "source")
        with RegistryClient(emu.env["ACRT_REGISTRY_SOURCEREGISTRY_URL"]) as source:
            samples = push_samples(source)
            push_big_image(source, "big/layer", "v1", 48 * 1024 * 1024, seed=7)
        artifacts = sorted(samples) + ["big/layer:v1"]
        repos = sorted({a.split(":")[0] for a in artifacts})

        def run(registry, name, request):
            path = emu.registry_path(registry) + "/pipelineRuns/" + name
            assert emu.arm("PUT", path, json={"properties": {"request": request}}).status_code in (200, 201)
            return path
        exported = run("sourceregistry", "killexp1", {"pipelineResourceId": export["id"], "artifacts": artifacts,
                                                      "target": {"type": "AzureStorageBlob", "name": "kill.tar"}})
        done = _wait(lambda: (lambda d: d if d["properties"]["provisioningState"] in TERMINAL else None)(
            emu.arm("GET", exported).json()), timeout=180, what="the export run ending")
        assert done["properties"]["provisioningState"] == "Succeeded", done

        imported = run("targetregistry", "killimp1", {"pipelineResourceId": import_["id"],
                                                       "source": {"type": "AzureStorageBlob", "name": "kill.tar"}})

        def progress():
            properties = emu.arm("GET", imported).json()["properties"]
            return properties["provisioningState"], int(properties["response"]["progress"]["percentage"])
        # Late in the import (most bytes moved), where a partial tag would be most likely.
        _wait(lambda: progress()[1] > 80 or progress()[0] in TERMINAL, timeout=120,
              what="the import moving artifacts")
        state_at_kill = progress()
        emu.kill()
        emu.start()

        run_doc = _wait(lambda: (lambda d: d if d["properties"]["provisioningState"] in TERMINAL else None)(
            emu.arm("GET", imported).json()), timeout=60, what="the import run ending after the restart")
        properties = run_doc["properties"]
        if properties["provisioningState"] == "Failed":
            assert properties["response"]["pipelineRunErrorMessage"] == RESTARTED_MESSAGE, (state_at_kill, properties)
        else:
            assert properties["provisioningState"] == "Succeeded", properties
        assert emu.arm("GET", emu.registry_path("sourceregistry") + "/exportPipelines/killexport1").json() == export
        assert emu.arm("GET", emu.registry_path("targetregistry") + "/importPipelines/killimport1").json() == import_
        with RegistryClient(emu.env["ACRT_REGISTRY_TARGETREGISTRY_URL"]) as target:
            _assert_every_tag_complete(target, repos)
