"""A small HTTP server on loopback serving what a test puts in ``routes`` (Open311 media_url)."""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class MediaServer:
    def __init__(self) -> None:
        #: path -> (status, headers, body, seconds to wait before the body)
        self.routes: dict[str, tuple[int, dict[str, str], bytes, float]] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                status, headers, body, delay = routes.get(self.path, (404, {}, b"", 0.0))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", headers.get("Content-Length", str(len(body))))
                self.end_headers()
                if delay:
                    time.sleep(delay)
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, path, body=b"", *, status=200, headers=None, delay=0.0) -> str:
        self.routes[path] = (status, headers or {}, body, delay)
        return self.url + path


@pytest.fixture(scope="session")
def _media_server_instance():
    server = MediaServer()
    yield server
    server.server.shutdown()


@pytest.fixture
def media_server(_media_server_instance, settings):
    """The loopback server, with fetching from loopback allowed for this test only."""
    settings.FILES_FETCH_ALLOW_PRIVATE = True
    settings.FILES_FETCH_TIMEOUT = 2
    _media_server_instance.routes.clear()
    return _media_server_instance
