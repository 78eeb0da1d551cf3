"""What the cluster tests do as people and operators: sign in, act on a request through the staff
pages as a browser would (the page's CSRF token and version), read the primary with psql."""

from __future__ import annotations

import re
import subprocess

import requests

#: The executor's moves, in order: take the request, start the work, report it done.
EXECUTOR_MOVES = ("accepted", "in_work", "done")

#: A point at ул. Баумана, 7 of the requests world: its managing organisation, the executor's,
#: receives what is reported there.
MANAGED_POINT = {"lat": "55.78101", "long": "49.05201"}


def psql(state, sql: str, port_name: str = "primary") -> list[list[str]]:
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(state["ports"][port_name]), "-U", "cityhall",
         "-d", "cityhall", "-AtF", "\t", "-c", sql],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [line.split("\t") for line in out.splitlines() if line]


def signed_in(base: str, login: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=10)
    answer = session.post(
        f"{base}/accounts/login/",
        {"login": login, "password": password,
         "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        timeout=10, allow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 302, answer.text[:500]
    return session


def cookie_header(session: requests.Session) -> str:
    """The session's cookies as a ``Cookie`` header: sent as is to another host (node)."""
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


def cookies(header: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in header.split("; "))


def next_move(page: str) -> tuple[str, str, str] | None:
    """The executor's next move offered by a request's staff page: ``(move, version, csrf)``,
    None when the page offers none of them (done, or not this person's request)."""
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    for move in EXECUTOR_MOVES:
        form = re.search(rf'name="to" value="{move}"><input type="hidden" name="version" '
                         r'value="(\d+)"', page)  # fmt: skip
        if form and csrf:
            return move, form.group(1), csrf.group(1)
    return None


def act(
    http: requests.Session,
    base: str,
    pk: int,
    *,
    headers: dict[str, str] | None = None,
    photo: bytes | None = None,
) -> tuple[str, int] | None:
    """Open request ``pk``'s staff page and send the next move it offers, as its form does
    (the form's CSRF token and version; multipart with a photo); ``(move, status)``, None when
    none is offered, ``("page", status)`` when the page itself was refused."""
    page = http.get(f"{base}/requests/staff/{pk}/", headers=headers, timeout=10)
    if page.status_code != 200:
        return "page", page.status_code
    found = next_move(page.text)
    if found is None:
        return None
    move, version, csrf = found
    data = {"csrfmiddlewaretoken": csrf, "to": move, "version": version}
    files = None
    if move == "done":
        data["report"] = "Leak sealed, roof checked"
        if photo is not None:
            files = {"photos": ("result.png", photo, "image/png")}
    answer = http.post(
        f"{base}/requests/staff/{pk}/act/",
        data=data,
        files=files,
        headers={**(headers or {}), "Referer": f"{base}/requests/staff/{pk}/"},
        timeout=10,
        allow_redirects=False,
    )
    return move, answer.status_code
