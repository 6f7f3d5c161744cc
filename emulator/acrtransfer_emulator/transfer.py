"""The seam between the ARM service and a data plane that really moves artifacts.

The run executor asks ``service.dataplane.for_registry(registry)`` for a ``Transfer``. ``None``
means this registry has no data plane, and the run ends Failed saying so (never a fake success).
A data plane package (``acrtransfer_emulator.dataplane``, or any importable module) plugs in through
the ``dataplane`` configuration key::

    "dataplane": "acrtransfer_emulator.dataplane:create"            # or
    "dataplane": {"factory": "acrtransfer_emulator.dataplane:create", ...its own settings...}

``create(service)`` returns a ``DataPlane`` subclass instance. ``service`` gives ``.config`` (the
whole configuration dict, including extra keys on registry entries), ``.home``, ``.tokens`` (verify
bearer tokens for a Key Vault or storage endpoint) and ``.issue_cert(hosts)`` (a certificate the CA
bundle trusts, e.g. for Azurite).
"""
import importlib


class TransferError(Exception):
    """A transfer failed; the message becomes the run's ``pipelineRunErrorMessage``."""


class TransferCancelled(Exception):
    """Raised by ``progress()`` when the run was deleted, re-run or the service is stopping: stop quietly."""


class Transfer:
    """What a data plane does for one registry. ``run`` and ``pipeline`` are the ARM documents (copies);
    ``progress(percent)`` reports 0-100 of the transfer and raises TransferCancelled when the run is gone.
    Return a dict of response fields to record (``importedArtifacts``, ``catalogDigest``, and
    ``pipelineRunErrorMessage`` for what ContinueOnErrors skipped in a run that succeeded) or None;
    raise TransferError with a user-facing message on failure."""

    def export(self, run, pipeline, progress):
        raise NotImplementedError

    def import_(self, run, pipeline, progress):
        raise NotImplementedError


class DataPlane:
    """The no-data-plane default; a data plane overrides what it provides."""

    def __init__(self, service=None):
        self.service = service

    def for_registry(self, registry):
        """The Transfer for a configured registry entry, or None when it has no data plane."""
        return None

    def login_server(self, registry):
        """The registry's OCI endpoint (host[:port]) shown as ``loginServer``, or None for the default."""
        return None

    def routes(self):
        """Extra routes (``routes.Route``) served on the same HTTPS port, e.g. a Key Vault secrets endpoint."""
        return []

    def environment(self):
        """Variables for env.sh once started (e.g. the URLs of its registries and storage); the service
        writes them to HOME/dataplane-env.json (0600), which the launcher merges into env.sh."""
        return {}

    def start(self):
        """Called once the service is up (before runs are resumed)."""

    def close(self):
        """Called when the service stops."""


def load_dataplane(service):
    """Build the configured data plane, or the no-data-plane default."""
    setting = service.config.get("dataplane")
    if not setting:
        return DataPlane(service)
    factory_path = setting if isinstance(setting, str) else setting.get("factory")
    if not factory_path or ":" not in factory_path:
        raise ValueError("dataplane must name a factory as 'module:callable', not {!r}".format(setting))
    module_name, _, attribute = factory_path.partition(":")
    factory = getattr(importlib.import_module(module_name), attribute)
    dataplane = factory(service)
    if not isinstance(dataplane, DataPlane):
        raise TypeError("{} returned {!r}, not a DataPlane".format(factory_path, dataplane))
    return dataplane
