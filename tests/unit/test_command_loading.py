"""Loading the command table and arguments stays light and keeps the 2.0.0 command line.

Each check runs in a fresh interpreter, so what is in sys.modules afterwards was imported by the
loading itself and not by another test.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_LOAD_EVERYTHING = r"""
import json, sys
from azure.cli.core.mock import DummyCli
from azext_acrtransfer import AcrTransferCommandsLoader

cli = DummyCli()
loader = AcrTransferCommandsLoader(cli_ctx=cli)
loader.skip_applicability = True        # load every scope, as az does when it builds help for all commands
table = loader.load_command_table(None)
options = {}
for name, command in table.items():
    loader.command_name = name
    loader.load_arguments(name)
    command.load_arguments()            # imports the operation module to read its signature
    options[name] = {}
    for dest in command.arguments:
        settings = loader.argument_registry.get_cli_argument(name, dest).settings
        merged = dict(command.arguments[dest].type.settings, **settings)
        options[name][dest] = {
            "options": list(merged.get("options_list") or []),
            "choices": list(merged.get("choices") or []),
        }
print(json.dumps({
    "commands": sorted(table),
    "modules": sorted(m for m in sys.modules if m.startswith("azext_acrtransfer")),
    "options": options,
}))
"""


def _env(**extra):
    env = dict(os.environ)
    env.update({"AZURE_CONFIG_DIR": tempfile.mkdtemp(prefix="acrt-unit-az-"),
                "AZURE_CORE_COLLECT_TELEMETRY": "no",
                "PYTHONPATH": ROOT + os.pathsep + env.get("PYTHONPATH", "")})
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def loaded():
    out = subprocess.run([sys.executable, "-c", _LOAD_EVERYTHING], cwd=ROOT, env=_env(),
                         capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_every_command_is_registered(loaded):
    groups = {
        "acr export-pipeline": ["create", "delete", "list", "show", "update", "wait"],
        "acr import-pipeline": ["create", "delete", "list", "show", "update", "wait"],
        "acr pipeline-run": ["clean", "create", "delete", "list", "show", "wait"],
    }
    expected = sorted("{} {}".format(group, verb) for group, verbs in groups.items() for verb in verbs)
    assert loaded["commands"] == expected


def test_loading_does_not_import_the_client_or_models(loaded):
    assert not [m for m in loaded["modules"] if m.startswith("azext_acrtransfer.vendored_sdks")]


def _opts(loaded, command, dest):
    return loaded["options"][command][dest]["options"]


@pytest.mark.parametrize("kind", ["export", "import"])
def test_pipeline_create_keeps_the_2_0_0_options(loaded, kind):
    command = "acr {}-pipeline create".format(kind)
    assert _opts(loaded, command, "resource_group_name") == ["--resource-group", "-g"]
    assert _opts(loaded, command, "registry_name") == ["--registry", "-r"]
    assert _opts(loaded, command, "{}_pipeline_name".format(kind)) == ["--name", "-n"]
    assert _opts(loaded, command, "storage_container_uri") == ["--storage-container-uri", "-c"]
    assert _opts(loaded, command, "storage_access_mode") == ["--storage-access-mode", "-m"]
    assert _opts(loaded, command, "secret_uri") == ["--secret-uri", "-s"]
    assert _opts(loaded, command, "assign_identity") == ["--assign-identity", "-i"]
    assert _opts(loaded, command, "options") == ["--options", "-z"]
    assert "no_wait" in loaded["options"][command]
    assert loaded["options"][command]["storage_access_mode"]["choices"] == ["ManagedIdentity", "SasToken"]


def test_options_choices_are_exactly_the_accepted_set(loaded):
    assert loaded["options"]["acr export-pipeline create"]["options"]["choices"] == [
        "OverwriteBlobs", "ContinueOnErrors"]
    assert loaded["options"]["acr import-pipeline create"]["options"]["choices"] == [
        "OverwriteTags", "DeleteSourceBlobOnSuccess", "ContinueOnErrors"]


def test_import_create_has_the_source_trigger_flag(loaded):
    assert _opts(loaded, "acr import-pipeline create", "source_trigger_enabled") == [
        "--source-trigger-enabled", "-e"]
    assert loaded["options"]["acr import-pipeline create"]["source_trigger_enabled"]["choices"] == ["true", "false"]


@pytest.mark.parametrize("kind", ["export", "import"])
def test_pipeline_update_options(loaded, kind):
    command = "acr {}-pipeline update".format(kind)
    assert _opts(loaded, command, "{}_pipeline_name".format(kind)) == ["--name", "-n"]
    assert _opts(loaded, command, "options") == ["--options", "-z"]
    assert loaded["options"][command]["options"]["choices"] == []     # "" (clear) reaches the validator
    assert _opts(loaded, command, "secret_uri") == ["--secret-uri", "-s"]
    assert "no_wait" in loaded["options"][command]
    for absent in ("storage_container_uri", "storage_access_mode", "assign_identity"):
        assert absent not in loaded["options"][command]
    has_trigger = "source_trigger_enabled" in loaded["options"][command]
    assert has_trigger == (kind == "import")
    if has_trigger:
        assert _opts(loaded, command, "source_trigger_enabled") == ["--source-trigger-enabled", "-e"]


def test_pipeline_run_create_and_list_new_options(loaded):
    assert _opts(loaded, "acr pipeline-run create", "batch") == ["--batch"]
    assert _opts(loaded, "acr pipeline-run list", "pipeline_name") == ["--pipeline", "-p"]
    assert _opts(loaded, "acr pipeline-run list", "status") == ["--status"]
    assert loaded["options"]["acr pipeline-run list"]["status"]["choices"] == [
        "Running", "Succeeded", "Failed", "Canceled"]


def test_pipeline_run_create_keeps_the_2_0_0_options(loaded):
    command = "acr pipeline-run create"
    assert _opts(loaded, command, "pipeline_run_name") == ["--name", "-n"]
    assert _opts(loaded, command, "pipeline_name") == ["--pipeline", "-p"]
    assert _opts(loaded, command, "pipeline_type") == ["--pipeline-type", "-t"]
    assert _opts(loaded, command, "storage_blob") == ["--storage-blob", "-b"]
    assert _opts(loaded, command, "artifacts") == ["--artifacts", "-a"]
    assert _opts(loaded, command, "force_redeploy") == ["--force-redeploy", "-f"]
    assert loaded["options"][command]["pipeline_type"]["choices"] == ["export", "import"]
    assert "no_wait" in loaded["options"][command]


def test_show_delete_list_clean_wait_options(loaded):
    for group, dest in (("export-pipeline", "export_pipeline_name"), ("import-pipeline", "import_pipeline_name"),
                        ("pipeline-run", "pipeline_run_name")):
        for verb in ("show", "delete", "wait"):
            assert _opts(loaded, "acr {} {}".format(group, verb), dest) == ["--name", "-n"]
        assert "no_wait" in loaded["options"]["acr {} delete".format(group)]
        wait = loaded["options"]["acr {} wait".format(group)]
        assert {"created", "deleted", "exists", "custom", "timeout", "interval"} <= set(wait)
    assert _opts(loaded, "acr pipeline-run list", "top") == ["--top"]
    assert _opts(loaded, "acr pipeline-run clean", "dry_run") == ["--dry-run"]
    assert _opts(loaded, "acr pipeline-run clean", "yes") == ["--yes", "-y"]


_INVOKE = r"""
import json, sys
from azure.cli.core import get_default_cli
code = get_default_cli().invoke(sys.argv[1:])
print(json.dumps({"code": code,
                  "modules": sorted(m for m in sys.modules if m.startswith("azext_acrtransfer.vendored_sdks"))}))
