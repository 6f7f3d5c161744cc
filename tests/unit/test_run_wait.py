"""azext_acrtransfer._run_wait: waiting with progress on stderr, outcomes, the deferred exit code.

The client is a fake answering a scripted sequence of runs; the clock is fake and advanced by the
fake sleep, so no test sleeps. az's progress controller is a recording fake, except where the real
az view is exercised on a terminal-like and a redirected stream.
"""
import copy
import io
import json
import logging
from types import SimpleNamespace

import pytest
from azure.core.exceptions import HttpResponseError
from azure.cli.core.azclierror import AzureResponseError

from azext_acrtransfer import _run_wait as rw
from azext_acrtransfer.vendored_sdks import PipelineRun

EXPORT_ID = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/transfer-rg/providers/"
             "Microsoft.ContainerRegistry/registries/sourceregistry/exportPipelines/exportone")


def run_doc(status="Running", state="Succeeded", percent=None, artifacts=None, imported=None, message=None,
            name="myrun1"):
    response = {"status": status}
    if percent is not None:
        response["progress"] = {"percentage": str(percent)}
    if imported is not None:
        response["importedArtifacts"] = imported
    if message is not None:
        response["pipelineRunErrorMessage"] = message
    request = {"pipelineResourceId": EXPORT_ID}
    if artifacts is not None:
        request["artifacts"] = artifacts
    return {"name": name, "properties": {"provisioningState": state, "request": request, "response": response}}


def model(**kwargs):
    return PipelineRun.from_dict(run_doc(**kwargs))


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class FakeGetter:
    """One scripted run per GET; counts the GETs."""

    def __init__(self, *runs):
        self.runs = list(runs)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        item = self.runs.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item


class FakeHook:
    """Records what az's ProgressHook is asked to do."""

    def __init__(self):
        self.events = []

    def begin(self, **kwargs):
        self.events.append(("begin", kwargs.get("message")))

    def add(self, **kwargs):
        self.events.append(("add", kwargs.get("message")))

    def end(self, **kwargs):
        self.events.append(("end", None))

    def stop(self):
        self.events.append(("stop", None))

    def messages(self):
        return [m for kind, m in self.events if kind in ("begin", "add")]


class FakeConfig:
    def __init__(self, disable=False):
        self.disable = disable

    def getboolean(self, section, option, fallback=None):
        if (section, option) == ("core", "disable_progress_bar"):
            return self.disable
        return fallback


def fake_ctx(only_show_errors=False, output="json", disable_progress_bar=False):
    hook = FakeHook()
    asked = []

    def get_progress_controller(det=False, spinner=None):
        asked.append(det)
        return hook

    ctx = SimpleNamespace(only_show_errors=only_show_errors, config=FakeConfig(disable_progress_bar),
                          invocation=SimpleNamespace(data={"output": output}),
                          get_progress_controller=get_progress_controller)
    ctx.hook, ctx.asked = hook, asked
    return ctx


def wait(ctx, getter, clock, **kwargs):
    kwargs.setdefault("interval", 5)
    return rw.wait_for_run(ctx, getter, "myrun1", sleep=clock.sleep, clock=clock, **kwargs)


# ------------------------------------------------------------------------------------------ reading
@pytest.mark.parametrize("state,status,done", [
    ("Succeeded", "Running", False),    # accepted, transfer in progress (spec example)
    ("Creating", "Running", False),     # the local service
    ("Creating", None, False),
    ("Succeeded", "Succeeded", True),
    ("Succeeded", "Failed", True),
    ("Succeeded", "Canceled", True),
    ("Succeeded", "Cancelled", True),
    ("Failed", "Running", True),
    ("Canceled", None, True),
    ("Succeeded", None, True),          # nothing left to wait for
])
def test_is_run_done(state, status, done):
    doc = run_doc(status=status, state=state)
    if status is None:
        del doc["properties"]["response"]["status"]
    assert rw.is_run_done(PipelineRun.from_dict(doc)) is done


