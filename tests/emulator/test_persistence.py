"""State survives a restart; runs that were executing end Failed with a message, never Running forever."""
import os

import pytest

from acrtransfer_emulator.executor import RESTARTED_MESSAGE
from acrtransfer_emulator.testing import Emulator
from emulator_helpers import (export_body, export_run_body, get, import_body, put, registry_path, wait_for,
                              wait_run)

SLOW_RUNS = {"run_step_delay": 0.5, "lro_delay": 0.3, "retry_after": 0}


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_restart_keeps_everything(tmp_path, how):
    state = str(tmp_path / "elsewhere" / "transfer.sqlite3")
    os.makedirs(os.path.dirname(state))
    emu = Emulator(tmp_path / "home", config=SLOW_RUNS, state=state)
    with emu:
        exported = put(emu, "sourceregistry", "exportPipelines", "export1", export_body()).json()
        imported = put(emu, "targetregistry", "importPipelines", "import1", import_body(trigger="Disabled")).json()
        put(emu, "asyncregistry", "exportPipelines", "asyncpipe1", export_body())
        put(emu, "sourceregistry", "pipelineRuns", "finished1", export_run_body("sourceregistry", "export1"))
        finished = wait_run(emu, "sourceregistry", "finished1")[-1]
        put(emu, "sourceregistry", "pipelineRuns", "running1", export_run_body("sourceregistry", "export1"))
        assert get(emu, "sourceregistry", "pipelineRuns", "running1").json()["properties"]["provisioningState"] \
            == "Creating"
        port = emu.port
        getattr(emu, how)()              # graceful SIGTERM, or SIGKILL (a crash)
        assert os.path.exists(state)

        emu.start()
        assert emu.port == port          # same port: env.sh and nextLinks stay valid
        assert get(emu, "sourceregistry", "exportPipelines", "export1").json() == exported
        assert get(emu, "targetregistry", "importPipelines", "import1").json() == imported
        assert get(emu, "sourceregistry", "pipelineRuns", "finished1").json() == finished
        interrupted = get(emu, "sourceregistry", "pipelineRuns", "running1").json()["properties"]
        assert interrupted["provisioningState"] == "Failed"
        assert interrupted["response"]["status"] == "Failed"
        assert interrupted["response"]["pipelineRunErrorMessage"] == RESTARTED_MESSAGE
        assert "finishTime" in interrupted["response"]
        # The async pipeline operation that was pending still completes.
        wait_for(lambda: get(emu, "asyncregistry", "exportPipelines", "asyncpipe1").json()
                 ["properties"]["provisioningState"] == "Succeeded")
        # And the service keeps working on the restored state.
        put(emu, "sourceregistry", "pipelineRuns", "after1", export_run_body("sourceregistry", "export1"))
        assert wait_run(emu, "sourceregistry", "after1")[-1]["properties"]["provisioningState"] == "Failed"
        listed = emu.arm("GET", registry_path("sourceregistry") + "/pipelineRuns").json()["value"]
        assert [d["name"] for d in listed] == ["finished1", "running1", "after1"]
