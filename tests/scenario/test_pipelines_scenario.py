"""Scenario tests of `az acr export-pipeline` and `az acr import-pipeline`, recorded against the local
ACR Transfer service.

Export and import pipelines differ only in their storage block (`target` / `source`), their options
and the import trigger, so the shared scenarios are written once and run for both kinds; each kind
records its own cassettes (`export_pipeline_*.yaml`, `import_pipeline_*.yaml`).
"""
from transfer_scenario import TransferScenarioTest

UAI = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/transfer-rg/providers/"
       "Microsoft.ManagedIdentity/userAssignedIdentities/transferidentity")


class _PipelineScenarios:
    kind = None        # "export" | "import"
    storage = None     # the body's storage block: "target" | "source"
    options = None     # two valid options of this kind, as the service spells them
    wrong_option = None

    def __init__(self, method_name, **kwargs):
        super().__init__(method_name, recording_name="{}_{}".format(
            self.kind, method_name.replace("test_", "pipeline_", 1)), **kwargs)
        self.kwargs.update({
            "group": "acr {}-pipeline".format(self.kind),
            "registry": "sourceregistry" if self.kind == "export" else "targetregistry",
            "storage": self.storage,
            "uri": "https://{}storage.blob.core.windows.net/Transfer-Container".format(self.kind),
            "secret": "https://{}vault.vault.azure.net/secrets/{}-sas".format(self.kind, self.kind),
            "uai": UAI,
        })

    def test_sas_token(self):
        self.kwargs["name"] = self.create_random_name(self.kind + "sas", 20)
        self.cmd("{group} create -g {rg} -r {registry} -n {name} -m SasToken -c {uri} -s {secret}", checks=[
            self.check("provisioningState", "Succeeded"),
            self.check("name", "{name}"),
            self.check("{storage}.type", "AzureStorageBlobContainer"),
            self.check("{storage}.uri", "{uri}"),          # sent and kept as typed: no lower-casing
            self.check("{storage}.storageAccessMode", "SasToken"),
            self.check("{storage}.keyVaultUri", "{secret}"),
            self.check("identity.type", "systemAssigned"),
            self.exists("identity.principalId"),
            self.exists("systemData.createdAt"),
        ])
        self.cmd("{group} show -g {rg} -r {registry} -n {name}", checks=[
            self.check("name", "{name}"),
            self.check("{storage}.storageAccessMode", "SasToken"),
        ])
        self.cmd("{group} list -g {rg} -r {registry}", checks=[
            self.check("length([?name=='{name}'])", 1),
        ])
        self.cmd("{group} delete -g {rg} -r {registry} -n {name}")
        self.cmd("{group} show -g {rg} -r {registry} -n {name}", expect_failure=True)

    def test_managed_identity_system_assigned(self):
        self.kwargs.update({
            "name": self.create_random_name(self.kind + "mi", 20),
            "name2": self.create_random_name(self.kind + "misys", 20),
            "pathuri": "https://127.0.0.1:10000/devstoreaccount1/transfer",
            "options": " ".join(o.lower() for o in self.options),
        })
        self.cmd("{group} create -g {rg} -r {registry} -n {name} "
                 "--storage-access-mode managedidentity --storage-container-uri {pathuri}", checks=[
                     self.check("provisioningState", "Succeeded"),
                     self.check("{storage}.storageAccessMode", "ManagedIdentity"),
                     self.check("{storage}.uri", "{pathuri}"),
                     self.not_exists("{storage}.keyVaultUri"),
                     self.check("identity.type", "systemAssigned"),
                     self.exists("identity.principalId"),
                     self.exists("identity.tenantId"),
                 ])
        # options are case-insensitive on the command line and sent as the service spells them
        self.cmd("{group} create -g {rg} -r {registry} -n {name2} -m ManagedIdentity -c {pathuri} "
                 "-i [system] -z {options}", checks=[
                     self.check("identity.type", "systemAssigned"),
                     self.check("options", self.options),
                 ])
        self.cmd("{group} delete -g {rg} -r {registry} -n {name}")
        self.cmd("{group} delete -g {rg} -r {registry} -n {name2}")

    def test_user_assigned_identity(self):
        self.kwargs["name"] = self.create_random_name(self.kind + "uai", 20)
        self.cmd("{group} create -g {rg} -r {registry} -n {name} -m ManagedIdentity -c {uri} -i {uai}", checks=[
            self.check("identity.type", "userAssigned"),
            self.exists('identity.userAssignedIdentities."{uai}".principalId'),
            self.exists('identity.userAssignedIdentities."{uai}".clientId'),
            self.not_exists("identity.principalId"),
        ])
        self.cmd("{group} delete -g {rg} -r {registry} -n {name}")

    def test_secret_uri_implies_sas_token(self):
        # A script written for 1.x: --secret-uri and no --storage-access-mode.
        self.kwargs.update({
            "name": self.create_random_name(self.kind + "legacy", 20),
            "versioned": self.kwargs["secret"] + "/0123456789abcdef",
        })
        self.cmd("{group} create -g {rg} -r {registry} -n {name} -c {uri} -s {versioned}", checks=[
            self.check("{storage}.storageAccessMode", "SasToken"),
            self.check("{storage}.keyVaultUri", "{versioned}"),
        ])
        self.cmd("{group} delete -g {rg} -r {registry} -n {name}")

    def test_async_service(self):
        # asyncregistry answers as the spec allows: 201 + Azure-AsyncOperation, 202 + Location.
        self.kwargs["name"] = self.create_random_name(self.kind + "async", 20)
        self.cmd("{group} create -g {rg} -r {async_registry} -n {name} -m ManagedIdentity -c {uri}", checks=[
            self.check("provisioningState", "Succeeded"),
            self.check("name", "{name}"),
        ])
        self.cmd("{group} delete -g {rg} -r {async_registry} -n {name}")
        self.cmd("{group} list -g {rg} -r {async_registry}", checks=[
            self.check("length([?name=='{name}'])", 0),
        ])

    def test_not_found(self):
        # az exits 3 here; the testsdk reports every failure as 1, so tests/cli checks the exit code.
        self.kwargs["name"] = "nosuchpipeline"
        self.cmd("{group} show -g {rg} -r {registry} -n {name}", expect_failure=True)

    def test_basic_registry_refused(self):
        self.kwargs["name"] = "basicpipeline"
        self.cmd("{group} create -g {rg} -r {basic_registry} -n {name} -m ManagedIdentity -c {uri}",
                 expect_failure=True)

    def test_update(self):
        # update is one GET and one PUT of the whole pipeline
        self.kwargs.update({
            "name": self.create_random_name(self.kind + "upd", 20),
            "rotated": self.kwargs["secret"] + "/fedcba9876543210",
            "first": self.options[0],
        })
        self.cmd("{group} create -g {rg} -r {registry} -n {name} -m SasToken -c {uri} -s {secret}")
        self.cmd("{group} update -g {rg} -r {registry} -n {name} -z {first}", checks=[
            self.check("options", [self.options[0]]),
            self.check("{storage}.keyVaultUri", "{secret}"),
        ])
        self.cmd("{group} update -g {rg} -r {registry} -n {name} -s {rotated} --options \"\"", checks=[
            self.check("{storage}.keyVaultUri", "{rotated}"),
            self.check("{storage}.storageAccessMode", "SasToken"),
            self.check("options || `[]`", []),
        ])
        self.cmd("{group} delete -g {rg} -r {registry} -n {name}")

    def test_invalid_input_sends_nothing(self):
        # Each of these fails in validation, before any request: the cassette stays empty.
        self.kwargs["wrong_option"] = self.wrong_option
        good = "-m ManagedIdentity -c https://account1.blob.core.windows.net/container1"
        for args in [
            "-n ab " + good,                                                     # name too short
            "-n bad_name1 " + good,                                              # '_' in a new name
            "-n goodname1 -m ManagedIdentity -c http://a.blob.core.windows.net/c",
            "-n goodname1 -m ManagedIdentity -c https://account1.blob.core.windows.net",
            "-n goodname1 -m ManagedIdentity -c https://account1.blob.core.windows.net/container1?sv=2024-01-01&sig=abc",
            "-n goodname1 -m SasToken -c https://account1.blob.core.windows.net/container1",
            "-n goodname1 " + good + " -s https://vault1.vault.azure.net/secrets/s",
            "-n goodname1 -m SasToken -c https://account1.blob.core.windows.net/container1 -s https://vault1.vault.azure.net/keys/k",
            "-n goodname1 -m Bogus -c https://account1.blob.core.windows.net/container1",
            "-n goodname1 -c https://account1.blob.core.windows.net/container1",
            "-n goodname1 " + good + " -i notanid",
            "-n goodname1 " + good + " -z {wrong_option}",
        ]:
            self.refuse("{group} create -g {rg} -r {registry} " + args)
        self.refuse("{group} show -g {rg} -r r -n goodname1")
        self.assertEqual(len(self.cassette.requests), 0)