"""


@pytest.mark.skipif(not glob.glob(os.path.join(ROOT, "*.egg-info")),
                    reason="the dev extension needs `setup.py egg_info` (make setup runs it)")
@pytest.mark.parametrize("args,needle", [
    (["acr", "pipeline-run", "create", "-g", "rg", "-r", "reg1x", "-n", "run1x", "-p", "pipe1x", "-t", "export",
      "-b", "blob1", "--artifacts", "bad!!"], "--artifacts/-a 'bad!!'"),
    (["acr", "export-pipeline", "create", "-g", "rg", "-r", "reg1x", "-n", "pipe1x",
      "-c", "https://acct.blob.core.windows.net/transfer?sv=1&sig=SECRET", "-m", "ManagedIdentity"],
     "--storage-container-uri/-c"),
    (["acr", "import-pipeline", "show", "-g", "rg", "-r", "r", "-n", "pipe1x"], "--registry/-r 'r'"),
    (["acr", "export-pipeline", "update", "-g", "rg", "-r", "reg1x", "-n", "pipe1x"], "Nothing to update"),
    (["acr", "import-pipeline", "update", "-g", "rg", "-r", "reg1x", "-n", "pipe1x", "--options", "",
      "OverwriteTags"], '--options/-z ""'),
    (["acr", "pipeline-run", "create", "-g", "rg", "-r", "reg1x", "-n", "run1x", "-p", "pipe1x", "-t", "export",
      "-b", "blob1", "--artifacts"] + ["repo{}:v1".format(i) for i in range(51)], "--batch"),
    (["acr", "pipeline-run", "list", "-g", "rg", "-r", "reg1x", "--pipeline", "bad-name"], "--pipeline/-p"),
])
def test_invalid_input_fails_before_login_and_before_the_client(args, needle):
    """A fresh config dir has no login: the validation error must come first, with no traceback."""
    out = subprocess.run([sys.executable, "-c", _INVOKE] + args, cwd=ROOT,
                         env=_env(AZURE_EXTENSION_DEV_SOURCES=ROOT), capture_output=True, text=True, timeout=300)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] != 0
    assert needle in out.stderr
    assert "Traceback" not in out.stderr and "az login" not in out.stderr
    assert "SECRET" not in out.stderr
    assert result["modules"] == []


def test_every_command_and_group_has_help_with_whole_example_names(loaded):
    """YAML reads ' #' as a comment: a cut example name ends without its full stop."""
    import yaml
    from azext_acrtransfer._help import helps
    groups = {name.rsplit(" ", 1)[0] for name in loaded["commands"]}
    for name in sorted(set(loaded["commands"]) | groups):
        entry = yaml.safe_load(helps[name])
        assert entry["short-summary"].endswith("."), name
        for example in entry.get("examples", []):
            assert example["name"].endswith("."), (name, example["name"])
            assert example["text"].lstrip().startswith(("az ", "cat ")), (name, example["text"])
    assert len(yaml.safe_load(helps["acr export-pipeline update"])["examples"]) == 3
    assert len(yaml.safe_load(helps["acr import-pipeline update"])["examples"]) == 4
