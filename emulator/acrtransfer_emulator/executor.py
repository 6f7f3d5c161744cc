"""The run executor: takes recorded pipeline runs from Creating to Succeeded or Failed.

Each run executes in a worker thread (data planes do blocking I/O). Every write a run makes is a
compare-and-set on its execution id, so a run that was deleted or re-run stops touching the record.
A ticker thread also finishes due pipeline PUT/DELETE operations of async mode.

Steps of one run, with ``progress.percentage`` after each:
  10  the pipeline still exists;
  20  the pipeline has an identity to reach storage;
  20-100  the registry's data plane moves the artifacts (none configured: the run fails saying so).
"""
import copy
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from . import arm, errors
from .config import find_registry
from .resources import operations, pipelines
from .resources.pipeline_runs import PIPELINE_ID_RE
from .store import ResourceKey
from .transfer import TransferCancelled, TransferError

log = logging.getLogger("acrtransfer_emulator.executor")

RESTARTED_MESSAGE = ("The local ACR Transfer service was restarted while this run was in progress, so the run was "
                     "stopped. Run it again with a new forceUpdateTag.")
NO_DATA_PLANE_MESSAGE = ("Registry '{registry}' has no data plane in this local ACR Transfer service, so no artifacts "
                         "were {verb}. This local service only records pipelines and runs unless a data plane is "
                         "configured for the registry.")


class _Run:
    """One execution of one run: reads and writes guarded by the execution id."""

    def __init__(self, executor, key, exec_id):
        self.executor = executor
        self.store = executor.service.store
        self.key = key
        self.exec_id = exec_id

    def _update(self, change):
        def mutate(doc, meta):
            if meta.get("exec_id") != self.exec_id:
                raise TransferCancelled()
            change(doc["properties"])
            return doc, meta
        record = self.store.update(self.key, mutate)
        if record is None:
            raise TransferCancelled()
        return record

    def doc(self):
        record = self.store.get(self.key)
        if record is None or record.meta.get("exec_id") != self.exec_id:
            raise TransferCancelled()
        return record.doc

    def progress(self, percent):
        percent = max(0, min(100, int(percent)))

        def change(properties):
            current = int(properties["response"].get("progress", {}).get("percentage", "0"))
            properties["response"]["progress"] = {"percentage": str(max(current, percent))}
        self._update(change)

    def step(self, percent):
        """Wait one step (the configured run_step_delay), then record the progress."""
        if self.executor.stopping.wait(self.executor.service.config["run_step_delay"]):
            raise TransferCancelled()
        self.progress(percent)

    def finish(self, succeeded, message=None, result=None):
        def change(properties):
            response = properties["response"]
            response["status"] = "Succeeded" if succeeded else "Failed"
            if succeeded:
                response["progress"] = {"percentage": "100"}
                # pipelineRunErrorMessage on a success: what ContinueOnErrors skipped.
                for field in ("importedArtifacts", "catalogDigest", "pipelineRunErrorMessage"):
                    if result and result.get(field) is not None:
                        response[field] = result[field]
            response["finishTime"] = arm.utcnow()
            if message:
                response["pipelineRunErrorMessage"] = message
            properties["provisioningState"] = arm.SUCCEEDED if succeeded else arm.FAILED
        record = self._update(change)
        op_id = record.meta.get("operation_id")
        if op_id:
            error = None if succeeded else {"code": errors.PIPELINE_RUN_FAILED, "message": message}
            self.store.finish_operation(op_id, arm.SUCCEEDED if succeeded else arm.FAILED, arm.utcnow(), error)


class RunExecutor:
    def __init__(self, service, workers=8):
        self.service = service
        self.stopping = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="acrt-run")
        self._ticker = threading.Thread(target=self._tick, name="acrt-ticker", daemon=True)

    def start(self):
        self.recover()
        self._ticker.start()

    def stop(self):
        self.stopping.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._ticker.is_alive():
            self._ticker.join(timeout=2)

    def submit(self, key, exec_id):
        self._pool.submit(self._execute, key, exec_id)

    def recover(self):
        """After a restart no run is executing: end the ones left Creating as Failed, with the reason."""
        store = self.service.store
        for record in store.all_resources("pipelineRuns"):
            if record.doc["properties"].get("provisioningState") == arm.CREATING and record.meta.get("exec_id"):
                try:
                    _Run(self, record.key, record.meta["exec_id"]).finish(False, RESTARTED_MESSAGE)
                except TransferCancelled:
                    pass
        operations.settle_due(store)

    def _tick(self):
        while not self.stopping.wait(0.05):
            try:
                operations.settle_due(self.service.store)
            except Exception:   # keep ticking; a bad record must not stop every async operation
                log.exception("settling operations failed")

    def _execute(self, key, exec_id):
        run = _Run(self, key, exec_id)
        try:
            self._transfer(run)
        except TransferCancelled:
            return
        except TransferError as exc:
            self._fail(run, str(exc))
        except Exception as exc:
            log.exception("run %s failed in the executor", key.name)
            self._fail(run, "The local ACR Transfer service hit an internal error while running: {}".format(exc))

    @staticmethod
    def _fail(run, message):
        try:
            run.finish(False, message)
        except TransferCancelled:
            pass

    def _transfer(self, run):
        service = self.service
        doc = run.doc()
        match = PIPELINE_ID_RE.match(doc["properties"]["request"]["pipelineResourceId"])
        kind = pipelines.KINDS[match["collection"].lower()]
        pipeline_key = ResourceKey(run.key.subscription, run.key.resource_group, run.key.registry, kind.collection,
                                   match["name"])
        run.step(10)
        pipeline = service.store.get(pipeline_key)
        if pipeline is None:
            raise TransferError("The {} '{}' was deleted before the run could use it.".format(
                kind.collection[:-1], match["name"]))
        identity = pipeline.doc.get("identity") or {}
        if identity.get("type", "none") == "none":
            raise TransferError("The {} '{}' has no managed identity, so the run cannot reach storage.".format(
                kind.collection[:-1], pipeline.doc["name"]))
        run.step(20)
        registry = find_registry(service.config, run.key.resource_group, run.key.registry)
        transfer = service.dataplane.for_registry(registry) if registry else None
        if transfer is None:
            raise TransferError(NO_DATA_PLANE_MESSAGE.format(
                registry=registry["name"] if registry else run.key.registry,
                verb="exported" if kind is pipelines.EXPORT else "imported"))

        def progress(percent):
            run.progress(20 + max(0, min(100, int(percent))) * 80 // 100)
        action = transfer.export if kind is pipelines.EXPORT else transfer.import_
        result = action(copy.deepcopy(run.doc()), copy.deepcopy(pipeline.doc), progress)
        run.finish(True, result=result)
