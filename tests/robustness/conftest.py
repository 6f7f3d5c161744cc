"""Fixtures of the robustness tests. Every service here listens on 127.0.0.1 only and is stopped by
the fixture or test that started it; every az worker is stopped by the fixture that started it."""
import os

import pytest
from hypothesis import HealthCheck, settings

from acrtransfer_emulator.testing import Emulator
from robustness_helpers import FAST, AzWorker, az_environment, require_dev_extension

# Fuzzing: a short run in `make test`; `HYPOTHESIS_PROFILE=thorough` for a long one.
_COMMON = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.function_scoped_fixture])
settings.register_profile("ci", max_examples=int(os.environ.get("ACRT_FUZZ_EXAMPLES", "25")), **_COMMON)
settings.register_profile("thorough", max_examples=int(os.environ.get("ACRT_FUZZ_EXAMPLES", "400")), **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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