@pytest.mark.parametrize("value,expected", [("45", 45), ("45%", 45), (" 20.5 ", 20), ("150", 100), ("-3", 0),
                                            ("abc", None), (None, None), (7, 7)])
def test_progress_percent(value, expected):
    doc = run_doc()
    if value is not None:
        doc["properties"]["response"]["progress"] = {"percentage": value}
    assert rw.progress_percent(PipelineRun.from_dict(doc)) == expected


def test_progress_message():
    assert rw.progress_message("myrun1", model(percent=45), 12) == "myrun1: Running  45%  0:12 elapsed"
    assert rw.progress_message("myrun1", model(), 3725) == "myrun1: Running  1:02:05 elapsed"
    assert rw.progress_message("myrun1", {}, 0) == "myrun1: Starting  0:00 elapsed"


# ------------------------------------------------------------------------------------------ waiting
def test_polls_one_get_per_interval_until_the_run_ends():
    clock, ctx = FakeClock(), fake_ctx()
    getter = FakeGetter(model(percent=20), model(percent=60), model(status="Succeeded", percent=100))
    final = wait(ctx, getter, clock, initial=model(percent=0))
    assert final.response.status == "Succeeded"
    assert getter.calls == 3
    assert clock.now == pytest.approx(115)            # 3 intervals of 5 s, no GET before the first
    assert ctx.asked == [False]                       # az's indeterminate (spinner) view


def test_renders_status_percentage_and_elapsed_time_every_second():
    clock, ctx = FakeClock(), fake_ctx()
    getter = FakeGetter(model(percent=45), model(status="Succeeded", percent=100))
    wait(ctx, getter, clock, initial=model(percent=0), interval=2)
    assert ctx.hook.messages() == [
        "myrun1: Running  0%  0:00 elapsed",
        "myrun1: Running  0%  0:01 elapsed",
        "myrun1: Running  0%  0:02 elapsed",
        "myrun1: Running  45%  0:02 elapsed",
        "myrun1: Running  45%  0:03 elapsed",
        "myrun1: Running  45%  0:04 elapsed",
        "myrun1: Succeeded  100%  0:04 elapsed",
    ]
    assert ctx.hook.events[0][0] == "begin" and ctx.hook.events[-1] == ("end", None)


def test_the_interval_may_be_a_pace_read_before_each_pause():
    clock, ctx = FakeClock(), fake_ctx(only_show_errors=True)
    pace = rw.PollPace()
    answers = iter(["3", None, "120"])

    def get():
        pace.observe(SimpleNamespace(http_response=SimpleNamespace(headers={"Retry-After": next(answers)})))
        return getter()

    getter = FakeGetter(model(percent=20), model(percent=60), model(status="Succeeded", percent=100))
    pace.observe(SimpleNamespace(http_response=SimpleNamespace(headers={"Retry-After": "1"})))   # the PUT
    wait(ctx, get, clock, initial=model(percent=0), interval=pace)
    assert clock.sleeps == [1, 3, rw.DEFAULT_POLL_SECONDS]


@pytest.mark.parametrize("header,seconds", [
    ("1", 1.0), ("0", 1.0), ("2.5", 2.5), ("600", 60.0), (None, 5.0), ("soon", 5.0), ("-3", 1.0),
    ("Wed, 21 Oct 2015 07:28:00 GMT", 1.0),     # a date in the past: as soon as allowed
])
def test_poll_pace_follows_retry_after_within_bounds(header, seconds):
    pace = rw.PollPace()
    headers = {"Retry-After": header} if header is not None else {}
    pace.observe(SimpleNamespace(http_response=SimpleNamespace(headers=headers)))
    assert pace() == seconds


def test_poll_pace_survives_an_odd_response():
    pace = rw.PollPace()
    pace.observe(None)
    assert pace() == rw.DEFAULT_POLL_SECONDS


