"""Memory stays bounded whatever the layer size: a few-hundred-MB layer goes registry -> Azurite
-> registry while this process's resident set grows by less than 100 MB."""

import os
import shutil
import threading
import time

import pytest

from acrtransfer_emulator.dataplane import processes
from acrtransfer_emulator.dataplane.oci import RegistryClient
from acrtransfer_emulator.dataplane.samples import push_big_image
from acrtransfer_emulator.dataplane.transfer import (ExportOptions, ImportOptions, export_artifacts,
                                                     import_artifacts)

pytestmark = pytest.mark.live

LAYER_MB = int(os.environ.get("ACRT_LIVE_BIG_LAYER_MB", "256"))
MAX_GROWTH = 100 * 1024 * 1024


def _rss():
    try:
        import psutil
        return psutil.Process().memory_info().rss
    except ImportError:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    raise RuntimeError("cannot read the resident set size")


class PeakSampler(threading.Thread):
    def __init__(self, interval=0.02):
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = _rss()
        self._done = threading.Event()

    def run(self):
        while not self._done.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(self.interval)

    def finish(self):
        self._done.set()
        self.join()
        self.peak = max(self.peak, _rss())


def test_big_layer_streams_with_bounded_memory(registry_bin, tmp_path, containers):
    # Own registries, removed at the end: pytest keeps tmp folders of the last runs.
    size = LAYER_MB * 1024 * 1024
    container = containers.new("token")
    with processes.start_registry(tmp_path / "big-source") as source, \
            processes.start_registry(tmp_path / "big-target") as target, \
            RegistryClient(source.url) as source_client, RegistryClient(target.url) as target_client:
        try:
            manifest_digest, layer_digest = push_big_image(source_client, "big/image", "v1", size)
            baseline = _rss()
            sampler = PeakSampler()
            sampler.start()
            try:
                exported = export_artifacts(source_client, ["big/image:v1"],
                                            container.blob("big.tar"), ExportOptions())
                assert exported.blob.size > size
                imported = import_artifacts(container.blob("big.tar"), target_client,
                                            ImportOptions())
            finally:
                sampler.finish()
            growth = sampler.peak - baseline
            assert imported.imported_artifacts == ["big/image:v1"]
            assert target_client.get_tag_digest("big/image", "v1") == manifest_digest
            assert target_client.blob_exists("big/image", layer_digest) == size
            assert growth < MAX_GROWTH, "RSS grew by %.1f MB moving a %d MB layer" % (
                growth / 2**20, LAYER_MB)
        finally:
            container.delete("big.tar", missing_ok=True)
    shutil.rmtree(source.root_dir, ignore_errors=True)
    shutil.rmtree(target.root_dir, ignore_errors=True)
