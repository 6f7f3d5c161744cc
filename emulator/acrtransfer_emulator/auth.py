"""Tokens: the managed-identity endpoint issues RS256 JWTs, ARM endpoints verify them.

RS256 because az decodes the token it gets from ``az login --identity`` as an RS256 JWT (it reads
``tid``). The signing key and the identity header secret live in the service home, so tokens stay
valid across a restart of the service.
"""
import base64
import json
import os
import secrets
import time
import uuid

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from . import errors
from .certs import certs_dir

_NAMESPACE = uuid.UUID("5d0c1d2e-8f0a-4b4e-9a39-4c0a7c1e7a11")
CLOCK_SKEW = 300


def stable_uuid(*parts):
    """A uuid that is the same every time for the same parts (principal ids, client ids, object ids)."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(str(p).lower() for p in parts)))


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def identity_header(home):
    """The secret msal sends as X-IDENTITY-HEADER; created once per home."""
    path = os.path.join(home, "identity-header")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(16))
    with open(path, encoding="ascii") as f:
        return f.read().strip()


class TokenAuthority:
    """Issues and verifies the service's bearer tokens."""

    def __init__(self, home, tenant_id, subscription_id, lifetime=43200):
        self.tenant_id = tenant_id
        self.subscription_id = subscription_id
        self.lifetime = lifetime
        self.issuer = "https://sts.acrtransfer.localhost/{}/".format(tenant_id)
        key_path = os.path.join(certs_dir(home), "token-key.pem")
        if not os.path.exists(key_path):
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
        with open(key_path, "rb") as f:
            self._key = serialization.load_pem_private_key(f.read(), password=None)
        self._kid = stable_uuid("token-key", _b64(self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)))

    def identity_claims(self, client_id=None, object_id=None, resource_id=None):
        """Claims of the managed identity asking for a token: the service's own one, or a named user-assigned one."""
        if client_id or object_id or resource_id:
            seed = client_id or object_id or resource_id
            mirid = resource_id or (
                "/subscriptions/{}/resourcegroups/transfer-rg/providers/Microsoft.ManagedIdentity/"
                "userAssignedIdentities/{}".format(self.subscription_id, seed))
            return {
                "oid": object_id or stable_uuid("principal", mirid),
                "appid": client_id or stable_uuid("client", mirid),
                "xms_mirid": mirid,
            }
        mirid = "/subscriptions/{}/resourcegroups/transfer-rg/providers/Microsoft.Web/sites/acrtransfer-local".format(
            self.subscription_id)
        return {"oid": stable_uuid("principal", mirid), "appid": stable_uuid("client", mirid), "xms_mirid": mirid}

    def issue(self, resource, **identity):
        """Return ``(token, expires_on)`` for ``resource`` (the audience)."""
        now = int(time.time())
        claims = {
            "aud": resource,
            "iss": self.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + int(self.lifetime),
            "tid": self.tenant_id,
            "idtyp": "app",
            "ver": "1.0",
        }
        claims.update(self.identity_claims(**identity))
        claims["sub"] = claims["oid"]
        header = {"alg": "RS256", "typ": "JWT", "kid": self._kid}
        signing_input = _b64(json.dumps(header, separators=(",", ":")).encode()) + "." + _b64(
            json.dumps(claims, separators=(",", ":")).encode())
        signature = self._key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + _b64(signature), claims["exp"]

    def verify(self, token, audience=None):
        """Return the claims of a token this service issued, or raise a 401 ArmError."""
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
            header = json.loads(_unb64(header_b64))
            claims = json.loads(_unb64(claims_b64))
            signature = _unb64(signature_b64)
        except ValueError:
            raise _invalid("The access token is not a well-formed JWT.")
        if header.get("alg") != "RS256":
            raise _invalid("The access token's algorithm is not RS256.")
        try:
            self._key.public_key().verify(signature, (header_b64 + "." + claims_b64).encode("ascii"),
                                          padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise _invalid("The access token was not issued by this service (signature check failed).")
        now = time.time()
        if claims.get("exp", 0) + CLOCK_SKEW < now:
            raise errors.ArmError(401, errors.EXPIRED_AUTHENTICATION_TOKEN,
                                  "The access token expiry UTC time '{}' is earlier than current UTC time.".format(
                                      time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(claims.get("exp", 0)))),
                                  headers=_challenge("invalid_token", "The access token has expired."))
        if claims.get("nbf", 0) - CLOCK_SKEW > now:
            raise _invalid("The access token is not valid yet.")
        if audience is not None and claims.get("aud", "").rstrip("/") != audience.rstrip("/"):
            raise errors.ArmError(401, errors.INVALID_AUTHENTICATION_TOKEN_AUDIENCE,
                                  "The access token has been obtained for wrong audience or resource '{}'. It should "
                                  "exactly match with one of the allowed audiences '{}'.".format(
                                      claims.get("aud"), audience),
                                  headers=_challenge("invalid_token", "The audience is invalid."))
        return claims


def _challenge(error, description):
    return {"WWW-Authenticate": 'Bearer authorization_uri="https://sts.acrtransfer.localhost/", '
                                'error="{}", error_description="{}"'.format(error, description)}


def _invalid(message):
    return errors.ArmError(401, errors.INVALID_AUTHENTICATION_TOKEN, message,
                           headers=_challenge("invalid_token", message))


def bearer_token(authorization_header):
    """The token of an ``Authorization: Bearer ...`` header, or raise the ARM 401 for a missing one."""
    if not authorization_header:
        raise errors.ArmError(401, errors.AUTHENTICATION_FAILED,
                              "Authentication failed. The 'Authorization' header is missing.",
                              headers={"WWW-Authenticate": 'Bearer authorization_uri="https://sts.acrtransfer.'
                                                           'localhost/", error="invalid_token", error_description='
                                                           '"The authentication failed because of missing '
                                                           '\'Authorization\' header."'})
    scheme, _, token = authorization_header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.ArmError(401, errors.AUTHENTICATION_FAILED,
                              "Authentication failed. The 'Authorization' header is provided in an invalid format.",
                              headers=_challenge("invalid_token", "The authorization header is not a bearer token."))
    return token.strip()
