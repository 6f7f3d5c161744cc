"""`az acr export-pipeline`: command functions over the shared pipeline code (_pipeline_common).

Inputs arrive normalised by _validators.py; each function makes one client call, except update
(GET, then PUT: the API has no PATCH).
"""
# Command functions take `cmd` (and the client) by az convention even when unused.
# pylint: disable=unused-argument
from ._pipeline_common import (
    EXPORT_KIND,
    build_pipeline_body,
    create_pipeline,
    delete_pipeline,
    list_pipelines,
    show_pipeline,
    update_pipeline,
)


def build_export_pipeline_body(storage_container_uri, storage_access_mode, secret_uri=None,
                               assign_identity=None, options=None):
    """The PUT body of an export pipeline: identity, then properties.target and options."""
    return build_pipeline_body(EXPORT_KIND, storage_container_uri, storage_access_mode, secret_uri=secret_uri,
                               assign_identity=assign_identity, options=options)


def acr_export_pipeline_create(cmd, client, resource_group_name, registry_name, export_pipeline_name,
                               storage_container_uri, storage_access_mode=None, secret_uri=None,
                               assign_identity=None, options=None, no_wait=False):
    """One PUT (polling only when the service answers asynchronously); prints the permission advice."""
    body = build_export_pipeline_body(storage_container_uri, storage_access_mode, secret_uri=secret_uri,
                                      assign_identity=assign_identity, options=options)
    return create_pipeline(cmd, client, EXPORT_KIND, resource_group_name, registry_name, export_pipeline_name,
                           body, no_wait=no_wait)


def acr_export_pipeline_update(cmd, client, resource_group_name, registry_name, export_pipeline_name, options=None,
                               secret_uri=None, no_wait=False):
    """Change the options or the SAS token secret: one GET, then one PUT of the whole pipeline."""
    return update_pipeline(cmd, client, EXPORT_KIND, resource_group_name, registry_name, export_pipeline_name,
                           options=options, secret_uri=secret_uri, no_wait=no_wait)


def acr_export_pipeline_show(cmd, client, resource_group_name, registry_name, export_pipeline_name):
    return show_pipeline(client, resource_group_name, registry_name, export_pipeline_name)


def acr_export_pipeline_list(cmd, client, resource_group_name, registry_name):
    return list_pipelines(client, resource_group_name, registry_name)


def acr_export_pipeline_delete(cmd, client, resource_group_name, registry_name, export_pipeline_name,
                               no_wait=False):
    return delete_pipeline(client, resource_group_name, registry_name, export_pipeline_name, no_wait=no_wait)
