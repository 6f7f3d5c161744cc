"""Client factories. The management client is imported inside the functions, so loading the
command table never imports it; az's `get_mgmt_service_client` supplies the credential, the
cloud's ARM endpoint, --subscription, the user agent and az's logging and retry settings.
"""


def _transfer_client(cli_ctx):
    from azure.cli.core.commands.client_factory import get_mgmt_service_client
    from .vendored_sdks import ContainerRegistryTransferClient
    return get_mgmt_service_client(cli_ctx, ContainerRegistryTransferClient)


def cf_export_pipelines(cli_ctx, *_):
    return _transfer_client(cli_ctx).export_pipelines


def cf_import_pipelines(cli_ctx, *_):
    return _transfer_client(cli_ctx).import_pipelines


def cf_pipeline_runs(cli_ctx, *_):
    return _transfer_client(cli_ctx).pipeline_runs
