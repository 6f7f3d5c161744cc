# pylint: disable=line-too-long
"""Help for every group and command. Argument help lives in _params.py."""
from knack.help_files import helps

helps["acr export-pipeline"] = """
type: group
short-summary: Manage export pipelines, which write artifacts of a Premium registry as one blob into a storage container.
long-summary: >
    ACR Transfer moves artifacts between registries that cannot reach each other: an export pipeline on the
    source registry writes a blob to storage, the blob is copied to the other side, and an import pipeline on
    the target registry reads it. Run an export with 'az acr pipeline-run create --pipeline-type export'.
    A run transfers at most 50 artifacts, with layers up to 8 GB.
"""

helps["acr export-pipeline create"] = """
type: command
short-summary: Create an export pipeline.
long-summary: >
    --storage-access-mode decides how the pipeline's managed identity reaches the storage container.
    With ManagedIdentity it needs the 'Storage Blob Data Contributor' role on the storage account.
    With SasToken it reads a SAS token (permissions read, write, list, add) from the Key Vault secret
    --secret-uri and needs 'get' permission on that secret.
    A script written for acrtransfer 1.x (--secret-uri without --storage-access-mode) still works: SasToken
    is implied. After the pipeline is created the command prints the permission its identity still needs,
    as a ready command.
examples:
  - name: Create an export pipeline that reaches storage with its system-assigned identity (ManagedIdentity mode).
    text: >
        az acr export-pipeline create -g MyResourceGroup -r myregistry -n myexportpipeline
        --storage-access-mode ManagedIdentity
        --storage-container-uri https://mystorageaccount.blob.core.windows.net/transfer
  - name: Create an export pipeline with a user-assigned identity and all options (ManagedIdentity mode).
    text: >
        az acr export-pipeline create -g MyResourceGroup -r myregistry -n myexportpipeline
        --storage-access-mode ManagedIdentity
        --storage-container-uri https://mystorageaccount.blob.core.windows.net/transfer
        --assign-identity /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/MyResourceGroup/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myidentity
        --options OverwriteBlobs ContinueOnErrors
  - name: Create an export pipeline that reads a SAS token from Key Vault (SasToken mode).
    text: >
        az acr export-pipeline create -g MyResourceGroup -r myregistry -n myexportpipeline
        --storage-access-mode SasToken
        --secret-uri https://mykeyvault.vault.azure.net/secrets/acrexportsas
        --storage-container-uri https://mystorageaccount.blob.core.windows.net/transfer
"""

helps["acr export-pipeline update"] = """
type: command
short-summary: Change the options or the SAS token secret of an export pipeline.
long-summary: >
    The service has no partial update: the command reads the pipeline and writes it back whole with the
    changes (two requests). --options replaces the current options; --options "" clears them.
    --secret-uri points a SasToken pipeline at a new Key Vault secret (or secret version), for example after
    rotating the SAS token; it is refused for a ManagedIdentity pipeline. After a new --secret-uri the command
    prints the permission the pipeline's identity needs on it.
examples:
  - name: Replace the options of an export pipeline.
    text: az acr export-pipeline update -g MyResourceGroup -r myregistry -n myexportpipeline --options OverwriteBlobs ContinueOnErrors
  - name: Clear the options of an export pipeline.
    text: az acr export-pipeline update -g MyResourceGroup -r myregistry -n myexportpipeline --options ""
  - name: Point a SasToken export pipeline at a rotated SAS token secret.
    text: az acr export-pipeline update -g MyResourceGroup -r myregistry -n myexportpipeline --secret-uri https://mykeyvault.vault.azure.net/secrets/acrexportsas2
"""

helps["acr export-pipeline show"] = """
type: command
short-summary: Show an export pipeline.
examples:
  - name: Show an export pipeline.
    text: az acr export-pipeline show -g MyResourceGroup -r myregistry -n myexportpipeline
  - name: Show the storage access mode and the principal ID of its system-assigned identity.
    text: az acr export-pipeline show -g MyResourceGroup -r myregistry -n myexportpipeline --query "[target.storageAccessMode, identity.principalId]"
"""

helps["acr export-pipeline list"] = """
type: command
short-summary: List the export pipelines of a registry.
examples:
  - name: List the export pipelines of a registry as a table.
    text: az acr export-pipeline list -g MyResourceGroup -r myregistry -o table
"""

