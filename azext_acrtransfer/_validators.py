"""Every rule the service enforces, checked before any request.

One pure namespace function per rule (`validate_<rule>(namespace)`); the `validate_<command>`
functions at the end combine them, because az runs a command-level validator instead of the
argument-level ones. A validator either leaves the namespace normalised (canonical spelling of
enum values, options without duplicates) or raises a typed az error naming the parameter and
the accepted form. Notices (never problems) go to stderr through the knack logger.
"""
import ipaddress
import re
from urllib.parse import urlsplit

from knack.log import get_logger
from azure.cli.core.azclierror import (
    InvalidArgumentValueError,
    MutuallyExclusiveArgumentError,
    RequiredArgumentMissingError,
)

from ._artifacts import expand_artifacts_argument
from ._constants import (
    BLOB_NAME_MAX_LENGTH,
    EXPORT,
    EXPORT_OPTIONS,
    IMPORT,
    IMPORT_OPTIONS,
    MANAGED_IDENTITY,
    MAX_ARTIFACTS_PER_RUN,
    NAME_MAX_LENGTH,
    NAME_MIN_LENGTH,
    PIPELINE_TYPES,
    RUN_LOOKUP_NAME_MAX_LENGTH,
    SAS_TOKEN,
    STORAGE_ACCESS_MODES,
    SYSTEM_ASSIGNED_IDENTITY,
)

logger = get_logger(__name__)

# Option spellings used in messages.
OPT_REGISTRY = "--registry/-r"
OPT_NAME = "--name/-n"
OPT_PIPELINE = "--pipeline/-p"
OPT_PIPELINE_TYPE = "--pipeline-type/-t"
OPT_STORAGE_URI = "--storage-container-uri/-c"
OPT_SECRET_URI = "--secret-uri/-s"
OPT_ACCESS_MODE = "--storage-access-mode/-m"
OPT_IDENTITY = "--assign-identity/-i"
OPT_OPTIONS = "--options/-z"
OPT_ARTIFACTS = "--artifacts/-a"
OPT_BLOB = "--storage-blob/-b"
OPT_TOP = "--top"
OPT_BATCH = "--batch"
OPT_TRIGGER = "--source-trigger-enabled/-e"

_ALNUM = re.compile(r"^[A-Za-z0-9]+$")
_ALNUM_UNDERSCORE = re.compile(r"^[A-Za-z0-9_]+$")

# Azure Storage: account 3-24 lowercase letters and digits; container 3-63 letters, digits and
# single hyphens, starting and ending with a letter or digit. Letters are matched in any case:
# URIs are sent exactly as typed and the service decides on case.
_ACCOUNT = re.compile(r"^[A-Za-z0-9]{3,24}$")
_CONTAINER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){2,62}$")

# Key Vault secret identifier path: /secrets/<name>[/<version>].
_SECRET_PATH = re.compile(r"^/secrets/(?P<name>[A-Za-z0-9-]{1,127})(?:/(?P<version>[A-Za-z0-9]{1,64}))?$")

_GUID = r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
_USER_ASSIGNED_IDENTITY = re.compile(
    r"^/subscriptions/" + _GUID +
    r"/resourceGroups/(?P<rg>[-\w.()]{1,90})"
    r"/providers/Microsoft\.ManagedIdentity/userAssignedIdentities/[A-Za-z0-9][A-Za-z0-9_-]{2,127}$",
    re.IGNORECASE)

# OCI distribution: repository path components and tags; digests here are sha256 only.
_REPO_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
_REPOSITORY = r"(?P<repo>" + _REPO_COMPONENT + r"(?:/" + _REPO_COMPONENT + r")*)"
_ARTIFACT = re.compile(
    r"^" + _REPOSITORY +
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9._-]{0,127})|@(?P<digest>sha256:[a-f0-9]{64}))?$")
_ARTIFACT_FORM = "repo:tag or repo@sha256:<64 lowercase hex digits>"

