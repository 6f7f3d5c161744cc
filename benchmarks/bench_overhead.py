"""Benchmark 1: command overhead. Each extension command against the local service, beside `az rest`
sending the same request, both as real az processes in the same environment, alternated (ext, rest,
rest, ext, ...) so both sides share the machine's noise. Figure: the median wall time of the
extension command; baseline: the median of `az rest`; ratio: extension / az rest.

"The same request": the same method and URL, and for PUT the body the extension's own body builder
makes for those arguments. Creates and deletes use a fresh name per run on each side.
"""
import json
import os
import re

from harness import RESOURCE_GROUP, Row, median, seconds, subscription_id

TARGET = 1.05
CONTAINER_URI = "https://benchstore.blob.core.windows.net/transfer"


def _bodies():
    """The bodies the extension sends, from its own builders (so az rest sends the same JSON)."""
    from azext_acrtransfer.export_pipeline import build_export_pipeline_body
    from azext_acrtransfer.import_pipeline import build_import_pipeline_body
    from azext_acrtransfer.pipeline_run import build_pipeline_run_body, pipeline_resource_id
    export = build_export_pipeline_body(CONTAINER_URI, "ManagedIdentity")
    import_ = build_import_pipeline_body(CONTAINER_URI, "ManagedIdentity")
    run = build_pipeline_run_body(
        pipeline_resource_id(subscription_id(), RESOURCE_GROUP, "sourceregistry", "export", "benchexport"),
        "export", "bench.tar", artifacts=["hello-world:v1"])
    return export, import_, run


class _Pair:
    """One command and its az rest twin; ``prepare(side, i)`` sets up what run i needs and returns
    the names to use."""

    def __init__(self, name, ext, rest, prepare=None, targeted=True):
        self.name, self.ext, self.rest, self.prepare, self.targeted = name, ext, rest, prepare, targeted


def _pairs(bench, body_file):
    export_body, import_body, run_body = _bodies()
    files = {}
    for key, body in (("export", export_body), ("import", import_body), ("run", run_body)):
        files[key] = body_file(key, body)
    rg = ["-g", RESOURCE_GROUP]
    source, target = "sourceregistry", "targetregistry"

    def url(registry, collection, name=""):
        return bench.url(bench.registry_path(registry) + "/" + collection + ("/" + name if name else ""))

    def put(registry, collection, name, body):
        response = bench.arm("PUT", bench.registry_path(registry) + "/" + collection + "/" + name, body)
        assert response.status_code in (200, 201), response.text

    pairs = []
    for kind, registry, body in (("export", source, export_body), ("import", target, import_body)):
        collection = kind + "Pipelines"
        group = "{}-pipeline".format(kind)
        put(registry, collection, "bench" + kind, body)
        scope = rg + ["-r", registry]
        pairs += [
            _Pair(group + " show", lambda i, s, g=group, sc=scope, k=kind: ["acr", g, "show"] + sc + ["-n", "bench" + k],
                  lambda i, s, r=registry, c=collection, k=kind: ["rest", "--method", "get", "--url",
                                                                  url(r, c, "bench" + k)]),
            _Pair(group + " list", lambda i, s, g=group, sc=scope: ["acr", g, "list"] + sc,
                  lambda i, s, r=registry, c=collection: ["rest", "--method", "get", "--url", url(r, c)]),
            _Pair(group + " create",
                  lambda i, s, g=group, sc=scope: ["acr", g, "create"] + sc + [
                      "-n", "{}c{}{}".format(g[:3], s, i), "-c", CONTAINER_URI, "-m", "ManagedIdentity"],
                  lambda i, s, r=registry, c=collection, g=group, k=kind: [
                      "rest", "--method", "put", "--url", url(r, c, "{}c{}{}".format(g[:3], s, i)),
                      "--body", "@" + files[k]]),
            _Pair(group + " delete",
                  lambda i, s, g=group, sc=scope: ["acr", g, "delete"] + sc + ["-n", "{}d{}{}".format(g[:3], s, i)],
                  lambda i, s, r=registry, c=collection, g=group: [
                      "rest", "--method", "delete", "--url", url(r, c, "{}d{}{}".format(g[:3], s, i))],
                  prepare=lambda i, s, r=registry, c=collection, g=group, b=body: put(
                      r, c, "{}d{}{}".format(g[:3], s, i), b)),
        ]
    put(source, "exportPipelines", "benchexport", export_body)
    put(source, "pipelineRuns", "benchrun", run_body)
    scope = rg + ["-r", source]
    pairs += [
        _Pair("pipeline-run show", lambda i, s: ["acr", "pipeline-run", "show"] + scope + ["-n", "benchrun"],
              lambda i, s: ["rest", "--method", "get", "--url", url(source, "pipelineRuns", "benchrun")]),
        _Pair("pipeline-run list", lambda i, s: ["acr", "pipeline-run", "list"] + scope,
              lambda i, s: ["rest", "--method", "get", "--url", url(source, "pipelineRuns")]),
        _Pair("pipeline-run create --no-wait",
              lambda i, s: ["acr", "pipeline-run", "create"] + scope + [
                  "-n", "runc{}{}".format(s, i), "-p", "benchexport", "-t", "export", "-b", "bench.tar",
                  "-a", "hello-world:v1", "--no-wait"],
              lambda i, s: ["rest", "--method", "put", "--url", url(source, "pipelineRuns", "runc{}{}".format(s, i)),
                            "--body", "@" + files["run"]]),
        _Pair("pipeline-run delete",
              lambda i, s: ["acr", "pipeline-run", "delete"] + scope + ["-n", "rund{}{}".format(s, i)],
              lambda i, s: ["rest", "--method", "delete", "--url", url(source, "pipelineRuns", "rund{}{}".format(s, i))],
              prepare=lambda i, s: put(source, "pipelineRuns", "rund{}{}".format(s, i), run_body)),
    ]
    return pairs


