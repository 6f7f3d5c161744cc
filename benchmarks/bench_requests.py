"""Benchmark 2: requests per command, counted by the service (GET /_emulator/requests around each
command), in sync mode. Figure: requests to the transfer API (exportPipelines, importPipelines,
pipelineRuns). Not counted: the one managed-identity token request every az process makes (az rest
makes it too). Baseline: what the public acrtransfer 2.0.0 sends for the same command, counted from
its recordings of the real service when they are at ../shared/reference, else the issue's figure.
"""
import glob
import os
import re

from harness import RESOURCE_GROUP, ROOT, Row

TRANSFER_OPERATION = re.compile(r"^(ExportPipelines|ImportPipelines|PipelineRuns)_")
RECORDINGS = os.path.join(ROOT, "..", "shared", "reference", "acrtransfer-2.0.0-recordings")
# acrtransfer 2.0.0 per the issue: 2 for create, for delete and for a run's show.
ISSUE_FIGURES = {"create": 2, "delete": 2, "run show": 2}
CONTAINER_URI = "https://benchstore.blob.core.windows.net/transfer"


def baseline_counts():
    """{"acr export-pipeline create": n, ...}: transfer-API requests per command in 2.0.0's recordings
    (each recorded command counted once: the first recording that has it)."""
    import yaml
    counts = {}
    for path in sorted(glob.glob(os.path.join(RECORDINGS, "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            interactions = yaml.safe_load(f)["interactions"]
        seen = {}
        for interaction in interactions:
            request = interaction["request"]
            command = (request.get("headers", {}).get("CommandName") or [""])[0]
            if re.search(r"/(exportPipelines|importPipelines|pipelineRuns)(/|\?|$)", request["uri"]):
                seen[command] = seen.get(command, 0) + 1
        for command, n in seen.items():
            counts.setdefault(command, n)
    return counts


def _commands(bench):
    rg = ["-g", RESOURCE_GROUP]
    source, target = rg + ["-r", "sourceregistry"], rg + ["-r", "targetregistry"]
    create = ["-c", CONTAINER_URI, "-m", "ManagedIdentity"]
    run = ["-p", "reqexport1", "-t", "export", "-b", "req.tar", "-a", "hello-world:v1"]
    return [
        # (row name, argv, target count or None, issue-figure key)
        ("export-pipeline create", ["acr", "export-pipeline", "create"] + source + ["-n", "reqexport1"] + create, 1,
         "create"),
        ("export-pipeline show", ["acr", "export-pipeline", "show"] + source + ["-n", "reqexport1"], 1, None),
        ("export-pipeline list", ["acr", "export-pipeline", "list"] + source, None, None),
        ("export-pipeline update", ["acr", "export-pipeline", "update"] + source + ["-n", "reqexport1", "-z",
                                                                                   "OverwriteBlobs"], None, None),
        ("import-pipeline create", ["acr", "import-pipeline", "create"] + target + ["-n", "reqimport1"] + create, 1,
         "create"),
        ("import-pipeline show", ["acr", "import-pipeline", "show"] + target + ["-n", "reqimport1"], 1, None),
        ("import-pipeline delete", ["acr", "import-pipeline", "delete"] + target + ["-n", "reqimport1"], 1, "delete"),
        ("pipeline-run create --no-wait", ["acr", "pipeline-run", "create"] + source + ["-n", "reqrun1"] + run
         + ["--no-wait"], 1, "create"),
        ("pipeline-run show", ["acr", "pipeline-run", "show"] + source + ["-n", "reqrun1"], 1, "run show"),
        ("pipeline-run list", ["acr", "pipeline-run", "list"] + source, None, None),
        ("pipeline-run delete", ["acr", "pipeline-run", "delete"] + source + ["-n", "reqrun1"], 1, "delete"),
        ("export-pipeline delete", ["acr", "export-pipeline", "delete"] + source + ["-n", "reqexport1"], 1, "delete"),
    ]


def run(bench, log):
    try:
        recorded = baseline_counts()
    except (OSError, ImportError):
        recorded = {}
    rows = []
    for name, argv, target, issue_key in _commands(bench):
        bench.reset_counts()
        _, result = bench.az(*argv)
        if result.returncode != 0:
            raise RuntimeError("az {} failed:\n{}".format(" ".join(argv), result.stderr[-2000:]))
        counts = bench.request_counts()
        if name.startswith("pipeline-run create"):
            # The run goes on in the service; let it end so its show below is stable.
            bench.wait_run("sourceregistry", "reqrun1")
        transfer = sum(n for op, n in counts.items() if TRANSFER_OPERATION.match(op))
        other = {op: n for op, n in counts.items() if not TRANSFER_OPERATION.match(op)}
        command = "acr " + name.replace(" --no-wait", "")
        if command in recorded:
            base, source = recorded[command], "2.0.0 recordings"
        elif issue_key in ISSUE_FIGURES:
            base, source = ISSUE_FIGURES[issue_key], "2.0.0 per the issue"
        else:
            base, source = None, None
        log("  2. {:32s} {} transfer-API request(s), other: {}; acrtransfer 2.0.0: {}".format(
            name, transfer, other or "none", base if base is not None else "-"))
        rows.append(Row("2. requests: " + name, str(transfer),
                        "{} ({})".format(base, source) if base is not None else "-",
                        "{:.2f}".format(transfer / base) if base else "-",
                        "= {}".format(target) if target is not None else "-",
                        ("yes" if transfer == target else "no") if target is not None else "-"))
    return rows
