"""Every validator in azext_acrtransfer._validators, with accepted and refused cases.

Validators are pure namespace functions: they are called directly on a SimpleNamespace.
"""
import logging
from types import SimpleNamespace

import pytest
from azure.cli.core.azclierror import (
    InvalidArgumentValueError,
    MutuallyExclusiveArgumentError,
    RequiredArgumentMissingError,
)

from azext_acrtransfer import _validators as v

UAI = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/transfer-rg/providers/"
       "Microsoft.ManagedIdentity/userAssignedIdentities/transferidentity")
DIGEST = "sha256:" + "0123456789abcdef" * 4


def ns(**kwargs):
    return SimpleNamespace(**kwargs)


def refuses(validator, error=InvalidArgumentValueError, **kwargs):
    with pytest.raises(error) as info:
        validator(ns(**kwargs))
    return str(info.value)


# --------------------------------------------------------------------------------------------- names
@pytest.mark.parametrize("name", ["abcde", "reg1x", "A" * 50, "MixedCase123"])
def test_registry_name_accepted(name):
    v.validate_registry_name(ns(registry_name=name))


@pytest.mark.parametrize("name", ["abcd", "a" * 51, "bad_name", "bad-name", "has space", "ünïcode1"])
def test_registry_name_refused(name):
    message = refuses(v.validate_registry_name, registry_name=name)
    assert "--registry/-r" in message and "5-50 letters and digits" in message


@pytest.mark.parametrize("validator,dest", [
    (v.validate_export_pipeline_name, "export_pipeline_name"),
    (v.validate_import_pipeline_name, "import_pipeline_name"),
    (v.validate_pipeline_name, "pipeline_name"),
    (v.validate_pipeline_run_name, "pipeline_run_name"),
])
def test_new_names_are_letters_and_digits(validator, dest):
    validator(ns(**{dest: "goodname1"}))
    for bad in ["ab", "bad_name1", "bad-name1", "x" * 51]:
        message = refuses(validator, **{dest: bad})
        assert "5-50 letters and digits" in message


def test_pipeline_option_names_in_messages():
    assert "--pipeline/-p" in refuses(v.validate_pipeline_name, pipeline_name="p")
    assert "--name/-n" in refuses(v.validate_export_pipeline_name, export_pipeline_name="p")


def test_run_lookup_accepts_underscore_of_trigger_runs():
    v.validate_pipeline_run_lookup_name(ns(pipeline_run_name="importpipeline_20240101_abc"))
    v.validate_pipeline_run_lookup_name(ns(pipeline_run_name="plainrun1"))
    for bad in ["ab_c", "has-dash1", "x" * 101, "has space"]:
        refuses(v.validate_pipeline_run_lookup_name, pipeline_run_name=bad)


def test_missing_names_are_left_to_argparse():
    v.validate_registry_name(ns(registry_name=None))
    v.validate_registry_name(ns())


# --------------------------------------------------------------------------------------------- storage URI
@pytest.mark.parametrize("uri", [
    "https://exportstorage.blob.core.windows.net/transfer",
    "https://exportstorage.blob.core.windows.net/Transfer-Container",      # sent as typed, any case
    "https://MyAccount.blob.core.windows.net/transfer",
    "https://acct.blob.core.chinacloudapi.cn/transfer",                     # sovereign clouds
    "https://acct.blob.core.usgovcloudapi.net/transfer",
    "https://acct.blob.local.azurestack.external/transfer",
    "https://acct.privatelink.blob.core.windows.net/transfer",
    "https://127.0.0.1:10000/devstoreaccount1/transfer",                    # Azurite, path style
    "https://localhost:10000/devstoreaccount1/transfer",
    "https://[::1]:10000/devstoreaccount1/transfer",
    "https://azurite:10000/devstoreaccount1/transfer",
    "https://storage.contoso.com/transfer",                                 # custom domain
    "HTTPS://acct.blob.core.windows.net/abc",
])
def test_storage_container_uri_accepted(uri):
    v.validate_storage_container_uri(ns(storage_container_uri=uri))


