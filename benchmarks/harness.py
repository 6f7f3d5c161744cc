"""What every benchmark shares: the local service with an isolated, logged-in az that has the extension
installed from a wheel of this checkout, timing of real az processes, the machine, and the table rows."""
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "emulator"))

from acrtransfer_emulator import launcher  # noqa: E402
from acrtransfer_emulator.testing import RESOURCE_GROUP, SUBSCRIPTION, Emulator  # noqa: E402

API = "2025-06-01-preview"
NOT_MEASURED = "not measured: needs the data plane"


@dataclass
class Row:
    benchmark: str
    figure: str
    baseline: str
    ratio: str
    target: str
    met: str          # "yes", "no", or "-" (nothing to meet, or not measured)

    def cells(self):
        return [self.benchmark, self.figure, self.baseline, self.ratio, self.target, self.met]


HEADERS = ["benchmark", "figure", "baseline (same run)", "ratio", "target", "met?"]


def median(values):
    return statistics.median(values)


def seconds(value):
    return "{:.3f} s".format(value)


# -- the machine ----------------------------------------------------------------------------------

def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = "?"
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    memory = "{:.1f} GiB".format(int(line.split()[1]) / 1024 / 1024)
                    break
    except OSError:
        pass
    try:
        az = json.loads(subprocess.run(launcher.az_command() + ["version", "-o", "json"], capture_output=True,
                                       text=True, timeout=120, env=dict(os.environ, AZURE_CORE_COLLECT_TELEMETRY="no"))
                        .stdout)["azure-cli"]
    except (ValueError, KeyError, OSError, subprocess.SubprocessError):
        az = "?"
    try:
        load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        load = "?"
    return {
        "cpu": cpu, "cores": str(os.cpu_count()), "memory": memory,
        "os": "{} {}".format(platform.system(), platform.release()),
        "python": platform.python_version(), "azure-cli": az, "load average at start": load,
    }


# -- the service and its az -----------------------------------------------------------------------

class Bench:
    """The service (sync mode, on 127.0.0.1) and an az logged in to it with the extension installed.

    ``az(...)`` runs the real az as a subprocess and returns (seconds, CompletedProcess).
    """

    def __init__(self, config=None, keep=False):
        self.home = tempfile.mkdtemp(prefix="acrt-bench-")
        self.keep = keep
        self.emu = Emulator(self.home, mode="sync", login=True,
                            config=dict({"retry_after": 1, "run_step_delay": 0.01, "lro_delay": 0.05}, **(config or {})))
        self.env = None

    def __enter__(self):
        self.emu.start()
        try:
            self._prepare()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _prepare(self):
        env = dict(os.environ)
        env.update(self.emu.env)
        env.pop("AZURE_EXTENSION_DEV_SOURCES", None)     # the installed wheel, as users run it
        env["AZURE_CORE_COLLECT_TELEMETRY"] = "no"
        env["AZURE_CORE_NO_COLOR"] = "true"
        self.env = env
        self._install_extension()

    def __exit__(self, *exc):
        self.emu.stop()
        if not self.keep:
            shutil.rmtree(self.home, ignore_errors=True)

    def _install_extension(self):
        build = os.path.join(self.home, "wheel")
        os.makedirs(build)
        subprocess.run([sys.executable, "setup.py", "-q", "egg_info", "--egg-base", build, "build", "--build-base",
                        os.path.join(build, "build"), "bdist_wheel", "--bdist-dir", os.path.join(build, "bdist"),
                        "-d", os.path.join(build, "dist")], cwd=ROOT, check=True, capture_output=True)
        wheel = os.path.join(build, "dist", os.listdir(os.path.join(build, "dist"))[0])
        seconds_, result = self.az("extension", "add", "--source", wheel, "-y", "-o", "none")
        if result.returncode != 0:
            raise RuntimeError("az extension add failed:\n" + result.stderr)
        # The first command after an install rebuilds az's command index; keep that out of the timings.
        self.az("acr", "export-pipeline", "list", "-g", RESOURCE_GROUP, "-r", "sourceregistry", "-o", "none")

    def az(self, *args, stdin=None):
        started = time.monotonic()
        result = subprocess.run(launcher.az_command() + list(args), env=self.env, capture_output=True, text=True,
                                input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL, timeout=600)
        return time.monotonic() - started, result

    # -- the service's own API (setup, counts) --------------------------------------------------
    def registry_path(self, registry):
        return self.emu.registry_path(registry)

    def url(self, path):
        return "{}{}?api-version={}".format(self.emu.url, path, API)

    def arm(self, method, path, body=None):
        return self.emu.arm(method, path, json=body)

    def admin(self, method, path, body=None):
        return self.emu.admin(method, path, json=body)

    def wait_run(self, registry, name, timeout=120):
        """Poll a run until it has ended; returns its document."""
        deadline = time.monotonic() + timeout
        while True:
            doc = self.arm("GET", self.registry_path(registry) + "/pipelineRuns/" + name).json()
            if doc["properties"]["provisioningState"] in ("Succeeded", "Failed", "Canceled"):
                return doc
            if time.monotonic() > deadline:
                raise RuntimeError("run {} did not end within {} s".format(name, timeout))
            time.sleep(0.05)

    def request_counts(self):
        return self.admin("GET", "/requests").json()["operations"]

    def reset_counts(self):
        assert self.admin("DELETE", "/requests").status_code == 204


def dataplane_config(accounts, trigger_interval):
    """A service whose sourceregistry and targetregistry have a data plane, tuned for measuring
    (no artificial step delays); the transfer and trigger benchmarks start one each."""
    return {
        "run_step_delay": 0, "retry_after": 0, "lro_delay": 0.05,
        "registries": [
            {"name": "sourceregistry", "resource_group": RESOURCE_GROUP, "sku": "Premium"},
            {"name": "targetregistry", "resource_group": RESOURCE_GROUP, "sku": "Premium"},
        ],
        "dataplane": {
            "factory": "acrtransfer_emulator.dataplane:create",
            "accounts": accounts,
            "trigger_interval": trigger_interval,
        },
    }


def subscription_id():
    return SUBSCRIPTION
