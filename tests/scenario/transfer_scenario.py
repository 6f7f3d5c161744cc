"""The base of every scenario test: recorded against the local ACR Transfer service, replayed as public ARM.

While recording (`make record`), az talks to the local service at https://127.0.0.1:<port>; the
processors here make the cassette look like a recording of management.azure.com, keep only ARM
traffic and drop anything secret. In playback az uses the public cloud, so the rewritten host matches.
"""
import os
import re
import threading
from urllib.parse import urlsplit

from azure.cli.testsdk import ScenarioTest
from azure.cli.testsdk.scenario_tests import RecordingProcessor, mock_in_unit_test

PUBLIC_ARM = "https://management.azure.com"
RESOURCE_GROUP = "transfer-rg"
# Registries declared in the local service's default configuration (docs/ARCHITECTURE.md).
SOURCE_REGISTRY = "sourceregistry"
TARGET_REGISTRY = "targetregistry"
ASYNC_REGISTRY = "asyncregistry"
BASIC_REGISTRY = "basicregistry"
# Paths that are not ARM resources: the managed-identity token endpoint, cloud metadata, the
# service's admin API. They never belong in a cassette.
_NOT_ARM = re.compile(r"^/(msi|metadata|_emulator|oauth2)|/oauth2/", re.I)
_SAS_SIG = re.compile(r"([?&]sig=)[^&\s\"']+", re.I)


def _emulator_origin():
    url = os.environ.get("ACRT_EMULATOR_URL", "")
    return url.rstrip("/") if url else None


class LocalServiceToPublicArm(RecordingProcessor):
    """Rewrites the local service's origin to management.azure.com and drops non-ARM traffic."""

    def __init__(self):
        self.origin = _emulator_origin()

    def _rewrite(self, text):
        if self.origin and text:
            text = text.replace(self.origin, PUBLIC_ARM)
        return _SAS_SIG.sub(r"\1REDACTED", text) if text else text

    def process_request(self, request):
        if _NOT_ARM.search(urlsplit(request.uri).path):
            return None
        request.uri = self._rewrite(request.uri)
        if request.body:
            body = request.body.decode("utf-8") if isinstance(request.body, bytes) else request.body
            request.body = self._rewrite(body).encode("utf-8")
        return request

    def process_response(self, response):
        for name, values in list(response["headers"].items()):
            response["headers"][name] = [self._rewrite(v) for v in values]
        body = response["body"].get("string")
        if isinstance(body, str):
            response["body"]["string"] = self._rewrite(body)
        return response


_RECORDING_LOCK = threading.RLock()


def serialise_recorded_requests(unit_test):
    """vcrpy loses requests sent concurrently while recording: during one thread's real request it
    removes its patches (`force_reset`), so a connection another thread opens meanwhile is never
    recorded. `pipeline-run clean` and `--batch` send requests concurrently, so while recording the
    real requests go one at a time. Playback needs no such care."""
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from vcr.stubs import VCRConnection

    def locked(function):
        def call(*args, **kwargs):
            with _RECORDING_LOCK:
                return function(*args, **kwargs)
        return call

    mock_in_unit_test(unit_test, "vcr.stubs.VCRConnection.getresponse", locked(VCRConnection.getresponse))
    for cls in (HTTPConnectionPool, HTTPSConnectionPool):
        mock_in_unit_test(unit_test, "{}.{}._new_conn".format(cls.__module__, cls.__name__),
                          locked(cls._new_conn))


class TransferScenarioTest(ScenarioTest):
    def __init__(self, method_name, **kwargs):
        super().__init__(method_name, recording_processors=[LocalServiceToPublicArm()],
                         recording_patches=[serialise_recorded_requests], **kwargs)
        self.kwargs.update({
            "rg": RESOURCE_GROUP,
            "source_registry": SOURCE_REGISTRY,
            "target_registry": TARGET_REGISTRY,
            "async_registry": ASYNC_REGISTRY,
            "basic_registry": BASIC_REGISTRY,
            "sub": "00000000-0000-0000-0000-000000000000",
        })

    def refuse(self, command):
        """Run a command that must fail before any request: in our validators (exit 1) or in az's
        argument parser for a value outside fixed choices (exit 2, which the testsdk lets through)."""
        try:
            self.cmd(command, expect_failure=True)
        except SystemExit as ex:
            self.assertEqual(ex.code, 2, command)

    def inject_fault(self, **fault):
        """Ask the local service to answer matching requests with a fault (only while recording:
        in playback the recorded faulty answers replay by themselves)."""
        if self.in_recording:
            import requests
            requests.post(os.environ["ACRT_EMULATOR_URL"] + "/_emulator/faults", json=fault,
                          verify=os.environ["REQUESTS_CA_BUNDLE"], timeout=10).raise_for_status()

    def clear_faults(self):
        if self.in_recording:
            import requests
            requests.delete(os.environ["ACRT_EMULATOR_URL"] + "/_emulator/faults",
                            verify=os.environ["REQUESTS_CA_BUNDLE"], timeout=10).raise_for_status()

    def cmd_exit(self, command, code):
        """Run a command that prints its result and then exits with `code` (az lets that SystemExit through)."""
        with self.assertRaises(SystemExit) as raised:
            self.cmd(command)
        self.assertEqual(raised.exception.code, code, command)
