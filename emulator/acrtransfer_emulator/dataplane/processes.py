"""Start and stop the real components of a local transfer on 127.0.0.1.

* :func:`start_registry`: the CNCF distribution registry (Debian package ``docker-registry``,
  upstream binary ``registry``), plain HTTP on loopback, filesystem storage, deletes enabled.
* :func:`start_azurite`: Azurite's blob service over HTTPS with ``--oauth basic`` so bearer
  tokens are accepted (Azurite refuses bearer tokens over plain HTTP).

Each handle has ``.url``, ``.stop()``, ``.log_path`` and is a context manager. Every process is
started in its own session; stopping signals the whole process group (SIGTERM, then SIGKILL).

Binaries are found through environment variables first:

* ``ACRT_REGISTRY_BIN``: the registry binary (default: ``docker-registry`` or ``registry`` on PATH).
* ``ACRT_AZURITE_BIN``: Azurite's blob launcher (default: ``<repo>/node_modules/.bin/azurite-blob``,
  then ``azurite-blob`` on PATH).
"""

import base64
import http.client
import json
import logging
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

_LOG = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"

# Azurite's well-known development account; its key is public (documented by Microsoft and Azurite).
AZURITE_ACCOUNT_NAME = "devstoreaccount1"
AZURITE_ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

# emulator/acrtransfer_emulator/dataplane/processes.py -> the repository root
_REPO_ROOT = Path(__file__).resolve().parents[3]
_AZURITE_PRELOAD = Path(__file__).resolve().with_name("azurite_signals.js")


class ProcessStartError(RuntimeError):
    """A component did not come up; the message includes the tail of its log."""


def free_port():
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def find_registry_binary():
    """Path of the distribution registry binary, or None."""
    env = os.environ.get("ACRT_REGISTRY_BIN")
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in ("docker-registry", "registry"):
        found = shutil.which(name)
        if found:
            return found
    return None


def find_azurite_binary():
    """Path of Azurite's ``azurite-blob`` launcher, or None."""
    env = os.environ.get("ACRT_AZURITE_BIN")
    if env:
        return env if os.access(env, os.X_OK) else None
    local = _REPO_ROOT / "node_modules" / ".bin" / "azurite-blob"
    if os.access(local, os.X_OK):
        return str(local)
    return shutil.which("azurite-blob")


def _tail(path, lines=20):
    try:
        with open(path, "rb") as handle:
            return b"".join(handle.readlines()[-lines:]).decode("utf-8", "replace")
    except OSError:
        return ""


class ComponentProcess:
    """A running component: a subprocess in its own process group, logging to a file."""

    name = "component"

    def __init__(self, popen, url, log_path, log_file):
        self.popen = popen
        self.url = url
        self.log_path = str(log_path)
        self._log_file = log_file

    @property
    def pid(self):
        return self.popen.pid

    def running(self):
        return self.popen.poll() is None

    def stop(self, timeout=10.0):
        """Stop the process group: SIGTERM, then SIGKILL after ``timeout`` seconds.

        The group is signalled only while its leader (our child) has not been reaped, so the
        group id cannot belong to anyone else.
        """
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.popen.wait(timeout)
        if not self._log_file.closed:
            self._log_file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def __repr__(self):
        return "<%s %s pid=%s>" % (type(self).__name__, self.url, self.popen.pid)


class RegistryProcess(ComponentProcess):
    """A distribution registry; ``url`` is ``http://127.0.0.1:PORT``, ``host`` is ``127.0.0.1:PORT``."""

    name = "registry"

    def __init__(self, popen, url, log_path, log_file, root_dir, config_path):
        super().__init__(popen, url, log_path, log_file)
        self.root_dir = str(root_dir)
        self.config_path = str(config_path)

    @property
    def host(self):
        return self.url.split("://", 1)[1]


