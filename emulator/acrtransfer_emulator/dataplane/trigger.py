"""The import pipelines' source trigger: a poller that starts an import run for each new eligible blob.

Every ``trigger_interval`` seconds (2 by default; Azure fires within 15 minutes) one thread visits
every import pipeline whose ``trigger.sourceTrigger.status`` is Enabled, on a registry with a data
plane, lists its container with the pipeline's own storage access (the SAS from Key Vault, or its
identity's token and role), and for each blob:

* already started for this (name, ETag): nothing (a blob written again gets a new ETag and runs again);
* eligible (metadata ``category: acr-transfer-blob``, a Content-MD5, modified within 60 days, no
  copy into it still running): an import run named ``<pipeline>_<blob letters and digits>_<UTC
  last-modified, YYYYmmddHHMMSS>`` (the real service's trigger runs carry ``_``) with
  ``response.trigger.sourceTrigger.timestamp`` = the blob's last-modified time;
* not eligible: skipped, with the reason in ``GET /_emulator/trigger`` and one log line.

What was started is remembered per pipeline (its id and creation time, so a re-created pipeline
starts afresh) in ``HOME/dataplane/trigger.json``: a restart does not import a blob twice.
"""

import json
import logging
import os
import re
import threading
from datetime import timezone

from .. import arm
from ..config import find_registry
from ..resources import pipeline_runs, pipelines
from .access import READ, AccessError, pipeline_identity
from .errors import DataPlaneError
from .storage import TransferContainer, redact_text, trigger_eligibility

log = logging.getLogger(__name__)

RUN_NAME_MAX = 100          # what the extension accepts for a run it looks up (letters, digits, '_')


def _timestamp(moment):
    """ARM's form (7 fractional digits, +00:00), as ``arm.utcnow``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0+00:00"


class SourceTrigger:
    def __init__(self, plane, interval, state_path):
        self.plane = plane
        self.service = plane.service
        self.interval = float(interval)
        self.state_path = state_path
        self._lock = threading.Lock()         # the status, read by admin requests
        self._poll_lock = threading.Lock()    # one poll at a time (the thread, POST /_emulator/trigger)
        self._processed = self._load()       # pipeline uid -> {blob name: {"etag", "run"}}
        self._status = {}                    # pipeline id (lower) -> what the admin endpoint shows
        self._logged = set()
        self._stopping = threading.Event()
        self._thread = None

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self):
        self._thread = threading.Thread(target=self._loop, name="acrt-source-trigger", daemon=True)
        self._thread.start()

    def stop(self):
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self):
        while not self._stopping.is_set():
            try:
                self.poll()
            except Exception:   # keep polling; one bad pipeline must not stop the trigger
                log.exception("source trigger poll failed")
            self._stopping.wait(self.interval)

    # -- state ------------------------------------------------------------------------------------
    def _load(self):
        try:
            with open(self.state_path, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def _save(self):
        with open(self.state_path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(self._processed, f)
        os.replace(self.state_path + ".tmp", self.state_path)

    @staticmethod
    def _uid(doc):
        return "%s@%s" % (doc["id"].lower(), doc.get("systemData", {}).get("createdAt", ""))

    def _log_once(self, key, message, *args):
        if key not in self._logged:
            self._logged.add(key)
            log.info(message, *args)

    def status(self):
        """Every import pipeline seen at the last poll, with its blobs' status (for GET /_emulator/trigger)."""
        with self._lock:
            return {"interval": self.interval, "pipelines": list(self._status.values())}

    # -- polling ----------------------------------------------------------------------------------
    def poll(self):
        with self._poll_lock:
            self._poll()

    def _poll(self):
        seen = set()
        for record in self.service.store.all_resources("importPipelines"):
            if self._stopping.is_set():
                return
            seen.add(record.doc["id"].lower())
            status = self._poll_pipeline(record)
            with self._lock:
                self._status[record.doc["id"].lower()] = status
        with self._lock:
            for gone in set(self._status) - seen:
                del self._status[gone]

    def _poll_pipeline(self, record):
        doc = record.doc
        properties = doc["properties"]
        source = properties.get("source", {})
        trigger = properties.get("trigger", {}).get("sourceTrigger", {}).get("status", "Enabled")
        status = {"pipeline": doc["id"], "container": source.get("uri"),
                  "storageAccessMode": source.get("storageAccessMode"), "trigger": trigger,
                  "lastPoll": arm.utcnow(), "error": None, "blobs": []}
        if trigger != "Enabled" or properties.get("provisioningState") != arm.SUCCEEDED:
            return status
        registry = find_registry(self.service.config, record.key.resource_group, record.key.registry)
        if registry is None or self.plane.for_registry(registry) is None:
            status["error"] = "registry '%s' has no data plane" % record.key.registry
            return status
        uid = self._uid(doc)
        access = None
        try:
            access = self.plane.storage_access(doc, "import pipeline", "source", {READ})
            with TransferContainer(access.container.uri, sas_token=access.sas_token, credential=access.credential,
                                   connection_verify=self.plane.ca_bundle) as container:
                blobs = container.list_blobs()
        except AccessError as exc:
            status["error"] = redact_text(str(exc))
        except (DataPlaneError, ValueError) as exc:
            status["error"] = access.explain(exc) if access else redact_text(str(exc))
        if status["error"]:
            self._log_once(("error", uid, status["error"]), "source trigger of %s cannot list its container: %s",
                           doc["name"], status["error"])
            return status
        processed = self._processed.setdefault(uid, {})
        for info in sorted(blobs, key=lambda b: (b.last_modified, b.name)):
            entry = {"name": info.name, "etag": info.etag, "lastModified": _timestamp(info.last_modified)}
            done = processed.get(info.name)
            if done and done["etag"] == info.etag:
                entry.update(status="processed", run=done["run"])
            else:
                eligible, reason = trigger_eligibility(info)
                if eligible:
                    run = self._start_run(record, registry, info)
                    processed[info.name] = {"etag": info.etag, "run": run}
                    self._save()
                    entry.update(status="started", run=run)
                    log.info("source trigger of %s started run %s for blob %s", doc["name"], run, info.name)
                else:
                    entry.update(status="skipped", reason=reason)
                    self._log_once(("skip", uid, info.name, info.etag, reason),
                                   "source trigger of %s skips blob %s: %s", doc["name"], info.name, reason)
            status["blobs"].append(entry)
        return status

    def _start_run(self, record, registry, info):
        doc = record.doc
        name = self._run_name(registry, doc["name"], info)
        request = {"pipelineResourceId": doc["id"], "source": {"type": "AzureStorageBlob", "name": info.name}}
        identity = pipeline_identity(doc)
        # The run is the pipeline identity's doing, not a caller's.
        system_data = arm.system_data({"appid": identity.principal_id if identity else "source-trigger"})
        pipeline_runs.submit_run(self.service, registry, name, pipelines.IMPORT, doc, request, system_data,
                                 trigger_timestamp=_timestamp(info.last_modified))
        return name

    def _run_name(self, registry, pipeline_name, info):
        stamp = info.last_modified.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")
        room = RUN_NAME_MAX - len(pipeline_name) - len(stamp) - 2 - 3     # 3: a "_<n>" suffix if taken
        blob = re.sub(r"[^A-Za-z0-9]+", "", info.name)[:max(room, 1)] or "blob"
        base = "%s_%s_%s" % (pipeline_name, blob, stamp)
        name, n = base, 2
        while self.service.store.get(pipelines.resource_key(self.service, registry, pipeline_runs.COLLECTION,
                                                            name)) is not None:
            name, n = "%s_%d" % (base, n), n + 1
        return name
