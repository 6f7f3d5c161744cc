"""Every parameter of every command, fuzzed: the outcome is a request the spec accepts or a clear
error, never a traceback.

Each example builds a command line from the command's parameters (each present or not, long or short
spelling, a plausible or an arbitrary value, in any order, with az's own -o/--query sometimes), runs
it through a warm in-process az against the local service, and checks:
  - no traceback and no "unexpected error" (az's handler got an az error, or none);
  - success: every request the client sent is one the spec accepts (api-version, names, body keys,
    enums, nothing read-only), and the service accepted it;
  - failure before the wire: an ERROR line naming a parameter;
  - failure after the wire: the service's refusal was about state (not found, wrong registry tier,
    a run that failed), never a spec rule the validators should have caught first.

`HYPOTHESIS_PROFILE=thorough make test-robustness` runs many more examples than `make test`.
"""
import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from robustness_helpers import (
    CONTAINER_URI, RG, SPEC_RULE_CODES, assert_no_traceback, check_transfer_request, error_lines, error_message)

pytestmark = pytest.mark.robustness

# A short run in `make test` (25 examples per command); HYPOTHESIS_PROFILE=thorough runs 400 each
# (ACRT_FUZZ_EXAMPLES=N sets the number either way). Applied to these tests only.
_THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
FUZZ = settings(max_examples=int(os.environ.get("ACRT_FUZZ_EXAMPLES") or (400 if _THOROUGH else 25)),
                deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

REGISTRIES = ["sourceregistry", "targetregistry", "asyncregistry", "basicregistry", "SourceRegistry"]
EXPORT_PIPELINE, IMPORT_PIPELINE, RUN = "fuzzexport1", "fuzzimport1", "fuzzrun001"
HEX = "0123456789abcdef"

# -- value strategies -----------------------------------------------------------------------------
_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
anything = st.text(_chars, max_size=40)
alnum = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), min_size=1,
                max_size=12)
valid_name = st.from_regex(r"[A-Za-z0-9]{5,50}", fullmatch=True)
edge_names = st.sampled_from(["", "abcd", "a" * 51, "abc_def1", "run_0001_x", "abc-de", "\u00c4bcde", "abc de",
                              "-n", "12345", "a" * 50, "x_" * 49, "fuzz.run1", "%2e%2e%2fabc"])


def _name(known=()):
    choices = [valid_name, edge_names, anything]
    if known:
        choices.insert(0, st.sampled_from(list(known)))
    return st.one_of(*choices)


def _join(parts):
    return st.tuples(*parts).map("".join)


storage_uri = st.one_of(
    st.just(CONTAINER_URI),
    _join([st.sampled_from(["https://", "http://", "", "ftp://", "https://user@"]), alnum,
           st.sampled_from([".blob.core.windows.net/", ".blob.core.chinacloudapi.cn/", "/", ":10000/"]),
           st.one_of(alnum, st.just(""), st.just("a/b")),
           st.sampled_from(["", "/", "?sv=2022&sig=SECRETSIG", "#frag", "/extra/segment"])]),
    _join([st.just("https://127.0.0.1:10000/"), alnum, st.just("/"), alnum]),
    anything)
secret_uri = st.one_of(
    _join([st.sampled_from(["https://", "http://", ""]), alnum, st.sampled_from([".vault.azure.net", ".vault"]),
           st.sampled_from(["/secrets/", "/keys/", "/"]), st.one_of(alnum, st.just("")),
           st.sampled_from(["", "/" + HEX * 2, "/v1", "?api-version=1", "/a/b"])]),
    anything)
access_mode = st.one_of(st.sampled_from(["ManagedIdentity", "SasToken", "managedidentity", "SASTOKEN", "Entra",
                                         ""]), anything)
identity = st.one_of(
    st.sampled_from(["[system]", "[System]", "system", ""]),
    _join([st.just("/subscriptions/"),
           st.sampled_from(["00000000-0000-0000-0000-000000000000", "not-a-guid", ""]),
           st.sampled_from(["/resourceGroups/", "/resourcegroups/", "/rg/"]), st.one_of(alnum, st.just("my-rg.1")),
           st.sampled_from(["/providers/Microsoft.ManagedIdentity/userAssignedIdentities/",
                            "/providers/Microsoft.Other/things/"]),
           st.one_of(alnum, st.just("id"), st.just("x" * 130))]),
    anything)
option_values = st.one_of(st.sampled_from(["OverwriteTags", "OverwriteBlobs", "DeleteSourceBlobOnSuccess",
                                           "ContinueOnErrors", "overwritetags", "DisableSourceTrigger", ""]),
                          anything)
