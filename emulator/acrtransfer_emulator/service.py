"""The service object every layer and handler reaches through ``ctx.service``."""
import collections
import json
import os
import threading

from . import certs
from .auth import TokenAuthority, identity_header
from .executor import RunExecutor
from .faults import FaultInjector
from .resources.subscriptions import resource_group_doc
from .routes import ROUTES, RouteTable
from .store import Store
from .transfer import load_dataplane


def dataplane_environment_file(home):
    """HOME/dataplane-env.json: the data plane's env.sh variables (see ``DataPlane.environment``)."""
    return os.path.join(home, "dataplane-env.json")


class RequestCounter:
    """Requests per operationId. Counted on the event loop, read by admin handlers in worker threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = collections.Counter()

    def count(self, operation_id):
        with self._lock:
            self._counts[operation_id] += 1

    def snapshot(self):
        with self._lock:
            return dict(self._counts)

    def clear(self):
        with self._lock:
            self._counts.clear()


class Service:
    def __init__(self, home, config, state_path=None):
        os.makedirs(home, exist_ok=True)
        self.home = home
        self.config = config
        self.store = Store(state_path or config.get("state") or os.path.join(home, "state.sqlite3"))
        self.tokens = TokenAuthority(home, config["tenant_id"], config["subscription_id"], config["token_lifetime"])
        self.identity_header = identity_header(home)
        self.faults = FaultInjector(config["faults"])
        self.request_counts = RequestCounter()
        self.latency = float(config["latency"])
        self._seed_resource_groups()
        self.dataplane = load_dataplane(self)
        self.executor = RunExecutor(self)
        self.routes = RouteTable(ROUTES)
        self.routes.extend(self.dataplane.routes())

    def _config_resource_groups(self):
        return [(self.config["subscription_id"],
                 resource_group_doc(self.config["subscription_id"], g["name"], g["location"], g.get("tags")))
                for g in self.config["resource_groups"]]

    def _seed_resource_groups(self):
        # Groups created over ARM stay in the state; configured ones are (re)added if missing.
        for subscription, doc in self._config_resource_groups():
            if self.store.get_resource_group(subscription, doc["name"]) is None:
                self.store.put_resource_group(subscription, doc)

    def issue_cert(self, hosts, name=None):
        """A server certificate for ``hosts`` signed by the service CA (for the data plane's servers)."""
        return certs.issue_cert(self.home, hosts, name)

    def start(self):
        self.dataplane.start()
        self._write_dataplane_environment()
        self.executor.start()

    def _write_dataplane_environment(self):
        # Rewritten at every start (empty without a data plane), so a stale file never outlives its data plane.
        path = dataplane_environment_file(self.home)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)   # may hold storage account keys
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.dataplane.environment(), f, indent=1, sort_keys=True)

    def stop(self):
        self.executor.stop()
        self.dataplane.close()

    def reset(self):
        """Back to the configured state: no pipelines, runs or operations; no faults, counts or latency."""
        self.store.reset(self._config_resource_groups())
        self.faults.clear()
        self.request_counts.clear()
        self.latency = float(self.config["latency"])
