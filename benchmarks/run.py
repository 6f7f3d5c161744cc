#!/usr/bin/env python3
"""`make bench`: the benchmarks of the extension and the local service, one table.

Starts its own local service (127.0.0.1, a temporary home) with an isolated az that is logged in to
it and has the extension installed from a wheel of this checkout, runs each benchmark with its
baseline in the same run, prints one table with the machine it ran on, and writes it to
benchmarks/RESULTS.md. Figures are medians over several runs.

  .venv/bin/python benchmarks/run.py [--runs N] [--clean-runs N] [--only 1,2,3] [--no-write]
"""
import argparse
import datetime
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_clean  # noqa: E402
import bench_overhead  # noqa: E402
import bench_requests  # noqa: E402
import bench_transfer  # noqa: E402
from harness import HEADERS, Bench, machine  # noqa: E402

RESULTS = os.path.join(HERE, "RESULTS.md")


def table(rows):
    cells = [HEADERS] + [row.cells() for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(HEADERS))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(r) for r in cells[1:]])


def markdown(rows, info, args, took):
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine_lines = "\n".join("- {}: {}".format(k, v) for k, v in info.items())
    return """# Benchmark results

Latest `make bench` ({when}, {took:.0f} s; {runs} runs per command for benchmark 1, {clean_runs} for
benchmark 3; figures are medians). Written by `benchmarks/run.py`; do not edit by hand.

{table}

Machine:
{machine}

How each figure is measured (details in each `benchmarks/bench_*.py`):
1. Command overhead: the real `az` process for each extension command against the local service, and
   `az rest` sending the same request (same method, URL and body, the body made by the extension's own
   builder), alternated in the same environment; the extension is installed from a wheel of this
   checkout. Ratio = median extension / median `az rest`.
2. Requests per command: counted by the service (`/_emulator/requests`), sync mode, transfer-API
   requests only (each az process also makes one managed-identity token request, as `az rest` does).
   The 2.0.0 baseline comes from its recordings of the real service (or the issue's figure).
3. `pipeline-run clean`: wall time of the `az` process (start-up included) deleting 200 failed runs
   with 50 ms added to every request at the service, against the same list and 200 DELETEs one after
   another through the extension's management client in an already running process.
4. and 5. Transfer throughput and source-trigger latency: each starts its own service with the data
   plane (registries and Azurite); method in `benchmarks/bench_transfer.py` and `bench_trigger.py`.

A shared or busy machine widens the spread; benchmark 1 alternates both sides so they share it.
""".format(when=when, took=took, runs=args.runs, clean_runs=args.clean_runs, table=table(rows),
           machine=machine_lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9, help="runs per command in benchmark 1 (default 9)")
    parser.add_argument("--clean-runs", type=int, default=3, help="runs of benchmark 3 (default 3)")
    parser.add_argument("--only", default="1,2,3,4,5", help="benchmarks to run, e.g. 1,3")
    parser.add_argument("--no-write", action="store_true", help="do not rewrite benchmarks/RESULTS.md")
    parser.add_argument("--keep", action="store_true", help="keep the service's temporary home")
    args = parser.parse_args(argv)
    only = {int(x) for x in args.only.split(",") if x.strip()}

    def log(message):
        print(message, file=sys.stderr, flush=True)

    started = time.monotonic()
    info = machine()
    log("Machine: " + "; ".join("{} {}".format(k, v) for k, v in info.items()))
    rows = []
    with Bench(keep=args.keep) as bench:
        log("Service at {} (home {})".format(bench.emu.url, bench.home))
        if 1 in only:
            log("1. Command overhead ({} runs each, alternated with az rest)".format(args.runs))
            rows += bench_overhead.run(bench, args.runs, log)
        if 2 in only:
            log("2. Requests per command")
            rows += bench_requests.run(bench, log)
        if 3 in only:
            log("3. pipeline-run clean of {} failed runs, {} runs".format(bench_clean.RUNS, args.clean_runs))
            rows += bench_clean.run(bench, args.clean_runs, log)
        if 4 in only:
            rows += bench_transfer.throughput(bench, args.clean_runs, log)
        if 5 in only:
            rows += bench_transfer.trigger_latency(bench, args.clean_runs, log)
    took = time.monotonic() - started
    print(table(rows))
    print("\nMachine: " + "; ".join("{}: {}".format(k, v) for k, v in info.items()))
    print("Took {:.0f} s.".format(took))
    if not args.no_write:
        with open(RESULTS, "w", encoding="utf-8") as f:
            f.write(markdown(rows, info, args, took))
        print("Written to " + os.path.relpath(RESULTS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
