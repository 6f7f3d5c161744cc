"""Start, stop and log in: shared by the ``start``/``stop`` commands and ``testing.Emulator``."""
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

import requests

from . import certs
from .auth import identity_header
from .server import log_file, pid_file, runtime_file
from .service import dataplane_environment_file

CLOUD_NAME = "AcrTransferLocal"
ENV_FILE = "env.sh"


def serve_command(home, port=0, mode=None, config_path=None, page_size=None, state=None):
    cmd = [sys.executable, "-m", "acrtransfer_emulator", "serve", "--home", home, "--port", str(port)]
    for flag, value in (("--mode", mode), ("--config", config_path), ("--page-size", page_size), ("--state", state)):
        if value is not None:
            cmd += [flag, str(value)]
    return cmd


def spawn(home, detach, **serve_args):
    """Start ``serve`` as a subprocess writing to HOME/emulator.log; ``detach`` survives our exit."""
    os.makedirs(home, exist_ok=True)
    # The serve process rewrites the runtime file once bound; a stale one must not look like readiness.
    try:
        os.remove(runtime_file(home))
    except FileNotFoundError:
        pass
    with open(log_file(home), "ab") as log:
        return subprocess.Popen(serve_command(home, **serve_args), stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=detach, close_fds=True)


def wait_ready(home, process, timeout=30.0):
    """Wait for the runtime file and a healthy /_emulator/health; returns the runtime info."""
    deadline = time.monotonic() + timeout
    bundle = certs.ca_bundle(home)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the service exited with code {}; see {}\n{}".format(
                process.returncode, log_file(home), tail(log_file(home))))
        info = read_runtime(home)
        if info and info.get("pid") == process.pid and _healthy(info["url"], bundle):
            return info
        time.sleep(0.05)
    raise RuntimeError("the service did not become healthy within {} s; see {}".format(timeout, log_file(home)))


def _healthy(url, bundle):
    # Connection: close, so no keep-alive connection outlives the check (the server waits for open
    # TLS connections when it shuts down).
    try:
        with requests.get(url + "/_emulator/health", verify=bundle, timeout=2,
                          headers={"Connection": "close"}) as response:
            return response.ok
    except requests.RequestException:
        return False


def read_runtime(home):
    try:
        with open(runtime_file(home), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def previous_port(home):
    """The port the last server of this home used if it is free (env.sh then stays valid across a
    restart), else 0 (any free port)."""
    info = read_runtime(home)
    port = info.get("port", 0) if info else 0
    if not port:
        return 0
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
    except OSError:
        return 0
    return port


def tail(path, lines=20):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def running_pid(home):
    """The pid of this home's server if that process is alive and is ours, else None."""
    try:
        with open(pid_file(home), encoding="ascii") as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return None
    try:
        with open("/proc/{}/cmdline".format(pid), "rb") as f:
            if b"acrtransfer_emulator" not in f.read():
                return None      # the pid was reused by another program
    except FileNotFoundError:
        return None
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return None
    return pid


def stop_pid(pid, timeout=10.0):
    """SIGTERM, wait, then SIGKILL: the server finishes in-flight requests on SIGTERM."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
            if finished == pid:
                return
        except ChildProcessError:
            pass              # not our child: poll for it to disappear
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# -- the isolated az ------------------------------------------------------------------------------

def environment(home, url):
    """The variables an isolated az needs to use this service (what env.sh exports), plus those of the
    data plane the running server wrote (its registries' and storage's URLs)."""
    env = {
        "AZURE_CONFIG_DIR": os.path.join(home, "azure"),
        "REQUESTS_CA_BUNDLE": certs.ca_bundle(home),
        "IDENTITY_ENDPOINT": url + "/msi/token",
        "IDENTITY_HEADER": identity_header(home),
        "ACRT_EMULATOR_URL": url,
        "AZURE_CORE_COLLECT_TELEMETRY": "no",
    }
    try:
        with open(dataplane_environment_file(home), encoding="utf-8") as f:
            extra = json.load(f)
    except (OSError, ValueError):
        extra = {}
    env.update({k: str(v) for k, v in extra.items() if k not in env})
    return env


def write_env_file(home, env):
    path = os.path.join(home, ENV_FILE)
    text = "# Source this file to point az at the local ACR Transfer service.\n" + "".join(
        "export {}={}\n".format(k, shlex.quote(v)) for k, v in env.items())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)   # it holds IDENTITY_HEADER
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path, text


def az_command():
    """The az to run: $ACRT_EMULATOR_AZ, the az next to this Python (the project venv), az on PATH,
    or ``python -m azure.cli``."""
    if os.environ.get("ACRT_EMULATOR_AZ"):
        return shlex.split(os.environ["ACRT_EMULATOR_AZ"])
    sibling = os.path.join(os.path.dirname(sys.executable), "az")
    if os.access(sibling, os.X_OK):
        return [sibling]
    on_path = shutil.which("az")
    if on_path:
        return [on_path]
    return [sys.executable, "-m", "azure.cli"]


def run_az(env, *args, check=True):
    merged = dict(os.environ)
    merged.update(env)
    result = subprocess.run(az_command() + list(args), env=merged, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=180)
    if check and result.returncode != 0:
        raise RuntimeError("az {} failed ({}):\n{}".format(" ".join(args), result.returncode, result.stderr.strip()))
    return result


def login(home, url):
    """Register the custom cloud (or update its endpoint), select it, and ``az login --identity``."""
    env = environment(home, url)
    os.makedirs(env["AZURE_CONFIG_DIR"], exist_ok=True)
    clouds = run_az(env, "cloud", "list", "--query", "[].name", "-o", "tsv").stdout.split()
    verb = "update" if CLOUD_NAME in clouds else "register"
    run_az(env, "cloud", verb, "-n", CLOUD_NAME, "--endpoint-resource-manager", url + "/", "-o", "none")
    run_az(env, "cloud", "set", "-n", CLOUD_NAME, "-o", "none")
    run_az(env, "login", "--identity", "-o", "none")
    return env
