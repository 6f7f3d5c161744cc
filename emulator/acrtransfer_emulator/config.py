"""The service's configuration: ``default_config.json``, then a ``--config`` file, then command-line flags.

A config file replaces top-level keys of the default (``registries`` is replaced as a whole, so a file
that lists registries lists all of them). Unknown top-level keys are refused so typos fail loudly;
registry entries may carry extra keys for the data plane (``login_server``, ``dataplane``...).
"""
import copy
import json
import os

DEFAULT_CONFIG_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "default_config.json")

MODES = ("sync", "async")
SKUS = ("Basic", "Standard", "Premium")

KNOWN_KEYS = {
    "subscription_id", "subscription_name", "tenant_id", "cloud_name", "arm_audience",
    "mode", "page_size", "retry_after", "lro_delay", "run_step_delay", "latency", "token_lifetime",
    "faults", "dataplane", "resource_groups", "registries", "state",
}


class ConfigError(ValueError):
    pass


def load(path=None, overrides=None):
    """Return the validated configuration dict: default < file at ``path`` (or a dict) < ``overrides``."""
    with open(DEFAULT_CONFIG_PATH, encoding="utf-8") as f:
        config = json.load(f)
    if path is not None:
        if isinstance(path, dict):
            extra = copy.deepcopy(path)
        else:
            with open(path, encoding="utf-8") as f:
                extra = json.load(f)
        _merge(config, extra, "config file")
    if overrides:
        _merge(config, {k: v for k, v in overrides.items() if v is not None}, "overrides")
    validate(config)
    return config


def _merge(config, extra, where):
    if not isinstance(extra, dict):
        raise ConfigError("The {} must be a JSON object.".format(where))
    unknown = sorted(set(extra) - KNOWN_KEYS)
    if unknown:
        raise ConfigError("Unknown configuration key(s) in the {}: {}".format(where, ", ".join(unknown)))
    config.update(extra)


def validate(config):
    if config["mode"] not in MODES:
        raise ConfigError("mode must be one of {}, not {!r}".format(MODES, config["mode"]))
    if not isinstance(config["page_size"], int) or config["page_size"] < 1:
        raise ConfigError("page_size must be a positive integer")
    for key in ("retry_after", "lro_delay", "run_step_delay", "latency", "token_lifetime"):
        if not isinstance(config[key], (int, float)) or config[key] < 0:
            raise ConfigError("{} must be a number >= 0".format(key))
    groups = {g["name"].lower() for g in config["resource_groups"]}
    seen = set()
    for registry in config["registries"]:
        for key in ("name", "resource_group", "sku"):
            if key not in registry:
                raise ConfigError("registry entry {!r} lacks {!r}".format(registry, key))
        if registry["sku"] not in SKUS:
            raise ConfigError("registry {} has unknown sku {!r}".format(registry["name"], registry["sku"]))
        if registry.get("mode", config["mode"]) not in MODES:
            raise ConfigError("registry {} has unknown mode {!r}".format(registry["name"], registry["mode"]))
        if registry["resource_group"].lower() not in groups:
            # A registry implies its resource group; the location defaults to the first group's.
            config["resource_groups"].append(
                {"name": registry["resource_group"], "location": config["resource_groups"][0]["location"]
                 if config["resource_groups"] else "westus"})
            groups.add(registry["resource_group"].lower())
        key = (registry["resource_group"].lower(), registry["name"].lower())
        if key in seen:
            raise ConfigError("registry {} is declared twice".format(registry["name"]))
        seen.add(key)
    from .faults import parse_fault  # local import: faults imports errors only
    for fault in config["faults"]:
        parse_fault(fault)


def find_registry(config, resource_group, name):
    """The registry entry for (resource group, name), case-insensitively, or None."""
    for registry in config["registries"]:
        if registry["resource_group"].lower() == resource_group.lower() and registry["name"].lower() == name.lower():
            return registry
    return None


def registry_mode(config, registry):
    """The answer mode of one registry: its own ``mode`` or the service's start mode."""
    return registry.get("mode") or config["mode"]
