"""Scenario tests of real transfers, recorded against the local ACR Transfer service WITH its data plane.

The recording configuration (service_config.json) gives the Premium registries `transfersource` and
`transfertarget` a data plane (a distribution registry each, Azurite storage, Key Vault, the source
trigger); the registries of test_pipeline_run_scenario.py keep none. Every pipeline and run here goes
through the real commands; what a user does outside az (pushing images, storing the SAS token in Key
Vault, carrying the blob across the air gap, comparing digests) happens only while recording, out of
the cassette. In playback there is no registry or storage: the assertions are on the recorded ARM
answers, which is what the extension sees.
"""
import contextlib
import os
import time

from transfer_scenario import TransferScenarioTest

SOURCE = "transfersource"
TARGET = "transfertarget"
SAMPLES = ["samples/hello:v1", "samples/multi:v1", "samples/app-a:v1", "samples/app-b:v1", "samples/docker:v1"]
MISSING = "samples/missing:v1"
# Account-style URIs: the data plane maps them to its Azurite accounts, and no local port reaches a cassette.
SOURCE_CONTAINER = "https://sourcestorage.blob.core.windows.net/transfer"
TARGET_CONTAINER = "https://targetstorage.blob.core.windows.net/transfer"
TRIGGER_CONTAINER = "https://targetstorage.blob.core.windows.net/trigger"
LOCKED_CONTAINER = "https://targetstorage.blob.core.windows.net/locked"     # no role for anybody
TRIGGER_POLLS = 60


@contextlib.contextmanager
def _off_the_record():
    """Requests to the registries, Azurite and the admin API are no ARM traffic: vcr must not see them."""
    from vcr.patch import force_reset
    with force_reset():
        yield


