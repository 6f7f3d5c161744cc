"""Values the service defines and the command line offers. Plain data only: imported at load time."""

EXPORT = "export"
IMPORT = "import"
PIPELINE_TYPES = (EXPORT, IMPORT)

MANAGED_IDENTITY = "ManagedIdentity"
SAS_TOKEN = "SasToken"
STORAGE_ACCESS_MODES = (MANAGED_IDENTITY, SAS_TOKEN)

EXPORT_OPTIONS = ("OverwriteBlobs", "ContinueOnErrors")
IMPORT_OPTIONS = ("OverwriteTags", "DeleteSourceBlobOnSuccess", "ContinueOnErrors")
DELETE_SOURCE_BLOB_ON_SUCCESS = "DeleteSourceBlobOnSuccess"

SYSTEM_ASSIGNED_IDENTITY = "[system]"

# Service limits (stated in help, checked before any request).
MAX_ARTIFACTS_PER_RUN = 50
MAX_LAYER_SIZE_TEXT = "8 GB"
BLOB_NAME_MAX_LENGTH = 1024

# What a run is doing (response.status, or a Failed/Canceled provisioningState): `pipeline-run list --status`.
RUN_STATUSES = ("Running", "Succeeded", "Failed", "Canceled")

# Resource names: registry, pipelines and runs created here.
NAME_MIN_LENGTH = 5
NAME_MAX_LENGTH = 50
# Runs created by an import pipeline's source trigger carry '_' and may be longer.
RUN_LOOKUP_NAME_MAX_LENGTH = 100

# Request bodies.
STORAGE_CONTAINER_TYPE = "AzureStorageBlobContainer"
STORAGE_BLOB_TYPE = "AzureStorageBlob"
TRIGGER_ENABLED = "Enabled"
TRIGGER_DISABLED = "Disabled"

PROVIDER = "Microsoft.ContainerRegistry"
PIPELINE_COLLECTIONS = {EXPORT: "exportPipelines", IMPORT: "importPipelines"}

# Roles the pipeline identity needs on the storage account in ManagedIdentity mode.
ROLE_BLOB_DATA_CONTRIBUTOR = "Storage Blob Data Contributor"
ROLE_BLOB_DATA_READER = "Storage Blob Data Reader"
ROLE_KEY_VAULT_SECRETS_USER = "Key Vault Secrets User"

# pipeline-run clean: deletes in flight at once.
CLEAN_MAX_WORKERS = 8
# pipeline-run create --batch: runs created and followed at once.
BATCH_MAX_WORKERS = 4