@pytest.mark.parametrize("uri,reason", [
    ("http://acct.blob.core.windows.net/transfer", "https://"),
    ("acct.blob.core.windows.net/transfer", "https://"),
    ("https:///transfer", "no host"),
    ("https://acct.blob.core.windows.net", "no container"),
    ("https://acct.blob.core.windows.net/", "no container"),
    ("https://acct.blob.core.windows.net/transfer/", "empty path segment"),
    ("https://acct.blob.core.windows.net/transfer/blob", "exactly one segment"),
    ("https://127.0.0.1:10000/transfer", "path style"),
    ("https://127.0.0.1:10000/devstoreaccount1/a/b", "path style"),
    ("https://a.blob.core.windows.net/transfer", "storage account name"),
    ("https://acct.blob.core.windows.net/c", "container name"),
    ("https://acct.blob.core.windows.net/bad--name", "container name"),
    ("https://acct.blob.core.windows.net/-bad", "container name"),
    ("https://acct.blob.core.windows.net/bad_name", "container name"),
    ("https://user:pw@acct.blob.core.windows.net/transfer", "user information"),
    ("https://acct.blob.core.windows.net/transfer#frag", "fragment"),
    ("https://127.0.0.1:notaport/devstoreaccount1/transfer", "well-formed"),
])
def test_storage_container_uri_refused(uri, reason):
    message = refuses(v.validate_storage_container_uri, storage_container_uri=uri)
    assert "--storage-container-uri/-c" in message
    assert reason in message


def test_storage_container_uri_with_sas_is_refused_without_repeating_the_signature():
    uri = "https://acct.blob.core.windows.net/transfer?sv=2024-01-01&sp=rwl&sig=" + "TOPSECRETSIGNATURE%3D"  # split: no signature-shaped literal in the tree
    message = refuses(v.validate_storage_container_uri, storage_container_uri=uri)
    assert "query string" in message
    assert "TOPSECRET" not in message and "sig=" not in message and "sv=" not in message


def test_parse_storage_container_uri():
    assert v.parse_storage_container_uri("https://acct.blob.core.windows.net/transfer") == ("acct", "transfer")
    assert v.parse_storage_container_uri("https://127.0.0.1:10000/devstoreaccount1/t1x") == ("devstoreaccount1", "t1x")
    assert v.parse_storage_container_uri("https://storage.contoso.com/transfer") == (None, "transfer")


# --------------------------------------------------------------------------------------------- secret URI
@pytest.mark.parametrize("uri", [
    "https://myvault.vault.azure.net/secrets/acrexportsas",
    "https://myvault.vault.azure.net/secrets/acr-export-sas/0123456789abcdef0123456789abcdef",
    "https://myvault.vault.azure.net/secrets/export-sas/0123456789abcdef",
    "https://myvault.vault.azure.cn/secrets/sas",
    "https://myvault.vault.usgovcloudapi.net/secrets/sas",
    "https://127.0.0.1:8443/secrets/sas",
])
def test_secret_uri_accepted(uri):
    v.validate_secret_uri(ns(secret_uri=uri))


@pytest.mark.parametrize("uri", [
    "http://myvault.vault.azure.net/secrets/sas",
    "https://myvault.vault.azure.net/keys/k",
    "https://myvault.vault.azure.net/secrets",
    "https://myvault.vault.azure.net/secrets/",
    "https://myvault.vault.azure.net/secrets/sas/",
    "https://myvault.vault.azure.net/secrets/bad_name",
    "https://myvault.vault.azure.net/secrets/sas/v1/extra",
    "https://myvault.vault.azure.net/secrets/sas?api-version=7.4",
    "myvault.vault.azure.net/secrets/sas",
])
def test_secret_uri_refused(uri):
    message = refuses(v.validate_secret_uri, secret_uri=uri)
    assert "--secret-uri/-s" in message


# --------------------------------------------------------------------------------------------- access mode
def test_access_mode_canonical_spelling():
    namespace = ns(storage_access_mode="managedidentity", secret_uri=None)
    v.validate_storage_access_mode(namespace)
    assert namespace.storage_access_mode == "ManagedIdentity"
    namespace = ns(storage_access_mode="SASTOKEN", secret_uri="https://v.vault.azure.net/secrets/s")
    v.validate_storage_access_mode(namespace)
    assert namespace.storage_access_mode == "SasToken"


def test_secret_uri_without_mode_implies_sas_token_with_a_notice(caplog):
    namespace = ns(storage_access_mode=None, secret_uri="https://v.vault.azure.net/secrets/s")
    with caplog.at_level(logging.WARNING):
        v.validate_storage_access_mode(namespace)
    assert namespace.storage_access_mode == "SasToken"
    notices = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(notices) == 1 and "SasToken" in notices[0].getMessage()
    assert "\n" not in notices[0].getMessage()