options = st.lists(option_values, min_size=0, max_size=5)
three_state = st.one_of(st.sampled_from(["true", "false", "True", "FALSE", "yes", "no", "1", "0", "on", ""]), anything)
pipeline_type = st.one_of(st.sampled_from(["export", "import", "Export", "IMPORT", "both"]), anything)
blob = st.one_of(st.sampled_from(["images.tar", "a/b/c.tar", "x" * 1025, "/lead", "trail/", "a//b", "a\\b", "."]),
                 alnum, anything)
artifact = st.one_of(
    st.sampled_from(["hello-world:latest", "hello-world", "library/app:v1", "Repo:Tag", "repo:", ":tag", "repo@",
                     "repo@sha256:" + HEX * 4, "repo@sha256:" + HEX.upper() * 4, "repo@sha512:" + HEX * 8,
                     "a" * 300 + ":v1", "@-", "@/nonexistent/artifacts.txt"]),
    _join([alnum.map(str.lower), st.sampled_from([":", "@sha256:", "/"]), alnum]),
    anything)
artifacts = st.one_of(st.lists(artifact, min_size=0, max_size=4),
                      st.integers(45, 110).map(lambda n: ["repo{}:v1".format(i) for i in range(n)]))
run_status = st.one_of(st.sampled_from(["Running", "Succeeded", "failed", "CANCELED", "Unknown"]), anything)
top = st.one_of(st.integers(-3, 300).map(str), st.sampled_from(["", "1.5", "ten", "1e3"]), anything)
def _at_most_a_second(text):
    try:
        return int(text) <= 1          # int() also reads " 3" and other scripts' digits
    except ValueError:
        return True


wait_timeout = st.one_of(st.sampled_from(["0", "1", "-1", "", "soon"]), anything.filter(_at_most_a_second))
# --interval 0 is left out: az's generic wait crashes on it (see test_wait_interval_zero_is_a_clear_error).
wait_interval = st.one_of(st.sampled_from(["1", "-1", "", "x"]), anything)
jmespath = st.one_of(st.sampled_from(["provisioningState=='Succeeded'", "properties.provisioningState=='Failed'",
                                      "[", "length(@) > `0`", ""]), anything)
stdin_text = st.one_of(st.just(""), st.just("hello-world:v1\n# comment\n\nrepo@sha256:" + HEX * 4 + "\n"), anything)

VALUE = {
    # "" is left out: it crashes (see test_empty_resource_group_is_a_clear_error).
    "resource_group_name": st.one_of(st.sampled_from([RG, RG.upper(), "nogroup1"]), anything.filter(bool)),
    "registry_name": st.one_of(st.sampled_from(REGISTRIES), _name()),
    "export_pipeline_name": _name([EXPORT_PIPELINE]),
    "import_pipeline_name": _name([IMPORT_PIPELINE]),
    "pipeline_run_name": _name([RUN]),
    "pipeline_name": _name([EXPORT_PIPELINE, IMPORT_PIPELINE]),
    "storage_container_uri": storage_uri,
    "storage_access_mode": access_mode,
    "secret_uri": secret_uri,
    "assign_identity": identity,
    "options": options,
    "source_trigger_enabled": three_state,
    "pipeline_type": pipeline_type,
    "storage_blob": blob,
    "artifacts": artifacts,
    "status": run_status,
    "top": top,
    "timeout": wait_timeout,
    "interval": wait_interval,
    "custom": jmespath,
}
FLAGS = {"no_wait", "force_redeploy", "batch", "dry_run", "yes", "deleted", "created", "updated", "exists"}
OPTIONS = {
    "resource_group_name": ["--resource-group", "-g"], "registry_name": ["--registry", "-r"],
    "export_pipeline_name": ["--name", "-n"], "import_pipeline_name": ["--name", "-n"],
    "pipeline_run_name": ["--name", "-n"], "pipeline_name": ["--pipeline", "-p"],
    "storage_container_uri": ["--storage-container-uri", "-c"], "storage_access_mode": ["--storage-access-mode", "-m"],
    "secret_uri": ["--secret-uri", "-s"], "assign_identity": ["--assign-identity", "-i"],
    "options": ["--options", "-z"], "source_trigger_enabled": ["--source-trigger-enabled", "-e"],
    "pipeline_type": ["--pipeline-type", "-t"], "storage_blob": ["--storage-blob", "-b"],
    "artifacts": ["--artifacts", "-a"], "status": ["--status"], "top": ["--top"], "timeout": ["--timeout"],
    "interval": ["--interval"], "custom": ["--custom"], "no_wait": ["--no-wait"],
    "force_redeploy": ["--force-redeploy", "-f"], "batch": ["--batch"], "dry_run": ["--dry-run"],
    "yes": ["--yes", "-y"], "deleted": ["--deleted"], "created": ["--created"], "updated": ["--updated"],
    "exists": ["--exists"],
}
SCOPE = ["resource_group_name", "registry_name"]
WAIT = ["timeout", "interval", "deleted", "created", "updated", "exists", "custom"]

