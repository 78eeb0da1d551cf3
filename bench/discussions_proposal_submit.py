"""Proposal submission throughput next to the cheapest Django insert, in one run.

  (a) bare:     POST /rows to bench/bare_app — parse JSON, INSERT one row.
  (b) proposal: POST /api/v1/discussions/{id}/proposals with a bearer token — input checks,
                eligibility from verified attributes, the repeat check and one committed insert
                into the intake inbox (core.inbox), answered 202 with the receipt token. The inbox
                worker (``cityhall run_inbox``, started beside gunicorn as ``cityhall serve``
                does) registers them in batches on the same cores meanwhile: gap-free numbers,
                participants, the audit-chain append and the receipt in the outbox.

Every request carries a different text (a repeat within a minute is refused by design). Same
server set-up for both (gunicorn sync workers on a fresh temporary SQLite database, or
PostgreSQL with ``--database postgres``), same load generator (wrk when installed). Target:
proposal throughput ≥ 50 % of the bare insert. Afterwards: the inbox is waited for, every received
proposal must be registered (no item pending, refused or failed; as many proposals as done items,
at least as many as the measured 2xx answers), numbers gap-free and the audit chain verified.

    .venv/bin/python bench/discussions_proposal_submit.py [--duration 10] [--database postgres]
        [--rounds 3]
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

TARGET_RATIO = 0.5

SETUP = """
import datetime as dt, hashlib
from django.utils import timezone
from cityhall.accounts.models import Organisation, User, VerifiedIdentity
from cityhall.accounts.tokens import create_api_token
from cityhall.discussions.models import Discussion, DocumentType
from cityhall.geo import services as geo
square = {"type": "Polygon", "coordinates": [[[49.0, 55.7], [49.2, 55.7], [49.2, 55.9],
          [49.0, 55.9], [49.0, 55.7]]]}
district = geo.save_area(actor=None, kind="district", code="bench", name="Бенч", geometry=square)
home = geo.create_building(actor=None, street="ул. Баумана", house="5", lat=55.79, lon=49.1)
council = Organisation.objects.create(name="Дума", type="council")
kind = DocumentType.objects.create(code="planning_project", name="Проект планировки")
now = timezone.now()
discussion = Discussion.objects.create(
    number="2026-0001", title="Проект планировки", document_type=kind, organiser=council,
    status="exposition_open", notice_date=(now - dt.timedelta(days=10)).date(),
    exposition_start=now - dt.timedelta(days=1),
    exposition_end=(now + dt.timedelta(days=5)).date(),
    proposal_deadline=now + dt.timedelta(days=5),
    conclusion_due=(now + dt.timedelta(days=20)).date())
discussion.districts.set([district])
person = User.objects.create_user("bench-resident", email="resident@bench.invalid",
                                  first_name="Анна", last_name="Иванова")
VerifiedIdentity.objects.create(user=person, method="service_centre", last_name="Иванова",
    first_name="Анна", birth_date=dt.date(1990, 1, 1),
    document_hash=hashlib.sha256(b"9200 000001").hexdigest(), document_masked="******0001",
    registered_address=home.address, registered_building=home, verified_at=now)
print(discussion.pk, create_api_token(user=person, name="bench"))
"""

CHECK = """
from django.db.models import Count
from cityhall.core.models import InboxItem
from cityhall.discussions.models import Discussion, Proposal
d = Discussion.objects.get()
numbers = list(Proposal.objects.filter(discussion=d).order_by("number")
               .values_list("number", flat=True))
states = dict(InboxItem.objects.filter(kind="discussions.proposal").values_list("state")
              .annotate(n=Count("id")))
not_done = sum(n for state, n in states.items() if state != "done")
print(len(numbers), int(numbers == list(range(1, len(numbers) + 1))), d.proposal_count,
      states.get("done", 0), not_done)
"""

# Every request a different text, in wrk (per thread: a counter and the thread's own tag) and in
# the Python threads (worker id, request number and a process-wide serial, so that the measured
# run does not repeat the warm-up's texts).
SERIAL = itertools.count(1)
WRK_REQUEST = """
local counter = 0
local me = tostring({}):sub(-8)
request = function()
  counter = counter + 1
  local body = string.format(
    '{"kind":"proposal","text":"Предлагаю сохранить сквер у школы, предложение %s-%d"}',
    me, counter)
  return wrk.format(nil, nil, nil, body)
end
"""


def proposal_body(worker: int, n: int) -> bytes:
    return json.dumps(
        {"kind": "proposal", "text": f"Предложение {worker}-{n}-{next(SERIAL)}", "message": "bench"}
    ).encode()


def measure(database_url: str | None, args) -> None:
    with harness.Environment(database_url, "cityhall-bench-proposals-") as env:
        discussion_id, token = env.shell(SETUP).split()
        load = harness.Loader(args, env.workdir)
        load.describe(env.engine)
        submit = harness.Load(
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            body=proposal_body,
            wrk_lua=WRK_REQUEST,
        )

        ratios: list[float] = []
        answered = errors = 0
        for _round in range(args.rounds):
            bare = harness.bare_insert(env, load, args.workers)
            with env.project(args.workers) as server:
                url = f"{server.url}/api/v1/discussions/{discussion_id}/proposals"
                proposals = load("proposal submit", url, submit)
                print(proposals.line())
                print(env.wait_for_inbox())
            ratio = proposals.ratio_to(bare)
            ratios.append(ratio)
            answered += proposals.requests - proposals.errors
            errors += proposals.errors + bare.errors
            print(
                f"ratio proposal / bare: throughput {ratio:.3f} (target ≥ {TARGET_RATIO}), "
                f"p99 {proposals.p99_ms:.0f} ms ({proposals.p99_ms / bare.p99_ms:.1f}x)"
            )
        ratio = harness.median_of(ratios)
        if args.rounds > 1:
            print(
                f"median of {args.rounds} rounds: throughput {ratio:.3f} "
                f"(target ≥ {TARGET_RATIO}; rounds {', '.join(f'{r:.3f}' for r in ratios)})"
            )
        count, gap_free, counter, done, not_done = (int(v) for v in env.shell(CHECK).split())
        verified = env.last_line("verify_audit")
        print(
            f"registered {count} proposals ({done} inbox items done, {not_done} not; measured "
            f"runs answered {answered} with 2xx, the rest came in the warm-ups), numbers "
            f"gap-free: {bool(gap_free)}, counter {counter}; {verified}"
        )
        complete = not_done == 0 and count == done == counter and gap_free and done >= answered
        if errors or not complete:
            raise SystemExit("errors during the run, or a received proposal not registered")
        if ratio < TARGET_RATIO:
            print("TARGET MISSED")


if __name__ == "__main__":
    raise SystemExit(harness.main(__doc__, measure, rounds=True))