def test_no_mode_and_no_secret_is_an_error_naming_the_choices():
    message = refuses(v.validate_storage_access_mode, RequiredArgumentMissingError,
                      storage_access_mode=None, secret_uri=None)
    assert "--storage-access-mode/-m" in message and "ManagedIdentity" in message and "SasToken" in message


def test_sas_token_needs_secret_uri():
    message = refuses(v.validate_storage_access_mode, RequiredArgumentMissingError,
                      storage_access_mode="SasToken", secret_uri=None)
    assert "--secret-uri/-s" in message


def test_managed_identity_refuses_secret_uri():
    message = refuses(v.validate_storage_access_mode, MutuallyExclusiveArgumentError,
                      storage_access_mode="ManagedIdentity", secret_uri="https://v.vault.azure.net/secrets/s")
    assert "--secret-uri/-s" in message and "ManagedIdentity" in message


def test_unknown_mode_refused():
    message = refuses(v.validate_storage_access_mode, storage_access_mode="Anonymous", secret_uri=None)
    assert "ManagedIdentity, SasToken" in message


# --------------------------------------------------------------------------------------------- identity
@pytest.mark.parametrize("identity,expected", [
    ("[system]", "[system]"),
    ("[System]", "[system]"),
    (UAI, UAI),
    (UAI.replace("resourceGroups", "resourcegroups"), UAI.replace("resourceGroups", "resourcegroups")),
    (None, None),
])
def test_assign_identity_accepted(identity, expected):
    namespace = ns(assign_identity=identity)
    v.validate_assign_identity(namespace)
    assert namespace.assign_identity == expected


@pytest.mark.parametrize("identity", [
    "notanid",
    "system",
    UAI.replace("00000000-0000-0000-0000-000000000000", "not-a-guid"),
    UAI.replace("Microsoft.ManagedIdentity", "Microsoft.Compute"),
    UAI + "/extra",
    UAI.replace("transfer-rg", "bad-rg."),
    UAI.replace("/transferidentity", "/ab"),
])
def test_assign_identity_refused(identity):
    message = refuses(v.validate_assign_identity, assign_identity=identity)
    assert "--assign-identity/-i" in message and "[system]" in message


# --------------------------------------------------------------------------------------------- options
def test_export_options_case_insensitive_canonical_and_deduplicated():
    namespace = ns(options=["overwriteblobs", "CONTINUEONERRORS", "OverwriteBlobs"])
    v.validate_export_options(namespace)
    assert namespace.options == ["OverwriteBlobs", "ContinueOnErrors"]


def test_import_options_accepted():
    namespace = ns(options=["overwritetags", "deletesourceblobonsuccess", "continueonerrors"])
    v.validate_import_options(namespace)
    assert namespace.options == ["OverwriteTags", "DeleteSourceBlobOnSuccess", "ContinueOnErrors"]


def test_no_options_is_none():
    namespace = ns(options=[])
    v.validate_export_options(namespace)
    assert namespace.options is None


@pytest.mark.parametrize("given", [[""], ["", " "]])
def test_empty_string_clears_the_options(given):
    namespace = ns(options=given)
    v.validate_import_options(namespace)
    assert namespace.options == []


def test_empty_string_with_other_options_refused():
    assert '""' in refuses(v.validate_export_options, options=["", "OverwriteBlobs"])


@pytest.mark.parametrize("validator,option,accepted", [
    (v.validate_export_options, "OverwriteTags", "OverwriteBlobs, ContinueOnErrors"),
    (v.validate_import_options, "OverwriteBlobs", "OverwriteTags, DeleteSourceBlobOnSuccess, ContinueOnErrors"),
    (v.validate_import_options, "DisableSourceTrigger", "OverwriteTags, DeleteSourceBlobOnSuccess, ContinueOnErrors"),
])
def test_options_of_the_other_kind_refused(validator, option, accepted):
    message = refuses(validator, options=[option])
    assert "--options/-z" in message and accepted in message


# --------------------------------------------------------------------------------------------- runs
@pytest.mark.parametrize("value,expected", [("export", "export"), ("IMPORT", "import"), ("Export", "export")])
def test_pipeline_type_accepted(value, expected):
    namespace = ns(pipeline_type=value)
    v.validate_pipeline_type(namespace)
    assert namespace.pipeline_type == expected


@pytest.mark.parametrize("value", ["exp", "both", "", "imports"])
def test_pipeline_type_refused(value):
    message = refuses(v.validate_pipeline_type, pipeline_type=value)
    assert "--pipeline-type/-t" in message and "export or import" in message