_LOAD_LINE = re.compile(r"cli\.azure\.cli\.core: (?P<name>\S+)\s+(?P<seconds>\d+\.\d+)\s+\d+\s+\d+")


def load_times(bench, argv):
    """{module or extension: seconds} from az's own --debug table of command-table load times."""
    _, result = bench.az(*(argv + ["--debug"]))
    return {m["name"]: float(m["seconds"]) for m in _LOAD_LINE.finditer(result.stderr) if m["name"] != "Total"}


def breakdown(bench, pair, log):
    """Where the difference comes from: az loads every command module of a command's top-level group,
    so `az acr <anything>` loads az's whole acr module (150 commands), `az rest` only `util`."""
    ext, rest = load_times(bench, pair.ext(0, "ext")), load_times(bench, pair.rest(0, "rest"))
    log("  1. command-table loads: extension command {}; az rest {}".format(ext, rest))
    return Row("1. overhead cause: command-table loads (az --debug)",
               " + ".join("{} {}".format(name, seconds(t)) for name, t in sorted(ext.items())),
               " + ".join("{} {}".format(name, seconds(t)) for name, t in sorted(rest.items())) + " (az rest)",
               "-", "-", "-")


def run(bench, runs, log):
    workdir = os.path.join(bench.home, "bodies")
    os.makedirs(workdir, exist_ok=True)

    def body_file(key, body):
        path = os.path.join(workdir, key + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(body, f)
        return path

    rows = []
    pairs = _pairs(bench, body_file)
    for pair in pairs:
        times = {"ext": [], "rest": []}
        for i in range(runs + 1):                      # run 0 warms both up and is not counted
            order = ("ext", "rest") if i % 2 == 0 else ("rest", "ext")
            for side in order:
                if pair.prepare:
                    pair.prepare(i, side)
                argv = (pair.ext if side == "ext" else pair.rest)(i, side)
                elapsed, result = bench.az(*argv)
                if result.returncode != 0:
                    raise RuntimeError("az {} failed:\n{}".format(" ".join(argv), result.stderr[-2000:]))
                if i:
                    times[side].append(elapsed)
        ext, rest = median(times["ext"]), median(times["rest"])
        ratio = ext / rest
        log("  1. {:32s} extension {}  az rest {}  ratio {:.3f}".format(pair.name, seconds(ext), seconds(rest), ratio))
        rows.append(Row("1. overhead: " + pair.name, seconds(ext), seconds(rest) + " (az rest)",
                        "{:.2f}".format(ratio), "<= {:.2f}".format(TARGET) if pair.targeted else "-",
                        ("yes" if ratio <= TARGET else "no") if pair.targeted else "-"))
    rows.append(breakdown(bench, pairs[0], log))
    return rows
