"""A photo through the checked path behind nginx next to a static file served by nginx, in one run.

  (a) static:  GET /static/bench/photo.jpg — nginx sends the file from the static folder.
  (b) checked: GET /files/<id>/ — nginx passes the request to the project (gunicorn, sync
               workers), which loads the file's record, asks its purpose's rule (a public
               request photo), and answers with X-Accel-Redirect; nginx then sends the same
               bytes from the internal media location (deploy/nginx/cityhall.conf, the file
               operators install, with only folders and ports changed).

Both send the same JPEG (a re-encoded photo of about 1.5 MB, the size a phone's photo has
after the file service re-encodes it). The figure printed is how much more each photo costs
through the checked path: static throughput / checked throughput (target: at most 2x).

    .venv/bin/python bench/files_serving.py [--duration 10] [--connections 8] [--workers 2]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harness  # noqa: E402
from tests.nginx_server import start_nginx  # noqa: E402

TARGET = 2.0

SETUP = """
import io
from PIL import Image, ImageDraw
from cityhall.core import uploads
image = Image.new("RGB", (3000, 2000))
draw = ImageDraw.Draw(image)
for n in range(0, 3000, 7):
    draw.line([(n, 0), (3000 - n, 2000)], fill=((n * 13) % 256, (n * 7) % 256, (n * 3) % 256))
out = io.BytesIO()
image.save(out, "JPEG", quality=85)
stored = uploads.store_generated(out.getvalue(), purpose="service_requests.photo",
    label="photo.jpg", content_type="image/jpeg", extension=".jpg", visibility="public")
print(stored.pk, stored.file.name, stored.size)
"""


def measure(database_url: str | None, args) -> int:
    with harness.Environment(database_url, "cityhall-bench-files-", bare=False) as env:
        root = env.workdir / "nginx"
        media = root / "media"
        env.project_env["CITYHALL_MEDIA_ROOT"] = str(media)
        env.project_env["CITYHALL_FILES_ACCEL_PREFIX"] = "/_protected/"
        file_id, name, size = env.shell(SETUP).split()
        load = harness.Loader(args, env.workdir)
        load.describe(env.engine)
        server = env.project(args.workers)
        with server:
            nginx, site = start_nginx(root, app=f"127.0.0.1:{server.port}")
            try:
                (site.static / "bench").mkdir(parents=True, exist_ok=True)
                (site.static / "bench" / "photo.jpg").write_bytes((media / name).read_bytes())
                get = harness.Load(method="GET", expect=200)
                print(f"one JPEG of {int(size) / 2**20:.2f} MB; nginx 1 worker")
                static = load("static by nginx", site.url + "/static/bench/photo.jpg", get)
                print(static.line())
                checked = load("checked, X-Accel", site.url + f"/files/{file_id}/", get)
                print(checked.line())
            finally:
                nginx.terminate()
                nginx.wait(timeout=10)
        ratio = static.rate / checked.rate if checked.rate else float("inf")
        print(
            f"ratio checked path / static file: {ratio:.2f}x the cost per photo "
            f"(target <= {TARGET}x), p50 {checked.p50_ms / max(static.p50_ms, 1e-6):.1f}x"
        )
        return 0 if ratio <= TARGET and not checked.errors else 1


if __name__ == "__main__":
    harness.stop_cleanly_on_sigterm()
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_load_options(parser)
    parser.set_defaults(connections=8)
    sys.exit(harness.on_database(parser.parse_args(), measure) or 0)
