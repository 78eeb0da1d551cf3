"""A real Debian nginx in front of the test server, configured by the documented server block
(deploy/nginx/cityhall.conf), started once per session on a free loopback port.

Only the folders, the listening address and the app's address are changed; everything else is
the file operators install, so the tests prove the documented configuration.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SERVER_BLOCK = Path(__file__).resolve().parents[1] / "deploy" / "nginx" / "cityhall.conf"


@dataclass(frozen=True)
class NginxSite:
    url: str
    media: Path
    static: Path
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_block(*, port: int, app: str, media: Path, static: Path) -> str:
    text = SERVER_BLOCK.read_text()
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("server 127.0.0.1:8000;", f"server {app};"),
        ("/var/lib/cityhall/media/", f"{media}/"),
        ("/var/lib/cityhall/static/", f"{static}/"),
    ):
        assert old in text, f"{old!r} is no longer in {SERVER_BLOCK}"
        text = text.replace(old, new)
    return text


def start_nginx(root: Path, *, app: str, workers: int = 1) -> tuple[subprocess.Popen, NginxSite]:
    """nginx under ``root`` (its own pid, logs and temporary folders) proxying to ``app``."""
    media, static = root / "media", root / "static"
    media.mkdir(parents=True, exist_ok=True)
    static.mkdir(parents=True, exist_ok=True)
    port = free_port()
    temp = "\n".join(
        f"    {kind}_temp_path {root / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = root / "nginx.conf"
    # As root, nginx's workers would run as nobody, who cannot read a private test folder.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    config.write_text(
        f"""daemon off;
{user}
worker_processes {workers};
pid {root / "nginx.pid"};
error_log {root / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
{temp}
{server_block(port=port, app=app, media=media, static=static)}
}}
"""
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(root), "-c", str(config), "-e", str(root / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((root / "error.log").read_text())
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.02)
    site = NginxSite(
        url=f"http://127.0.0.1:{port}", media=media, static=static, log=root / "error.log"
    )
    return process, site


@pytest.fixture(scope="session")
def app_server(django_db_setup, django_db_blocker):
    """The app as production runs it: Django's WSGI handler alone. (pytest-django's
    ``live_server`` also serves MEDIA_ROOT under MEDIA_URL, which production never does, and
    so would hide the very leak the nginx tests look for.) Tests that use it need committed
    data: ``django_db(transaction=True)``."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    with django_db_blocker.unblock():
        server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=False)
        server.set_app(WSGIHandler())
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        host, port = server.server_address[:2]
        yield f"{host}:{port}"
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def nginx_site(app_server, tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed (Debian's nginx or nginx-light; .ci/run installs it)")
    process, site = start_nginx(tmp_path_factory.mktemp("nginx"), app=app_server)
    yield site
    process.terminate()
    process.wait(timeout=10)
