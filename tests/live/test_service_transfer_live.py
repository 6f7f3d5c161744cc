"""The local service with its data plane, end to end through its ARM API: pipelines and runs move real
artifacts between real registries through Azurite, in SasToken and ManagedIdentity modes, with every
option, the source trigger, and failures that end Failed with a clear message and nothing tagged.

One service for the module (registries and Azurite start once); every test works in its own
repositories and containers, so tests do not see each other's artifacts or blobs.
"""

import io
import os
import tarfile
import time
import uuid

import pytest

from acrtransfer_emulator.dataplane.oci import RegistryClient
from acrtransfer_emulator.dataplane.samples import push_big_image, push_image, sample_images
from acrtransfer_emulator.dataplane.storage import TransferContainer, generate_container_sas
from acrtransfer_emulator.testing import Emulator

pytestmark = pytest.mark.live

MAX_LAYER = 256 * 1024      # the "8 GB" layer limit, scaled down so a test can cross it
CONFIG = {
    "run_step_delay": 0,
    "retry_after": 0,
    "dataplane": {
        "factory": "acrtransfer_emulator.dataplane:create",
        "accounts": {"sourcestorage": ["transfer"], "targetstorage": ["transfer"], "lockedstorage": []},
        "storage_permissions": [
            {"principal": "*", "container": "sourcestorage/*", "role": "Storage Blob Data Contributor"},
            {"principal": "*", "container": "targetstorage/*", "role": "Storage Blob Data Contributor"},
            {"principal": "readerimport", "container": "lockedstorage/*", "role": "Storage Blob Data Reader"},
        ],
        "trigger_interval": 0.3,
        "max_layer_size": MAX_LAYER,
    },
}
SAMPLES = ["hello:v1", "multi:v1", "app-a:v1", "app-b:v1", "docker:v1"]


@pytest.fixture(scope="module")
def emu(registry_bin, azurite_bin, tmp_path_factory):
    with Emulator(tmp_path_factory.mktemp("service"), config=CONFIG, startup_timeout=60) as emulator:
        yield emulator


