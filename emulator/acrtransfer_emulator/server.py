"""Run the service in the foreground: HTTPS on 127.0.0.1 with uvicorn (what ``start`` spawns)."""
import json
import logging
import os
import socket

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from . import certs
from .app import build_app
from .service import Service

HOST = "127.0.0.1"


def runtime_file(home):
    """``HOME/emulator.json``: pid, port and URL of the last server started in this home."""
    return os.path.join(home, "emulator.json")


def pid_file(home):
    return os.path.join(home, "emulator.pid")


def log_file(home):
    return os.path.join(home, "emulator.log")


def _configure_logging(home):
    handler = logging.FileHandler(log_file(home))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # uvicorn's own access log would print full query strings; ours masks them.
    logging.getLogger("uvicorn.access").disabled = True


def bind(port):
    """Bind 127.0.0.1:port ourselves (0 = a free port) so the port is known before uvicorn starts."""
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP; without it
    # every response waits ~40 ms (Nagle against delayed ACK: headers and body are separate writes).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((HOST, port))
    return sock


class _Protocol(H11Protocol):
    """h11 that drops idle keep-alive connections at once on shutdown.

    uvicorn closes them with a TLS close_notify and then waits for the client's reply, which an idle
    pooled client connection never sends: every stop would wait out the graceful-shutdown timeout.
    Connections with a request in flight still finish it.
    """

    def shutdown(self):
        idle = self.cycle is None or self.cycle.response_complete
        super().shutdown()
        if idle:
            self.transport.abort()


def serve(home, config, port=0, state_path=None):
    home = os.path.abspath(home)
    os.makedirs(home, exist_ok=True)
    _configure_logging(home)
    cert_path, key_path = certs.server_cert(home)
    certs.ca_bundle(home)
    sock = bind(port)
    port = sock.getsockname()[1]
    service = Service(home, config, state_path=state_path)
    url = "https://{}:{}".format(HOST, port)
    with open(runtime_file(home), "w", encoding="utf-8") as f:
        json.dump({"pid": os.getpid(), "port": port, "url": url, "mode": config["mode"],
                   "state": service.store.path}, f)
    with open(pid_file(home), "w", encoding="ascii") as f:
        f.write(str(os.getpid()))
    logging.getLogger("acrtransfer_emulator").info("serving %s (mode %s, state %s)", url, config["mode"],
                                                   service.store.path)
    uv_config = uvicorn.Config(
        build_app(service), host=HOST, port=port, ssl_certfile=cert_path, ssl_keyfile=key_path,
        http=_Protocol, ws="none", loop="asyncio", lifespan="on", log_config=None, access_log=False,
        server_header=False, timeout_graceful_shutdown=3)
    try:
        uvicorn.Server(uv_config).run(sockets=[sock])
    finally:
        service.store.close()
        _remove(pid_file(home))


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