def test_parse_retry_after_reads_an_http_date():
    from email.utils import format_datetime
    from datetime import datetime, timedelta, timezone
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 25 <= rw.parse_retry_after(later) <= 30
    assert rw.parse_retry_after("nan") is None


def test_a_run_already_ended_costs_no_request_and_draws_once():
    clock, ctx = FakeClock(), fake_ctx()
    getter = FakeGetter()
    final = wait(ctx, getter, clock, initial=model(status="Succeeded", percent=100))
    assert final.response.status == "Succeeded" and getter.calls == 0 and clock.sleeps == []


def test_without_initial_run_the_first_get_is_immediate():
    clock, ctx = FakeClock(), fake_ctx()
    getter = FakeGetter(model(status="Failed", state="Failed", message="boom"))
    final = wait(ctx, getter, clock)
    assert final.provisioning_state == "Failed" and getter.calls == 1 and clock.sleeps == []


@pytest.mark.parametrize("settings", [dict(only_show_errors=True), dict(output="none"),
                                      dict(disable_progress_bar=True)])
def test_silent_with_only_show_errors_output_none_or_disabled_progress(settings):
    clock, ctx = FakeClock(), fake_ctx(**settings)
    getter = FakeGetter(model(percent=50), model(status="Succeeded"))
    wait(ctx, getter, clock, initial=model())
    assert ctx.asked == [] and ctx.hook.events == []
    assert clock.sleeps == [5, 5]                      # no per-second redraws either


def test_on_update_replaces_the_progress_line():
    clock, ctx = FakeClock(), fake_ctx()
    seen = []
    getter = FakeGetter(model(status="Succeeded"))
    wait(ctx, getter, clock, initial=model(), on_update=lambda name, r: seen.append((name, r.response.status)))
    assert seen == [("myrun1", "Running"), ("myrun1", "Succeeded")]
    assert ctx.asked == [] and clock.sleeps == [5]


def test_takes_the_run_from_a_poller_even_when_it_raises_for_a_failed_run():
    failed = model(status="Failed", state="Failed", message="no access")

    class Poller:
        def __init__(self, outcome):
            self.outcome = outcome

        def done(self):
            return True

        def result(self):
            if isinstance(self.outcome, Exception):
                raise self.outcome
            return self.outcome

    clock, ctx = FakeClock(), fake_ctx()
    error = HttpResponseError(message="The resource ended with provisioningState 'Failed'.")
    error.model = failed
    assert wait(ctx, FakeGetter(), clock, initial=Poller(error)) is failed
    assert wait(ctx, FakeGetter(), clock, initial=Poller(failed)) is failed
    with pytest.raises(HttpResponseError):
        wait(ctx, FakeGetter(), clock, initial=Poller(HttpResponseError(message="throttled")))


def test_get_errors_propagate_and_the_line_is_cleared():
    clock, ctx = FakeClock(), fake_ctx()
    getter = FakeGetter(HttpResponseError(message="gone"))
    with pytest.raises(HttpResponseError):
        wait(ctx, getter, clock, initial=model())
    assert ctx.hook.events[-1] == ("end", None)


def test_a_get_without_a_body_is_an_error():
    clock, ctx = FakeClock(), fake_ctx()
    with pytest.raises(AzureResponseError, match="myrun1"):
        wait(ctx, FakeGetter(None), clock)


def test_ctrl_c_stops_waiting_not_the_run(caplog):
    clock, ctx = FakeClock(), fake_ctx()
    getter = FakeGetter(KeyboardInterrupt())
    with caplog.at_level(logging.WARNING), pytest.raises(KeyboardInterrupt):
        wait(ctx, getter, clock, initial=model())
    assert ("stop", None) in ctx.hook.events and ("end", None) not in ctx.hook.events
    assert "Stopped waiting for pipeline run 'myrun1'" in caplog.text
    assert "az acr pipeline-run show --name myrun1" in caplog.text


class _Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self._tty = tty

    def isatty(self):
        return self._tty