# Every command and its parameters (test_every_parameter_is_fuzzed keeps this equal to the command table).
COMMANDS = {}
for _kind in ("export", "import"):
    _name_dest = "{}_pipeline_name".format(_kind)
    _group = "acr {}-pipeline ".format(_kind)
    _trigger = ["source_trigger_enabled"] if _kind == "import" else []
    COMMANDS[_group + "create"] = SCOPE + [_name_dest, "storage_container_uri", "storage_access_mode", "secret_uri",
                                           "assign_identity", "options"] + _trigger + ["no_wait"]
    COMMANDS[_group + "update"] = SCOPE + [_name_dest, "options", "secret_uri"] + _trigger + ["no_wait"]
    COMMANDS[_group + "show"] = SCOPE + [_name_dest]
    COMMANDS[_group + "list"] = SCOPE
    COMMANDS[_group + "delete"] = SCOPE + [_name_dest, "no_wait"]
    COMMANDS[_group + "wait"] = SCOPE + [_name_dest] + WAIT
COMMANDS["acr pipeline-run create"] = SCOPE + ["pipeline_run_name", "pipeline_name", "pipeline_type", "storage_blob",
                                               "artifacts", "force_redeploy", "batch", "no_wait"]
COMMANDS["acr pipeline-run show"] = SCOPE + ["pipeline_run_name"]
COMMANDS["acr pipeline-run list"] = SCOPE + ["top", "pipeline_name", "status"]
COMMANDS["acr pipeline-run delete"] = SCOPE + ["pipeline_run_name", "no_wait"]
COMMANDS["acr pipeline-run clean"] = SCOPE + ["dry_run", "yes"]
COMMANDS["acr pipeline-run wait"] = SCOPE + ["pipeline_run_name"] + WAIT
REQUIRED = {"resource_group_name", "registry_name", "export_pipeline_name", "import_pipeline_name",
            "pipeline_run_name", "storage_container_uri", "storage_blob", "pipeline_type"}
GLOBAL_OPTIONS = ["--output", "-o", "--query", "--subscription", "--only-show-errors", "--debug", "--verbose"]


@st.composite
def command_lines(draw, command):
    """(argv, stdin) for one fuzzed invocation of ``command``."""
    dests = COMMANDS[command]
    parts = []
    for dest in dests:
        present = draw(st.floats(0, 1)) < (0.93 if dest in REQUIRED or dest == "pipeline_name" and
                                           command.endswith("create") else 0.45)
        if dest == "timeout" and not present:
            present = True           # never az's default timeout (an hour): a bounded wait is part of the test
        if not present:
            continue
        option = draw(st.sampled_from(OPTIONS[dest]))
        if dest in FLAGS:
            parts.append([option])
        elif dest == "options" or dest == "artifacts":
            parts.append([option] + draw(VALUE[dest]))
        elif dest == "source_trigger_enabled" and draw(st.booleans()):
            parts.append([option])   # a bare three-state flag means true
        else:
            parts.append([option, draw(VALUE[dest])])
    order = draw(st.permutations(range(len(parts))))
    argv = command.split() + [token for index in order for token in parts[index]]
    if draw(st.integers(0, 4)) == 0:
        argv += ["-o", draw(st.sampled_from(["json", "jsonc", "table", "tsv", "yaml", "yamlc", "none", "xml"]))]
    if draw(st.integers(0, 9)) == 0:
        argv += ["--query", draw(jmespath)]
    if draw(st.integers(0, 14)) == 0:
        argv += [draw(st.sampled_from(["--bogus", "extra", "-x", "--no-wait", "--only-show-errors"]))]
    stdin = draw(stdin_text) if "@-" in argv else None
    return argv, stdin