class AzuriteProcess(ComponentProcess):
    """Azurite's blob service. ``url`` is ``https://127.0.0.1:PORT``; the development account's
    endpoint is ``account_url`` (path style: ``https://127.0.0.1:PORT/devstoreaccount1``)."""

    name = "azurite"
    account_name = AZURITE_ACCOUNT_NAME
    account_key = AZURITE_ACCOUNT_KEY

    def __init__(self, popen, url, log_path, log_file, location, accounts):
        super().__init__(popen, url, log_path, log_file)
        self.location = str(location)
        self.accounts = dict(accounts)      # name -> base64 key, devstoreaccount1 included

    @property
    def account_url(self):
        return "%s/%s" % (self.url, self.account_name)

    def account_url_for(self, account):
        return "%s/%s" % (self.url, account)

    def container_url(self, container, account=None):
        """Path-style container URI, e.g. ``https://127.0.0.1:PORT/devstoreaccount1/transfer``."""
        return "%s/%s/%s" % (self.url, account or self.account_name, container)

    @property
    def connection_string(self):
        return "DefaultEndpointsProtocol=https;AccountName=%s;AccountKey=%s;BlobEndpoint=%s;" % (
            self.account_name, self.account_key, self.account_url)


def _die_with_parent():
    """``preexec_fn``: SIGTERM this child when the process that started it dies (Linux), so a
    service killed with SIGKILL does not leave its registries and Azurite behind."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)       # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _spawn(argv, log_path, env=None, cwd=None, die_with_parent=False):
    log_file = open(log_path, "ab")
    try:
        popen = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True, env=env, cwd=cwd,
            preexec_fn=_die_with_parent if die_with_parent else None)
    except BaseException:
        log_file.close()
        raise
    return popen, log_file


def _wait_http(popen, host, port, path, use_tls, timeout, log_path, what):
    """Wait until the server answers any HTTP status on ``path``."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise ProcessStartError("%s exited with code %s during start-up; log %s:\n%s" % (
                what, popen.returncode, log_path, _tail(log_path)))
        try:
            if use_tls:
                # Liveness probe only: the certificate is checked by the real clients.
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                conn = http.client.HTTPSConnection(host, port, timeout=2, context=context)
            else:
                conn = http.client.HTTPConnection(host, port, timeout=2)
            try:
                conn.request("GET", path)
                conn.getresponse().read()
                return
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            last_error = exc
            time.sleep(0.1)
    raise ProcessStartError("%s did not answer on %s:%s within %ss (%s); log %s:\n%s" % (
        what, host, port, timeout, last_error, log_path, _tail(log_path)))


def _registry_config(root_dir, port):
    # JSON is valid YAML: no YAML library needed.
    config = {
        "version": 0.1,
        "log": {"level": "info", "formatter": "text", "accesslog": {"disabled": False}},
        "storage": {
            "filesystem": {"rootdirectory": str(root_dir)},
            "delete": {"enabled": True},
            "maintenance": {"uploadpurging": {"enabled": False}},
        },
        "http": {
            "addr": "%s:%d" % (LOOPBACK, port),
            "secret": os.urandom(16).hex(),
            "headers": {"X-Content-Type-Options": ["nosniff"]},
        },
    }
    return json.dumps(config, indent=2) + "\n"


def start_registry(root_dir, *, port=None, binary=None, log_path=None, timeout=20.0,
                   die_with_parent=False):
    """Start a distribution registry storing under ``root_dir`` (created if missing).

    The config is written to ``<root_dir>.config.yml`` and the log to ``<root_dir>.log`` (unless
    ``log_path``), so ``root_dir`` holds the registry's data only. Returns when ``/v2/`` answers.
    With ``port``, the port is tried once (a busy port fails).
    ``die_with_parent``: the process gets SIGTERM when its starter dies (for a long-lived service).
    """
    binary = binary or find_registry_binary()
    if not binary:
        raise ProcessStartError("no registry binary: install the distribution registry "
                                "(Debian: docker-registry) or set ACRT_REGISTRY_BIN")
    root_dir = Path(root_dir).resolve()
    root_dir.mkdir(parents=True, exist_ok=True)
    config_path = Path(str(root_dir) + ".config.yml")
    log_path = Path(log_path) if log_path else Path(str(root_dir) + ".log")
    attempts = 3 if port is None else 1
    for attempt in range(attempts):
        use_port = port or free_port()
        config_path.write_text(_registry_config(root_dir, use_port))
        env = dict(os.environ)
        # Environment variables override the file in distribution; keep stray ones out.
        for key in list(env):
            if key.startswith("REGISTRY_"):
                del env[key]
        popen, log_file = _spawn([binary, "serve", str(config_path)], log_path, env=env,
                                 die_with_parent=die_with_parent)
        handle = RegistryProcess(popen, "http://%s:%d" % (LOOPBACK, use_port), log_path, log_file,
                                 root_dir, config_path)
        try:
            _wait_http(popen, LOOPBACK, use_port, "/v2/", False, timeout, log_path, "registry")
        except ProcessStartError:
            handle.stop()
            if attempt + 1 == attempts:
                raise
            continue
        _LOG.info("registry started at %s (pid %s, data %s)", handle.url, popen.pid, root_dir)
        return handle
    raise AssertionError("unreachable")


