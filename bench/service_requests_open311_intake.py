"""Open311 intake (POST /open311/v2/requests.json) next to a bare Django insert, in one run.

  (a) bare:    POST /rows to bench/bare_app — no middleware, parse JSON, INSERT one row.
  (b) project: POST /open311/v2/requests.json, form-encoded as the GeoReport v2 spec says, with
               api_key, service_code, lat/long, description, e-mail — middleware, the api_key
               and service_code checks (per-process caches), the point inside the city, the
               e-mail's format, then one committed insert into the intake inbox, answered 202
               with a token. Beside gunicorn, `cityhall run_inbox` registers the requests in
               batches on the same cores: the point → building → managing organisation
               routing, gap-free numbers, the request rows, first stages with due times from
               the business calendar, history rows, audit-chain appends and the applicants'
               notifications (outbox rows, huey jobs enqueued on commit).

After the load the script waits for the inbox to empty, then checks that every received
submission was registered: no item pending, refused or failed, one request per item, numbers
gap-free, the audit chain intact.

Targets (issue 5): (b) reaches at least 50 % of (a)'s throughput, p99 < 100 ms, no errors.
Servers, database set-up, the bare app and the load generators are those of bench/harness.py
(shared with the other benches); the Open311 load uses the same wrk (or Python threads)
settings with a form-encoded body.

    .venv/bin/python bench/service_requests_open311_intake.py [--database postgres] [--duration 10]
"""

from __future__ import annotations

import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

TARGET = 0.50
P99_TARGET_MS = 100.0
API_KEY = "o311_bench-key-not-secret"

SETUP = f"""
import hashlib
from cityhall.accounts.models import Organisation
from cityhall.geo import services as geo
from cityhall.service_requests import services
from cityhall.service_requests.models import BuildingManagement, Category, Open311Client

box = {{"type": "Polygon", "coordinates": [[[49.0, 55.7], [49.3, 55.7], [49.3, 55.9],
        [49.0, 55.9], [49.0, 55.7]]]}}
district = geo.save_area(actor=None, kind="district", code="bench", name="Bench district",
                         geometry=box)
manager = Organisation.objects.create(name="Bench managing organisation",
                                      type="managing_organisation")
for n in range(50):
    building = geo.create_building(actor=None, street="ул. Баумана", house=str(n + 1),
                                   lat=55.78 + n * 0.002, lon=49.12)
    BuildingManagement.objects.create(building=building, organisation=manager)
category = Category.objects.create(code="roof_leak", name_ru="Протечка кровли",
                                   responsible_type="managing_organisation")
services.publish_category_version(category=category, actor=None, limits={{
    "new": (2, "working_hours"), "routed": (1, "working_days"),
    "accepted": (2, "working_days"), "in_work": (5, "working_days")}})
Open311Client.objects.create(name="bench", key_prefix="{API_KEY[:10]}",
                             key_hash=hashlib.sha256("{API_KEY}".encode()).hexdigest())
"""

FORM = urllib.parse.urlencode(
    {
        "api_key": API_KEY,
        "service_code": "roof_leak",
        "lat": "55.78",
        "long": "49.12",
        "description": "После дождя течёт с потолка на последнем этаже.",
        "email": "resident@bench.invalid",
        "first_name": "Bench",
    }
)

COUNT = """
from django.db.models import Count
from cityhall.core.models import Counter, InboxItem
from cityhall.service_requests.models import ServiceRequest
from cityhall.notifications.models import Message
states = dict(InboxItem.objects.values_list("state").annotate(n=Count("pk")))
numbers = ServiceRequest.objects.values_list("number", flat=True)
values = sorted(int(n.split("-")[1]) for n in numbers)
gap_free = values == list(range(1, len(values) + 1)) and sum(
    Counter.objects.filter(series__startswith="service_requests.number.").values_list(
        "value", flat=True)) == len(values)
print(ServiceRequest.objects.filter(organisation__isnull=False).count(),
      ServiceRequest.objects.count(), Message.objects.count(), states.get("done", 0),
      sum(states.values()) - states.get("done", 0), "yes" if gap_free else "NO")
"""


def measure(database_url: str | None, args) -> int:
    with harness.Environment(database_url, "cityhall-bench-311-") as env:
        env.shell(SETUP)
        load = harness.Loader(args, env.workdir)
        load.describe(env.engine)
        form = harness.Load(
            headers={"Content-Type": "application/x-www-form-urlencoded"}, body=FORM.encode()
        )

        bare = harness.bare_insert(env, load, args.workers)
        with env.project(args.workers) as server:
            api = load("Open311 POST", server.url + "/open311/v2/requests.json", form)
            print(api.line())
            print(env.wait_for_inbox())
        ratio = api.ratio_to(bare)
        print(
            f"ratio Open311 POST / bare insert: throughput {ratio:.3f} (target >= {TARGET}), "
            f"p50 {api.p50_ms / bare.p50_ms:.1f}x, p99 {api.p99_ms:.1f} ms "
            f"(target < {P99_TARGET_MS:.0f} ms)"
        )
        routed, total, messages, done, not_done, gap_free = env.shell(COUNT).split()
        print(
            f"registered: {done} inbox items (measured run answered {api.requests - api.errors} "
            f"with 2xx; the rest came in the warm-up), {not_done} pending/refused/failed; "
            f"{total} requests ({routed} routed to the managing organisation), numbers "
            f"gap-free: {gap_free}; {messages} outbox messages"
        )
        print(env.last_line("verify_audit"))
        if api.errors or bare.errors:
            print("errors during the run (see above)")
            return 1
        if int(not_done) or done != total or gap_free != "yes":
            print("not every acknowledged submission was registered")
            return 1
        return 0 if ratio >= TARGET and api.p99_ms < P99_TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(harness.main(__doc__, measure))
