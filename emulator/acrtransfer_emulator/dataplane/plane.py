"""The local data plane the service loads with ``"dataplane": "acrtransfer_emulator.dataplane:create"``.

What it runs, on 127.0.0.1, started by ``start()`` and stopped by ``close()`` (and killed with the
service: the children get SIGTERM when it dies):

* one distribution registry per registry entry that has a data plane: every Premium registry,
  unless its entry says ``"dataplane": false`` (``true`` forces one on another SKU). Its
  ``loginServer`` becomes ``127.0.0.1:<port>`` (plain HTTP, which Docker allows on loopback);
* one Azurite (blob service, HTTPS with a certificate of the service CA, ``--oauth basic``) with the
  storage accounts of ``accounts`` (default ``sourcestorage`` and ``targetstorage``, each with a
  container ``transfer``), created at start; container URIs are path style,
  ``https://127.0.0.1:<port>/<account>/<container>``, and ``https://<account>.blob.core.windows.net/
  <container>`` is mapped to them for the local accounts;
* the Key Vault secrets endpoint (:mod:`.keyvault`) and the source trigger (:mod:`.trigger`).

Everything lives in ``HOME/dataplane`` (registry content, blobs, account keys, secrets, the
trigger's memory, the ports), so a restart keeps it and comes back on the same ports when free.

Settings (the ``dataplane`` object of the configuration; a plain string means all defaults)::

    {"factory": "acrtransfer_emulator.dataplane:create",
     "accounts": {"sourcestorage": ["transfer"], "targetstorage": ["transfer"]},
     "storage_permissions": [{"principal": "*", "container": "*", "role": "Storage Blob Data Contributor"}],
     "trigger_interval": 2,
     "max_layer_size": 8589934592}
"""

import json
import logging
import os
import re
import signal

from .. import arm, certs
from ..routes import ADMIN, DATAPLANE, Route
from ..transfer import DataPlane
from . import access, keyvault, processes
from .runs import RegistryTransfer
from .transfer import MAX_LAYER_SIZE
from .trigger import SourceTrigger

log = logging.getLogger(__name__)

FACTORY = "acrtransfer_emulator.dataplane:create"
DEFAULT_SETTINGS = {
    "factory": FACTORY,
    "accounts": {"sourcestorage": ["transfer"], "targetstorage": ["transfer"]},
    "storage_permissions": access.DEFAULT_PERMISSIONS,
    "trigger_interval": 2,
    "max_layer_size": MAX_LAYER_SIZE,
}
ACCOUNT_RE = re.compile(r"^[a-z0-9]{3,24}$")
CONTAINER_RE = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$")


def parse_settings(setting):
    """The data plane's settings with defaults; raises ValueError naming what is wrong."""
    given = {} if isinstance(setting, str) else dict(setting or {})
    unknown = sorted(set(given) - set(DEFAULT_SETTINGS))
    if unknown:
        raise ValueError("unknown dataplane setting(s): {} (known: {})".format(
            ", ".join(unknown), ", ".join(sorted(DEFAULT_SETTINGS))))
    settings = dict(DEFAULT_SETTINGS, **given)
    accounts = settings["accounts"]
    if not isinstance(accounts, dict) or not accounts:
        raise ValueError("dataplane.accounts must map account names to lists of container names")
    for account, containers in accounts.items():
        if not ACCOUNT_RE.match(account) or account == processes.AZURITE_ACCOUNT_NAME:
            raise ValueError("dataplane.accounts: {!r} is not a storage account name (3-24 lower-case letters "
                             "and digits, not {})".format(account, processes.AZURITE_ACCOUNT_NAME))
        if not isinstance(containers, list) or not all(isinstance(c, str) and CONTAINER_RE.match(c)
                                                       for c in containers):
            raise ValueError("dataplane.accounts.{}: a list of container names (3-63 lower-case letters, digits, "
                             "single hyphens)".format(account))
    access.check_permissions(settings["storage_permissions"])
    for key in ("trigger_interval", "max_layer_size"):
        if not isinstance(settings[key], (int, float)) or settings[key] <= 0:
            raise ValueError("dataplane.{} must be a number > 0".format(key))
    return settings


def _env_name(*parts):
    return "_".join(re.sub(r"[^A-Za-z0-9]+", "_", p).upper() for p in parts)


def _key(registry):
    return registry["resource_group"].lower(), registry["name"].lower()