helps["acr export-pipeline delete"] = """
type: command
short-summary: Delete an export pipeline.
long-summary: Blobs it wrote stay in storage. No confirmation is asked.
examples:
  - name: Delete an export pipeline.
    text: az acr export-pipeline delete -g MyResourceGroup -r myregistry -n myexportpipeline
"""

helps["acr export-pipeline wait"] = """
type: command
short-summary: Wait until an export pipeline meets a condition.
examples:
  - name: Create an export pipeline without waiting, then wait until it is ready.
    text: |
        az acr export-pipeline create -g MyResourceGroup -r myregistry -n myexportpipeline --storage-access-mode ManagedIdentity --storage-container-uri https://mystorageaccount.blob.core.windows.net/transfer --no-wait
        az acr export-pipeline wait -g MyResourceGroup -r myregistry -n myexportpipeline --created
  - name: Wait until an export pipeline is deleted.
    text: az acr export-pipeline wait -g MyResourceGroup -r myregistry -n myexportpipeline --deleted
"""

helps["acr import-pipeline"] = """
type: group
short-summary: Manage import pipelines, which read artifact blobs from a storage container into a Premium registry.
long-summary: >
    An import pipeline on the target registry imports blobs written by an export pipeline: automatically through
    its source trigger (on by default) or by 'az acr pipeline-run create --pipeline-type import'.
    Layers up to 8 GB are supported.
"""

helps["acr import-pipeline create"] = """
type: command
short-summary: Create an import pipeline.
long-summary: >
    --storage-access-mode decides how the pipeline's managed identity reaches the storage container.
    With ManagedIdentity it needs the 'Storage Blob Data Reader' role on the storage account
    ('Storage Blob Data Contributor' with the DeleteSourceBlobOnSuccess option).
    With SasToken it reads a SAS token (permissions read, list; plus delete with DeleteSourceBlobOnSuccess) from
    the Key Vault secret --secret-uri and needs 'get' permission on that secret.
    The source trigger imports a new blob automatically when it carries the metadata an export run writes and was
    modified in the last 60 days; turn it off with --source-trigger-enabled false.
    A script written for acrtransfer 1.x (--secret-uri without --storage-access-mode) still works: SasToken
    is implied. After the pipeline is created the command prints the permission its identity still needs,
    as a ready command.
examples:
  - name: Create an import pipeline that reaches storage with its system-assigned identity (ManagedIdentity mode).
    text: >
        az acr import-pipeline create -g MyResourceGroup -r myregistry -n myimportpipeline
        --storage-access-mode ManagedIdentity
        --storage-container-uri https://mystorageaccount.blob.core.windows.net/transfer
  - name: Create an import pipeline with a user-assigned identity, all options and no source trigger (ManagedIdentity mode).
    text: >
        az acr import-pipeline create -g MyResourceGroup -r myregistry -n myimportpipeline
        --storage-access-mode ManagedIdentity
        --storage-container-uri https://mystorageaccount.blob.core.windows.net/transfer
        --assign-identity /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/MyResourceGroup/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myidentity
        --options OverwriteTags DeleteSourceBlobOnSuccess ContinueOnErrors
        --source-trigger-enabled false
  - name: Create an import pipeline that reads a SAS token from Key Vault (SasToken mode).
    text: >
        az acr import-pipeline create -g MyResourceGroup -r myregistry -n myimportpipeline
        --storage-access-mode SasToken
        --secret-uri https://mykeyvault.vault.azure.net/secrets/acrimportsas
        --storage-container-uri https://mystorageaccount.blob.core.windows.net/transfer
"""

