"""Scenario tests of `az acr pipeline-run`, recorded against the local ACR Transfer service.

The registries of the recording configuration have no data plane, so every run ends Failed with the
service's message saying so: these tests are about the commands, the requests and the run resource.
Successful transfers are recorded in test_transfer_scenario.py.
"""
from transfer_scenario import TransferScenarioTest

DIGEST = "sha256:" + "ab" * 32


class PipelineRunScenarioTest(TransferScenarioTest):

    def _pipeline(self, kind, registry):
        name = self.create_random_name(kind + "pipe", 20)
        self.kwargs["pipeline"] = name
        self.cmd("acr {}-pipeline create -g {{rg}} -r {} -n {} -m ManagedIdentity "
                 "-c https://{}storage.blob.core.windows.net/transfer".format(kind, registry, name, kind))
        return name

    def test_export_run_ends_failed_without_data_plane(self):
        self._pipeline("export", "sourceregistry")
        self.kwargs["run"] = self.create_random_name("exportrun", 20)
        self.kwargs["digest"] = DIGEST
        self.cmd("acr pipeline-run create -g {rg} -r {source_registry} -n {run} -p {pipeline} -t export "
                 "-b transfer.tar -a hello-world:v1 alpine@{digest} busybox", expect_failure=True)
        self.cmd("acr pipeline-run show -g {rg} -r {source_registry} -n {run}", checks=[
            self.check("provisioningState", "Failed"),
            self.check("response.status", "Failed"),
            self.check("request.pipelineResourceId",
                       "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerRegistry/"
                       "registries/{source_registry}/exportPipelines/{pipeline}"),
            self.check("request.target.type", "AzureStorageBlob"),
            self.check("request.target.name", "transfer.tar"),
            # a bare repository is sent as typed; the service reads it as :latest
            self.check("request.artifacts", ["hello-world:v1", "alpine@" + DIGEST, "busybox"]),
            self.check_pattern("response.pipelineRunErrorMessage", ".*no data plane"),
            self.exists("response.startTime"),
            self.exists("response.finishTime"),
        ])
        self.cmd("acr pipeline-run delete -g {rg} -r {source_registry} -n {run}")
        self.cmd("acr pipeline-run show -g {rg} -r {source_registry} -n {run}", expect_failure=True)

    def test_import_run_force_redeploy_and_no_wait(self):
        self._pipeline("import", "targetregistry")
        self.kwargs["run"] = self.create_random_name("importrun", 20)
        self.cmd("acr pipeline-run create -g {rg} -r {target_registry} -n {run} -p {pipeline} -t import "
                 "-b transfer.tar --no-wait")
        # az's wait stops with an error when provisioningState is Failed, as this run's will be
        self.cmd("acr pipeline-run wait -g {rg} -r {target_registry} -n {run} --created --interval 1",
                 expect_failure=True)
        self.cmd("acr pipeline-run create -g {rg} -r {target_registry} -n {run} -p {pipeline} -t import "
                 "-b transfer.tar -f", expect_failure=True)
        self.cmd("acr pipeline-run show -g {rg} -r {target_registry} -n {run}", checks=[
            self.check("request.source.type", "AzureStorageBlob"),
            self.check("request.source.name", "transfer.tar"),
            self.exists("forceUpdateTag"),
            self.check("response.status", "Failed"),
        ])
        self.cmd("acr pipeline-run delete -g {rg} -r {target_registry} -n {run}")

    def test_list_top_and_clean(self):
        self._pipeline("import", "targetregistry")
        runs = [self.create_random_name("cleanrun", 20) for _ in range(3)]
        for run in runs:
            self.kwargs["run"] = run
            self.cmd("acr pipeline-run create -g {rg} -r {target_registry} -n {run} -p {pipeline} -t import "
                     "-b transfer.tar", expect_failure=True)
        self.kwargs["newest"] = runs[-1]
        self.cmd("acr pipeline-run list -g {rg} -r {target_registry} --top 1", checks=[
            self.check("length(@)", 1),
            self.check("[0].name", "{newest}"),
        ])
        self.cmd("acr pipeline-run list -g {rg} -r {target_registry} -o table")
        dry = self.cmd("acr pipeline-run clean -g {rg} -r {target_registry} --dry-run").get_output_in_json()
        self.assertTrue(set(runs) <= {run["name"] for run in dry})
        self.cmd("acr pipeline-run clean -g {rg} -r {target_registry} --yes")
        self.cmd("acr pipeline-run list -g {rg} -r {target_registry}", checks=[
            self.check("length([?response.status=='Failed'])", 0),
        ])

    def test_run_of_missing_pipeline(self):
        self.kwargs["run"] = "orphanrun1"
        self.cmd("acr pipeline-run create -g {rg} -r {source_registry} -n {run} -p nosuchpipeline -t export "
                 "-b transfer.tar -a hello-world:v1", expect_failure=True)

    def test_async_service_run(self):
        self._pipeline("export", "asyncregistry")
        self.kwargs["run"] = self.create_random_name("asyncrun", 20)
        self.cmd("acr pipeline-run create -g {rg} -r {async_registry} -n {run} -p {pipeline} -t export "
                 "-b transfer.tar -a hello-world:v1", expect_failure=True)
        self.cmd("acr pipeline-run show -g {rg} -r {async_registry} -n {run}",
                 checks=[self.check("provisioningState", "Failed")])
        self.cmd("acr pipeline-run delete -g {rg} -r {async_registry} -n {run}")

    def test_invalid_input_sends_nothing(self):
        base = "acr pipeline-run create -g {rg} -r {source_registry} -n goodrun1 -p goodpipe1 "
        many = " ".join("repo{}:v1".format(i) for i in range(51))
        for args in [
            "-t export -b blob.tar",                                  # export needs artifacts
            "-t import -b blob.tar -a hello:v1",                      # import refuses artifacts
            "-t copy -b blob.tar -a hello:v1",                        # not a pipeline type
            "-t export -b blob.tar -a Hello:v1",                      # upper case repository
            "-t export -b blob.tar -a hello:",                        # empty tag
            "-t export -b blob.tar -a hello@sha256:abc",              # short digest
            "-t export -b blob.tar -a hello:v1 hello:v1",             # duplicate
            "-t export -b blob.tar -a " + many,                       # over 50
            "-t export -b '' -a hello:v1",                            # empty blob name
            "-t export -b blob.tar -a hello:v1 -n bad_run",           # '_' in a new run name
        ]:
            self.refuse(base + args)
        self.refuse("acr pipeline-run list -g {rg} -r {source_registry} --top 0")
        self.assertEqual(len(self.cassette.requests), 0)

    def test_list_filters(self):
        first = self._pipeline("export", "sourceregistry")
        second = self._pipeline("export", "sourceregistry")
        self.kwargs.update({"first": first.upper(), "second": second,
                            "run1": self.create_random_name("filterrun", 20),
                            "run2": self.create_random_name("filterrun", 20)})
        for run, pipeline in (("run1", first), ("run2", second)):
            self.kwargs.update({"run": self.kwargs[run], "pipeline": pipeline})
            self.cmd("acr pipeline-run create -g {rg} -r {source_registry} -n {run} -p {pipeline} -t export "
                     "-b transfer.tar -a hello-world:v1", expect_failure=True)
        # --pipeline matches the pipeline's name case-insensitively; --status too
        self.cmd("acr pipeline-run list -g {rg} -r {source_registry} --pipeline {first} --status failed", checks=[
            self.check("[].name", [self.kwargs["run1"]]),
        ])
        self.cmd("acr pipeline-run list -g {rg} -r {source_registry} --pipeline {second} --status Succeeded",
                 checks=[self.check("length(@)", 0)])

    def test_artifacts_from_file(self):
        import os
        import tempfile
        self._pipeline("export", "sourceregistry")
        listing = os.path.join(tempfile.mkdtemp(), "artifacts.txt")
        with open(listing, "w") as f:
            f.write("# images for the air gap\nhello-world:v1\n\nalpine@{}\n  # done\n".format(DIGEST))
        self.kwargs.update({"run": self.create_random_name("filerun", 20), "listing": listing})
        self.cmd("acr pipeline-run create -g {rg} -r {source_registry} -n {run} -p {pipeline} -t export "
                 "-b transfer.tar -a @{listing} --no-wait")
        self.cmd("acr pipeline-run show -g {rg} -r {source_registry} -n {run}", checks=[
            self.check("request.artifacts", ["hello-world:v1", "alpine@" + DIGEST]),
        ])

    def test_batch_over_50(self):
        self._pipeline("export", "sourceregistry")
        self.kwargs.update({
            "run": self.create_random_name("batchrun", 20),
            "artifacts": " ".join("repo{}:v1".format(i) for i in range(120)),
        })
        # without --batch: refused, naming the way out
        self.refuse("acr pipeline-run create -g {rg} -r {source_registry} -n {run} -p {pipeline} -t export "
                    "-b transfer.tar -a {artifacts}")
        # with --batch: ceil(120/50) = 3 runs; they all fail here (no data plane), so the summary is
        # printed and the command exits 1
        try:
            self.cmd("acr pipeline-run create -g {rg} -r {source_registry} -n {run} -p {pipeline} -t export "
                     "-b transfer.tar -a {artifacts} --batch", expect_failure=True)
        except SystemExit as ex:
            self.assertEqual(ex.code, 1)
        runs = self.cmd("acr pipeline-run list -g {rg} -r {source_registry} --pipeline {pipeline}").get_output_in_json()
        self.assertEqual(sorted(len(r["request"]["artifacts"]) for r in runs), [20, 50, 50])
        self.assertEqual(len({r["request"]["target"]["name"] for r in runs}), 3)

    def test_clean_reports_a_failed_delete(self):
        self._pipeline("import", "targetregistry")
        runs = [self.create_random_name("cleanfail", 20) for _ in range(2)]
        for run in runs:
            self.kwargs["run"] = run
            self.cmd("acr pipeline-run create -g {rg} -r {target_registry} -n {run} -p {pipeline} -t import "
                     "-b transfer.tar", expect_failure=True)
        self.kwargs.update({"stuck": runs[0], "other": runs[1]})
        # every DELETE of the first run answers 500: clean goes on, deletes the other, then fails naming it
        self.inject_fault(operation="DELETE .*/pipelineRuns/{}".format(runs[0]), kind="500", count=-1)
        try:
            self.cmd("acr pipeline-run clean -g {rg} -r {target_registry} --yes", expect_failure=True)
        except SystemExit as ex:
            self.assertEqual(ex.code, 1)
        self.clear_faults()
        names = [r["name"] for r in self.cmd("acr pipeline-run list -g {rg} -r {target_registry}").get_output_in_json()]
        self.assertIn(self.kwargs["stuck"], names)
        self.assertNotIn(self.kwargs["other"], names)
        self.cmd("acr pipeline-run delete -g {rg} -r {target_registry} -n {stuck}")
