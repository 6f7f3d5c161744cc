"""Known differences from the real ACR Transfer service: one list, each entry checked by
``tests/emulator/test_differences.py`` and listed in the README. Add an entry here (and its check)
instead of a TODO in the code."""
from collections import namedtuple

Difference = namedtuple("Difference", "id summary")

DIFFERENCES = [
    Difference("error-codes",
               "Validation error codes (MissingRequiredProperty, InvalidPropertyValue, InvalidResourceName, "
               "TooManyArtifacts, PipelineNotFound, RegistrySkuNotSupported) are this service's choice: the "
               "recordings hold no refused request, so the real codes are unknown. Messages name the property."),
    Difference("run-provisioning-state",
               "A run reports provisioningState Creating while it executes (response.status Running), then "
               "Succeeded or Failed; the spec examples show Succeeded next to a Running status. Creating makes "
               "azure-mgmt-core's poller wait for the run in sync mode."),
    Difference("sync-run-retry-after",
               "In sync mode a run that is still executing is answered with Retry-After (PUT and GET), so "
               "pollers poll at the configured pace rather than azure-core's 30 s default."),
    Difference("stable-identity-ids",
               "principalId and clientId are stable hashes of the pipeline or identity resource ID; identities "
               "are not checked to exist and nothing is created in a directory."),
    Difference("systemdata-actor",
               "systemData.createdBy is the caller's client id with createdByType ManagedIdentity (az logs in "
               "here with a managed identity); recordings of the real service show a user."),
    Difference("api-versions",
               "Only api-version 2025-06-01-preview is served for pipelines and runs (others get 400 "
               "InvalidApiVersionParameter); the real service also serves later and older versions."),
    Difference("registries-from-config",
               "Registries come from the configuration: no registry create, update or delete over ARM, and "
               "loginServer is <name>.azurecr.localhost unless a data plane supplies an endpoint."),
    Difference("no-data-plane",
               "Without a data plane for its registry a run passes the service's own checks (progress 10, 20) "
               "and ends Failed with a message saying the registry has no data plane here."),
    Difference("restart-fails-running-runs",
               "Runs that were executing when the service stopped end Failed at the next start, with a message "
               "saying the service restarted; they are not resumed."),
    Difference("busy-run-update",
               "Changing a run (or a pipeline in async mode) while it is still in progress answers 409 "
               "AnotherOperationInProgress."),
    Difference("import-run-artifacts",
               "An import run that lists artifacts is refused (400 InvalidPropertyValue)."),
    Difference("options-not-per-kind",
               "Pipeline options are checked against the spec's enum (all four values) for both kinds, not per "
               "pipeline kind."),
    Difference("async-mode-from-spec",
               "Async mode (201 + Azure-AsyncOperation, 202 + Location) follows the spec; the real service was "
               "only seen answering synchronously (sync mode mirrors that)."),
    Difference("canonical-casing",
               "Resource IDs use the configured casing of resource group and registry names, whatever casing "
               "the request used."),
    Difference("auth-without-rbac",
               "Only tokens this service issued are accepted (RS256, its own key); any valid token may do "
               "anything: there is no RBAC."),
    Difference("storage-roles-from-config",
               "With the data plane, a ManagedIdentity pipeline's storage roles come from the dataplane "
               "storage_permissions setting and are checked by the service before the run touches storage (Azurite "
               "has no RBAC); the 403 message (AuthorizationPermissionMismatch) names the identity and container."),
    Difference("local-key-vault",
               "Key Vault secrets are held by the service: https://<vault>.vault.azure.net/secrets/<name> names a "
               "local vault (no DNS), and the pipeline identity's permission to get the secret is not checked."),
    Difference("fast-source-trigger",
               "The source trigger polls every trigger_interval seconds (2 by default) instead of firing within "
               "15 minutes; its runs are named <pipeline>_<blob letters and digits>_<last-modified time>."),
    Difference("transfer-blob-format",
               "The transfer blob is an OCI image layout tarball (dataplane/FORMAT.md). The real service's format "
               "is not public, so blobs do not move between this service and Azure."),
    Difference("continue-on-errors-message",
               "A run that succeeds with ContinueOnErrors names the artifacts it skipped in "
               "pipelineRunErrorMessage."),
]