helps["acr import-pipeline update"] = """
type: command
short-summary: Change the options, the source trigger or the SAS token secret of an import pipeline.
long-summary: >
    The service has no partial update: the command reads the pipeline and writes it back whole with the
    changes (two requests). --options replaces the current options; --options "" clears them.
    --source-trigger-enabled turns automatic imports of new blobs on or off.
    --secret-uri points a SasToken pipeline at a new Key Vault secret (or secret version), for example after
    rotating the SAS token; it is refused for a ManagedIdentity pipeline. After a new --secret-uri, or after
    adding DeleteSourceBlobOnSuccess to a ManagedIdentity pipeline, the command prints the permission the
    pipeline's identity needs.
examples:
  - name: Replace the options of an import pipeline.
    text: az acr import-pipeline update -g MyResourceGroup -r myregistry -n myimportpipeline --options OverwriteTags DeleteSourceBlobOnSuccess
  - name: Clear the options of an import pipeline.
    text: az acr import-pipeline update -g MyResourceGroup -r myregistry -n myimportpipeline --options ""
  - name: Turn the source trigger off (import only by 'az acr pipeline-run create').
    text: az acr import-pipeline update -g MyResourceGroup -r myregistry -n myimportpipeline --source-trigger-enabled false
  - name: Point a SasToken import pipeline at a rotated SAS token secret.
    text: az acr import-pipeline update -g MyResourceGroup -r myregistry -n myimportpipeline --secret-uri https://mykeyvault.vault.azure.net/secrets/acrimportsas2
"""

helps["acr import-pipeline show"] = """
type: command
short-summary: Show an import pipeline.
examples:
  - name: Show an import pipeline.
    text: az acr import-pipeline show -g MyResourceGroup -r myregistry -n myimportpipeline
  - name: Show whether its source trigger is on.
    text: az acr import-pipeline show -g MyResourceGroup -r myregistry -n myimportpipeline --query trigger.sourceTrigger.status -o tsv
"""

helps["acr import-pipeline list"] = """
type: command
short-summary: List the import pipelines of a registry.
examples:
  - name: List the import pipelines of a registry as a table.
    text: az acr import-pipeline list -g MyResourceGroup -r myregistry -o table
"""

helps["acr import-pipeline delete"] = """
type: command
short-summary: Delete an import pipeline.
long-summary: Artifacts it imported stay in the registry. No confirmation is asked.
examples:
  - name: Delete an import pipeline.
    text: az acr import-pipeline delete -g MyResourceGroup -r myregistry -n myimportpipeline
"""

helps["acr import-pipeline wait"] = """
type: command
short-summary: Wait until an import pipeline meets a condition.
examples:
  - name: Wait until an import pipeline is ready.
    text: az acr import-pipeline wait -g MyResourceGroup -r myregistry -n myimportpipeline --created
  - name: Wait until an import pipeline is deleted.
    text: az acr import-pipeline wait -g MyResourceGroup -r myregistry -n myimportpipeline --deleted
"""

helps["acr pipeline-run"] = """
type: group
short-summary: Manage pipeline runs, each one execution of an export or import pipeline.
long-summary: >
    An export run writes up to 50 artifacts (layers up to 8 GB) as one blob; an import run imports the artifacts
    of one blob. Deleting a run deletes its record; it does not undo the transfer.
"""