@pytest.mark.parametrize("tty", [True, False])
def test_az_progress_view_draws_only_on_a_terminal(tty):
    """The real az view (ProgressHook + IndeterminateStandardOut): text on a terminal, nothing when redirected."""
    from azure.cli.core.commands.progress import IndeterminateStandardOut, ProgressHook
    stream = _Stream(tty)
    hook = ProgressHook()
    hook.init_progress(IndeterminateStandardOut(out=stream))
    ctx = fake_ctx()
    ctx.get_progress_controller = lambda det=False, spinner=None: hook
    clock = FakeClock()
    wait(ctx, FakeGetter(model(status="Succeeded", percent=100)), clock, initial=model(percent=45), interval=1)
    written = stream.getvalue()
    if tty:
        assert "myrun1: Running  45%  0:00 elapsed" in written
    else:
        assert written == ""


# ------------------------------------------------------------------------------------------ outcome
def test_outcome_succeeded():
    done = model(status="Succeeded", artifacts=["hello:v1"], imported=["hello:v1"])
    assert rw.run_outcome(done) == rw.RunOutcome("Succeeded", [], None)


def test_outcome_failed_and_canceled():
    assert rw.run_outcome(model(status="Failed", state="Failed", message=" no access ")) == \
        rw.RunOutcome("Failed", [], "no access")
    assert rw.run_outcome(model(status="Running", state="Canceled")).status == "Canceled"
    assert rw.run_outcome(model(status="Cancelled")).status == "Canceled"


def test_outcome_partial_names_the_skipped_artifacts():
    run = model(status="Succeeded", artifacts=["hello:v1", "nginx", "alpine:3", "busybox@sha256:" + "a" * 64],
                imported=["hello:v1", "nginx:latest"])
    outcome = rw.run_outcome(run)
    assert outcome.status == "Partial"
    assert outcome.skipped == ["alpine:3", "busybox@sha256:" + "a" * 64]


def test_outcome_tag_and_digest_of_the_same_repository_are_not_called_skipped():
    run = model(status="Succeeded", artifacts=["hello:v1", "web@sha256:" + "b" * 64],
                imported=["hello@sha256:" + "c" * 64, "web:prod"])
    assert rw.run_outcome(run).status == "Succeeded"


def test_outcome_partial_from_an_error_message_on_a_succeeded_run():
    """An import request lists no artifacts: only the service's message can say what was skipped."""
    run = model(status="Succeeded", imported=["hello:v1"], message="Skipped 1 artifact: nginx:1 (not found)")
    assert rw.run_outcome(run) == rw.RunOutcome("Partial", [], "Skipped 1 artifact: nginx:1 (not found)")


def test_outcome_unknown_when_the_service_lists_nothing():
    assert rw.run_outcome(model(status="Succeeded", artifacts=["hello:v1"])).status == "Succeeded"


def test_outcome_of_a_run_still_running():
    assert rw.run_outcome(model(status="Running")).status == "Running"


def test_check_run_outcome_returns_a_succeeded_run_and_defers_nothing():
    ctx = RecordingEvents()
    run = model(status="Succeeded")
    assert rw.check_run_outcome(ctx, run) is run
    assert ctx.registered == []


def test_check_run_outcome_raises_for_a_failed_run_naming_run_and_message():
    with pytest.raises(rw.PipelineRunFailedError) as info:
        rw.check_run_outcome(RecordingEvents(), model(status="Failed", state="Failed", message="Key Vault denied"),
                             resource_group_name="transfer-rg", registry_name="sourceregistry")
    error = info.value
    assert str(error) == "Pipeline run 'myrun1' failed: Key Vault denied"
    assert error.recommendations == ["See the run: az acr pipeline-run show -g transfer-rg -r sourceregistry -n myrun1"]
    assert isinstance(error, AzureResponseError)
    from azure.cli.core.util import handle_exception
    assert handle_exception(error) == 1


