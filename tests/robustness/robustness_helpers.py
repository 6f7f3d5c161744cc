"""What the robustness tests share: a warm in-process az (``AzWorker``), the real az with a timeout,
and the checks that an outcome is "a valid request or a clear error, never a traceback"."""
import json
import os
import re
import subprocess
import sys
import threading
from urllib.parse import parse_qs, unquote, urlsplit

from acrtransfer_emulator import launcher
from acrtransfer_emulator.testing import SUBSCRIPTION

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "az_worker.py")
API = "2025-06-01-preview"
RG = "transfer-rg"
CONTAINER_URI = "https://transferstore.blob.core.windows.net/transfer"
SECRET_URI = "https://transferkv.vault.azure.net/secrets/sas-token/0123456789abcdef0123456789abcdef"

# The service's timings for these tests: runs end within a second, LROs within one poll. Retry-After
# stays 1: azure-core's LRO poller reads "Retry-After: 0" as "no advice" and waits its default 30 s.
FAST = {"run_step_delay": 0.05, "lro_delay": 0.05, "retry_after": 1}

# ARM codes the service answers when a request breaks a spec rule: the extension's validators must
# have refused such input before the wire, so the service must never see it.
SPEC_RULE_CODES = {"InvalidRequestContent", "MissingRequiredProperty", "InvalidPropertyValue", "InvalidResourceName",
                   "TooManyArtifacts", "MissingApiVersionParameter", "InvalidApiVersionParameter"}

TRANSFER_PATH = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.ContainerRegistry/"
    r"registries/(?P<registry>[^/]+)/(?P<collection>exportPipelines|importPipelines|pipelineRuns)"
    r"(?:/(?P<name>[^/]+)(?P<rest>/.*)?)?$")
NAME = re.compile(r"^[A-Za-z0-9]{5,50}$")


def require_dev_extension():
    import glob
    if not glob.glob(os.path.join(ROOT, "*.egg-info")):
        raise RuntimeError("the extension is loaded from this checkout and needs `setup.py egg_info` "
                           "(`make setup` runs it)")


def az_environment(emu, fast_tls=True):
    """The environment of an az that uses this service and loads the extension from the checkout.

    fast_tls: trust only the service CA (certs/ca.pem) instead of certifi's roots plus the CA; loading
    150 roots costs ~80 ms per connection, which dominates a warm in-process command.
    """
    env = dict(os.environ)
    env.update(emu.env)
    env["AZURE_EXTENSION_DEV_SOURCES"] = ROOT
    env["AZURE_CORE_COLLECT_TELEMETRY"] = "no"
    env["AZURE_CORE_NO_COLOR"] = "true"
    env["PYTHONPATH"] = os.pathsep.join([ROOT, os.path.join(ROOT, "emulator"), env.get("PYTHONPATH", "")])
    if fast_tls:
        env["REQUESTS_CA_BUNDLE"] = os.path.join(emu.home, "certs", "ca.pem")
    return env


class Hung(AssertionError):
    pass


class Result:
    def __init__(self, argv, code, stdout, stderr, seconds, exception=None, requests=None):
        self.argv, self.code, self.stdout, self.stderr = argv, code, stdout, stderr
        self.seconds, self.exception, self.requests = seconds, exception, requests or []

    @property
    def transfer_requests(self):
        return [r for r in self.requests if TRANSFER_PATH.match(urlsplit(r["url"]).path)]

    def __repr__(self):
        return "az {}\n  exit {} in {:.2f}s, exception {}\n  requests: {}\n  stderr: {}".format(
            " ".join(self.argv), self.code, self.seconds, self.exception,
            ["{} {} -> {}".format(r["method"], urlsplit(r["url"]).path, r.get("status", r.get("error")))
             for r in self.requests], self.stderr.strip()[-1500:])


