"""``python -m acrtransfer_emulator start|stop|serve|env|status --home DIR``."""
import argparse
import os
import sys

from . import config as config_module
from . import launcher


def _common(parser):
    parser.add_argument("--home", required=True, help="directory for state, certificates, log, env.sh and the az config")


def _server_options(parser, default_port):
    parser.add_argument("--mode", choices=config_module.MODES, help="answer mode (default: the config's, sync)")
    parser.add_argument("--port", type=int, default=default_port, help="HTTPS port on 127.0.0.1 (0 = a free port)")
    parser.add_argument("--config", help="JSON file overriding default_config.json keys")
    parser.add_argument("--page-size", type=int, help="list page size (nextLink beyond it)")
    parser.add_argument("--state", help="SQLite state file (default HOME/state.sqlite3)")


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m acrtransfer_emulator",
                                     description="Local ACR Transfer service (ARM) on https://127.0.0.1")
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="start detached, log az in, write and print HOME/env.sh")
    _common(start)
    _server_options(start, default_port=None)
    start.add_argument("--no-login", action="store_true", help="do not register the cloud or log az in")
    stop = sub.add_parser("stop", help="stop the service started in HOME")
    _common(stop)
    serve = sub.add_parser("serve", help="run in the foreground")
    _common(serve)
    _server_options(serve, default_port=0)
    env = sub.add_parser("env", help="print HOME/env.sh")
    _common(env)
    status = sub.add_parser("status", help="say whether the service of HOME is running")
    _common(status)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    args.home = os.path.abspath(args.home)
    return {"start": cmd_start, "stop": cmd_stop, "serve": cmd_serve, "env": cmd_env, "status": cmd_status}[
        args.command](args)


def _load_config(args):
    overrides = {"mode": args.mode, "page_size": args.page_size}
    return config_module.load(args.config, overrides)


def cmd_serve(args):
    from .server import serve
    serve(args.home, _load_config(args), port=args.port, state_path=args.state)
    return 0


def cmd_start(args):
    try:
        _load_config(args)      # fail here, not in the detached process
    except (OSError, ValueError) as exc:
        print("error: {}".format(exc), file=sys.stderr)
        return 2
    if launcher.running_pid(args.home):
        print("error: a service is already running for {} (pid {}); stop it first".format(
            args.home, launcher.running_pid(args.home)), file=sys.stderr)
        return 1
    port = args.port if args.port is not None else launcher.previous_port(args.home)
    process = _spawn(args, port)
    try:
        info = launcher.wait_ready(args.home, process)
        env = launcher.environment(args.home, info["url"])
        if not args.no_login:
            launcher.login(args.home, info["url"])
    except (RuntimeError, OSError) as exc:
        launcher.stop_pid(process.pid)
        print("error: {}".format(exc), file=sys.stderr)
        return 1
    _, text = launcher.write_env_file(args.home, env)
    sys.stdout.write(text)
    return 0


def _spawn(args, port):
    serve_args = dict(mode=args.mode, config_path=os.path.abspath(args.config) if args.config else None,
                      page_size=args.page_size, state=os.path.abspath(args.state) if args.state else None)
    return launcher.spawn(args.home, detach=True, port=port, **serve_args)


def cmd_stop(args):
    pid = launcher.running_pid(args.home)
    if pid is None:
        print("not running ({})".format(args.home))
        return 0
    launcher.stop_pid(pid)
    print("stopped (pid {})".format(pid))
    return 0


def cmd_env(args):
    path = os.path.join(args.home, launcher.ENV_FILE)
    if not os.path.exists(path):
        print("error: {} does not exist; run start first".format(path), file=sys.stderr)
        return 1
    with open(path, encoding="utf-8") as f:
        sys.stdout.write(f.read())
    return 0


def cmd_status(args):
    pid = launcher.running_pid(args.home)
    info = launcher.read_runtime(args.home) or {}
    if pid:
        print("running (pid {}) at {}".format(pid, info.get("url")))
        return 0
    print("not running ({})".format(args.home))
    return 3
