"""Serving the app on waitress, the production WSGI server: for `searchapp serve`, the demo and browser tests.

`make_server` binds first (so a taken port is a clear error before anything else happens) and returns the
server, whose `effective_port` tells a caller that asked for port 0 where it listens; `serve` runs it.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading

from flask import Flask
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from searchapp.errors import AppError
from searchapp.i18n import t

log = logging.getLogger(__name__)


def make_server(app: Flask, host: str, port: int, threads: int) -> BaseWSGIServer:
    """A waitress server bound to host:port (port 0: any free port); AppError when the port is taken."""
    lang = str(app.config["SETTINGS"]["ui_lang"])
    _check_free(host, port, lang)
    try:
        server = create_server(
            app, host=host, port=port, threads=threads, ident="qazaq-press", clear_untrusted_proxy_headers=True
        )
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise AppError(t("port_taken", lang, host=host, port=port), code="port_taken") from None
        raise AppError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", code="listen_failed") from None
    if isinstance(server, MultiSocketServer):  # host named several addresses; we ask for one
        raise AppError(f"{host} resolves to several addresses; give one address", code="listen_failed")
    return server


def _check_free(host: str, port: int, lang: str) -> None:
    """Bind a probe socket the way waitress will (SO_REUSEADDR), so a taken port fails here, cleanly.

    waitress leaves its half-made socket and wake-up pipe open when its own bind fails; probing first keeps
    the common mistake (a second `serve` on the same port) free of leaks and of a traceback.
    """
    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise AppError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", code="listen_failed") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise AppError(t("port_taken", lang, host=host, port=port), code="port_taken") from None
            raise AppError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", code="listen_failed") from None


def server_url(server: BaseWSGIServer) -> str:
    host = str(server.effective_host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{server.effective_port}/"


class BackgroundServer:
    """The app on waitress in a daemon thread (browser tests, the demo): `with BackgroundServer(app) as s: s.url`."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int = 4) -> None:
        self.server = make_server(app, host, port, threads)
        self.url = server_url(self.server)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="searchapp-server", daemon=True)

    def _run(self) -> None:
        try:
            self.server.run()
        except OSError:
            # closing the listening socket from another thread races the select loop (EBADF); that is the stop
            if not self._stopping.is_set():
                raise

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        self.server.close()
        self._thread.join(timeout=10)


def serve(app: Flask, host: str, port: int, threads: int) -> None:
    """Serve until interrupted."""
    from index.crosslang import warm_up

    warm_up()  # the translation tables of cross-language search, before the first query needs them
    server = make_server(app, host, port, threads)
    lang = str(app.config["SETTINGS"]["ui_lang"])
    print(t("serving", lang, url=server_url(server)), flush=True)
    try:
        server.run()
    finally:
        server.close()
