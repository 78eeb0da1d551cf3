"""A photo uploaded through one node is served by another: files live in the S3-compatible store
(moto in the local cluster), never on a node's disk (issue 17)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
import requests
from PIL import Image

from tests.cluster.staff_client import MANAGED_POINT, act, cookie_header, psql, signed_in
from tests.core.hostile_files import png

pytestmark = pytest.mark.cluster


def _registered(state, token: str, timeout: float = 60) -> int:
    """The id of the request registered from the Open311 receipt ``token``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = psql(
            state,
            "SELECT r.id FROM core_inboxitem i JOIN service_requests_servicerequest r "
            f"ON r.number = i.ref WHERE i.token = '{token}' AND i.state = 'done'",
        )
        if rows:
            return int(rows[0][0])
        time.sleep(0.3)
    raise AssertionError(f"{token} was not registered")


def test_a_photo_uploaded_through_one_node_is_served_by_another(cluster):
    script, state, seed = cluster
    if not state["pids"].get("s3"):
        pytest.skip("no S3-compatible server in the cluster (pip install 'moto[server]')")
    first, second, third = (
        f"http://{script.node_address(i)}:{state['ports']['node']}" for i in (1, 2, 3)
    )
    answer = requests.post(
        f"{first}/open311/v2/requests.json",
        {"api_key": seed["api_key"], "service_code": "leak", **MANAGED_POINT,
         "description": "Water through the ceiling", "email": "photo@example.org"},
        timeout=10,
    )  # fmt: skip
    assert answer.status_code == 202, answer.text
    pk = _registered(state, answer.json()[0]["token"])

    # The executor resolves it through node 1's pages, with a photo of the result.
    executor = signed_in(first, seed["executor"], seed["password"])
    uploaded = png(width=48, height=32, color=(20, 120, 200))
    moves = [act(executor, first, pk, photo=uploaded) for _ in range(3)]
    assert moves == [("accepted", 302), ("in_work", 302), ("done", 302)]

    # Node 2 lists it on the request's staff page, node 3 serves it (the same session).
    elsewhere = {"Cookie": cookie_header(executor)}
    page = requests.get(f"{second}/requests/staff/{pk}/", headers=elsewhere, timeout=10)
    assert page.status_code == 200
    (link,) = {part.split('"', 1)[0] for part in page.text.split('href="/files/')[1:]}
    served = requests.get(
        f"{third}/files/{link}", headers=elsewhere, timeout=10, allow_redirects=False
    )
    assert served.status_code == 302, served.status_code  # a pre-signed URL of the store
    s3 = f"http://127.0.0.1:{state['ports']['s3']}/"
    assert served.headers["Location"].startswith(s3)
    image = requests.get(served.headers["Location"], timeout=10)
    assert image.status_code == 200
    assert Image.open(io.BytesIO(image.content)).size == (48, 32)

    # No node keeps it: their data folders hold no image.
    for index in (1, 2, 3):
        folder = Path(script.state_dir()) / f"node{index}"
        kept = [p for p in folder.rglob("*") if p.suffix.lower() in {".png", ".jpg", ".webp"}]
        assert kept == [], kept
