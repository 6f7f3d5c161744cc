"""Arguments: the option names and meanings of acrtransfer 2.0.0, kept so its scripts run unchanged.

Imports only az's parameter helpers and the constants (validators are attached per command in
commands.py): loading arguments must stay light.
"""
from knack.arguments import CLIArgumentType
from azure.cli.core.commands.parameters import (
    get_enum_type,
    get_generic_completion_list,
    get_three_state_flag,
    resource_group_name_type,
)

from ._constants import (
    BATCH_MAX_WORKERS,
    EXPORT_OPTIONS,
    IMPORT_OPTIONS,
    MAX_ARTIFACTS_PER_RUN,
    MAX_LAYER_SIZE_TEXT,
    PIPELINE_TYPES,
    RUN_STATUSES,
    STORAGE_ACCESS_MODES,
    SYSTEM_ASSIGNED_IDENTITY,
)

registry_name_type = CLIArgumentType(
    options_list=["--registry", "-r"],
    help="The name of the container registry (5-50 letters and digits). Transfer needs the Premium tier.")


def load_arguments(self, _):  # pylint: disable=too-many-statements
    for scope in ("acr export-pipeline", "acr import-pipeline", "acr pipeline-run"):
        with self.argument_context(scope) as c:
            c.argument("resource_group_name", arg_type=resource_group_name_type)
            c.argument("registry_name", arg_type=registry_name_type)

    with self.argument_context("acr export-pipeline") as c:
        c.argument("export_pipeline_name", options_list=["--name", "-n"],
                   help="The name of the export pipeline (5-50 letters and digits).")
    with self.argument_context("acr import-pipeline") as c:
        c.argument("import_pipeline_name", options_list=["--name", "-n"],
                   help="The name of the import pipeline (5-50 letters and digits).")

    for kind, options in (("export", EXPORT_OPTIONS), ("import", IMPORT_OPTIONS)):
        storage_role = "target (where runs write blobs)" if kind == "export" else "source (where runs read blobs)"
        with self.argument_context("acr {}-pipeline create".format(kind)) as c:
            c.argument("storage_container_uri", options_list=["--storage-container-uri", "-c"],
                       help="The URI of the storage container the pipeline uses as its {}: "
                            "https://<account>.blob.core.windows.net/<container> (or your cloud's blob endpoint; "
                            "path style https://<host>:<port>/<account>/<container> for a local endpoint). "
                            "No query string: a SAS token belongs in Key Vault.".format(storage_role))
            c.argument("storage_access_mode", options_list=["--storage-access-mode", "-m"],
                       arg_type=get_enum_type(STORAGE_ACCESS_MODES),
                       help="How the pipeline identity reaches storage: ManagedIdentity (an RBAC role on the "
                            "storage account) or SasToken (a SAS token read from the Key Vault secret "
                            "--secret-uri). Case-insensitive. Required, except that --secret-uri without it "
                            "implies SasToken (acrtransfer 1.x scripts).")
            c.argument("secret_uri", options_list=["--secret-uri", "-s"],
                       help="SasToken mode only: the Key Vault secret holding the SAS token, "
                            "https://<vault>.vault.azure.net/secrets/<name>[/<version>].")
            c.argument("assign_identity", options_list=["--assign-identity", "-i"],
                       help="The pipeline's identity: {} (system-assigned, the default) or the resource ID of "
                            "a user-assigned identity.".format(SYSTEM_ASSIGNED_IDENTITY))
            c.argument("options", options_list=["--options", "-z"], nargs="+", arg_type=get_enum_type(options),
                       help="Space-separated {} pipeline options (case-insensitive).".format(kind))

        with self.argument_context("acr {}-pipeline update".format(kind)) as c:
            # No enum type: "" (clear) must reach the validator, which checks the values as create does.
            c.argument("options", options_list=["--options", "-z"], nargs="+",
                       completer=get_generic_completion_list(options),
                       help='Space-separated {} pipeline options that replace the current ones: {} '
                            '(case-insensitive). Use "" to clear them.'.format(kind, ", ".join(options)))
            c.argument("secret_uri", options_list=["--secret-uri", "-s"],
                       help="SasToken mode only (refused for a ManagedIdentity pipeline): the Key Vault secret "
                            "that now holds the SAS token, https://<vault>.vault.azure.net/secrets/<name>"
                            "[/<version>]. Use it to rotate the SAS token to a new secret or version.")

    with self.argument_context("acr import-pipeline create") as c:
        c.argument("source_trigger_enabled", options_list=["--source-trigger-enabled", "-e"],
                   arg_type=get_three_state_flag(),
                   help="Import new blobs in the source container automatically: true (default) or false, "
                        "in any case.")
    with self.argument_context("acr import-pipeline update") as c:
        c.argument("source_trigger_enabled", options_list=["--source-trigger-enabled", "-e"],
                   arg_type=get_three_state_flag(),
                   help="Turn the source trigger on (true) or off (false), in any case; unchanged when omitted.")

    with self.argument_context("acr pipeline-run") as c:
        c.argument("pipeline_run_name", options_list=["--name", "-n"],
                   help="The name of the pipeline run (5-50 letters and digits; runs started by a source "
                        "trigger also contain '_').")

    with self.argument_context("acr pipeline-run create") as c:
        c.argument("pipeline_name", options_list=["--pipeline", "-p"],
                   help="The name of the export or import pipeline to run, in the same registry.")
        c.argument("pipeline_type", options_list=["--pipeline-type", "-t"], arg_type=get_enum_type(PIPELINE_TYPES),
                   help="The kind of pipeline --pipeline names.")
        c.argument("storage_blob", options_list=["--storage-blob", "-b"],
                   help="The blob in the pipeline's storage container: written by an export run, read by "
                        "an import run.")
        c.argument("artifacts", options_list=["--artifacts", "-a"], nargs="+",
                   help="Export runs only (required there): space-separated artifacts, each repo:tag or "
                        "repo@sha256:<digest>; a bare repo means repo:latest. Also @<file> (one or more per "
                        "line, blank lines and # comments allowed) or @- for standard input. At most {} per "
                        "run (more needs --batch); layers up to {}.".format(MAX_ARTIFACTS_PER_RUN, MAX_LAYER_SIZE_TEXT))
        c.argument("batch", options_list=["--batch"], action="store_true",
                   help="Export runs with more than {0} artifacts: one run per {0} (names <name>1of<n>..., blobs "
                        "<blob>-1of<n>.<ext>), at most {1} at a time; waits for all and prints one summary."
                   .format(MAX_ARTIFACTS_PER_RUN, BATCH_MAX_WORKERS))
        c.argument("force_redeploy", options_list=["--force-redeploy", "-f"], action="store_true",
                   help="Run again even if a run with this name and the same properties exists "
                        "(sets forceUpdateTag to the current time).")

    with self.argument_context("acr pipeline-run list") as c:
        c.argument("pipeline_name", options_list=["--pipeline", "-p"],
                   help="Only runs of this pipeline (name, case-insensitive).")
        c.argument("status", arg_type=get_enum_type(RUN_STATUSES),
                   help="Only runs with this status (case-insensitive). A run's status is its response.status, "
                        "or Failed/Canceled when its provisioningState says so.")
        c.argument("top", type=int,
                   help="Show only the N most recent runs by start time (an integer of at least 1); runs "
                        "without a start time come last.")

    with self.argument_context("acr pipeline-run clean") as c:
        c.argument("dry_run", options_list=["--dry-run"], action="store_true",
                   help="List the failed runs that would be deleted; delete nothing.")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true",
                   help="Do not ask for confirmation (it is asked only when stdin is a terminal).")
