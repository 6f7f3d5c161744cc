"""The real az works against the service end to end: cloud register, az login --identity, az rest."""
import json
import os

from acrtransfer_emulator.testing import Emulator
from emulator_helpers import FAST, export_body, put


def test_real_az_end_to_end(tmp_path, monkeypatch):
    # The repository's conftest points az at the extension checkout; this test is about the service only.
    monkeypatch.delenv("AZURE_EXTENSION_DEV_SOURCES", raising=False)
    with Emulator(tmp_path, config=FAST, login=True) as emu:
        env_sh = (tmp_path / "env.sh").read_text()
        for name in ("AZURE_CONFIG_DIR", "REQUESTS_CA_BUNDLE", "IDENTITY_ENDPOINT", "IDENTITY_HEADER",
                     "ACRT_EMULATOR_URL"):
            assert "export {}=".format(name) in env_sh
        account = json.loads(emu.az("account", "show", "-o", "json").stdout)
        assert account["id"] == "00000000-0000-0000-0000-000000000000"
        assert account["tenantId"] == "00000000-0000-0000-0000-000000000001"
        assert account["environmentName"] == "AcrTransferLocal"
        assert account["user"]["type"] == "servicePrincipal"

        put(emu, "sourceregistry", "exportPipelines", "azpipeline1", export_body())
        url = (emu.url + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/transfer-rg/providers/"
               "Microsoft.ContainerRegistry/registries/sourceregistry/exportPipelines?api-version=2025-06-01-preview")
        listed = json.loads(emu.az("rest", "--method", "get", "--url", url, "-o", "json").stdout)
        assert [p["name"] for p in listed["value"]] == ["azpipeline1"]
        assert listed["value"][0]["identity"]["type"] == "systemAssigned"

        # az's own errors carry the ARM error code.
        failed = emu.az("rest", "--method", "get", "--url", url.replace("exportPipelines?", "exportPipelines/nope1?"),
                        check=False)
        assert failed.returncode != 0 and "ResourceNotFound" in failed.stderr
        assert os.path.isdir(emu.env["AZURE_CONFIG_DIR"])
