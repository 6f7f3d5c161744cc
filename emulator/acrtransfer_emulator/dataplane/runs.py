"""The seam's ``Transfer`` for one registry: what an export or import pipeline run does.

The run executor calls :meth:`RegistryTransfer.export` / :meth:`RegistryTransfer.import_` with the
run and pipeline documents. Each resolves the pipeline's storage access (:mod:`.access`: the SAS
from Key Vault, or a storage token for the pipeline identity after the role check), then runs
:func:`.transfer.run_export` / :func:`.transfer.run_import` against the registry process, and
re-raises failures as the seam's ``TransferError`` with a message for ``pipelineRunErrorMessage``.
"""

import logging

from ..transfer import Transfer, TransferError
from .access import DELETE, READ, WRITE, AccessError
from .errors import TransferError as DataPlaneTransferError
from .storage import redact_text
from .transfer import EXPORT_OPTIONS, IMPORT_OPTIONS, run_export, run_import

log = logging.getLogger(__name__)


def _options(pipeline, allowed):
    # The service accepts all four options on both kinds (spec enum); each kind uses its own.
    return [o for o in pipeline["properties"].get("options") or [] if o in allowed]


def _skipped_message(verb, skipped):
    return "ContinueOnErrors: %d artifact(s) could not be %s and were skipped: %s" % (
        len(skipped), verb, "; ".join(str(s) for s in skipped))


class RegistryTransfer(Transfer):
    def __init__(self, plane, registry, url):
        self.plane = plane
        self.registry = registry
        self.url = url

    def export(self, run, pipeline, progress):
        request = run["properties"]["request"]
        access = self._access(pipeline, "export pipeline", "target", {WRITE})
        try:
            result = run_export(
                self.url, request["artifacts"], access.container.uri, request["target"]["name"],
                sas_token=access.sas_token, credential=access.credential,
                options=_options(pipeline, EXPORT_OPTIONS), progress_cb=progress,
                connection_verify=self.plane.ca_bundle, max_layer_size=self.plane.max_layer_size)
        except DataPlaneTransferError as exc:
            raise TransferError(access.explain(exc))
        log.info("export %s -> %s: %d artifact(s), catalog %s", run["name"], access.container,
                 len(result.exported), result.catalog_digest)
        # importedArtifacts on an export lists what it carried (the spec's one field for both kinds),
        # so a client can tell which requested artifacts ContinueOnErrors skipped.
        answer = {"importedArtifacts": result.exported, "catalogDigest": result.catalog_digest}
        if result.skipped:
            answer["pipelineRunErrorMessage"] = _skipped_message("exported", result.skipped)
        return answer

    def import_(self, run, pipeline, progress):
        request = run["properties"]["request"]
        options = _options(pipeline, IMPORT_OPTIONS)
        needed = {READ, DELETE} if "DeleteSourceBlobOnSuccess" in options else {READ}
        access = self._access(pipeline, "import pipeline", "source", needed)
        try:
            result = run_import(
                self.url, access.container.uri, request["source"]["name"],
                sas_token=access.sas_token, credential=access.credential, options=options,
                progress_cb=progress, connection_verify=self.plane.ca_bundle,
                expected_catalog_digest=request.get("catalogDigest"))
        except DataPlaneTransferError as exc:
            raise TransferError(access.explain(exc))
        log.info("import %s <- %s: %d artifact(s), catalog %s", run["name"], access.container,
                 len(result.imported_artifacts), result.catalog_digest)
        answer = {"importedArtifacts": result.imported_artifacts, "catalogDigest": result.catalog_digest}
        if result.skipped:
            answer["pipelineRunErrorMessage"] = _skipped_message("imported", result.skipped)
        return answer

    def _access(self, pipeline, kind_noun, storage_key, needed):
        try:
            return self.plane.storage_access(pipeline, kind_noun, storage_key, needed)
        except AccessError as exc:
            raise TransferError(redact_text(str(exc)))