@pytest.mark.parametrize("artifacts", [
    ["hello-world:v1"],
    ["samples/nginx@" + DIGEST],
    ["a/b/c:1.0", "a.b_c__d--e:tag_1.2-rc"],
    ["hello-world:" + "t" * 128],
    ["repo:" + str(i) for i in range(50)],
])
def test_artifacts_accepted(artifacts):
    v.validate_artifacts(ns(artifacts=artifacts))


@pytest.mark.parametrize("artifact,hint", [
    ("bad!!", "repo:tag"),
    ("Hello:1", "lowercase"),
    ("hello:", "repo:tag"),
    ("hello:-bad", "repo:tag"),
    ("hello:" + "t" * 129, "repo:tag"),
    ("hello@sha256:abc", "repo:tag"),
    ("hello@sha256:" + "A" * 64, "repo:tag"),
    ("hello@md5:" + "0" * 32, "repo:tag"),
    ("hello:1@" + DIGEST, "not both"),
    ("/hello:1", "repo:tag"),
    ("hello//world:1", "repo:tag"),
    ("hello-:1", "repo:tag"),
    ("", "repo:tag"),
])
def test_artifact_syntax_refused(artifact, hint):
    message = refuses(v.validate_artifacts, artifacts=["ok:1", artifact])
    assert "--artifacts/-a" in message and hint in message


def _many(n):
    return ["repo{}:v1".format(i) for i in range(n)]


def test_artifact_syntax_is_not_the_count():
    v.validate_artifacts(ns(artifacts=_many(51)))      # the limit is validate_artifact_count's alone


def test_fifty_artifacts_need_no_batch():
    v.validate_artifact_count(ns(artifacts=_many(50), batch=False, pipeline_type="export"))


def test_more_than_50_artifacts_refused_naming_the_way_out():
    with pytest.raises(InvalidArgumentValueError) as info:
        v.validate_artifact_count(ns(artifacts=_many(120), batch=False, pipeline_type="export"))
    assert str(info.value) == "--artifacts/-a lists 120 artifacts: a pipeline run transfers at most 50."
    assert "--batch" in info.value.recommendations[0] and "3 runs" in info.value.recommendations[0]


def test_batch_lifts_the_limit_for_export_runs_only():
    v.validate_artifact_count(ns(artifacts=_many(120), batch=True, pipeline_type="export"))
    with pytest.raises(MutuallyExclusiveArgumentError, match="--batch"):
        v.validate_artifact_count(ns(artifacts=None, batch=True, pipeline_type="import"))
    v.validate_artifact_count(ns())


@pytest.mark.parametrize("artifacts", [
    ["hello:1", "hello:1"],
    ["hello", "hello:latest"],
    ["hello@" + DIGEST, "hello@" + DIGEST],
])
def test_duplicate_artifacts_refused(artifacts):
    assert "twice" in refuses(v.validate_artifacts, artifacts=artifacts)


def test_bare_repository_is_accepted_as_typed_and_its_latest_stated(caplog):
    namespace = ns(artifacts=["hello-world", "nginx:1"])
    with caplog.at_level(logging.WARNING):
        v.validate_artifacts(namespace)
    assert namespace.artifacts == ["hello-world", "nginx:1"]          # not rewritten
    notices = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(notices) == 1 and "'hello-world:latest'" in notices[0]


def test_parse_artifact():
    assert v.parse_artifact("a/b:1") == ("a/b", "1", None)
    assert v.parse_artifact("a@" + DIGEST) == ("a", None, DIGEST)
    assert v.parse_artifact("a") == ("a", None, None)


def test_artifacts_required_for_export_refused_for_import():
    v.validate_artifacts_for_pipeline_type(ns(pipeline_type="export", artifacts=["a:1"]))
    v.validate_artifacts_for_pipeline_type(ns(pipeline_type="import", artifacts=None))
    assert "--artifacts/-a" in refuses(v.validate_artifacts_for_pipeline_type, RequiredArgumentMissingError,
                                       pipeline_type="export", artifacts=None)
    assert "--artifacts/-a" in refuses(v.validate_artifacts_for_pipeline_type, MutuallyExclusiveArgumentError,
                                       pipeline_type="import", artifacts=["a:1"])


@pytest.mark.parametrize("blob", ["myblob", "exports/2024-06/myblob.tar", "a", "x" * 1024, "blob name with spaces"])
def test_storage_blob_accepted(blob):
    v.validate_storage_blob(ns(storage_blob=blob))