class LocalDataPlane(DataPlane):
    def __init__(self, service):
        super().__init__(service)
        # azure-core logs every storage request with its headers at INFO: noise in emulator.log.
        logging.getLogger("azure.core.pipeline.policies.http_logging_policy").setLevel(logging.WARNING)
        settings = parse_settings(service.config.get("dataplane"))
        self.accounts = settings["accounts"]
        self.permissions = settings["storage_permissions"]
        self.max_layer_size = int(settings["max_layer_size"])
        self.directory = os.path.join(service.home, "dataplane")
        os.makedirs(self.directory, exist_ok=True)
        self.ca_bundle = certs.ca_bundle(service.home)
        self.keyvault = keyvault.SecretStore(os.path.join(self.directory, "keyvault.json"))
        self.trigger = SourceTrigger(self, settings["trigger_interval"], os.path.join(self.directory, "trigger.json"))
        self.registries = {}        # (resource group, name), lower case -> processes.RegistryProcess
        self.azurite = None
        self._account_keys = self._load_account_keys()

    # -- files under HOME/dataplane ---------------------------------------------------------------
    def _path(self, *parts):
        return os.path.join(self.directory, *parts)

    def _read_json(self, name):
        try:
            with open(self._path(name), encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def _write_json(self, name, value, private=False):
        fd = os.open(self._path(name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f, indent=1)

    def _load_account_keys(self):
        # Keys are made once per home: SAS tokens stored in Key Vault stay valid across restarts.
        keys = self._read_json("accounts.json")
        missing = [a for a in self.accounts if a not in keys]
        for account in missing:
            keys[account] = processes.new_account_key()
        if missing:
            self._write_json("accounts.json", keys, private=True)
        return {a: keys[a] for a in self.accounts}

    # -- lifecycle --------------------------------------------------------------------------------
    def wanted(self, registry):
        """Does this registry entry get a data plane? Its ``dataplane`` flag, else Premium ones do."""
        flag = registry.get("dataplane")
        return bool(flag) if isinstance(flag, bool) else registry["sku"] == "Premium"

    def start(self):
        self._stop_leftovers()
        ports = self._read_json("ports.json")
        try:
            self._start_azurite(ports.get("azurite"))
            for registry in self.service.config["registries"]:
                if self.wanted(registry):
                    self._start_registry(registry, ports.get("registries", {}).get(registry["name"].lower()))
        except BaseException:
            self._stop_components()
            raise
        self._write_json("ports.json", {
            "azurite": int(self.azurite.url.rsplit(":", 1)[1]),
            "registries": {k[1]: int(p.url.rsplit(":", 1)[1]) for k, p in self.registries.items()},
            "pids": [self.azurite.pid] + [p.pid for p in self.registries.values()]})
        self.trigger.start()

    def close(self):
        self.trigger.stop()
        self._stop_components()

    def _stop_components(self):
        for handle in list(self.registries.values()) + ([self.azurite] if self.azurite else []):
            try:
                handle.stop()
            except OSError:
                log.exception("stopping %r failed", handle)
        self.registries.clear()
        self.azurite = None

    def _stop_leftovers(self):
        """Components a killed service left behind (before SIGTERM-on-parent-death, or if it failed):
        only processes whose command line names this home's data directory."""
        for pid in self._read_json("ports.json").get("pids", []):
            try:
                with open("/proc/{}/cmdline".format(pid), "rb") as f:
                    ours = self.directory.encode() in f.read()
            except OSError:
                continue
            if ours:
                log.warning("stopping pid %s left running by a previous service of this home", pid)
                try:
                    os.kill(pid, signal.SIGTERM)
                except OSError:
                    pass

    def _start_azurite(self, port):
        cert, key = self.service.issue_cert(["127.0.0.1", "localhost"], name="azurite")
        ca_cert, _ = certs.ensure_ca(self.service.home)
        workdir = self._path("azurite")
        kwargs = dict(ca_bundle=ca_cert, accounts=self._account_keys, die_with_parent=True)
        self.azurite = self._on_port(port, lambda p: processes.start_azurite(workdir, cert, key, port=p, **kwargs))
        # The configured containers exist from the start, as a user's storage would.
        from azure.core.credentials import AzureNamedKeyCredential
        from .storage import TransferContainer
        for account, containers in self.accounts.items():
            for name in containers:
                with TransferContainer(self.azurite.container_url(name, account),
                                       credential=AzureNamedKeyCredential(account, self._account_keys[account]),
                                       connection_verify=self.ca_bundle) as container:
                    container.create(exist_ok=True)

    def _start_registry(self, registry, port):
        root = self._path("registries", registry["resource_group"].lower(), registry["name"].lower())
        handle = self._on_port(port, lambda p: processes.start_registry(root, port=p, die_with_parent=True))
        self.registries[_key(registry)] = handle

    @staticmethod
    def _on_port(port, start):
        """Start on the previous port (env.sh and loginServer stay valid), else on any free one."""
        if port:
            try:
                return start(port)
            except processes.ProcessStartError as exc:
                log.info("port %s not usable again (%s); taking another", port, str(exc).splitlines()[0])
        return start(None)

    # -- the seam ---------------------------------------------------------------------------------
    def for_registry(self, registry):
        handle = self.registries.get(_key(registry))
        return RegistryTransfer(self, registry, handle.url) if handle else None

    def login_server(self, registry):
        handle = self.registries.get(_key(registry))
        return handle.host if handle else None

    def routes(self):
        set_secret, get_secret = keyvault.make_handlers(self.keyvault)
        secret = r"/keyvault/(?P<vault>[^/]+)/secrets/(?P<secret>[^/]+)"
        version = secret + r"/(?P<version>[^/]+)"
        return [
            Route("PUT", secret, "KeyVault_SetSecret", set_secret, kind=DATAPLANE),
            Route("GET", secret, "KeyVault_GetSecret", get_secret, kind=DATAPLANE),
            Route("GET", version, "KeyVault_GetSecretVersion", get_secret, kind=DATAPLANE),
            Route("PUT", "/_emulator" + secret, "Admin_SetSecret",
                  lambda ctx: set_secret(ctx, authenticated=False), kind=ADMIN),
            Route("GET", "/_emulator" + secret, "Admin_GetSecret",
                  lambda ctx: get_secret(ctx, authenticated=False), kind=ADMIN),
            Route("GET", r"/_emulator/dataplane", "Admin_DataPlane", self._admin_dataplane, kind=ADMIN),
            Route("GET", r"/_emulator/trigger", "Admin_Trigger", self._admin_trigger, kind=ADMIN),
            Route("POST", r"/_emulator/trigger", "Admin_PollTrigger", self._admin_poll_trigger, kind=ADMIN),
        ]

    def environment(self):
        env = {"ACRT_STORAGE_URL": self.azurite.url, "ACRT_STORAGE_ACCOUNTS": " ".join(self.accounts),
               "ACRT_DATAPLANE_REGISTRIES": " ".join(k[1] for k in self.registries)}
        for account, key in self._account_keys.items():
            url = "%s/%s" % (self.azurite.url, account)
            env[_env_name("ACRT_STORAGE", account, "URL")] = url
            env[_env_name("ACRT_STORAGE", account, "KEY")] = key
            env[_env_name("ACRT_STORAGE", account, "CONNECTION_STRING")] = (
                "DefaultEndpointsProtocol=https;AccountName=%s;AccountKey=%s;BlobEndpoint=%s;" % (account, key, url))
        for (_, name), handle in self.registries.items():
            env[_env_name("ACRT_REGISTRY", name, "URL")] = handle.url
        return env

    # -- storage access of a pipeline (runs and the trigger) --------------------------------------
    def storage_access(self, pipeline, kind_noun, storage_key, needed):
        """How the pipeline reaches its container: raises access.AccessError with the run's message."""
        storage = pipeline["properties"][storage_key]
        container = access.resolve_container(storage["uri"], self.azurite.url if self.azurite else None,
                                             self.accounts)
        identity = access.pipeline_identity(pipeline)
        if identity is None:
            raise access.AccessError("The {} '{}' has no managed identity, so it cannot reach storage.".format(
                kind_noun, pipeline["name"]))
        mode = storage.get("storageAccessMode", "SasToken")
        if mode == "SasToken":
            uri = storage.get("keyVaultUri")
            try:
                sas = self.keyvault.read(uri)
            except keyvault.SecretError as exc:
                raise access.AccessError("Could not get the SAS token of {} '{}' from Key Vault secret '{}' with "
                                         "its {}: {}: {}".format(kind_noun, pipeline["name"], uri,
                                                                identity.describe(), exc.code, exc))
            return access.StorageAccess(container, mode, sas_token=sas.strip(), key_vault_uri=uri,
                                        identity=identity, pipeline_uri=storage["uri"])
        access.require(self.permissions, kind_noun, pipeline["name"], identity, container, needed)
        from .tokens import StorageTokenCredential
        credential = StorageTokenCredential(self.service.config["tenant_id"], identity.principal_id,
                                            client_id=identity.client_id)
        return access.StorageAccess(container, mode, credential=credential, identity=identity,
                                    pipeline_uri=storage["uri"])

    # -- admin endpoints --------------------------------------------------------------------------
    def describe(self):
        """What ``GET /_emulator/dataplane`` shows: URLs, pids, container URIs, secret names (no keys or values)."""
        return {
            "registries": [{"name": name, "resourceGroup": group, "url": h.url, "loginServer": h.host, "pid": h.pid,
                            "data": h.root_dir} for (group, name), h in self.registries.items()],
            "storage": None if self.azurite is None else {
                "url": self.azurite.url, "pid": self.azurite.pid, "data": self.azurite.location,
                "accounts": [{"name": a, "url": "%s/%s" % (self.azurite.url, a),
                              "containers": [self.azurite.container_url(c, a) for c in cs]}
                             for a, cs in self.accounts.items()]},
            "keyVault": {"path": "/keyvault/<vault>/secrets/<name>", "audience": keyvault.VAULT_AUDIENCE,
                         "secrets": self.keyvault.names()},
            "storagePermissions": self.permissions,
            "triggerInterval": self.trigger.interval,
            "maxLayerSize": self.max_layer_size,
        }

    def _admin_dataplane(self, ctx):
        return arm.json_response(200, self.describe())

    def _admin_trigger(self, ctx):
        return arm.json_response(200, self.trigger.status())

    def _admin_poll_trigger(self, ctx):
        """Poll now, without waiting for the interval (tests), then answer the status."""
        self.trigger.poll()
        return arm.json_response(200, self.trigger.status())
