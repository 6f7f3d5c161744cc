"""Bearer tokens for blob storage, as Azurite's ``--oauth basic`` accepts them.

What Azurite 3.x checks (``BlobTokenAuthenticator.authenticateBasic``): the request is HTTPS;
the header is ``Authorization: Bearer <JWT>``; the JWT *decodes* (the signature is NOT verified);
``iat``, ``nbf`` and ``exp`` are present with ``nbf <= now <= exp`` (seconds since the epoch);
``iss`` starts with ``https://sts.windows.net/`` (or another Azure cloud's STS prefix);
``aud`` is ``https://storage.azure.com`` (optionally with a trailing ``/``), the storage app id
``e406a681-f3d4-42a8-90b6-c2b029497af1`` or ``https://<account>.blob.core.windows.net``.
Scopes and roles are not checked.

We still sign (RS256, a key of the caller's or one generated per process) so the tokens have the
shape of Entra ID's and never look like ``alg: none``.
"""

import base64
import json
import threading
import time
import uuid

from azure.core.credentials import AccessToken

STORAGE_AUDIENCE = "https://storage.azure.com"
STORAGE_SCOPE = "https://storage.azure.com/.default"
ISSUER_FORMAT = "https://sts.windows.net/%s/"

_KEY_LOCK = threading.Lock()
_PROCESS_KEY = None


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _process_key():
    global _PROCESS_KEY
    with _KEY_LOCK:
        if _PROCESS_KEY is None:
            from cryptography.hazmat.primitives.asymmetric import rsa
            _PROCESS_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return _PROCESS_KEY


def mint_storage_token(tenant_id, object_id, *, client_id=None, lifetime=3600, signing_key=None,
                       key_id="acrtransfer-emulator", audience=STORAGE_AUDIENCE, now=None):
    """A JWT for blob storage: ``aud`` storage, ``iss`` ``https://sts.windows.net/<tenant>/``,
    ``iat``/``nbf`` five minutes in the past (clock skew), ``exp`` = now + ``lifetime``, plus
    ``oid``/``sub``/``tid`` (and ``appid`` when ``client_id``) of the identity. Returns
    ``(token, expires_on)``. ``signing_key``: an RSA private key (cryptography); RS256."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    now = int(time.time() if now is None else now)
    expires_on = now + int(lifetime)
    header = {"typ": "JWT", "alg": "RS256", "kid": key_id}
    claims = {
        "aud": audience,
        "iss": ISSUER_FORMAT % tenant_id,
        "iat": now - 300,
        "nbf": now - 300,
        "exp": expires_on,
        "oid": object_id,
        "sub": object_id,
        "tid": tenant_id,
        "idtyp": "app",
        "uti": uuid.uuid4().hex,
        "ver": "1.0",
    }
    if client_id:
        claims["appid"] = client_id
    signing_input = (_b64url(json.dumps(header, separators=(",", ":")).encode()) + "."
                     + _b64url(json.dumps(claims, separators=(",", ":")).encode()))
    key = signing_key or _process_key()
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + _b64url(signature), expires_on


def decode_claims(token):
    """The claims of a JWT, unverified (for tests and diagnostics)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class StorageTokenCredential:
    """An ``azure.core`` TokenCredential minting storage tokens for one identity locally.

    Give it to ``TransferContainer(credential=...)`` (any SDK client works). Tokens are cached
    and renewed five minutes before they expire.
    """

    def __init__(self, tenant_id, object_id, *, client_id=None, lifetime=3600, signing_key=None):
        self.tenant_id = tenant_id
        self.object_id = object_id
        self.client_id = client_id
        self.lifetime = lifetime
        self.signing_key = signing_key
        self._cached = None
        self._lock = threading.Lock()
        self.issued = 0

    def get_token(self, *scopes, claims=None, tenant_id=None, enable_cae=False, **kwargs):
        for scope in scopes:
            if not scope.startswith(STORAGE_AUDIENCE):
                raise ValueError("this credential only issues storage tokens, not %r" % scope)
        with self._lock:
            if self._cached is None or self._cached.expires_on - 300 < time.time():
                token, expires_on = mint_storage_token(
                    self.tenant_id, self.object_id, client_id=self.client_id,
                    lifetime=self.lifetime, signing_key=self.signing_key)
                self._cached = AccessToken(token, expires_on)
                self.issued += 1
            return self._cached

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass
