"""The command table: one CliCommandType per resource module, one line per verb.

Nothing here imports the management client: command modules are named by string and the client
factories import the client when a command runs.
"""
from azure.cli.core.commands import CliCommandType

from ._client_factory import cf_export_pipelines, cf_import_pipelines, cf_pipeline_runs
from ._errors import transfer_exception_handler
from ._format import (
    export_pipeline_output_format,
    import_pipeline_output_format,
    pipeline_run_create_output_format,
    pipeline_run_output_format,
)
from ._validators import (
    validate_export_pipeline_create,
    validate_export_pipeline_lookup,
    validate_export_pipeline_update,
    validate_import_pipeline_create,
    validate_import_pipeline_lookup,
    validate_import_pipeline_update,
    validate_pipeline_run_create,
    validate_pipeline_run_list,
    validate_pipeline_run_lookup,
    validate_registry_scope,
)


def load_command_table(self, _):
    export_pipeline = CliCommandType(
        operations_tmpl="azext_acrtransfer.export_pipeline#{}",
        client_factory=cf_export_pipelines,
        exception_handler=transfer_exception_handler)
    import_pipeline = CliCommandType(
        operations_tmpl="azext_acrtransfer.import_pipeline#{}",
        client_factory=cf_import_pipelines,
        exception_handler=transfer_exception_handler)
    pipeline_run = CliCommandType(
        operations_tmpl="azext_acrtransfer.pipeline_run#{}",
        client_factory=cf_pipeline_runs,
        exception_handler=transfer_exception_handler)

    with self.command_group("acr export-pipeline", custom_command_type=export_pipeline,
                            table_transformer=export_pipeline_output_format) as g:
        g.custom_command("create", "acr_export_pipeline_create", supports_no_wait=True,
                         validator=validate_export_pipeline_create)
        g.custom_command("update", "acr_export_pipeline_update", supports_no_wait=True,
                         validator=validate_export_pipeline_update)
        g.custom_show_command("show", "acr_export_pipeline_show", validator=validate_export_pipeline_lookup)
        g.custom_command("list", "acr_export_pipeline_list", validator=validate_registry_scope)
        g.custom_command("delete", "acr_export_pipeline_delete", supports_no_wait=True,
                         validator=validate_export_pipeline_lookup, table_transformer=None)
        g.custom_wait_command("wait", "acr_export_pipeline_show", validator=validate_export_pipeline_lookup)

    with self.command_group("acr import-pipeline", custom_command_type=import_pipeline,
                            table_transformer=import_pipeline_output_format) as g:
        g.custom_command("create", "acr_import_pipeline_create", supports_no_wait=True,
                         validator=validate_import_pipeline_create)
        g.custom_command("update", "acr_import_pipeline_update", supports_no_wait=True,
                         validator=validate_import_pipeline_update)
        g.custom_show_command("show", "acr_import_pipeline_show", validator=validate_import_pipeline_lookup)
        g.custom_command("list", "acr_import_pipeline_list", validator=validate_registry_scope)
        g.custom_command("delete", "acr_import_pipeline_delete", supports_no_wait=True,
                         validator=validate_import_pipeline_lookup, table_transformer=None)
        g.custom_wait_command("wait", "acr_import_pipeline_show", validator=validate_import_pipeline_lookup)

    with self.command_group("acr pipeline-run", custom_command_type=pipeline_run,
                            table_transformer=pipeline_run_output_format) as g:
        g.custom_command("create", "acr_pipeline_run_create", supports_no_wait=True,
                         validator=validate_pipeline_run_create, table_transformer=pipeline_run_create_output_format)
        g.custom_show_command("show", "acr_pipeline_run_show", validator=validate_pipeline_run_lookup)
        g.custom_command("list", "acr_pipeline_run_list", validator=validate_pipeline_run_list)
        g.custom_command("delete", "acr_pipeline_run_delete", supports_no_wait=True,
                         validator=validate_pipeline_run_lookup, table_transformer=None)
        g.custom_command("clean", "acr_pipeline_run_clean", validator=validate_registry_scope)
        g.custom_wait_command("wait", "acr_pipeline_run_show", validator=validate_pipeline_run_lookup)