_BLOB_MAX_SEGMENTS = 254


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------
def _check_name(value, option, what, allow_underscore=False):
    if value is None:
        return
    if allow_underscore:
        valid = (NAME_MIN_LENGTH <= len(value) <= RUN_LOOKUP_NAME_MAX_LENGTH
                 and _ALNUM_UNDERSCORE.match(value))
        form = "{}-{} letters, digits and '_'".format(NAME_MIN_LENGTH, RUN_LOOKUP_NAME_MAX_LENGTH)
    else:
        valid = NAME_MIN_LENGTH <= len(value) <= NAME_MAX_LENGTH and _ALNUM.match(value)
        form = "{}-{} letters and digits".format(NAME_MIN_LENGTH, NAME_MAX_LENGTH)
    if not valid:
        raise InvalidArgumentValueError(
            "{} '{}' is not a valid {} name: use {}.".format(option, value, what, form))


def validate_registry_name(namespace):
    _check_name(getattr(namespace, "registry_name", None), OPT_REGISTRY, "registry")


def validate_export_pipeline_name(namespace):
    _check_name(getattr(namespace, "export_pipeline_name", None), OPT_NAME, "export pipeline")


def validate_import_pipeline_name(namespace):
    _check_name(getattr(namespace, "import_pipeline_name", None), OPT_NAME, "import pipeline")


def validate_pipeline_name(namespace):
    """The pipeline a new run executes (`--pipeline`)."""
    _check_name(getattr(namespace, "pipeline_name", None), OPT_PIPELINE, "pipeline")


def validate_pipeline_run_name(namespace):
    """A run about to be created: letters and digits only."""
    _check_name(getattr(namespace, "pipeline_run_name", None), OPT_NAME, "pipeline run")


def validate_pipeline_run_lookup_name(namespace):
    """An existing run (show, delete, wait): source-trigger runs carry '_' in their names."""
    _check_name(getattr(namespace, "pipeline_run_name", None), OPT_NAME, "pipeline run", allow_underscore=True)


# ---------------------------------------------------------------------------------------------
# Storage and Key Vault URIs
# ---------------------------------------------------------------------------------------------
def _without_query(uri):
    """The URI up to any '?' or '#': what a message may repeat (a SAS signature never is)."""
    return re.split(r"[?#]", uri, maxsplit=1)[0]


