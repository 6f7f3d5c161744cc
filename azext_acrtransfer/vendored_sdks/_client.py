"""ContainerRegistryTransferClient: the ARM client of the acrtransfer extension."""
from azure.mgmt.core import ARMPipelineClient

from ._configuration import API_VERSION, DEFAULT_BASE_URL, ContainerRegistryTransferClientConfiguration
from ._operations import ExportPipelinesOperations, ImportPipelinesOperations, PipelineRunsOperations


class ContainerRegistryTransferClient:
    """exportPipelines, importPipelines and pipelineRuns of Microsoft.ContainerRegistry at 2025-06-01-preview.

    :param credential: an azure-core TokenCredential.
    :param str subscription_id: the subscription every request addresses.
    :param str base_url: the ARM endpoint (az passes its cloud's resource manager URL).
    :keyword credential_scopes, user_agent, headers, logging_enable, retry_total, polling_interval,
        transport, and any azure-core policy by name (``authentication_policy``, ``user_agent_policy``...).
    """

    def __init__(self, credential, subscription_id, base_url=DEFAULT_BASE_URL, **kwargs):
        # One api-version only; accept it spelled out, refuse any other rather than send a wrong one.
        api_version = kwargs.pop("api_version", None) or API_VERSION
        if api_version != API_VERSION:
            raise ValueError("This client speaks api-version {} only, not {}".format(API_VERSION, api_version))
        self._config = ContainerRegistryTransferClientConfiguration(credential, subscription_id, base_url=base_url,
                                                                    **kwargs)
        self._client = ARMPipelineClient(base_url=base_url, config=self._config, **kwargs)
        self.export_pipelines = ExportPipelinesOperations(self._client, self._config)
        self.import_pipelines = ImportPipelinesOperations(self._client, self._config)
        self.pipeline_runs = PipelineRunsOperations(self._client, self._config)

    def close(self):
        self._client.close()

    def __enter__(self):
        self._client.__enter__()
        return self

    def __exit__(self, *exc_details):
        self._client.__exit__(*exc_details)