def seed(emu):
    """The pipelines and the run the fuzzed names may hit (idempotent PUTs straight to the service)."""
    base = emu.registry_path("sourceregistry")
    target = emu.registry_path("targetregistry")
    storage = {"type": "AzureStorageBlobContainer", "uri": CONTAINER_URI, "storageAccessMode": "ManagedIdentity"}
    for path, body in (
            (base + "/exportPipelines/" + EXPORT_PIPELINE,
             {"identity": {"type": "SystemAssigned"}, "properties": {"target": storage}}),
            (target + "/importPipelines/" + IMPORT_PIPELINE,
             {"identity": {"type": "SystemAssigned"}, "properties": {"source": storage}}),
            (base + "/importPipelines/" + IMPORT_PIPELINE,
             {"identity": {"type": "SystemAssigned"}, "properties": {"source": storage}})):
        response = emu.arm("PUT", path, json=body)
        assert response.status_code in (200, 201), response.text
    if emu.arm("GET", base + "/pipelineRuns/" + RUN).status_code == 404:
        run = {"properties": {"request": {
            "pipelineResourceId": base + "/exportPipelines/" + EXPORT_PIPELINE,
            "target": {"type": "AzureStorageBlob", "name": "seed.tar"}, "artifacts": ["hello-world:latest"]}}}
        assert emu.arm("PUT", base + "/pipelineRuns/" + RUN, json=run).status_code in (200, 201)


def _error_code(request):
    import json
    try:
        return json.loads(request.get("response") or "{}").get("error", {}).get("code")
    except ValueError:
        return None


def check_outcome(result, command):
    assert_no_traceback(result)
    for request in result.transfer_requests:
        problems = check_transfer_request(request)
        assert not problems, "the extension sent a request the spec refuses: {}\n{!r}".format(problems, result)
        code = _error_code(request)
        assert code not in SPEC_RULE_CODES, \
            "the service refused a spec rule the validators should have caught ({}):\n{!r}".format(code, result)
    if result.code == 0:
        return
    assert error_lines(result), "a failure without an ERROR line:\n{!r}".format(result)
    text = error_message(result)
    if not result.transfer_requests:
        # Refused before the wire: the message names the parameter (or the command line's problem).
        names = [o for dest in COMMANDS[command] for o in OPTIONS[dest]] + GLOBAL_OPTIONS + [
            "unrecognized arguments", "the following arguments are required", "command not found"]
        assert any(name in text for name in names), "an error that names no parameter:\n{!r}".format(result)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_fuzzed_command_line(service, worker, command):
    mutates = any(command.endswith(verb) for verb in ("create", "update", "delete", "clean"))
    seed(service)

    @FUZZ
    @given(data=st.data())
    def example(data):
        argv, stdin = data.draw(command_lines(command), label="command line")
        if mutates:
            seed(service)
        result = worker.run(*argv, stdin=stdin, timeout=90)
        check_outcome(result, command)
    example()


def test_every_parameter_is_fuzzed():
    """The fuzzed parameters are exactly the command table's: a new parameter must join the fuzzing."""
    from azure.cli.core.mock import DummyCli
    from azext_acrtransfer import AcrTransferCommandsLoader
    loader = AcrTransferCommandsLoader(cli_ctx=DummyCli())
    loader.skip_applicability = True
    table = loader.load_command_table(None)
    assert sorted(table) == sorted(COMMANDS)
    for name, command in table.items():
        loader.command_name = name
        loader.load_arguments(name)
        command.load_arguments()
        declared = {dest for dest in command.arguments if dest != "cmd"}
        assert declared == set(COMMANDS[name]), name
        for dest in declared:
            settings = loader.argument_registry.get_cli_argument(name, dest).settings
            merged = dict(command.arguments[dest].type.settings, **settings)
            assert list(merged.get("options_list") or []) == OPTIONS[dest], (name, dest)


@pytest.mark.parametrize("group,name", [("export-pipeline", EXPORT_PIPELINE), ("pipeline-run", RUN)])
def test_wait_interval_zero_is_a_clear_error(service, worker, group, name):
    seed(service)
    result = worker.run("acr", group, "wait", "-g", RG, "-r", "sourceregistry", "-n", name, "--created",
                        "--interval", "0", "--timeout", "1")
    assert_no_traceback(result)
    assert result.code != 0 and error_lines(result)


@pytest.mark.parametrize("argv", [["acr", "export-pipeline", "show", "-n", EXPORT_PIPELINE],
                                  ["acr", "pipeline-run", "list"]], ids=["show", "list"])
def test_empty_resource_group_is_a_clear_error(service, worker, argv):
    result = worker.run(*(argv + ["-g", "", "-r", "sourceregistry"]))
    assert_no_traceback(result)
    assert result.code != 0 and error_lines(result)
