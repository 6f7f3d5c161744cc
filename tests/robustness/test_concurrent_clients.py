"""20 concurrent `az` clients (real az processes) creating, showing, listing and deleting runs of one
registry: no resource lost or duplicated, and every answer consistent with the others."""
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from acrtransfer_emulator.testing import Emulator
from robustness_helpers import (
    CONTAINER_URI, FAST, RG, az_environment, assert_no_traceback, require_dev_extension, run_az)

pytestmark = pytest.mark.robustness

CLIENTS = 20
NAMES = ["concrun{:02d}".format(i) for i in range(15)]      # 20 clients, 15 runs: 5 created twice at once
PIPELINE = "concexport1"


def _scope():
    return ["-g", RG, "-r", "sourceregistry"]


def _all_at_once(env, commands):
    """Start every command together (one az process each) and return their results, in order."""
    with ThreadPoolExecutor(len(commands)) as pool:
        return list(pool.map(lambda argv: run_az(env, *argv, timeout=240), commands))


def _listed(emu):
    docs, url = [], emu.registry_path("sourceregistry") + "/pipelineRuns"
    while url:
        page = emu.arm("GET", url, api_version=None if url.startswith("https://") else "2025-06-01-preview").json()
        docs += page["value"]
        url = page.get("nextLink")
    return docs


def test_twenty_clients_create_show_list_and_delete_runs(tmp_path):
    require_dev_extension()
    # Pages of 4: concurrent lists must follow nextLink without losing or repeating a run.
    with Emulator(tmp_path / "home", config=dict(FAST, page_size=4), login=True) as emu:
        env = az_environment(emu, fast_tls=False)
        body = {"identity": {"type": "SystemAssigned"}, "properties": {"target": {
            "type": "AzureStorageBlobContainer", "uri": CONTAINER_URI, "storageAccessMode": "ManagedIdentity"}}}
        assert emu.arm("PUT", emu.registry_path("sourceregistry") + "/exportPipelines/" + PIPELINE, json=body).ok
        pipeline_id = emu.registry_path("sourceregistry") + "/exportPipelines/" + PIPELINE

        # 1. Create: 20 clients, 15 names: 5 names are created by two clients at the same moment, the
        #    second of them following the run to its end (it fails: this service has no data plane).
        creating = [NAMES[i % len(NAMES)] for i in range(CLIENTS)]
        following = [i >= len(NAMES) for i in range(CLIENTS)]
        results = _all_at_once(env, [
            ["acr", "pipeline-run", "create"] + _scope() + ["-n", name, "-p", PIPELINE, "-t", "export",
                                                           "-b", name + ".tar", "-a", "hello-world:v1"]
            + ([] if follow else ["--no-wait"])
            for name, follow in zip(creating, following)])
        for name, follow, result in zip(creating, following, results):
            assert_no_traceback(result)
            if follow:
                assert result.code == 1, result
                assert "Pipeline run '{}' failed".format(name) in result.stderr and "no data plane" in result.stderr
            else:
                assert result.code == 0 and result.stdout.strip() == "", result      # --no-wait prints nothing
        docs = _listed(emu)
        assert sorted(doc["name"] for doc in docs) == sorted(NAMES), docs     # none lost, none duplicated
        for doc in docs:
            request = doc["properties"]["request"]
            assert request["pipelineResourceId"].lower() == pipeline_id.lower()
            assert request["target"]["name"] == doc["name"] + ".tar"
        run_ids = {doc["name"]: doc["id"] for doc in _listed(emu)}

        # 2. Show and list: 15 clients show one run each, 5 list them all (4 pages each).
        commands = [["acr", "pipeline-run", "show"] + _scope() + ["-n", name] for name in NAMES]
        commands += [["acr", "pipeline-run", "list"] + _scope()] * (CLIENTS - len(NAMES))
        results = _all_at_once(env, commands)
        for argv, result in zip(commands, results):
            assert_no_traceback(result)
            assert result.code == 0, result
            answer = json.loads(result.stdout)
            if argv[2] == "show":
                assert answer["name"] == argv[-1] and answer["id"] == run_ids[argv[-1]], result
            else:
                names = [run["name"] for run in answer]
                assert sorted(names) == sorted(NAMES), result                # every page, each run once
                assert {run["name"]: run["id"] for run in answer} == run_ids

        # 3. Delete and show at once: 10 clients delete runs 0-9, 10 show runs 10-14 (twice each).
        deleting, showing = NAMES[:10], [NAMES[10 + i % 5] for i in range(CLIENTS - 10)]
        commands = [["acr", "pipeline-run", "delete"] + _scope() + ["-n", name] for name in deleting]
        commands += [["acr", "pipeline-run", "show"] + _scope() + ["-n", name] for name in showing]
        results = _all_at_once(env, commands)
        for argv, result in zip(commands, results):
            assert_no_traceback(result)
            assert result.code == 0, result
            if argv[2] == "show":
                assert json.loads(result.stdout)["id"] == run_ids[argv[-1]], result
        remaining = sorted(doc["name"] for doc in _listed(emu))
        assert remaining == NAMES[10:], remaining
        gone = run_az(env, "acr", "pipeline-run", "show", *_scope(), "-n", deleting[0])
        assert gone.code == 3 and "Traceback" not in gone.stderr, gone            # az's "not found"
