"""importPipelines: one function per spec operationId; the work is in pipelines.py."""
from . import pipelines

KIND = pipelines.IMPORT


def ImportPipelines_Get(ctx):
    return pipelines.get(KIND, ctx)


def ImportPipelines_List(ctx):
    return pipelines.list_(KIND, ctx)


def ImportPipelines_Create(ctx):
    return pipelines.create(KIND, ctx)


def ImportPipelines_Delete(ctx):
    return pipelines.delete(KIND, ctx)
