"""Fixtures for the service's own tests. Every server here listens on 127.0.0.1 only and is stopped
by the fixture or test that started it."""
import pytest

from acrtransfer_emulator.testing import Emulator
from emulator_helpers import FAST


@pytest.fixture(scope="session")
def emu(tmp_path_factory):
    """One sync-mode service for most tests; ``fresh`` resets it before each test."""
    with Emulator(tmp_path_factory.mktemp("emu"), mode="sync", config=FAST) as emulator:
        yield emulator


@pytest.fixture
def fresh(emu):
    assert emu.admin("POST", "/reset").status_code == 204
    return emu
