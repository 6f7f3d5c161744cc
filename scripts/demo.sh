#!/usr/bin/env bash
# `make demo`: the air-gap flow on one machine, driven only by the real az with this extension.
#
# Starts the local ACR Transfer service with its data plane (a registry per Premium registry, Azurite
# with the accounts sourcestorage and targetstorage, Key Vault, the source trigger), pushes sample
# images to sourceregistry, exports them with an export pipeline in SasToken mode, copies the blob to
# the target storage account with a SAS (as one carries it across an air gap), lets the source trigger
# of an import pipeline in ManagedIdentity mode import it into targetregistry, and prints each
# artifact's digest on both sides. Exit 1 if any differ. Every run uses a fresh home, and the trap
# stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$root/.venv/bin:$PATH"
unset AZURE_EXTENSION_DEV_SOURCES          # the extension comes from the wheel, as a user installs it
export AZURE_CORE_ONLY_SHOW_ERRORS=true    # the pipelines' permission advice is for Azure, not here

work=$(mktemp -d /tmp/acrt-demo.XXXXXX)
home=$work/service
cleanup() {
    python -m acrtransfer_emulator stop --home "$home" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
started=$SECONDS
step() { printf '\n==> [%3ss] %s\n' "$((SECONDS - started))" "$*"; }

RG=transfer-rg
BLOB=demo-$(date -u +%Y%m%d%H%M%S).tar
ARTIFACTS=(samples/hello:v1 samples/multi:v1 samples/app-a:v1 samples/app-b:v1 samples/docker:v1)
expiry=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%MZ)

step "Starting the local ACR Transfer service with its data plane (scripts/demo_config.json)"
python -m acrtransfer_emulator start --home "$home" --config scripts/demo_config.json >/dev/null
# shellcheck disable=SC1091
source "$home/env.sh"
echo "service $ACRT_EMULATOR_URL, storage $ACRT_STORAGE_URL"
echo "sourceregistry $ACRT_REGISTRY_SOURCEREGISTRY_URL, targetregistry $ACRT_REGISTRY_TARGETREGISTRY_URL"

step "Installing the acrtransfer extension from a wheel built from this checkout"
python setup.py -q build --build-base "$work/build" egg_info --egg-base "$work" \
    bdist_wheel --bdist-dir "$work/bdist" --dist-dir "$work/dist" >/dev/null 2>&1
az extension add --source "$work"/dist/acrtransfer-*.whl --yes
az extension list --query "[].{name:name, version:version}" -o tsv

step "Pushing sample images to sourceregistry (a multi-arch index, two images sharing a layer)"
python -m acrtransfer_emulator.dataplane.samples push "$ACRT_REGISTRY_SOURCEREGISTRY_URL"

step "Storing an export SAS token for sourcestorage/transfer in Key Vault 'sourcevault'"
sas=$(az storage container generate-sas --name transfer --account-name sourcestorage \
    --account-key "$ACRT_STORAGE_SOURCESTORAGE_KEY" --permissions acrwl --expiry "$expiry" --https-only -o tsv)
(umask 077; printf '{"value": "?%s"}' "$sas" >"$work/secret.json")
az rest --method put --url "$ACRT_EMULATOR_URL/keyvault/sourcevault/secrets/acrexportsas?api-version=7.4" \
    --resource https://vault.azure.net --body @"$work/secret.json" --query id -o tsv
rm -f "$work/secret.json"

step "Creating export pipeline 'exportpipeline' (SasToken) and import pipeline 'importpipeline' (ManagedIdentity, source trigger on)"
az acr export-pipeline create -g $RG -r sourceregistry -n exportpipeline -m SasToken \
    -c https://sourcestorage.blob.core.windows.net/transfer \
    -s https://sourcevault.vault.azure.net/secrets/acrexportsas -o table
az acr import-pipeline create -g $RG -r targetregistry -n importpipeline -m ManagedIdentity \
    -c https://targetstorage.blob.core.windows.net/transfer --source-trigger-enabled true -o table

step "Exporting ${#ARTIFACTS[@]} artifacts to sourcestorage/transfer/$BLOB"
az acr pipeline-run create -g $RG -r sourceregistry -n exportrun -p exportpipeline -t export \
    -b "$BLOB" -a "${ARTIFACTS[@]}" \
    --query "{run:name, status:response.status, progress:response.progress.percentage, catalogDigest:response.catalogDigest, error:response.pipelineRunErrorMessage}" -o table
status=$(az acr pipeline-run show -g $RG -r sourceregistry -n exportrun --query response.status -o tsv)
[ "$status" = Succeeded ] || { echo "the export run ended $status" >&2; exit 1; }

step "Carrying the blob to targetstorage/transfer (server-side copy from a read-only SAS URL)"
read_sas=$(az storage blob generate-sas --account-name sourcestorage --account-key "$ACRT_STORAGE_SOURCESTORAGE_KEY" \
    --container-name transfer --name "$BLOB" --permissions r --expiry "$expiry" --https-only -o tsv)
az storage blob copy start --connection-string "$ACRT_STORAGE_TARGETSTORAGE_CONNECTION_STRING" \
    --destination-container transfer --destination-blob "$BLOB" \
    --source-uri "$ACRT_STORAGE_SOURCESTORAGE_URL/transfer/$BLOB?$read_sas" --query copy_status -o tsv
az storage blob show --connection-string "$ACRT_STORAGE_TARGETSTORAGE_CONNECTION_STRING" -c transfer -n "$BLOB" \
    --query "{blob:name, size:properties.contentLength, contentMd5:properties.contentSettings.contentMd5, category:metadata.category}" -o table

step "Waiting for the source trigger of 'importpipeline' to import the blob"
run="" state=""
for _ in $(seq 40); do
    read -r run state < <(az acr pipeline-run list -g $RG -r targetregistry -o tsv \
        --query "[?contains(name, '_') && request.source.name=='$BLOB'] | [0].join(' ', [name, response.status])") || true
    case $state in Succeeded|Failed) break ;; esac
    sleep 1
done
[ -n "$run" ] || { echo "the source trigger started no import run; see GET $ACRT_EMULATOR_URL/_emulator/trigger" >&2; exit 1; }
az acr pipeline-run show -g $RG -r targetregistry -n "$run" \
    --query "{run:name, status:response.status, triggeredBy:response.trigger.sourceTrigger.timestamp, imported:join(', ', response.importedArtifacts || \`[]\`), error:response.pipelineRunErrorMessage}" -o yaml
status=$(az acr pipeline-run show -g $RG -r targetregistry -n "$run" --query response.status -o tsv)
[ "$status" = Succeeded ] || { echo "the import run $run ended $status" >&2; exit 1; }

step "Each artifact's digest in sourceregistry and targetregistry"
if python -m acrtransfer_emulator.dataplane.samples compare \
        "$ACRT_REGISTRY_SOURCEREGISTRY_URL" "$ACRT_REGISTRY_TARGETREGISTRY_URL" "${ARTIFACTS[@]}"; then
    step "Done: every digest in targetregistry equals sourceregistry's"
else
    echo "DIGESTS DIFFER" >&2
    exit 1
fi