@pytest.mark.parametrize("blob,reason", [
    ("", "empty"),
    ("x" * 1025, "longer"),
    ("/leading", "start"),
    ("trailing/", "end"),
    ("trailingdot.", "end"),
    ("a//b", "empty path segment"),
    ("a\\b", "must not contain"),
    ("a?b", "must not contain"),
    ("a#b", "must not contain"),
    ("a\nb", "control"),
    ("/".join(["s"] * 255), "segments"),
])
def test_storage_blob_refused(blob, reason):
    message = refuses(v.validate_storage_blob, storage_blob=blob)
    assert "--storage-blob/-b" in message and reason in message


@pytest.mark.parametrize("top,expected", [(1, 1), (10, 10), ("3", 3), (None, None)])
def test_top_accepted(top, expected):
    namespace = ns(top=top)
    v.validate_top(namespace)
    assert namespace.top == expected


@pytest.mark.parametrize("top", [0, -1, "abc", "1.5", ""])
def test_top_refused(top):
    assert "at least 1" in refuses(v.validate_top, top=top)


# --------------------------------------------------------------------------------------------- command level
def _export_create(**overrides):
    values = dict(registry_name="sourceregistry", export_pipeline_name="exportpipe1",
                  storage_container_uri="https://acct.blob.core.windows.net/transfer",
                  storage_access_mode="ManagedIdentity", secret_uri=None, assign_identity=None, options=None)
    values.update(overrides)
    return ns(**values)


def test_export_create_validator_normalises():
    namespace = _export_create(storage_access_mode="managedIDENTITY", options=["continueonerrors"],
                               assign_identity="[SYSTEM]")
    v.validate_export_pipeline_create(namespace)
    assert namespace.storage_access_mode == "ManagedIdentity"
    assert namespace.options == ["ContinueOnErrors"]
    assert namespace.assign_identity == "[system]"


@pytest.mark.parametrize("overrides", [
    {"registry_name": "r"},
    {"export_pipeline_name": "bad_name"},
    {"storage_container_uri": "http://acct.blob.core.windows.net/transfer"},
    {"secret_uri": "https://v.vault.azure.net/keys/k"},
    {"storage_access_mode": None},
    {"assign_identity": "notanid"},
    {"options": ["OverwriteTags"]},
])
def test_export_create_validator_refuses(overrides):
    with pytest.raises((InvalidArgumentValueError, RequiredArgumentMissingError)):
        v.validate_export_pipeline_create(_export_create(**overrides))


def test_import_create_validator():
    namespace = ns(registry_name="targetregistry", import_pipeline_name="importpipe1",
                   storage_container_uri="https://acct.blob.core.windows.net/transfer",
                   storage_access_mode=None, secret_uri="https://v.vault.azure.net/secrets/s",
                   assign_identity=None, options=["deletesourceblobonsuccess"])
    v.validate_import_pipeline_create(namespace)
    assert namespace.storage_access_mode == "SasToken"
    assert namespace.options == ["DeleteSourceBlobOnSuccess"]


def _run_create(**overrides):
    values = dict(registry_name="sourceregistry", pipeline_run_name="run12345", pipeline_name="exportpipe1",
                  pipeline_type="export", storage_blob="blob1", artifacts=["hello:1"], batch=False)
    values.update(overrides)
    return ns(**values)


def test_run_create_validator_reads_artifact_lists_then_applies_every_rule():
    # az hands `--artifacts @file` (and @-) over as one value holding the whole text.
    namespace = _run_create(artifacts=["a:1", "# header\nb:2 c:3\n\n  d@{}  # pinned\n".format(DIGEST)])
    v.validate_pipeline_run_create(namespace)
    assert namespace.artifacts == ["a:1", "b:2", "c:3", "d@" + DIGEST]
    with pytest.raises(InvalidArgumentValueError, match="twice"):
        v.validate_pipeline_run_create(_run_create(artifacts=["a:1", "a:1\n"]))
    with pytest.raises(InvalidArgumentValueError, match="at most 50"):
        v.validate_pipeline_run_create(_run_create(artifacts=["\n".join(_many(51))]))
    batch = _run_create(artifacts=["\n".join(_many(120))], batch=True)
    v.validate_pipeline_run_create(batch)
    assert len(batch.artifacts) == 120
    with pytest.raises(MutuallyExclusiveArgumentError, match="--batch"):
        v.validate_pipeline_run_create(_run_create(pipeline_type="import", artifacts=None, batch=True))


