"""A minimal Key Vault secrets endpoint: set and get a secret, in the Key Vault REST shape.

SasToken pipelines name a secret ``https://<vault>.vault.azure.net/secrets/<name>[/<version>]``
(what a user writes, and what the extension's validator accepts). This service holds every vault
locally: the vault is the first label of the host, and nothing is resolved over DNS. The same
secret is served, for clients, under the service's own URL::

    PUT {service}/keyvault/<vault>/secrets/<name>?api-version=7.4    {"value": "...", "contentType"?, "tags"?}
    GET {service}/keyvault/<vault>/secrets/<name>[/<version>]?api-version=7.4

with a bearer token of this service for Key Vault's audience ``https://vault.azure.net`` (what
``az rest --resource https://vault.azure.net`` gets). Answers: the secret bundle
``{"value", "id", "attributes", "contentType"?, "tags"?}``, ``id`` being the vault.azure.net
identifier to give to ``--secret-uri``. Errors are Key Vault's ``{"error": {"code", "message"}}``
with the codes ``Unauthorized`` (401), ``BadParameter`` (400) and ``SecretNotFound`` (404).
``/_emulator/keyvault/...`` serves the same without a token (tests, recordings).

Secrets live in ``HOME/dataplane/keyvault.json`` (mode 0600). Values are never logged: the access
log has no bodies, and errors never repeat a value.
"""

import json
import os
import re
import threading
import time
import uuid
from urllib.parse import urlsplit

from .. import arm, errors
from ..auth import bearer_token

VAULT_AUDIENCE = "https://vault.azure.net"
VAULT_HOST_FORMAT = "%s.vault.azure.net"
API_VERSION_RE = re.compile(r"^\d+\.\d+(-preview(\.\d+)?)?$")
NAME_RE = re.compile(r"^[A-Za-z0-9-]{1,127}$")
VAULT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$")
VERSION_RE = re.compile(r"^[A-Za-z0-9]{1,64}$")
# Key Vault's DNS suffixes in the public and sovereign clouds: their secret URIs map to the local store.
VAULT_SUFFIXES = (".vault.azure.net", ".vault.usgovcloudapi.net", ".vault.azure.cn", ".vault.microsoftazure.de")
# The service's own path for a secret (also accepted in a pipeline's keyVaultUri).
LOCAL_PATH_RE = re.compile(r"^/keyvault/(?P<vault>[^/]+)/secrets/(?P<name>[^/]+)(?:/(?P<version>[^/]+))?/?$")
CLOUD_PATH_RE = re.compile(r"^/secrets/(?P<name>[^/]+)(?:/(?P<version>[^/]+))?/?$")


class SecretError(Exception):
    """A secret could not be read; ``code`` is Key Vault's error code."""

    def __init__(self, code, message, status=404):
        super().__init__(message)
        self.code = code
        self.status = status


def secret_id(vault, name, version=None):
    uri = "https://%s/secrets/%s" % (VAULT_HOST_FORMAT % vault.lower(), name)
    return uri + "/" + version if version else uri


def parse_secret_uri(uri):
    """``(vault, name, version or None)`` of a Key Vault secret URI: the cloud form
    ``https://<vault>.vault.azure.net/secrets/<name>[/<version>]`` or this service's
    ``https://127.0.0.1:<port>/keyvault/<vault>/secrets/<name>[/<version>]``. Raises SecretError."""
    parts = urlsplit(uri or "")
    host = (parts.hostname or "").lower()
    local = LOCAL_PATH_RE.match(parts.path)
    cloud = CLOUD_PATH_RE.match(parts.path)
    if parts.scheme != "https" or not host:
        raise SecretError("BadParameter", "'%s' is not an https Key Vault secret URI." % uri, 400)
    if cloud and any(host.endswith(suffix) for suffix in VAULT_SUFFIXES):
        vault, name, version = host.split(".", 1)[0], cloud["name"], cloud["version"]
    elif local:
        vault, name, version = local["vault"], local["name"], local["version"]
    else:
        raise SecretError("BadParameter",
                          "'%s' is not a Key Vault secret URI this local service holds: use "
                          "https://<vault>.vault.azure.net/secrets/<name>[/<version>]." % uri, 400)
    return vault.lower(), name, version


