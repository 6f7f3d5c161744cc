"""The base of every scenario test: recorded against the local ACR Transfer service, replayed as public ARM.

While recording (`make record`), az talks to the local service at https://127.0.0.1:<port>; the
processors here make the cassette look like a recording of management.azure.com, keep only ARM
traffic and drop anything secret. In playback az uses the public cloud, so the rewritten host matches.
"""
import os
import re
from urllib.parse import urlsplit

from azure.cli.testsdk import ScenarioTest
from azure.cli.testsdk.scenario_tests import RecordingProcessor

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


class TransferScenarioTest(ScenarioTest):
    def __init__(self, method_name, **kwargs):
        super().__init__(method_name, recording_processors=[LocalServiceToPublicArm()], **kwargs)
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
