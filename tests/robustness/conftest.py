"""Fixtures of the robustness tests. Every service here listens on 127.0.0.1 only and is stopped by
the fixture or test that started it; every az worker is stopped by the fixture that started it."""
import pytest

from acrtransfer_emulator.testing import Emulator
from robustness_helpers import FAST, AzWorker, az_environment, require_dev_extension


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """A sync-mode service with az logged in to it (its own AZURE_CONFIG_DIR)."""
    require_dev_extension()
    with Emulator(tmp_path_factory.mktemp("robust"), mode="sync", config=FAST, login=True) as emu:
        yield emu


@pytest.fixture(scope="module")
def worker(service):
    az = AzWorker(az_environment(service)).start()
    try:
        yield az
    finally:
        az.stop()