def new_account_key():
    """A random storage account key (base64 of 64 bytes), for :func:`start_azurite`'s accounts."""
    return base64.b64encode(os.urandom(64)).decode("ascii")


def start_azurite(workdir, cert, key, *, port=None, binary=None, ca_bundle=None, oauth=True,
                  accounts=None, log_path=None, access_log=False, debug_log=None, timeout=30.0,
                  extra_args=(), die_with_parent=False):
    """Start Azurite's blob service over HTTPS on 127.0.0.1.

    ``cert``/``key``: PEM server certificate (valid for 127.0.0.1) and its key. ``ca_bundle``: PEM
    of the CA that issued certificates Azurite itself must trust (it calls its own URL to validate
    the source of a server-side copy that carries a SAS); passed as ``NODE_EXTRA_CA_CERTS``.
    Flags: ``--blobHost 127.0.0.1 --blobPort PORT --location DIR --cert --key --oauth basic
    --skipApiVersionCheck --disableTelemetry``, plus ``--silent`` unless ``access_log`` (Azurite's
    access log prints request URLs, SAS signatures included), plus ``--debug debug_log`` when
    given (it names the reason of every authentication failure; it also shows URLs).
    Data lives in ``workdir/data``, the log in ``workdir/azurite.log`` unless ``log_path``. Azurite
    saves its metadata every 5 s and at a graceful close, which a repeated signal no longer cuts short.
    ``die_with_parent``: the process gets SIGTERM when its starter dies (for a long-lived service).
    """
    binary = binary or find_azurite_binary()
    if not binary:
        raise ProcessStartError("no Azurite: run the Makefile's npm install or set ACRT_AZURITE_BIN")
    workdir = Path(workdir).resolve()
    location = workdir / "data"
    location.mkdir(parents=True, exist_ok=True)
    log_path = Path(log_path) if log_path else workdir / "azurite.log"
    env = dict(os.environ)
    all_accounts = {AZURITE_ACCOUNT_NAME: AZURITE_ACCOUNT_KEY}
    all_accounts.update(accounts or {})
    if accounts:
        env["AZURITE_ACCOUNTS"] = ";".join("%s:%s" % kv for kv in all_accounts.items())
    else:
        env.pop("AZURITE_ACCOUNTS", None)
    if ca_bundle:
        env["NODE_EXTRA_CA_CERTS"] = str(ca_bundle)
    # A second SIGTERM must not interrupt the graceful close (see azurite_signals.js).
    env["NODE_OPTIONS"] = ('%s --require "%s"' % (env.get("NODE_OPTIONS", ""), _AZURITE_PRELOAD)).strip()
    attempts = 3 if port is None else 1
    for attempt in range(attempts):
        use_port = port or free_port()
        argv = [binary, "--blobHost", LOOPBACK, "--blobPort", str(use_port),
                "--location", str(location), "--cert", str(cert), "--key", str(key),
                "--skipApiVersionCheck", "--disableTelemetry"]
        if not access_log:
            argv.append("--silent")
        if debug_log:
            argv += ["--debug", str(debug_log)]
        if oauth:
            argv += ["--oauth", "basic"]
        argv += list(extra_args)
        popen, log_file = _spawn(argv, log_path, env=env, cwd=str(workdir),
                                 die_with_parent=die_with_parent)
        handle = AzuriteProcess(popen, "https://%s:%d" % (LOOPBACK, use_port), log_path, log_file,
                                location, all_accounts)
        try:
            _wait_http(popen, LOOPBACK, use_port, "/%s?comp=list" % AZURITE_ACCOUNT_NAME, True,
                       timeout, log_path, "azurite")
        except ProcessStartError:
            handle.stop()
            if attempt + 1 == attempts:
                raise
            continue
        _LOG.info("azurite started at %s (pid %s, data %s)", handle.url, popen.pid, location)
        return handle
    raise AssertionError("unreachable")
