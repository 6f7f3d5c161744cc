"""exportPipelines: one function per spec operationId; the work is in pipelines.py."""
from . import pipelines

KIND = pipelines.EXPORT


def ExportPipelines_Get(ctx):
    return pipelines.get(KIND, ctx)


def ExportPipelines_List(ctx):
    return pipelines.list_(KIND, ctx)


def ExportPipelines_Create(ctx):
    return pipelines.create(KIND, ctx)


def ExportPipelines_Delete(ctx):
    return pipelines.delete(KIND, ctx)