def _is_path_style_host(host):
    """Local endpoints (Azurite, Azure Stack Hub dev boxes) address the account in the path."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return host.lower() == "localhost" or "." not in host


def parse_storage_container_uri(uri):
    """Split a storage container URI into (account, container); raise ValueError with the reason.

    Virtual-host style `https://<account>.blob.<suffix>/<container>` (any cloud's suffix) and path
    style `https://<host>[:port]/<account>/<container>` (Azurite and other local endpoints; also
    accepted on custom hosts). Account is None for a custom host with one path segment.
    """
    if "?" in uri:
        raise ValueError("it must not contain a query string (a SAS token belongs in Key Vault, "
                         "named by --secret-uri)")
    if "#" in uri:
        raise ValueError("it must not contain a fragment ('#...')")
    try:
        parts = urlsplit(uri)
        parts.port  # pylint: disable=pointless-statement
    except ValueError as ex:
        raise ValueError("it is not a well-formed URI ({})".format(ex)) from None
    if parts.scheme.lower() != "https":
        raise ValueError("it must start with https://")
    if parts.username is not None or parts.password is not None:
        raise ValueError("it must not contain user information before the host")
    host = parts.hostname
    if not host:
        raise ValueError("it has no host")
    if parts.path in ("", "/"):
        raise ValueError("it has no container segment after the host")
    segments = parts.path.split("/")[1:]
    if any(segment == "" for segment in segments):
        raise ValueError("it has an empty path segment (a trailing or doubled '/')")

    labels = host.split(".")
    if len(labels) > 2 and "blob" in (label.lower() for label in labels[1:]):
        if len(segments) != 1:
            raise ValueError("after <account>.blob.<suffix> it must have exactly one segment, the container")
        account = labels[0]
    elif _is_path_style_host(host):
        if len(segments) != 2:
            raise ValueError("on a local endpoint it must be path style: https://{}/<account>/<container>"
                             .format(parts.netloc))
        account = segments[0]
    elif len(segments) == 1:
        account = None
    elif len(segments) == 2:
        account = segments[0]
    else:
        raise ValueError("it must end with the container: /<container> or /<account>/<container>")

    if account is not None and not _ACCOUNT.match(account):
        raise ValueError("'{}' is not a storage account name (3-24 letters and digits)".format(account))
    container = segments[-1]
    if not _CONTAINER.match(container):
        raise ValueError("'{}' is not a container name (3-63 letters, digits and single hyphens, "
                         "starting and ending with a letter or digit)".format(container))
    return account, container


def validate_storage_container_uri(namespace):
    uri = getattr(namespace, "storage_container_uri", None)
    if uri is None:
        return
    try:
        parse_storage_container_uri(uri)
    except ValueError as ex:
        raise InvalidArgumentValueError(
            "{} '{}' is not valid: {}.".format(OPT_STORAGE_URI, _without_query(uri), ex),
            recommendation="Use https://<account>.blob.core.windows.net/<container> (or your cloud's "
                           "blob endpoint), or https://<host>:<port>/<account>/<container> for a local "
                           "endpoint such as Azurite.")


def parse_secret_uri(uri):
    """Split a Key Vault secret URI into (host, secret name, version or None); raise ValueError."""
    if "?" in uri or "#" in uri:
        raise ValueError("it must not contain a query string or fragment")
    try:
        parts = urlsplit(uri)
        parts.port  # pylint: disable=pointless-statement
    except ValueError as ex:
        raise ValueError("it is not a well-formed URI ({})".format(ex)) from None
    if parts.scheme.lower() != "https":
        raise ValueError("it must start with https://")
    if parts.username is not None or parts.password is not None:
        raise ValueError("it must not contain user information before the host")
    if not parts.hostname:
        raise ValueError("it has no host")
    match = _SECRET_PATH.match(parts.path)
    if not match:
        raise ValueError("its path must be /secrets/<name> or /secrets/<name>/<version> "
                         "(names: letters, digits and hyphens)")
    return parts.hostname, match.group("name"), match.group("version")


def validate_secret_uri(namespace):
    uri = getattr(namespace, "secret_uri", None)
    if uri is None:
        return
    try:
        parse_secret_uri(uri)
    except ValueError as ex:
        raise InvalidArgumentValueError(
            "{} '{}' is not valid: {}.".format(OPT_SECRET_URI, _without_query(uri), ex),
            recommendation="Use the Key Vault secret identifier: "
                           "https://<vault>.vault.azure.net/secrets/<name>[/<version>].")


def validate_storage_access_mode(namespace):
    """The mode with --secret-uri: SasToken needs it, ManagedIdentity refuses it.

    A 1.x script passes --secret-uri and no mode: SasToken is implied, with a notice.
    """
    mode = getattr(namespace, "storage_access_mode", None)
    secret_uri = getattr(namespace, "secret_uri", None)
    choices = ", ".join(STORAGE_ACCESS_MODES)
    if mode is None:
        if not secret_uri:
            raise RequiredArgumentMissingError(
                "{} is required: one of {}.".format(OPT_ACCESS_MODE, choices),
                recommendation="Use --storage-access-mode ManagedIdentity, or --storage-access-mode SasToken "
                               "with --secret-uri <Key Vault secret URI>.")
        logger.warning("--storage-access-mode not given: using SasToken because --secret-uri was given "
                       "(the acrtransfer 1.x behaviour).")
        namespace.storage_access_mode = mode = SAS_TOKEN
    canonical = next((m for m in STORAGE_ACCESS_MODES if m.lower() == str(mode).lower()), None)
    if canonical is None:
        raise InvalidArgumentValueError(
            "{} '{}' is not valid: use one of {}.".format(OPT_ACCESS_MODE, mode, choices))
    namespace.storage_access_mode = canonical
    if canonical == SAS_TOKEN and not secret_uri:
        raise RequiredArgumentMissingError(
            "{} is required with --storage-access-mode SasToken.".format(OPT_SECRET_URI),
            recommendation="Pass the Key Vault secret that holds the SAS token: "
                           "--secret-uri https://<vault>.vault.azure.net/secrets/<name>, "
                           "or use --storage-access-mode ManagedIdentity.")
    if canonical == MANAGED_IDENTITY and secret_uri:
        raise MutuallyExclusiveArgumentError(
            "{} cannot be used with --storage-access-mode ManagedIdentity: the pipeline identity "
            "authenticates to storage itself.".format(OPT_SECRET_URI),
            recommendation="Remove --secret-uri, or use --storage-access-mode SasToken.")


# ---------------------------------------------------------------------------------------------
# Identity and options
# ---------------------------------------------------------------------------------------------
def validate_assign_identity(namespace):
    identity = getattr(namespace, "assign_identity", None)
    if identity is None:
        return
    if identity.lower() == SYSTEM_ASSIGNED_IDENTITY:
        namespace.assign_identity = SYSTEM_ASSIGNED_IDENTITY
        return
    match = _USER_ASSIGNED_IDENTITY.match(identity)
    if not match or match.group("rg").endswith("."):
        raise InvalidArgumentValueError(
            "{} '{}' is not valid: use {} or a user-assigned identity resource ID.".format(
                OPT_IDENTITY, identity, SYSTEM_ASSIGNED_IDENTITY),
            recommendation="A user-assigned identity ID looks like /subscriptions/<subscription-id>/"
                           "resourceGroups/<group>/providers/Microsoft.ManagedIdentity/"
                           "userAssignedIdentities/<name> (az identity show --query id).")


def _validate_options(namespace, allowed, kind):
    """Canonical spelling, no duplicates. `--options ""` (update) clears them: options becomes []."""
    options = getattr(namespace, "options", None)
    if not options:
        namespace.options = None
        return
    if all(str(option).strip() == "" for option in options):
        namespace.options = []
        return
    if any(str(option).strip() == "" for option in options):
        raise InvalidArgumentValueError(
            '{} "" clears the options and cannot be combined with other values.'.format(OPT_OPTIONS),
            recommendation='Give the options to keep (they replace the current ones), or only "" to clear them.')
    canonical = []
    for option in options:
        match = next((a for a in allowed if a.lower() == str(option).lower()), None)
        if match is None:
            recommendation = None
            if str(option).lower() == "disablesourcetrigger":
                recommendation = "To turn the source trigger off use --source-trigger-enabled false."
            raise InvalidArgumentValueError(
                "{} '{}' is not an {} pipeline option: use {}.".format(
                    OPT_OPTIONS, option, kind, ", ".join(allowed)),
                recommendation=recommendation)
        if match not in canonical:
            canonical.append(match)
    namespace.options = canonical


def validate_export_options(namespace):
    _validate_options(namespace, EXPORT_OPTIONS, EXPORT)


def validate_import_options(namespace):
    _validate_options(namespace, IMPORT_OPTIONS, IMPORT)


# ---------------------------------------------------------------------------------------------
# Pipeline runs
# ---------------------------------------------------------------------------------------------
def validate_pipeline_type(namespace):
    value = getattr(namespace, "pipeline_type", None)
    if value is None:
        return
    canonical = next((t for t in PIPELINE_TYPES if t == str(value).lower()), None)
    if canonical is None:
        raise InvalidArgumentValueError(
            "{} '{}' is not valid: use {}.".format(OPT_PIPELINE_TYPE, value, " or ".join(PIPELINE_TYPES)))
    namespace.pipeline_type = canonical


def parse_artifact(value):
    """Return (repository, tag, digest) for `repo`, `repo:tag` or `repo@sha256:<hex>`; raise ValueError."""
    match = _ARTIFACT.match(value or "")
    if not match:
        reason = "use " + _ARTIFACT_FORM
        if value and value.split("@")[0].split(":")[0] != value.split("@")[0].split(":")[0].lower():
            reason += "; repository names are lowercase"
        elif value and "@" in value and ":" in value.split("@")[0]:
            reason += ", not both a tag and a digest"
        raise ValueError(reason)
    return match.group("repo"), match.group("tag"), match.group("digest")


def validate_artifacts(namespace):
    """Syntax and duplicates; a bare `repo` is accepted and its `:latest` stated. (The per-run limit:
    `validate_artifact_count`.)"""
    artifacts = getattr(namespace, "artifacts", None)
    if artifacts is None:
        return
    if not artifacts:
        raise InvalidArgumentValueError("{} needs at least one artifact: {}.".format(OPT_ARTIFACTS, _ARTIFACT_FORM))
    seen = {}
    bare = []
    for artifact in artifacts:
        try:
            repo, tag, digest = parse_artifact(artifact)
        except ValueError as ex:
            raise InvalidArgumentValueError(
                "{} '{}' is not a valid artifact: {}.".format(OPT_ARTIFACTS, artifact, ex),
                recommendation="Repository names follow the OCI distribution rules: lowercase letters and "
                               "digits, separated by '.', '_', '__', '-' or '/'.") from None
        key = "{}@{}".format(repo, digest) if digest else "{}:{}".format(repo, tag or "latest")
        if key in seen:
            raise InvalidArgumentValueError(
                "{} names the same artifact twice: '{}' and '{}'.".format(OPT_ARTIFACTS, seen[key], artifact))
        seen[key] = artifact
        if not tag and not digest:
            bare.append(artifact)
    if bare:
        many = len(bare) > 1
        logger.warning("Artifact%s %s ha%s no tag or digest: %s %s (sent as typed; the service reads a bare "
                       "repository as its 'latest' tag).", "s" if many else "",
                       ", ".join("'{}'".format(a) for a in bare), "ve" if many else "s",
                       "they mean" if many else "it means",
                       ", ".join("'{}:latest'".format(a) for a in bare))


def validate_artifact_count(namespace):
    """At most MAX_ARTIFACTS_PER_RUN artifacts per run, unless --batch splits them over several
    runs; --batch needs an export run."""
    artifacts = getattr(namespace, "artifacts", None) or []
    batch = getattr(namespace, "batch", False)
    if batch and getattr(namespace, "pipeline_type", None) == IMPORT:
        raise MutuallyExclusiveArgumentError(
            "{} applies to export runs: an import run imports one blob.".format(OPT_BATCH),
            recommendation="Remove --batch, or use --pipeline-type export with --artifacts.")
    if len(artifacts) > MAX_ARTIFACTS_PER_RUN and not batch:
        runs = -(-len(artifacts) // MAX_ARTIFACTS_PER_RUN)
        raise InvalidArgumentValueError(
            "{} lists {} artifacts: a pipeline run transfers at most {}.".format(
                OPT_ARTIFACTS, len(artifacts), MAX_ARTIFACTS_PER_RUN),
            recommendation="Add --batch to create {} runs of at most {} artifacts each (one blob each) and "
                           "wait for all of them, or split the list yourself.".format(runs, MAX_ARTIFACTS_PER_RUN))


def validate_artifacts_for_pipeline_type(namespace):
    """Export runs need --artifacts; import runs read everything from the blob and refuse it."""
    pipeline_type = getattr(namespace, "pipeline_type", None)
    artifacts = getattr(namespace, "artifacts", None)
    if pipeline_type == EXPORT and not artifacts:
        raise RequiredArgumentMissingError(
            "{} is required for an export pipeline run: {}.".format(OPT_ARTIFACTS, _ARTIFACT_FORM),
            recommendation="For example: --artifacts hello-world:v1 samples/nginx@sha256:<digest>")
    if pipeline_type == IMPORT and artifacts:
        raise MutuallyExclusiveArgumentError(
            "{} applies to export pipeline runs only: an import run imports every artifact in "
            "--storage-blob.".format(OPT_ARTIFACTS),
            recommendation="Remove --artifacts, or use --pipeline-type export.")


def validate_storage_blob(namespace):
    blob = getattr(namespace, "storage_blob", None)
    if blob is None:
        return
    reason = None
    if not blob:
        reason = "it is empty"
    elif len(blob) > BLOB_NAME_MAX_LENGTH:
        reason = "it is longer than {} characters".format(BLOB_NAME_MAX_LENGTH)
    elif any(ord(ch) < 0x20 or ord(ch) == 0x7f for ch in blob):
        reason = "it contains a control character"
    elif any(ch in blob for ch in "\\?#"):
        reason = "it must not contain '\\', '?' or '#'"
    elif blob.startswith("/"):
        reason = "it must not start with '/'"
    elif blob.endswith("/") or blob.endswith("."):
        reason = "it must not end with '/' or '.'"
    elif "//" in blob:
        reason = "it must not contain an empty path segment ('//')"
    elif blob.count("/") + 1 > _BLOB_MAX_SEGMENTS:
        reason = "it has more than {} path segments".format(_BLOB_MAX_SEGMENTS)
    if reason:
        raise InvalidArgumentValueError(
            "{} '{}' is not a valid blob name: {}.".format(OPT_BLOB, _without_query(blob), reason),
            recommendation="Use a blob name such as 'myblob' or 'exports/2024-06/myblob.tar'.")


def validate_top(namespace):
    top = getattr(namespace, "top", None)
    if top is None:
        return
    try:
        value = int(top)
        if str(top).strip() not in (str(value), "+" + str(value)):
            raise ValueError(top)
    except (TypeError, ValueError):
        value = None
    if value is None or value < 1:
        raise InvalidArgumentValueError("{} '{}' is not valid: use an integer of at least 1.".format(OPT_TOP, top))
    namespace.top = value


# ---------------------------------------------------------------------------------------------
# Command-level validators: the rules each command combines, in the order a user fixes them.
# ---------------------------------------------------------------------------------------------
def validate_resource_group_name(namespace):
    """ARM's rule for resource group names; an empty one would make an invalid request path."""
    group = getattr(namespace, "resource_group_name", None)
    if group is None:
        return
    if not (1 <= len(group) <= 90 and re.match(r"^[-\w.()]+$", group) and not group.endswith(".")):
        raise InvalidArgumentValueError(
            "--resource-group/-g '{}' is not a valid resource group name: use 1-90 letters, digits, "
            "'_', '-', '.', '(' or ')', not ending with '.'.".format(group))


def validate_wait_interval(namespace):
    """`wait --interval`: az's generic wait cannot poll every 0 seconds."""
    interval = getattr(namespace, "interval", None)
    if interval is not None and int(interval) < 1:
        raise InvalidArgumentValueError("--interval '{}' is not valid: use an integer of at least 1.".format(interval))


def _run(namespace, *validators):
    # Every command is scoped to a resource group: its name is checked first, whatever the command.
    validate_resource_group_name(namespace)
    for validator in validators:
        validator(namespace)


def validate_export_pipeline_create(namespace):
    _run(namespace, validate_registry_name, validate_export_pipeline_name, validate_storage_container_uri,
         validate_secret_uri, validate_storage_access_mode, validate_assign_identity, validate_export_options)


def validate_import_pipeline_create(namespace):
    _run(namespace, validate_registry_name, validate_import_pipeline_name, validate_storage_container_uri,
         validate_secret_uri, validate_storage_access_mode, validate_assign_identity, validate_import_options)


def validate_export_pipeline_lookup(namespace):
    """show, delete and wait."""
    _run(namespace, validate_registry_name, validate_export_pipeline_name, validate_wait_interval)


def validate_import_pipeline_lookup(namespace):
    """show, delete and wait."""
    _run(namespace, validate_registry_name, validate_import_pipeline_name, validate_wait_interval)


def validate_registry_scope(namespace):
    """list and clean: only the registry."""
    _run(namespace, validate_registry_name)


def validate_pipeline_update_changes(namespace):
    """update: at least one change, so that no request is made for nothing."""
    changes = [getattr(namespace, dest, None) for dest in ("options", "secret_uri", "source_trigger_enabled")]
    if all(change is None for change in changes):
        trigger = ", {}".format(OPT_TRIGGER) if hasattr(namespace, "source_trigger_enabled") else ""
        raise RequiredArgumentMissingError(
            "Nothing to update: give {}{} or {}.".format(OPT_OPTIONS, trigger, OPT_SECRET_URI),
            recommendation='For example --options OverwriteBlobs to replace the options, or --options "" to '
                           "clear them.")


def validate_export_pipeline_update(namespace):
    _run(namespace, validate_registry_name, validate_export_pipeline_name, validate_pipeline_update_changes,
         validate_secret_uri, validate_export_options)


def validate_import_pipeline_update(namespace):
    _run(namespace, validate_registry_name, validate_import_pipeline_name, validate_pipeline_update_changes,
         validate_secret_uri, validate_import_options)


def validate_pipeline_run_create(namespace):
    _run(namespace, validate_registry_name, validate_pipeline_run_name, validate_pipeline_name,
         validate_pipeline_type, validate_storage_blob, expand_artifacts_argument, validate_artifacts,
         validate_artifact_count, validate_artifacts_for_pipeline_type)


def validate_pipeline_run_lookup(namespace):
    """show, delete and wait."""
    _run(namespace, validate_registry_name, validate_pipeline_run_lookup_name, validate_wait_interval)


def validate_pipeline_run_list(namespace):
    _run(namespace, validate_registry_name, validate_pipeline_name, validate_top)