class AzWorker:
    """A warm az process (az_worker.py) that runs commands in-process. A command that does not
    finish within ``timeout`` kills the worker and raises ``Hung`` (the next call starts a new one)."""

    def __init__(self, env):
        self.env = env
        self.process = None
        self._lock = threading.Lock()

    def start(self):
        self.process = subprocess.Popen([sys.executable, WORKER], env=self.env, cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        ready = self._read(timeout=120)
        assert ready.get("ready"), ready
        return self

    def stop(self):
        process, self.process = self.process, None
        if process is None:
            return
        try:
            process.stdin.close()
        except OSError:
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def _read(self, timeout):
        box = {}

        def read():
            box["line"] = self.process.stdout.readline()
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            process, self.process = self.process, None
            process.kill()
            process.wait(timeout=10)
            raise Hung("no answer within {} s".format(timeout))
        if not box.get("line"):
            raise AssertionError("the az worker exited with code {}".format(self.process.poll()))
        return json.loads(box["line"])

    def run(self, *argv, stdin=None, timeout=60):
        with self._lock:
            if self.process is None or self.process.poll() is not None:
                self.start()
            self.process.stdin.write(json.dumps({"argv": list(argv), "stdin": stdin}) + "\n")
            self.process.stdin.flush()
            try:
                answer = self._read(timeout)
            except Hung as hung:
                raise Hung("az {} did not finish within {} s (hang)".format(" ".join(argv), timeout)) from hung
        return Result(list(argv), answer["code"], answer["stdout"], answer["stderr"], answer["seconds"],
                      answer["exception"], answer["requests"])


def run_az(env, *argv, timeout=120, stdin=None):
    """The real az as a subprocess; a run longer than ``timeout`` is killed and raises ``Hung``."""
    import time
    started = time.monotonic()
    process = subprocess.Popen(launcher.az_command() + list(argv), env=env, cwd=ROOT, text=True,
                               stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise Hung("az {} did not finish within {} s (hang)".format(" ".join(argv), timeout))
    return Result(list(argv), process.returncode, out, err, time.monotonic() - started)


# -- what a clear outcome looks like --------------------------------------------------------------

UNEXPECTED = ("Traceback (most recent call last)", "The command failed with an unexpected error")


def assert_no_traceback(result):
    for marker in UNEXPECTED:
        assert marker not in result.stderr and marker not in result.stdout, result
    assert not (result.exception or "").startswith("escaped:"), result
    assert isinstance(result.code, int), result


def error_lines(result):
    return [line for line in result.stderr.split("\n") if line.startswith("ERROR:")]


def error_message(result):
    """The text of az's error: from the first ERROR: up to the help examples az appends (a value with
    a newline in it spreads the message over several lines)."""
    start = result.stderr.find("ERROR:")
    if start < 0:
        return ""
    text = result.stderr[start:]
    end = text.find("Examples from command's help")
    return text if end < 0 else text[:end]


def assert_clear_error(result):
    """A failure with az's ERROR line that says something (and no traceback)."""
    assert_no_traceback(result)
    assert result.code != 0, result
    lines = error_lines(result)
    assert lines, result
    assert any(len(line[len("ERROR:"):].strip()) >= 10 for line in lines), result


def transfer_path_parts(url):
    parts = urlsplit(url)
    match = TRANSFER_PATH.match(parts.path)
    return match, parse_qs(parts.query)


_PIPELINE_TOP = {"identity", "properties", "location"}
_STORAGE_KEYS = {"type", "uri", "keyVaultUri", "storageAccessMode"}
_RUN_REQUEST_KEYS = {"pipelineResourceId", "artifacts", "source", "target", "catalogDigest"}
_OPTIONS = {"OverwriteTags", "OverwriteBlobs", "DeleteSourceBlobOnSuccess", "ContinueOnErrors"}


def check_transfer_request(request):
    """The request is one the spec accepts: api-version, names, and a PUT body with only spec
    properties, none read-only, enum values from the spec. Returns a list of problems."""
    problems = []
    match, query = transfer_path_parts(request["url"])
    if not match:
        return problems
    if query.get("api-version") != [API]:
        problems.append("api-version {}".format(query.get("api-version")))
    if match["sub"] != SUBSCRIPTION:
        problems.append("subscription {}".format(match["sub"]))
    if request["method"] != "PUT":
        return problems
    if match["rest"]:
        problems.append("PUT below a resource: {}".format(match["rest"]))
    for part in ("registry", "name"):
        if not NAME.match(unquote(match[part] or "")):
            problems.append("{} name {!r} breaks the spec's 5-50 letters and digits".format(part, match[part]))
    try:
        body = json.loads(request["body"] or "")
    except ValueError:
        return problems + ["the body is not JSON: {!r}".format(request["body"])]
    if not isinstance(body, dict):
        return problems + ["the body is not an object"]
    properties = body.get("properties")
    if not isinstance(properties, dict):
        return problems + ["no properties object"]
    if match["collection"] == "pipelineRuns":
        if set(body) - {"properties"}:
            problems.append("run keys {}".format(sorted(set(body) - {"properties"})))
        if set(properties) - {"request", "forceUpdateTag"}:
            problems.append("run properties {}".format(sorted(set(properties) - {"request", "forceUpdateTag"})))
        run_request = properties.get("request") or {}
        if set(run_request) - _RUN_REQUEST_KEYS:
            problems.append("run request keys {}".format(sorted(set(run_request) - _RUN_REQUEST_KEYS)))
        if not str(run_request.get("pipelineResourceId", "")).startswith("/subscriptions/"):
            problems.append("pipelineResourceId {!r}".format(run_request.get("pipelineResourceId")))
        artifacts = run_request.get("artifacts") or []
        if len(artifacts) > 50:
            problems.append("{} artifacts".format(len(artifacts)))
        for side in ("source", "target"):
            blob = run_request.get(side)
            if blob is not None and (set(blob) - {"type", "name"} or blob.get("type") != "AzureStorageBlob"
                                     or not blob.get("name")):
                problems.append("run {} {!r}".format(side, blob))
        return problems
    side = "target" if match["collection"] == "exportPipelines" else "source"
    if set(body) - _PIPELINE_TOP:
        problems.append("pipeline keys {} (read-only or unknown)".format(sorted(set(body) - _PIPELINE_TOP)))
    allowed = {side, "options"} | ({"trigger"} if side == "source" else set())
    if set(properties) - allowed:
        problems.append("pipeline properties {} (read-only or unknown)".format(sorted(set(properties) - allowed)))
    storage = properties.get(side)
    if not isinstance(storage, dict):
        return problems + ["no {} object".format(side)]
    if set(storage) - _STORAGE_KEYS:
        problems.append("{} keys {}".format(side, sorted(set(storage) - _STORAGE_KEYS)))
    if storage.get("type") != "AzureStorageBlobContainer":
        problems.append("{}.type {!r}".format(side, storage.get("type")))
    if storage.get("storageAccessMode") not in ("ManagedIdentity", "SasToken"):
        problems.append("storageAccessMode {!r}".format(storage.get("storageAccessMode")))
    if storage.get("storageAccessMode") == "SasToken" and not storage.get("keyVaultUri"):
        problems.append("SasToken without keyVaultUri")
    if "?" in str(storage.get("uri", "")) or "sig=" in json.dumps(body):
        problems.append("a query string (SAS) in the body")
    for option in properties.get("options") or []:
        if option not in _OPTIONS:
            problems.append("option {!r}".format(option))
    identity = body.get("identity")
    if identity is not None and identity.get("type") not in ("SystemAssigned", "UserAssigned"):
        problems.append("identity type {!r}".format(identity.get("type")))
    trigger = properties.get("trigger")
    if trigger is not None and trigger.get("sourceTrigger", {}).get("status") not in ("Enabled", "Disabled"):
        problems.append("trigger {!r}".format(trigger))
    return problems