class World:
    """Helpers over the running service: repositories, containers, secrets, pipelines and runs."""

    def __init__(self, emu):
        self.emu = emu
        self.env = emu.env
        self.source = RegistryClient(self.env["ACRT_REGISTRY_SOURCEREGISTRY_URL"])
        self.target = RegistryClient(self.env["ACRT_REGISTRY_TARGETREGISTRY_URL"])
        self.prefix = "t" + uuid.uuid4().hex[:8]

    def close(self):
        self.source.close()
        self.target.close()

    # -- artifacts ---------------------------------------------------------------------------------
    def push(self, names=SAMPLES):
        """The sample images under this test's own repositories; returns {ref: digest}."""
        images = sample_images()
        refs = {}
        for name in names:
            image = images["samples/" + name]
            repo, tag = ("%s/%s" % (self.prefix, name)).split(":")
            push_image(self.source, repo, tag, image)
            refs["%s:%s" % (repo, tag)] = image.digest
        return refs

    def target_digest(self, ref):
        repo, tag = ref.rsplit(":", 1)
        return self.target.get_tag_digest(repo, tag)

    # -- storage -------------------------------------------------------------------------------------
    def key(self, account):
        return self.env["ACRT_STORAGE_%s_KEY" % account.upper()]

    def container(self, account, name=None):
        """A new container; returns its path-style URI."""
        from azure.core.credentials import AzureNamedKeyCredential
        name = name or "c" + uuid.uuid4().hex[:16]
        uri = "%s/%s/%s" % (self.env["ACRT_STORAGE_URL"], account, name)
        with self.open(uri, AzureNamedKeyCredential(account, self.key(account))) as container:
            container.create()
        return uri

    def open(self, uri, credential=None):
        from azure.core.credentials import AzureNamedKeyCredential
        account = uri.rstrip("/").split("/")[-2]
        return TransferContainer(uri, credential=credential or AzureNamedKeyCredential(account, self.key(account)),
                                 connection_verify=self.emu.ca_bundle)

    def sas(self, uri, permission):
        account, container = uri.rstrip("/").split("/")[-2:]
        return "?" + generate_container_sas(account, self.key(account), container, permission)

    def secret(self, value, vault="testvault"):
        """Store ``value`` as a new secret (through the Key Vault endpoint); returns its vault.azure.net URI."""
        name = "s" + uuid.uuid4().hex[:12]
        response = self.emu.arm("PUT", "/keyvault/%s/secrets/%s" % (vault, name), {"value": value},
                                api_version="7.4", token=self.emu.token("https://vault.azure.net"))
        assert response.status_code == 200, response.text
        return "https://%s.vault.azure.net/secrets/%s" % (vault, name)

    # -- pipelines and runs -------------------------------------------------------------------------
    def pipeline(self, kind, registry, name, uri, mode="SasToken", secret=None, options=(), trigger="Disabled"):
        side = "target" if kind == "exportPipelines" else "source"
        storage = {"type": "AzureStorageBlobContainer", "uri": uri, "storageAccessMode": mode}
        if secret:
            storage["keyVaultUri"] = secret
        properties = {side: storage, "options": list(options)}
        if kind == "importPipelines":
            properties["trigger"] = {"sourceTrigger": {"status": trigger}}
        response = self.emu.arm("PUT", self.emu.registry_path(registry) + "/%s/%s" % (kind, name),
                                {"identity": {"type": "SystemAssigned"}, "properties": properties})
        assert response.status_code in (200, 201), response.text
        return response.json()

    def export_pipeline(self, uri, mode="SasToken", options=(), name=None, permission="racwl"):
        secret = self.secret(self.sas(uri, permission)) if mode == "SasToken" else None
        return self.pipeline("exportPipelines", "sourceregistry", name or self.prefix + "exp", uri, mode, secret,
                             options)

    def import_pipeline(self, uri, mode="SasToken", options=(), name=None, trigger="Disabled", permission="rdl"):
        secret = self.secret(self.sas(uri, permission)) if mode == "SasToken" else None
        return self.pipeline("importPipelines", "targetregistry", name or self.prefix + "imp", uri, mode, secret,
                             options, trigger)

    def run(self, pipeline, blob, artifacts=None, name=None, wait=True):
        registry = pipeline["id"].split("/registries/")[1].split("/")[0]
        request = {"pipelineResourceId": pipeline["id"]}
        if artifacts is not None:
            request.update(artifacts=list(artifacts), target={"type": "AzureStorageBlob", "name": blob})
        else:
            request["source"] = {"type": "AzureStorageBlob", "name": blob}
        name = name or "r" + uuid.uuid4().hex[:12]
        response = self.emu.arm("PUT", self.emu.registry_path(registry) + "/pipelineRuns/" + name,
                                {"properties": {"request": request}})
        assert response.status_code in (200, 201), response.text
        return self.wait(registry, name) if wait else response.json()

    def wait(self, registry, name, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            run = self.emu.arm("GET", self.emu.registry_path(registry) + "/pipelineRuns/" + name).json()
            if run["properties"]["provisioningState"] in ("Succeeded", "Failed"):
                return run
            assert time.monotonic() < deadline, run
            time.sleep(0.1)

    def runs(self, registry):
        return self.emu.arm("GET", self.emu.registry_path(registry) + "/pipelineRuns").json()["value"]


@pytest.fixture
def world(emu):
    w = World(emu)
    yield w
    w.close()


def _response(run):
    return run["properties"]["response"]


def _succeeded(run):
    assert run["properties"]["provisioningState"] == "Succeeded", _response(run).get("pipelineRunErrorMessage")
    return _response(run)


def _failed(run):
    assert run["properties"]["provisioningState"] == "Failed", _response(run)
    response = _response(run)
    assert response["status"] == "Failed"
    assert "sig=" not in response["pipelineRunErrorMessage"]
    return response["pipelineRunErrorMessage"]


def _carry(world, source_uri, target_uri, blob):
    """What a user does between the two sides: a server-side copy from a read SAS URL."""
    with world.open(target_uri) as target:
        source_url = "%s/%s%s" % (source_uri, blob, world.sas(source_uri, "r"))
        return target.copy_from_url(source_url, blob)


# -- the round trip ----------------------------------------------------------------------------------

@pytest.mark.parametrize("export_mode,import_mode", [("SasToken", "ManagedIdentity"),
                                                      ("ManagedIdentity", "SasToken")])
def test_export_carry_import(world, export_mode, import_mode):
    refs = world.push()
    source_uri, target_uri = world.container("sourcestorage"), world.container("targetstorage")
    export = world.export_pipeline(source_uri, export_mode)
    started = world.run(export, "all.tar", list(refs), wait=False)
    assert _response(started)["status"] == "Running" and _response(started)["progress"] == {"percentage": "0"}
    started = world.wait("sourceregistry", started["name"])
    exported = _succeeded(started)
    assert exported["progress"] == {"percentage": "100"} and exported["importedArtifacts"] == list(refs)
    assert exported["catalogDigest"].startswith("sha256:")
    assert exported["target"] == dict({"type": "AzureStorageBlob", "uri": source_uri + "/all.tar",
                                       "storageAccessMode": export_mode},
                                      **({"keyVaultUri": export["properties"]["target"]["keyVaultUri"]}
                                         if export_mode == "SasToken" else {}))

    with world.open(source_uri) as container:
        blob = container.properties("all.tar")
    assert blob.metadata == {"category": "acr-transfer-blob"} and blob.content_md5
    carried = _carry(world, source_uri, target_uri, "all.tar")
    assert carried.content_md5 == blob.content_md5 and carried.metadata == blob.metadata

    imported = _succeeded(world.run(world.import_pipeline(target_uri, import_mode), "all.tar"))
    assert imported["importedArtifacts"] == list(refs)
    assert imported["catalogDigest"] == exported["catalogDigest"]
    assert imported["source"]["uri"] == target_uri + "/all.tar"
    assert imported["source"]["storageAccessMode"] == import_mode
    assert {ref: world.target_digest(ref) for ref in refs} == refs
    # The multi-arch index came with its children.
    multi = sample_images()["samples/multi:v1"]
    for child in multi.children:
        assert world.target.manifest_exists(world.prefix + "/multi", child.digest)
    names = {r["name"] for r in world.runs("targetregistry")}
    assert any(n for n in names if n.startswith("r"))


def test_account_style_uris_map_to_the_local_accounts(world):
    refs = world.push(["hello:v1"])
    path_style = world.container("sourcestorage")
    container = path_style.rsplit("/", 1)[1]
    uri = "https://sourcestorage.blob.core.windows.net/" + container
    export = world.pipeline("exportPipelines", "sourceregistry", world.prefix + "map", uri, "SasToken",
                            world.secret(world.sas(path_style, "racwl")))
    response = _succeeded(world.run(export, "mapped.tar", list(refs)))
    assert response["target"]["uri"] == uri + "/mapped.tar"
    with world.open(path_style) as opened:
        assert opened.exists("mapped.tar")


# -- options -----------------------------------------------------------------------------------------

def test_overwrite_blobs(world):
    refs = world.push(["hello:v1"])
    uri = world.container("sourcestorage")
    plain = world.export_pipeline(uri)
    _succeeded(world.run(plain, "one.tar", list(refs)))
    message = _failed(world.run(plain, "one.tar", list(refs)))
    assert "already exists" in message and "OverwriteBlobs" in message
    overwriting = world.export_pipeline(uri, options=["OverwriteBlobs"], name=world.prefix + "over")
    _succeeded(world.run(overwriting, "one.tar", list(refs)))


def test_export_continue_on_errors(world):
    refs = world.push(["hello:v1"])
    uri = world.container("sourcestorage")
    missing = world.prefix + "/nothere:v1"
    message = _failed(world.run(world.export_pipeline(uri), "strict.tar", list(refs) + [missing]))
    assert missing in message and "not found" in message
    with world.open(uri) as container:
        assert not container.exists("strict.tar")        # a failed export leaves no blob
    tolerant = world.export_pipeline(uri, options=["ContinueOnErrors"], name=world.prefix + "coe")
    response = _succeeded(world.run(tolerant, "tolerant.tar", list(refs) + [missing]))
    assert missing in response["pipelineRunErrorMessage"] and response["importedArtifacts"] == list(refs)


def test_overwrite_tags_and_import_continue_on_errors(world):
    refs = world.push(["hello:v1", "app-a:v1"])
    hello, app_a = list(refs)
    # The target already has hello:v1 pointing at another image.
    other = sample_images(seed="other")["samples/hello:v1"]
    repo, tag = hello.split(":")
    push_image(world.target, repo, tag, other)
    uri = world.container("sourcestorage")
    _succeeded(world.run(world.export_pipeline(uri), "tags.tar", list(refs)))

    message = _failed(world.run(world.import_pipeline(uri), "tags.tar"))
    assert "OverwriteTags" in message and hello in message
    assert world.target_digest(hello) == other.digest and world.target_digest(app_a) is None   # nothing tagged

    partial = world.import_pipeline(uri, options=["ContinueOnErrors"], name=world.prefix + "coe")
    response = _succeeded(world.run(partial, "tags.tar"))
    assert response["importedArtifacts"] == [app_a] and hello in response["pipelineRunErrorMessage"]
    assert world.target_digest(hello) == other.digest

    overwriting = world.import_pipeline(uri, options=["OverwriteTags"], name=world.prefix + "ovr")
    response = _succeeded(world.run(overwriting, "tags.tar"))
    assert response["importedArtifacts"] == [hello, app_a]
    assert world.target_digest(hello) == refs[hello]


@pytest.mark.parametrize("mode", ["SasToken", "ManagedIdentity"])
def test_delete_source_blob_on_success(world, mode):
    refs = world.push(["docker:v1"])
    uri = world.container("targetstorage")
    _succeeded(world.run(world.export_pipeline(uri), "gone.tar", list(refs)))
    importer = world.import_pipeline(uri, mode, options=["DeleteSourceBlobOnSuccess"])
    assert _succeeded(world.run(importer, "gone.tar"))["importedArtifacts"] == list(refs)
    with world.open(uri) as container:
        assert not container.exists("gone.tar")


# -- the source trigger ------------------------------------------------------------------------------

def _trigger_status(world, pipeline):
    status = world.emu.admin("POST", "/trigger").json()
    return next(p for p in status["pipelines"] if p["pipeline"] == pipeline["id"])


def test_source_trigger(world):
    refs = world.push(["multi:v1", "app-b:v1"])
    source_uri, target_uri = world.container("sourcestorage"), world.container("targetstorage")
    _succeeded(world.run(world.export_pipeline(source_uri), "carried.tar", list(refs)))
    with world.open(target_uri) as container:     # not a transfer blob: no metadata category
        container._client.upload_blob("notes.txt", b"hello")
    importer = world.import_pipeline(target_uri, "ManagedIdentity", trigger="Enabled")
    status = _trigger_status(world, importer)
    notes = next(b for b in status["blobs"] if b["name"] == "notes.txt")
    assert notes["status"] == "skipped" and "acr-transfer-blob" in notes["reason"]

    carried = _carry(world, source_uri, target_uri, "carried.tar")
    deadline = time.monotonic() + 30
    while True:
        runs = [r for r in world.runs("targetregistry")
                if r["properties"]["request"]["pipelineResourceId"] == importer["id"]]
        if runs:
            break
        assert time.monotonic() < deadline, _trigger_status(world, importer)
        time.sleep(0.2)
    assert len(runs) == 1
    name = runs[0]["name"]
    assert name.startswith(importer["name"] + "_carriedtar_") and "_" in name
    run = world.wait("targetregistry", name)
    response = _succeeded(run)
    assert response["importedArtifacts"] == list(refs)
    assert response["trigger"]["sourceTrigger"]["timestamp"].startswith(
        carried.last_modified.strftime("%Y-%m-%dT%H:%M:%S"))
    assert {ref: world.target_digest(ref) for ref in refs} == refs
    # Seen once: later polls do not import it again; the status names the run.
    entry = next(b for b in _trigger_status(world, importer)["blobs"] if b["name"] == "carried.tar")
    assert entry["status"] == "processed" and entry["run"] == name
    assert len([r for r in world.runs("targetregistry")
                if r["properties"]["request"]["pipelineResourceId"] == importer["id"]]) == 1


def test_disabled_trigger_and_listing_without_permission(world):
    uri = world.container("lockedstorage")
    disabled = world.import_pipeline(world.container("targetstorage"), "ManagedIdentity", trigger="Disabled")
    assert _trigger_status(world, disabled)["blobs"] == []
    locked = world.import_pipeline(uri, "ManagedIdentity", trigger="Enabled", name=world.prefix + "lock")
    error = _trigger_status(world, locked)["error"]
    assert "AuthorizationPermissionMismatch" in error and "lockedstorage/" in error


# -- failures ----------------------------------------------------------------------------------------

def test_missing_artifact_fails_naming_it(world):
    uri = world.container("sourcestorage")
    missing = world.prefix + "/ghost:v9"
    message = _failed(world.run(world.export_pipeline(uri), "ghost.tar", [missing]))
    assert missing in message and "not found in the source registry" in message


def test_no_permission_fails_with_403(world):
    refs = world.push(["hello:v1"])
    uri = world.container("lockedstorage")
    export = world.export_pipeline(uri, "ManagedIdentity")
    message = _failed(world.run(export, "denied.tar", list(refs)))
    assert message.startswith("AuthorizationPermissionMismatch: This request is not authorized")
    assert export["identity"]["principalId"] in message and "lockedstorage/" in message
    assert "write blobs" in message
    # A Reader may import, but not delete the blob afterwards.
    reader = world.import_pipeline(uri, "ManagedIdentity", options=["DeleteSourceBlobOnSuccess"],
                                   name="readerimport")
    message = _failed(world.run(reader, "denied.tar"))
    assert "AuthorizationPermissionMismatch" in message and "delete blobs" in message


def test_bad_sas_fails_clearly(world):
    refs = world.push(["hello:v1"])
    uri = world.container("sourcestorage")
    forged = world.sas(uri, "racwl").replace("sig=", "sig=AAAA")
    export = world.pipeline("exportPipelines", "sourceregistry", world.prefix + "bad", uri, "SasToken",
                            world.secret(forged))
    message = _failed(world.run(export, "bad.tar", list(refs)))
    assert "refused the credential" in message and export["properties"]["target"]["keyVaultUri"] in message

    read_only = world.export_pipeline(uri, permission="rl", name=world.prefix + "ro")
    message = _failed(world.run(read_only, "ro.tar", list(refs)))
    assert "refused the credential" in message and "403" in message

    no_secret = world.pipeline("exportPipelines", "sourceregistry", world.prefix + "nosec", uri, "SasToken",
                               "https://testvault.vault.azure.net/secrets/neverset")
    message = _failed(world.run(no_secret, "nosec.tar", list(refs)))
    assert "SecretNotFound" in message and "neverset" in message


def test_corrupted_blob_fails_and_tags_nothing(world):
    refs = world.push(["app-a:v1", "app-b:v1"])
    uri = world.container("targetstorage")
    _succeeded(world.run(world.export_pipeline(uri), "good.tar", list(refs)))
    with world.open(uri) as container:
        reader = container.open_read("good.tar")
        data = bytearray(reader.read())
        reader.close()
        info = container.properties("good.tar")
        # Damage one byte in the middle of a layer (gzip); keep size, metadata and the old Content-MD5.
        with tarfile.open(fileobj=io.BytesIO(bytes(data))) as tar:
            layer = next(m for m in tar.getmembers()
                         if m.isreg() and data[m.offset_data:m.offset_data + 2] == b"\x1f\x8b")
        data[layer.offset_data + layer.size // 2] ^= 0xFF
        from azure.storage.blob import ContentSettings
        blob = container._client.get_blob_client("bad.tar")
        blob.upload_blob(bytes(data), metadata=info.metadata)      # storage checks an MD5 given with the upload,
        blob.set_http_headers(ContentSettings(content_type="application/x-tar",   # so the stale one comes after
                                              content_md5=bytearray(info.content_md5)))
    message = _failed(world.run(world.import_pipeline(uri), "bad.tar"))
    assert "Content-MD5" in message and "sha256:" + layer.name.rsplit("/", 1)[1] + " did not verify" in message
    assert all(world.target_digest(ref) is None for ref in refs)


def test_layer_over_the_limit_fails(world):
    repo = world.prefix + "/big"
    push_big_image(world.source, repo, "v1", MAX_LAYER + 1)
    message = _failed(world.run(world.export_pipeline(world.container("sourcestorage")), "big.tar",
                                [repo + ":v1"]))
    assert "layer limit" in message and str(MAX_LAYER + 1) in message


# -- Key Vault and the service around the data plane -------------------------------------------------

def test_key_vault_endpoint(emu, world):
    uri = world.secret("first")
    name = uri.rsplit("/", 1)[1]
    path = "/keyvault/testvault/secrets/" + name
    vault_token = emu.token("https://vault.azure.net")
    assert emu.arm("GET", path, api_version="7.4").status_code == 401          # an ARM token is refused
    assert emu.arm("PUT", path, {"value": "second"}, api_version="7.4", token=vault_token).status_code == 200
    latest = emu.arm("GET", path, api_version="7.4", token=vault_token).json()
    assert latest["value"] == "second" and latest["id"].startswith(uri + "/")
    assert set(latest["attributes"]) >= {"enabled", "created", "updated"}
    first_version = emu.admin("GET", "/keyvault/testvault/secrets/" + name).json()["id"]
    missing = emu.arm("GET", path + "x", api_version="7.4", token=vault_token)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "SecretNotFound"
    assert first_version.startswith(uri)
    described = emu.admin("GET", "/dataplane").json()
    assert name in described["keyVault"]["secrets"]["testvault"]
    assert "second" not in emu.admin("GET", "/dataplane").text
    with open(emu.home + "/emulator.log", encoding="utf-8") as log:
        assert "second" not in log.read()


def test_registries_and_storage_are_described(emu):
    health = emu.admin("GET", "/health").json()
    planes = {r["name"]: r["dataPlane"] for r in health["registries"]}
    assert planes == {"sourceregistry": True, "targetregistry": True, "asyncregistry": True, "basicregistry": False}
    described = emu.admin("GET", "/dataplane").json()
    source = next(r for r in described["registries"] if r["name"] == "sourceregistry")
    assert source["url"] == emu.env["ACRT_REGISTRY_SOURCEREGISTRY_URL"]
    registry = emu.arm("GET", emu.registry_path("sourceregistry"), api_version="2025-06-01-preview").json()
    assert registry["properties"]["loginServer"] == source["loginServer"] == source["url"].split("://")[1]
    assert described["storage"]["url"] == emu.env["ACRT_STORAGE_URL"]


def test_restart_keeps_content_and_a_kill_takes_the_components_along(emu, world):
    """Last: it restarts the module's service. Registry content, blobs and secrets live in the home."""
    refs = world.push(["hello:v1"])
    uri = world.container("sourcestorage")
    _succeeded(world.run(world.export_pipeline(uri), "kept.tar", list(refs)))
    secret = world.secret("kept")
    before = emu.admin("GET", "/dataplane").json()
    pids = [r["pid"] for r in before["registries"]] + [before["storage"]["pid"]]
    emu.kill()                                       # SIGKILL: no graceful shutdown
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids):
        assert time.monotonic() < deadline, [pid for pid in pids if _alive(pid)]
        time.sleep(0.1)
    emu.start()
    after = emu.admin("GET", "/dataplane").json()
    assert [r["url"] for r in after["registries"]] == [r["url"] for r in before["registries"]]
    assert after["storage"]["url"] == before["storage"]["url"]
    with RegistryClient(emu.env["ACRT_REGISTRY_SOURCEREGISTRY_URL"]) as source:
        ref = list(refs)[0]
        assert source.get_tag_digest(*ref.split(":")) == refs[ref]
    with world.open(uri) as container:
        assert container.exists("kept.tar")
    name = secret.rsplit("/", 1)[1]
    assert emu.admin("GET", "/keyvault/testvault/secrets/" + name).json()["value"] == "kept"


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().split()[2] != "Z"      # a zombie has exited
    except OSError:
        return False