def test_run_create_validator():
    namespace = ns(registry_name="sourceregistry", pipeline_run_name="run12345", pipeline_name="exportpipe1",
                   pipeline_type="Export", storage_blob="blob1", artifacts=["hello:1"])
    v.validate_pipeline_run_create(namespace)
    assert namespace.pipeline_type == "export"
    with pytest.raises(RequiredArgumentMissingError):
        v.validate_pipeline_run_create(ns(registry_name="sourceregistry", pipeline_run_name="run12345",
                                          pipeline_name="exportpipe1", pipeline_type="export",
                                          storage_blob="blob1", artifacts=None))


def test_lookup_and_list_validators():
    v.validate_export_pipeline_lookup(ns(registry_name="sourceregistry", export_pipeline_name="exportpipe1"))
    v.validate_import_pipeline_lookup(ns(registry_name="targetregistry", import_pipeline_name="importpipe1"))
    v.validate_pipeline_run_lookup(ns(registry_name="targetregistry", pipeline_run_name="imp_trigger_1"))
    v.validate_registry_scope(ns(registry_name="targetregistry"))
    v.validate_pipeline_run_list(ns(registry_name="targetregistry", top=None))
    with pytest.raises(InvalidArgumentValueError):
        v.validate_export_pipeline_lookup(ns(registry_name="r", export_pipeline_name="exportpipe1"))
    with pytest.raises(InvalidArgumentValueError):
        v.validate_pipeline_run_list(ns(registry_name="targetregistry", top=0))
    v.validate_pipeline_run_list(ns(registry_name="targetregistry", pipeline_name="ExportPipe1", top=None))
    assert "--pipeline/-p" in refuses(v.validate_pipeline_run_list, registry_name="targetregistry",
                                      pipeline_name="no-such", top=None)


def _update(kind="export", **overrides):
    values = {"registry_name": "sourceregistry", kind + "_pipeline_name": kind + "pipe1", "options": None,
              "secret_uri": None}
    if kind == "import":
        values["source_trigger_enabled"] = None
    values.update(overrides)
    return ns(**values)


def test_update_validators_normalise_like_create():
    namespace = _update(options=["overwriteblobs"], secret_uri="https://v.vault.azure.net/secrets/s2")
    v.validate_export_pipeline_update(namespace)
    assert namespace.options == ["OverwriteBlobs"]
    cleared = _update("import", options=[""])
    v.validate_import_pipeline_update(cleared)
    assert cleared.options == []
    v.validate_import_pipeline_update(_update("import", source_trigger_enabled=False))


@pytest.mark.parametrize("kind,overrides,error", [
    ("export", {}, RequiredArgumentMissingError),
    ("import", {}, RequiredArgumentMissingError),
    ("export", {"options": ["OverwriteTags"]}, InvalidArgumentValueError),
    ("import", {"options": ["DisableSourceTrigger"]}, InvalidArgumentValueError),
    ("export", {"secret_uri": "https://v.vault.azure.net/keys/k"}, InvalidArgumentValueError),
    ("import", {"import_pipeline_name": "bad_name", "options": [""]}, InvalidArgumentValueError),
])
def test_update_validators_refuse(kind, overrides, error):
    validator = v.validate_export_pipeline_update if kind == "export" else v.validate_import_pipeline_update
    with pytest.raises(error) as info:
        validator(_update(kind, **overrides))
    if not overrides:
        assert "Nothing to update" in str(info.value)
        assert ("--source-trigger-enabled" in str(info.value)) == (kind == "import")


@pytest.mark.parametrize("group", ["", "a" * 91, "rg.", "bad/group", "rg with space"])
def test_resource_group_name_is_refused(group):
    message = refuses(v.validate_resource_group_name, resource_group_name=group)
    assert "--resource-group/-g" in message


@pytest.mark.parametrize("group", ["transfer-rg", "My_RG.(prod)", "r"])
def test_resource_group_name_is_accepted(group):
    v.validate_resource_group_name(SimpleNamespace(resource_group_name=group))


def test_wait_interval_of_zero_is_refused():
    assert "--interval" in refuses(v.validate_wait_interval, interval=0)
    v.validate_wait_interval(SimpleNamespace(interval=1))


def test_blob_name_with_a_query_is_refused_without_repeating_it():
    message = refuses(v.validate_storage_blob, storage_blob="blob.tar?sv=1&sig=" + "SECRETSIGNATURE")
    assert "SECRET" not in message and "sig=" not in message