def test_check_run_outcome_without_message_or_canceled():
    with pytest.raises(rw.PipelineRunFailedError, match="no pipelineRunErrorMessage"):
        rw.check_run_outcome(RecordingEvents(), model(status="Failed", state="Failed"))
    with pytest.raises(rw.PipelineRunFailedError, match="was canceled"):
        rw.check_run_outcome(RecordingEvents(), model(status="Canceled"))


def test_check_run_outcome_partial_warns_and_defers_exit_code_4(caplog):
    ctx = RecordingEvents()
    run = model(status="Succeeded", artifacts=["hello:v1", "nginx:1"], imported=["hello:v1"])
    with caplog.at_level(logging.WARNING):
        assert rw.check_run_outcome(ctx, run) is run
    assert "Pipeline run 'myrun1' succeeded partially; 1 artifact(s) were skipped: nginx:1 (exit code 4)." \
        in caplog.text
    assert [event for event, _ in ctx.registered] == ["Cli.SuccessfulExecute", "Cli.PostExecute"]
    with pytest.raises(SystemExit) as info:
        ctx.raise_event("Cli.SuccessfulExecute")
    assert info.value.code == rw.PARTIAL_EXIT_CODE == 4
    assert ctx.handlers() == []


class RecordingEvents:
    """The event part of a knack CLI."""

    def __init__(self):
        self.registered = []

    def register_event(self, name, handler):
        self.registered.append((name, handler))

    def unregister_event(self, name, handler):
        if (name, handler) in self.registered:
            self.registered.remove((name, handler))

    def handlers(self):
        return list(self.registered)

    def raise_event(self, name, **kwargs):
        for event, handler in list(self.registered):
            if event == name:
                handler(self, **kwargs)


# ------------------------------------------------------------------------------------------ exit code, end to end
_CLI = []


def partial_command():
    """A command that defers exit code 4 on its (copied, as az does) cli_ctx and returns a result."""
    rw.defer_exit_code(copy.copy(_CLI[0]), rw.PARTIAL_EXIT_CODE)
    return {"name": "myrun1", "status": "Succeeded"}


def failing_command():
    rw.defer_exit_code(copy.copy(_CLI[0]), rw.PARTIAL_EXIT_CODE)
    raise ValueError("broken after deferring")


def _knack_cli(tmp_path):
    from knack import CLI
    from knack.commands import CLICommandsLoader, CommandGroup

    class Loader(CLICommandsLoader):
        def load_command_table(self, args):
            with CommandGroup(self, "", __name__ + "#{}") as g:
                g.command("partial", "partial_command")
                g.command("failing", "failing_command")
            return super().load_command_table(args)

    cli = CLI(cli_name="acrttest", config_dir=str(tmp_path), config_env_var_prefix="ACRTTEST",
              commands_loader_cls=Loader)
    _CLI[:] = [cli]
    return cli


def test_deferred_exit_code_comes_after_the_output_through_knack(tmp_path):
    """knack's CLI.invoke (which az's AzCli inherits) prints the result, then exits with code 4."""
    cli = _knack_cli(tmp_path)
    out = io.StringIO()
    with pytest.raises(SystemExit) as info:
        cli.invoke(["partial", "-o", "json"], out_file=out)
    assert info.value.code == 4
    assert json.loads(out.getvalue()) == {"name": "myrun1", "status": "Succeeded"}
    assert not any(h.__name__ == "_exit_after_output" for hs in cli._event_handlers.values() for h in hs)
    # The next command on the same CLI object is not affected.
    with pytest.raises(SystemExit):
        cli.invoke(["partial", "-o", "none"], out_file=io.StringIO())


def test_deferred_exit_code_is_dropped_when_the_command_fails(tmp_path):
    cli = _knack_cli(tmp_path)
    assert cli.invoke(["failing"], out_file=io.StringIO()) == 1
    assert not any(h.__name__ in ("_exit_after_output", "_cleanup")
                   for hs in cli._event_handlers.values() for h in hs)