helps["acr pipeline-run create"] = """
type: command
short-summary: Run an export or import pipeline.
long-summary: >
    An export run (--pipeline-type export) writes the --artifacts to the blob --storage-blob in the export
    pipeline's storage container. An import run (--pipeline-type import) imports every artifact in the blob
    --storage-blob of the import pipeline's storage container; it takes no --artifacts.
    Limits: at most 50 artifacts per run, layers up to 8 GB.
    Artifacts are repo:tag or repo@sha256:<digest>; a bare repo means repo:latest. --artifacts @<file> reads them
    from a file, @- from standard input. Creating a run again with the same name and properties does nothing;
    --force-redeploy runs it again.

    More than 50 artifacts need --batch: one run per 50, named <name>1of<n>, <name>2of<n>..., writing blobs
    <blob>-1of<n>.<ext>..., at most 4 at a time; the command then prints one summary of all runs.

    The command waits until the run ends, showing its status, progress and elapsed time on stderr (not with
    --only-show-errors or -o none, nor when stderr is not a terminal); it reads the run as often as the service's
    Retry-After asks, else every 5 seconds. With --no-wait it returns once the run is created. Ctrl+C stops
    waiting, not the run.

    Exit codes: 0 the run succeeded; 1 it failed (the run name and the service's pipelineRunErrorMessage on
    stderr) or any other error; 2 a usage error; 3 not found; 4 it succeeded partially (ContinueOnErrors skipped
    artifacts, named on stderr; the run or summary is still printed).
examples:
  - name: Export two artifacts to a blob.
    text: >
        az acr pipeline-run create -g MyResourceGroup -r myregistry -n myexportrun
        --pipeline myexportpipeline --pipeline-type export --storage-blob myblob
        --artifacts hello-world:latest samples/nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000
  - name: Import the artifacts of a blob.
    text: >
        az acr pipeline-run create -g MyResourceGroup -r myregistry -n myimportrun
        --pipeline myimportpipeline --pipeline-type import --storage-blob myblob
  - name: Run an export again under the same name.
    text: >
        az acr pipeline-run create -g MyResourceGroup -r myregistry -n myexportrun
        --pipeline myexportpipeline --pipeline-type export --storage-blob myblob
        --artifacts hello-world:latest --force-redeploy
  - name: "Export the artifacts listed in a file (one or more per line, blank lines and # comments allowed)."
    text: >
        az acr pipeline-run create -g MyResourceGroup -r myregistry -n myexportrun
        --pipeline myexportpipeline --pipeline-type export --storage-blob myblob --artifacts @artifacts.txt
  - name: Export the artifacts read from standard input.
    text: >
        cat list.txt | az acr pipeline-run create -g MyResourceGroup -r myregistry -n myexportrun
        --pipeline myexportpipeline --pipeline-type export --storage-blob myblob --artifacts @-
  - name: Export more than 50 artifacts as several runs and print a summary table.
    text: >
        az acr pipeline-run create -g MyResourceGroup -r myregistry -n myexportrun
        --pipeline myexportpipeline --pipeline-type export --storage-blob myblob.tar
        --artifacts @big-list.txt --batch -o table
"""

helps["acr pipeline-run show"] = """
type: command
short-summary: Show a pipeline run.
examples:
  - name: Show a pipeline run.
    text: az acr pipeline-run show -g MyResourceGroup -r myregistry -n myexportrun
  - name: Show the status of a run and its error, if any.
    text: az acr pipeline-run show -g MyResourceGroup -r myregistry -n myexportrun --query "[response.status, response.pipelineRunErrorMessage]"
"""

helps["acr pipeline-run list"] = """
type: command
short-summary: List the pipeline runs of a registry.
examples:
  - name: List the runs of a registry as a table.
    text: az acr pipeline-run list -g MyResourceGroup -r myregistry -o table
  - name: List the 10 most recent runs by start time.
    text: az acr pipeline-run list -g MyResourceGroup -r myregistry --top 10 -o table
  - name: List the 5 most recent failed runs of one pipeline.
    text: az acr pipeline-run list -g MyResourceGroup -r myregistry --pipeline myexportpipeline --status Failed --top 5 -o table
"""

helps["acr pipeline-run delete"] = """
type: command
short-summary: Delete a pipeline run.
long-summary: Deletes the run's record; it does not undo the transfer. No confirmation is asked.
examples:
  - name: Delete a pipeline run.
    text: az acr pipeline-run delete -g MyResourceGroup -r myregistry -n myexportrun
"""

helps["acr pipeline-run clean"] = """
type: command
short-summary: Delete the failed pipeline runs of a registry.
long-summary: >
    A run is failed when its response status or its provisioning state is Failed. Deletes run concurrently;
    one that fails does not stop the others, and the command reports how many were deleted and fails naming
    each run it could not delete. Confirmation is asked only when stdin is a terminal (--yes skips it).
examples:
  - name: List the failed runs that would be deleted, deleting nothing.
    text: az acr pipeline-run clean -g MyResourceGroup -r myregistry --dry-run -o table
  - name: Delete the failed runs without a confirmation prompt.
    text: az acr pipeline-run clean -g MyResourceGroup -r myregistry --yes
"""

helps["acr pipeline-run wait"] = """
type: command
short-summary: Wait until a pipeline run meets a condition.
examples:
  - name: Start an export run without waiting, then wait until the transfer has finished (a failed run makes wait fail).
    text: |
        az acr pipeline-run create -g MyResourceGroup -r myregistry -n myexportrun --pipeline myexportpipeline --pipeline-type export --storage-blob myblob --artifacts hello-world:latest --no-wait
        az acr pipeline-run wait -g MyResourceGroup -r myregistry -n myexportrun --custom "response.status=='Succeeded' || response.status=='Failed'"
"""
