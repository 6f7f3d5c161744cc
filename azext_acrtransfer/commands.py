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


# What differs between the two pipeline groups; their verbs are the same (export/import symmetry).
_PIPELINE_GROUPS = {
    "export": (cf_export_pipelines, export_pipeline_output_format, validate_export_pipeline_create,
               validate_export_pipeline_update, validate_export_pipeline_lookup),
    "import": (cf_import_pipelines, import_pipeline_output_format, validate_import_pipeline_create,
               validate_import_pipeline_update, validate_import_pipeline_lookup),
}


def load_command_table(self, _):
    for kind, (factory, table, validate_create, validate_update, validate_lookup) in _PIPELINE_GROUPS.items():
        command_type = CliCommandType(
            operations_tmpl="azext_acrtransfer.{}_pipeline#{{}}".format(kind),
            client_factory=factory,
            exception_handler=transfer_exception_handler)
        prefix = "acr_{}_pipeline_".format(kind)
        with self.command_group("acr {}-pipeline".format(kind), custom_command_type=command_type,
                                table_transformer=table) as g:
            g.custom_command("create", prefix + "create", supports_no_wait=True, validator=validate_create)
            g.custom_command("update", prefix + "update", supports_no_wait=True, validator=validate_update)
            g.custom_show_command("show", prefix + "show", validator=validate_lookup)
            g.custom_command("list", prefix + "list", validator=validate_registry_scope)
            g.custom_command("delete", prefix + "delete", supports_no_wait=True, validator=validate_lookup,
                             table_transformer=None)
            g.custom_wait_command("wait", prefix + "show", validator=validate_lookup)

    pipeline_run = CliCommandType(
        operations_tmpl="azext_acrtransfer.pipeline_run#{}",
        client_factory=cf_pipeline_runs,
        exception_handler=transfer_exception_handler)

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
