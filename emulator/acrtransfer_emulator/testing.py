"""``Emulator``: start the service for a test, talk to it, and always stop it.

    with Emulator(tmp_path, mode="sync", config={"run_step_delay": 0.05}) as emu:
        emu.arm("GET", emu.registry_path("sourceregistry") + "/exportPipelines")

The server runs as a subprocess (``serve``) on a free 127.0.0.1 port; ``login=True`` also registers
the custom cloud and logs the isolated az in, as ``start`` does.
"""
import json
import os
import subprocess

import requests

from . import API_VERSION, launcher

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
RESOURCE_GROUP = "transfer-rg"


class Emulator:
    def __init__(self, home, mode="sync", config=None, page_size=None, login=False, port=0, state=None,
                 startup_timeout=30.0):
        self.home = os.path.abspath(str(home))
        self.mode = mode
        self.page_size = page_size
        self.login = login
        self.port = port
        self.state = state
        self.startup_timeout = startup_timeout
        self.config_path = None
        if isinstance(config, dict):
            os.makedirs(self.home, exist_ok=True)
            self.config_path = os.path.join(self.home, "test-config.json")
            with open(self.config_path, "w", encoding="utf-8") as f:
                json.dump(config, f)
        elif config is not None:
            self.config_path = os.path.abspath(str(config))
        self.process = None
        self.url = None
        self.env = None
        self._session = requests.Session()
        self._token = None

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self):
        self.process = launcher.spawn(self.home, detach=False, port=self.port, mode=self.mode,
                                      config_path=self.config_path, page_size=self.page_size, state=self.state)
        try:
            info = launcher.wait_ready(self.home, self.process, timeout=self.startup_timeout)
            self.url = info["url"]
            self.port = info["port"]          # a restart comes back on the same port
            self.env = launcher.environment(self.home, self.url)
            if self.login:
                launcher.login(self.home, self.url)
                launcher.write_env_file(self.home, self.env)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        """SIGTERM, wait, SIGKILL: the process this object started, and nothing else."""
        process, self.process = self.process, None
        # Close our keep-alive connections first: the server waits for open TLS connections on shutdown.
        self._session.close()
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def kill(self):
        """SIGKILL without a graceful shutdown (crash tests)."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    def restart(self):
        self.stop()
        return self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- talking to it ----------------------------------------------------------------------------
    @property
    def ca_bundle(self):
        return self.env["REQUESTS_CA_BUNDLE"]

    def token(self, resource=None, **identity):
        """A bearer token from the managed-identity endpoint (the ARM audience by default)."""
        params = {"api-version": "2019-08-01", "resource": resource or "https://management.acrtransfer.localhost/"}
        params.update(identity)
        response = self._session.get(self.env["IDENTITY_ENDPOINT"], params=params, verify=self.ca_bundle,
                                     headers={"X-IDENTITY-HEADER": self.env["IDENTITY_HEADER"]}, timeout=10)
        response.raise_for_status()
        return response.json()["access_token"]

    def admin(self, method, path, json=None):
        """Call an admin endpoint: ``emu.admin("POST", "/faults", {...})`` (the /_emulator prefix is added)."""
        if not path.startswith("/_emulator"):
            path = "/_emulator" + path
        return self._session.request(method, self.url + path, json=json, verify=self.ca_bundle, timeout=30)

    def arm(self, method, path, json=None, api_version=API_VERSION, token=True, headers=None, **kwargs):
        """An authenticated ARM request. ``path`` is relative to the service or an absolute URL
        (nextLink, Azure-AsyncOperation); ``api_version=None`` leaves the query alone."""
        url = path if path.startswith("https://") else self.url + path
        params = kwargs.pop("params", {})
        if api_version is not None:
            params = dict(params, **{"api-version": api_version})
        all_headers = dict(headers or {})
        if token:
            if self._token is None:
                self._token = self.token()
            all_headers["Authorization"] = "Bearer " + (token if isinstance(token, str) else self._token)
        # verify per request: a REQUESTS_CA_BUNDLE in the environment would override a session setting.
        return self._session.request(method, url, json=json, params=params, headers=all_headers,
                                     verify=self.ca_bundle, timeout=kwargs.pop("timeout", 30), **kwargs)

    def registry_path(self, registry, resource_group=RESOURCE_GROUP):
        return "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.ContainerRegistry/registries/{}".format(
            SUBSCRIPTION, resource_group, registry)

    def az(self, *args, check=True):
        """Run the real az with this service's environment."""
        return launcher.run_az(self.env, *args, check=check)
