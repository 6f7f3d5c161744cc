"""A long-lived az for the robustness tests: runs az commands in-process, one per line on stdin.

Starting az costs about a second; running a command in a warm process costs about 0.1 s. Thousands
of fuzzed commands and hundreds of injected faults need the warm process. Each command still goes
through az's whole path: the parser, the extension's validators, the command, the management client,
az's exception handler and output, exactly as `az` on the command line does.

Protocol (JSON, one object per line):
  in:  {"argv": ["acr", "export-pipeline", "show", ...], "stdin": "optional text"}
  out: {"code": exit code, "stdout": ..., "stderr": ..., "seconds": ...,
        "exception": type of the exception az's handler got (null when none),
        "requests": [{"method", "url", "body", "status" | "error", "response" (error answers)}]}
        (what the management client sent, in order)

The environment (AZURE_CONFIG_DIR, REQUESTS_CA_BUNDLE, IDENTITY_*, AZURE_EXTENSION_DEV_SOURCES) is
set by whoever starts the worker, before azure.cli.core is imported here.
"""
import contextlib
import io
import json
import logging
import os
import sys
import time


def _body_text(request):
    for attribute in ("content", "body", "data"):
        try:
            value = getattr(request, attribute, None)
        except Exception:  # pylint: disable=broad-except
            value = None
        if value is None:
            continue
        if isinstance(value, bytes):
            return value.decode("utf-8", errors="replace")
        if isinstance(value, str):
            return value
    return None


def _capture_requests(log):
    """Wrap azure-core's requests transport: every request the management client sends is recorded."""
    from azure.core.pipeline.transport import RequestsTransport
    original = RequestsTransport.send

    def send(self, request, **kwargs):
        entry = {"method": request.method, "url": request.url, "body": _body_text(request)}
        log.append(entry)
        try:
            response = original(self, request, **kwargs)
        except BaseException as ex:
            entry["error"] = type(ex).__name__
            raise
        entry["status"] = response.status_code
        if response.status_code >= 400 and not kwargs.get("stream"):
            try:
                entry["response"] = response.text()[:2000]
            except Exception:  # pylint: disable=broad-except
                pass
        return response
    RequestsTransport.send = send


def _reset_logging():
    """knack configures console logging once per process (on the first command) with the stream and
    level of that command; drop those handlers so every command logs to its own captured stderr at
    its own level (--debug, --only-show-errors), as a fresh `az` process would."""
    from knack.log import _CustomStreamHandler
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in list(logging.Logger.manager.loggerDict)]
    for logger in loggers:
        for handler in list(getattr(logger, "handlers", [])):
            if isinstance(handler, _CustomStreamHandler):
                logger.removeHandler(handler)


def main():
    channel_in, channel_out = sys.stdin, sys.stdout
    from azure.cli.core import get_default_cli

    requests_log = []
    _capture_requests(requests_log)
    channel_out.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    channel_out.flush()

    for line in channel_in:
        if not line.strip():
            continue
        job = json.loads(line)
        del requests_log[:]
        out, err = io.StringIO(), io.StringIO()
        seen = {"exception": None}
        cli = get_default_cli()
        handler = cli.exception_handler

        def record(ex, _handler=handler):
            seen["exception"] = "{}.{}".format(type(ex).__module__, type(ex).__name__)
            return _handler(ex)
        cli.exception_handler = record
        _reset_logging()
        started = time.monotonic()
        saved_stdin = sys.stdin
        sys.stdin = io.StringIO(job.get("stdin") or "")
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = cli.invoke(job["argv"], out_file=out)
                except SystemExit as ex:        # what az's __main__ would turn into the exit code
                    code = ex.code if isinstance(ex.code, int) else 1
                except BaseException as ex:     # pylint: disable=broad-except
                    # Escaped az's own handler: what a user would see as a raw traceback.
                    import traceback
                    seen["exception"] = "escaped:{}.{}".format(type(ex).__module__, type(ex).__name__)
                    err.write(traceback.format_exc())
                    code = 99
        finally:
            sys.stdin = saved_stdin
        answer = {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(),
                  "seconds": time.monotonic() - started, "exception": seen["exception"],
                  "requests": list(requests_log)}
        channel_out.write(json.dumps(answer) + "\n")
        channel_out.flush()


if __name__ == "__main__":
    main()