class TransferRunScenarioTest(TransferScenarioTest):

    def __init__(self, method_name, **kwargs):
        super().__init__(method_name, **kwargs)
        self.kwargs.update({
            "source": SOURCE, "target": TARGET,
            "source_container": SOURCE_CONTAINER, "target_container": TARGET_CONTAINER,
            "trigger_container": TRIGGER_CONTAINER, "locked_container": LOCKED_CONTAINER,
            "samples": " ".join(SAMPLES), "missing": MISSING,
        })

    # -- what a user does outside az; while recording only -------------------------------------------
    def _env(self, name):
        return os.environ[name]

    def push_samples(self):
        if self.in_recording:
            from acrtransfer_emulator.dataplane.oci import RegistryClient
            from acrtransfer_emulator.dataplane.samples import push_samples
            with _off_the_record(), RegistryClient(self._env("ACRT_REGISTRY_TRANSFERSOURCE_URL")) as client:
                push_samples(client)

    def store_export_sas(self, secret):
        """A write SAS token of sourcestorage/transfer in Key Vault secret `sourcevault/<secret>`, stored
        through the service's admin path (no ARM: never in a cassette). Returns the secret's URI."""
        if self.in_recording:
            import requests
            from acrtransfer_emulator.dataplane.storage import generate_container_sas
            sas = generate_container_sas("sourcestorage", self._env("ACRT_STORAGE_SOURCESTORAGE_KEY"), "transfer",
                                         "racwdl")
            with _off_the_record():
                requests.put("{}/_emulator/keyvault/sourcevault/secrets/{}".format(self._env("ACRT_EMULATOR_URL"),
                                                                                   secret),
                             json={"value": "?" + sas}, verify=self._env("REQUESTS_CA_BUNDLE"),
                             timeout=10).raise_for_status()
        return "https://sourcevault.vault.azure.net/secrets/" + secret

    def carry(self, blob, container):
        """Carry `blob` from sourcestorage/transfer to targetstorage/<container>, as one carries it across
        the air gap: a server-side copy from a read-only SAS URL, keeping metadata and Content-MD5."""
        if self.in_recording:
            from azure.core.credentials import AzureNamedKeyCredential
            from acrtransfer_emulator.dataplane.storage import (TransferContainer, carry_blob,
                                                                generate_container_sas)
            verify = self._env("REQUESTS_CA_BUNDLE")
            read_sas = generate_container_sas("sourcestorage", self._env("ACRT_STORAGE_SOURCESTORAGE_KEY"),
                                              "transfer", "r")
            target_key = AzureNamedKeyCredential("targetstorage", self._env("ACRT_STORAGE_TARGETSTORAGE_KEY"))
            with _off_the_record(), \
                    TransferContainer(self._env("ACRT_STORAGE_SOURCESTORAGE_URL") + "/transfer",
                                      sas_token=read_sas, connection_verify=verify) as source, \
                    TransferContainer(self._env("ACRT_STORAGE_TARGETSTORAGE_URL") + "/" + container,
                                      credential=target_key, connection_verify=verify) as target:
                carried = carry_blob(source, blob, target)
            self.assertTrue(carried.content_md5)

    def wait_for_trigger_run(self, pipeline, blob, timeout=120):
        """Off the record, until the source trigger has started the import run of `blob` and it has ended,
        so the recorded listing finds it at the first attempt in every recording (a cassette does not
        depend on how fast the trigger was). Polls the trigger now (admin API), then waits on the run
        with `az acr pipeline-run wait` in a child process, which vcr does not see."""
        if not self.in_recording:
            return
        import subprocess
        import requests
        deadline = time.monotonic() + timeout
        run = None
        while run is None:
            with _off_the_record():
                status = requests.post(self._env("ACRT_EMULATOR_URL") + "/_emulator/trigger",
                                       verify=self._env("REQUESTS_CA_BUNDLE"), timeout=30)
            status.raise_for_status()
            for entry in status.json()["pipelines"]:
                if entry["pipeline"].lower().endswith("/importpipelines/" + pipeline):
                    run = next((b.get("run") for b in entry["blobs"] if b["name"] == blob), None)
            self.assertLess(time.monotonic(), deadline, "the source trigger started no run for " + blob)
            if run is None:
                time.sleep(1)
        subprocess.run(["az", "acr", "pipeline-run", "wait", "-g", self.kwargs["rg"], "-r", TARGET, "-n", run,
                        "--interval", "1", "--timeout", str(timeout),
                        "--custom", "response.status=='Succeeded' || response.status=='Failed'"],
                       check=True, stdout=subprocess.DEVNULL, timeout=timeout + 30)

    def assert_same_digests(self, refs):
        """Each artifact (an index with its children) has the same digest in both registries."""
        if self.in_recording:
            import io
            from acrtransfer_emulator.dataplane.oci import RegistryClient
            from acrtransfer_emulator.dataplane.samples import compare
            out = io.StringIO()
            with _off_the_record(), RegistryClient(self._env("ACRT_REGISTRY_TRANSFERSOURCE_URL")) as source, \
                    RegistryClient(self._env("ACRT_REGISTRY_TRANSFERTARGET_URL")) as target:
                same = compare(source, target, refs, out)
            self.assertTrue(same, out.getvalue())

    # -- pipelines --------------------------------------------------------------------------------------
    def export_pipeline(self, name, options=""):
        self.kwargs.update(export=name, secret=self.store_export_sas(name + "sas"), export_options=options)
        self.cmd("acr export-pipeline create -g {rg} -r {source} -n {export} -m SasToken -c {source_container} "
                 "-s {secret}" + (" -z {export_options}" if options else ""), checks=[
                     self.check("provisioningState", "Succeeded"),
                 ])

    def import_pipeline(self, name, container, trigger="false"):
        self.kwargs.update(importpipe=name, container=container, trigger=trigger)
        self.cmd("acr import-pipeline create -g {rg} -r {target} -n {importpipe} -m ManagedIdentity -c {container} "
                 "--source-trigger-enabled {trigger}", checks=[
                     self.check("provisioningState", "Succeeded"),
                     self.check("trigger.sourceTrigger.status", "Enabled" if trigger == "true" else "Disabled"),
                 ])

    # -- the tests --------------------------------------------------------------------------------------
    def test_export_carry_import(self):
        self.push_samples()
        self.export_pipeline("roundtripexport")
        self.import_pipeline("roundtripimport", TARGET_CONTAINER)
        self.kwargs.update(blob="roundtrip.tar")
        exported = self.cmd(
            "acr pipeline-run create -g {rg} -r {source} -n roundtripexportrun -p {export} -t export -b {blob} "
            "-a {samples}", checks=[
                self.check("provisioningState", "Succeeded"),
                self.check("response.status", "Succeeded"),
                self.check("response.progress.percentage", "100"),
                self.check("response.importedArtifacts", SAMPLES),
                self.check_pattern("response.catalogDigest", "sha256:[0-9a-f]{{64}}$"),
                self.check("response.target.uri", SOURCE_CONTAINER + "/roundtrip.tar"),
                self.check("response.target.storageAccessMode", "SasToken"),
                self.not_exists("response.pipelineRunErrorMessage"),
            ]).get_output_in_json()
        self.carry("roundtrip.tar", "transfer")
        self.kwargs["catalog"] = exported["response"]["catalogDigest"]
        self.cmd("acr pipeline-run create -g {rg} -r {target} -n roundtripimportrun -p {importpipe} -t import "
                 "-b {blob}", checks=[
                     self.check("provisioningState", "Succeeded"),
                     self.check("response.status", "Succeeded"),
                     self.check("response.progress.percentage", "100"),
                     self.check("response.importedArtifacts", SAMPLES),
                     self.check("response.catalogDigest", "{catalog}"),
                     self.check("response.source.uri", TARGET_CONTAINER + "/roundtrip.tar"),
                     self.check("response.source.storageAccessMode", "ManagedIdentity"),
                     self.not_exists("response.trigger"),
                 ])
        self.cmd("acr pipeline-run list -g {rg} -r {target} --pipeline {importpipe} --status Succeeded", checks=[
            self.check("[].name", ["roundtripimportrun"]),
        ])
        self.assert_same_digests(SAMPLES)

    def test_source_trigger_imports_a_carried_blob(self):
        self.push_samples()
        self.export_pipeline("triggerexport")
        self.cmd("acr pipeline-run create -g {rg} -r {source} -n triggerexportrun -p {export} -t export "
                 "-b triggered.tar -a samples/hello:v1 samples/multi:v1",
                 checks=[self.check("response.status", "Succeeded")])
        self.import_pipeline("triggerimport", TRIGGER_CONTAINER, trigger="true")
        self.carry("triggered.tar", "trigger")
        self.wait_for_trigger_run("triggerimport", "triggered.tar")
        # The trigger's run is named after the pipeline, the blob and its time: find it by listing. In
        # playback the recorded list answers replay in order, so the loop ends at the same attempt.
        run = None
        for _ in range(TRIGGER_POLLS):
            runs = self.cmd("acr pipeline-run list -g {rg} -r {target} --pipeline {importpipe}").get_output_in_json()
            triggered = [r for r in runs if (r["response"].get("trigger") or {}).get("sourceTrigger", {})
                         .get("timestamp")]
            if triggered and triggered[0]["response"]["status"] in ("Succeeded", "Failed"):
                run = triggered[0]
                break
            time.sleep(1)
        self.assertIsNotNone(run, "the source trigger started no import run that ended")
        self.assertEqual(len(triggered), 1)
        self.kwargs["run"] = run["name"]
        self.cmd("acr pipeline-run show -g {rg} -r {target} -n {run}", checks=[
            self.check("response.status", "Succeeded"),
            self.check("request.source.name", "triggered.tar"),
            self.check("request.pipelineResourceId",
                       "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerRegistry/"
                       "registries/{target}/importPipelines/{importpipe}"),
            self.check("response.importedArtifacts", ["samples/hello:v1", "samples/multi:v1"]),
            self.check("response.source.uri", TRIGGER_CONTAINER + "/triggered.tar"),
            self.exists("response.trigger.sourceTrigger.timestamp"),
            self.check_pattern("name", "triggerimport_.*"),
        ])
        self.assert_same_digests(["samples/hello:v1", "samples/multi:v1"])

    def test_partial_export_with_continue_on_errors(self):
        self.push_samples()
        self.export_pipeline("partialexport", options="ContinueOnErrors")
        # a Succeeded run that skipped an artifact: printed, then exit code 4
        self.cmd_exit("acr pipeline-run create -g {rg} -r {source} -n partialrun -p {export} -t export "
                      "-b partial.tar -a samples/hello:v1 {missing}", 4)
        self.cmd("acr pipeline-run show -g {rg} -r {source} -n partialrun", checks=[
            self.check("provisioningState", "Succeeded"),
            self.check("response.status", "Succeeded"),
            self.check("response.importedArtifacts", ["samples/hello:v1"]),
            self.check_pattern("response.pipelineRunErrorMessage", ".*skipped.*samples/missing:v1.*"),
            self.exists("response.catalogDigest"),
        ])

    def test_failed_runs(self):
        self.push_samples()
        self.export_pipeline("strictexport")
        # a missing artifact without ContinueOnErrors fails the run, naming it
        self.cmd("acr pipeline-run create -g {rg} -r {source} -n missingrun -p {export} -t export "
                 "-b missing.tar -a samples/hello:v1 {missing}", expect_failure=True)
        self.cmd("acr pipeline-run show -g {rg} -r {source} -n missingrun", checks=[
            self.check("provisioningState", "Failed"),
            self.check("response.status", "Failed"),
            self.check_pattern("response.pipelineRunErrorMessage", ".*samples/missing:v1.*not found.*"),
        ])
        # without OverwriteBlobs, a blob that exists fails the second run
        self.cmd("acr pipeline-run create -g {rg} -r {source} -n firstblobrun -p {export} -t export "
                 "-b exists.tar -a samples/hello:v1", checks=[self.check("response.status", "Succeeded")])
        self.cmd("acr pipeline-run create -g {rg} -r {source} -n secondblobrun -p {export} -t export "
                 "-b exists.tar -a samples/hello:v1", expect_failure=True)
        self.cmd("acr pipeline-run show -g {rg} -r {source} -n secondblobrun", checks=[
            self.check("response.status", "Failed"),
            self.check_pattern("response.pipelineRunErrorMessage", ".*already exists.*OverwriteBlobs.*"),
        ])
        # an import pipeline whose identity has no role on its container: Failed, as storage answers 403
        self.import_pipeline("lockedimport", LOCKED_CONTAINER)
        self.cmd("acr pipeline-run create -g {rg} -r {target} -n lockedrun -p {importpipe} -t import "
                 "-b exists.tar", expect_failure=True)
        self.cmd("acr pipeline-run show -g {rg} -r {target} -n lockedrun", checks=[
            self.check("response.status", "Failed"),
            self.check_pattern("response.pipelineRunErrorMessage", ".*(AuthorizationPermissionMismatch|403).*"),
            self.check_pattern("response.pipelineRunErrorMessage", ".*Storage Blob Data Reader.*"),
        ])