class ExportPipelineScenarioTest(_PipelineScenarios, TransferScenarioTest):
    kind, storage = "export", "target"
    options, wrong_option = ["OverwriteBlobs", "ContinueOnErrors"], "OverwriteTags"


class ImportPipelineScenarioTest(_PipelineScenarios, TransferScenarioTest):
    kind, storage = "import", "source"
    options, wrong_option = ["OverwriteTags", "DeleteSourceBlobOnSuccess", "ContinueOnErrors"], "OverwriteBlobs"

    def test_source_trigger(self):
        self.kwargs.update({"on": self.create_random_name("importon", 20),
                            "off": self.create_random_name("importoff", 20)})
        self.cmd("{group} create -g {rg} -r {registry} -n {on} -m ManagedIdentity -c {uri}",
                 checks=[self.check("trigger.sourceTrigger.status", "Enabled")])
        self.cmd("{group} create -g {rg} -r {registry} -n {off} -m ManagedIdentity -c {uri} -e FALSE",
                 checks=[self.check("trigger.sourceTrigger.status", "Disabled")])
        self.cmd("{group} update -g {rg} -r {registry} -n {off} --source-trigger-enabled true",
                 checks=[self.check("trigger.sourceTrigger.status", "Enabled")])
        self.cmd("{group} list -g {rg} -r {registry} -o table")
        self.cmd("{group} delete -g {rg} -r {registry} -n {on}")
        self.cmd("{group} delete -g {rg} -r {registry} -n {off}")
