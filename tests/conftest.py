"""Test-wide set-up: the extension is loaded from this checkout, and azure-cli-testsdk runs on azure-cli 2.91.

Scenario tests replay cassettes with no service and no login (AZURE_TEST_RUN_LIVE unset), or record
them against the local service (`make record` sets AZURE_TEST_RUN_LIVE and the service's az environment).
"""
import atexit
import os
import shutil
import sys
import tempfile

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# These must be set before azure.cli.core is imported: it reads them at import time.
# The extension is loaded as a dev extension from this checkout (needs `setup.py egg_info`, which
# `make` runs), so tests exercise the source, not an installed copy.
if "AZURE_EXTENSION_DEV_SOURCES" not in os.environ:
    # az names a dev extension after its folder: link the checkout as "acrtransfer".
    _dev = tempfile.mkdtemp(prefix="acrt-dev-ext-")
    os.symlink(_ROOT, os.path.join(_dev, "acrtransfer"))
    os.environ["AZURE_EXTENSION_DEV_SOURCES"] = _dev
    atexit.register(shutil.rmtree, _dev, True)
os.environ.setdefault("AZURE_CORE_COLLECT_TELEMETRY", "no")
if not os.environ.get("AZURE_TEST_RUN_LIVE"):
    # Playback must not read or write the user's az profile.
    os.environ["AZURE_CONFIG_DIR"] = tempfile.mkdtemp(prefix="acrt-playback-az-")
    atexit.register(shutil.rmtree, os.environ["AZURE_CONFIG_DIR"], True)

sys.path.insert(0, os.path.join(_ROOT, "tests"))

import azure.cli.testsdk.base as _testsdk_base  # noqa: E402
from azure.cli.testsdk.scenario_tests import mock_in_unit_test  # noqa: E402


# Shim 1: azure-cli-testsdk 0.3.0's replay patch for LRO delays patches msrestazure, which azure-cli
# 2.91 no longer ships. Patch the pollers az uses today instead, so playback does not sleep.
def _patch_long_run_operation_delay(unit_test):
    def _no_delay(*args, **kwargs):  # pylint: disable=unused-argument
        return None

    mock_in_unit_test(unit_test, "azure.cli.core.commands.LongRunningOperation._delay", _no_delay)
    mock_in_unit_test(unit_test, "azure.core.polling.base_polling.LROBasePolling._delay", _no_delay)


# Shim 2: azure-cli 2.91 asks the credential for `acquire_token` (msal style); the testsdk's fake
# credential only has `get_token`. This fake answers the msal way with a dummy token.
def _patch_retrieve_token_for_user(unit_test):
    class _PlaybackCredential:
        def acquire_token(self, scopes, **kwargs):  # pylint: disable=unused-argument
            return {"access_token": "playback-token", "token_type": "Bearer", "expires_in": 3600}

    mock_in_unit_test(unit_test, "azure.cli.core.auth.identity.Identity.get_user_credential",
                      lambda *args, **kwargs: _PlaybackCredential())


_testsdk_base.patch_long_run_operation_delay = _patch_long_run_operation_delay
_testsdk_base.patch_retrieve_token_for_user = _patch_retrieve_token_for_user