class SecretStore:
    """The local vaults: ``{vault: {secret (lower case): {"name", "versions": [...]}}}`` in a JSON file."""

    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()
        self._vaults = self._load()

    def _load(self):
        try:
            with open(self.path, encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            return {}

    def _save(self):
        fd = os.open(self.path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self._vaults, f)
        os.replace(self.path + ".tmp", self.path)

    def set(self, vault, name, value, content_type=None, tags=None):
        """Add a new version (Key Vault's set); returns the bundle."""
        now = int(time.time())
        version = {"version": uuid.uuid4().hex, "value": value, "created": now, "updated": now}
        if content_type:
            version["contentType"] = content_type
        if tags:
            version["tags"] = tags
        with self._lock:
            secrets = self._vaults.setdefault(vault.lower(), {})
            entry = secrets.setdefault(name.lower(), {"name": name, "versions": []})
            entry["versions"].append(version)
            self._save()
        return self._bundle(vault, entry["name"], version)

    def get(self, vault, name, version=None):
        """The bundle of the latest (or the given) version; raises SecretError."""
        with self._lock:
            entry = self._vaults.get(vault.lower(), {}).get(name.lower())
            found = None
            if entry and version:
                found = next((v for v in entry["versions"] if v["version"] == version), None)
            elif entry:
                found = entry["versions"][-1]
        if found is None:
            what = "%s/%s" % (name, version) if version else name
            raise SecretError("SecretNotFound", "A secret with (name/id) %s was not found in this key vault (%s). "
                              "Set it first (PUT .../keyvault/%s/secrets/%s)." % (what, vault, vault, name))
        return self._bundle(vault, entry["name"], found)

    def read(self, uri):
        """The value of the secret a pipeline's ``keyVaultUri`` names; raises SecretError."""
        vault, name, version = parse_secret_uri(uri)
        return self.get(vault, name, version)["value"]

    def names(self):
        """``{vault: [secret names]}`` (no values), for the admin endpoint."""
        with self._lock:
            return {vault: sorted(e["name"] for e in secrets.values()) for vault, secrets in self._vaults.items()}

    @staticmethod
    def _bundle(vault, name, version):
        bundle = {"value": version["value"], "id": secret_id(vault, name, version["version"]),
                  "attributes": {"enabled": True, "created": version["created"], "updated": version["updated"],
                                 "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90}}
        for key in ("contentType", "tags"):
            if key in version:
                bundle[key] = version[key]
        return bundle


# -- route handlers (bound to a store by the data plane) --------------------------------------------

def _error(status, code, message, headers=None):
    return errors.ArmError(status, code, message, headers=headers)


def _authenticate(ctx):
    """A bearer token this service issued for Key Vault's audience; else Key Vault's 401 challenge."""
    challenge = {"WWW-Authenticate": 'Bearer authorization="{}", resource="{}"'.format(
        ctx.base_url + "/oauth2/authorize", VAULT_AUDIENCE)}
    try:
        ctx.claims = ctx.service.tokens.verify(bearer_token(ctx.headers.get("authorization")),
                                               audience=VAULT_AUDIENCE)
    except errors.ArmError as exc:
        raise _error(401, "Unauthorized", "%s Request a token for %s (az rest --resource %s)." % (
            exc.message, VAULT_AUDIENCE, VAULT_AUDIENCE), challenge)


def _check_request(ctx):
    version = ctx.query.get("api-version")
    if not version or not API_VERSION_RE.match(version):
        raise _error(400, "BadParameter", "The request URI must carry a Key Vault api-version (?api-version=7.4).")
    for key, pattern, what in (("vault", VAULT_RE, "vault name"), ("secret", NAME_RE, "secret name")):
        if not pattern.match(ctx.params[key]):
            raise _error(400, "BadParameter", "'%s' is not a valid %s." % (ctx.params[key], what))
    if ctx.params.get("version") and not VERSION_RE.match(ctx.params["version"]):
        raise _error(400, "BadParameter", "'%s' is not a valid secret version." % ctx.params["version"])


def make_handlers(store):
    """``(set_secret, get_secret)`` handlers of the Key Vault routes; ``authenticated`` False for the admin alias."""

    def set_secret(ctx, authenticated=True):
        if authenticated:
            _authenticate(ctx)
            _check_request(ctx)
        body = ctx.json_body()
        value = body.get("value")
        if not isinstance(value, str):
            raise _error(400, "BadParameter", "The secret bundle needs a string 'value'.")
        tags = body.get("tags") if isinstance(body.get("tags"), dict) else None
        bundle = store.set(ctx.params["vault"], ctx.params["secret"], value, body.get("contentType"), tags)
        return arm.json_response(200, bundle)

    def get_secret(ctx, authenticated=True):
        if authenticated:
            _authenticate(ctx)
            _check_request(ctx)
        try:
            bundle = store.get(ctx.params["vault"], ctx.params["secret"], ctx.params.get("version"))
        except SecretError as exc:
            raise _error(exc.status, exc.code, str(exc))
        return arm.json_response(200, bundle)

    return set_secret, get_secret
