"""The public requests map with 100,000 open requests: how long does its first view take?

A fresh temporary database (SQLite in WAL mode, or PostgreSQL with ``--database postgres``)
gets a city of 7 districts, 20,000 buildings and N open requests (90 % at a building, 10 % at a
point of their own), in 12 categories. Through Django's test client (the full middleware
stack), it times the first view's data — ``GET /requests/map/clusters.json`` for the whole city
at zoom 11, what the map asks first — cold (the process's building index still to build) and
warm (median of the rounds; the answer cache cleared before each, and once from the cache
the next visitor gets for 30 s), plus the page itself (``GET /requests/map/``: shading counts and
the list) and one zoomed-in view. The baseline, in the same run: one ``COUNT(*)`` of the open
requests, the cheapest read of the same rows. Target (issue 14): the first view — the page and
its first clusters answer, a worker's first call included — < 1 s.

    .venv/bin/python bench/maps_public_first_view.py [--requests 100000] [--database postgres]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

TARGET_SECONDS = 1.0
BUILDINGS = 20_000
CATEGORIES = 12
CITY = (48.95, 55.70, 49.30, 55.90)  # min_lon, min_lat, max_lon, max_lat


def _box(min_lon, min_lat, max_lon, max_lat) -> dict:
    ring = [
        [min_lon, min_lat],
        [max_lon, min_lat],
        [max_lon, max_lat],
        [min_lon, max_lat],
        [min_lon, min_lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def fill(total: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from cityhall.geo import services as geo
    from cityhall.geo.models import Building
    from cityhall.service_requests.models import Category, ServiceRequest
    from cityhall.service_requests.services import publish_category_version

    rng = random.Random(14)
    min_lon, min_lat, max_lon, max_lat = CITY
    step = (max_lon - min_lon) / 7
    districts = [
        geo.save_area(
            actor=None,
            kind="district",
            code=f"d{i}",
            name=f"Район {i}",
            geometry=_box(min_lon + i * step, min_lat, min_lon + (i + 1) * step, max_lat),
        )
        for i in range(7)
    ]
    with transaction.atomic():
        rows = []
        for n in range(BUILDINGS):
            lat, lon = rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon)
            address = f"ул. Тестовая {n // 100 + 1}-я, д. {n % 100 + 1}"
            rows.append(
                Building(
                    street=f"ул. Тестовая {n // 100 + 1}-я",
                    house=str(n % 100 + 1),
                    house_number=n % 100 + 1,
                    address=address,
                    address_normalised=address.lower(),
                    lat=lat,
                    lon=lon,
                    district=districts[min(6, int((lon - min_lon) / step))],
                )
            )
        Building.objects.bulk_create(rows, batch_size=2000)
    buildings = list(Building.objects.values_list("id", "district_id"))
    categories = []
    for c in range(CATEGORIES):
        category = Category.objects.create(
            code=f"c{c}", name_ru=f"Категория {c}", name_en=f"Category {c}", group="housing"
        )
        publish_category_version(category=category, actor=None, limits={})
        categories.append((category.pk, category.versions.get().pk))
    open_statuses = ["new", "routed", "accepted", "in_work"]
    now = timezone.now()
    with transaction.atomic():
        batch = []
        for n in range(total):
            category_id, version_id = categories[n % CATEGORIES]
            request = ServiceRequest(
                number=f"B-{n}",
                public_token=f"bench-{n}",
                category_id=category_id,
                category_version_id=version_id,
                status=open_statuses[n % 4],
                created_at=now - timezone.timedelta(minutes=n),
                description="Private text",
            )
            if n % 10:
                building_id, district_id = buildings[rng.randrange(len(buildings))]
                request.building_id, request.district_id = building_id, district_id
            else:
                request.lat = rng.uniform(min_lat, max_lat)
                request.lon = rng.uniform(min_lon, max_lon)
            batch.append(request)
            if len(batch) == 5000:
                ServiceRequest.objects.bulk_create(batch)
                batch = []
        ServiceRequest.objects.bulk_create(batch)


CPU: dict[str, list[float]] = {}


def timed(call, name: str = "") -> float:
    """Wall time of ``call()``; its CPU time in this process (the SQLite work included, not
    a PostgreSQL server's) is kept under ``name``: on a shared machine the wall time grows with
    the load, the CPU time much less."""
    began, cpu = time.perf_counter(), time.process_time()
    call()
    CPU.setdefault(name, []).append(time.process_time() - cpu)
    return time.perf_counter() - began


def measure(args) -> int:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from cityhall.service_requests.models import OPEN_STATUSES, ServiceRequest

    began = time.perf_counter()
    fill(args.requests)
    engine = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite (WAL)"
    print(
        f"{engine}: {args.requests:,} open requests, {BUILDINGS:,} buildings, "
        f"filled in {time.perf_counter() - began:.1f} s"
    )
    client = Client()
    clusters_url = reverse("service_requests:map_clusters")
    city = {"bbox": ",".join(map(str, CITY)), "zoom": "11"}
    zoomed = {"bbox": "49.10,55.78,49.14,55.80", "zoom": "15"}

    def first_view():
        response = client.get(clusters_url, city)
        assert response.status_code == 200
        features = response.json()["features"]
        assert sum(f["properties"]["count"] for f in features) == args.requests
        assert b"Private text" not in response.content
        first_view.features = len(features)

    def page():
        assert client.get(reverse("service_requests:map")).status_code == 200

    def zoomed_view():
        assert client.get(clusters_url, zoomed).status_code == 200

    def baseline():
        ServiceRequest.objects.filter(status__in=OPEN_STATUSES).count()

    from django.core.cache import cache

    def computed(call):
        def run():
            cache.clear()  # what the first visitor after the cache expired waits for
            call()

        return run

    # A served worker loads its middleware when it starts (core.handlers), not on its first
    # call; the test client does it on its first request, which the cold figure must not count.
    client.handler.load_middleware()
    cold = timed(computed(first_view), "cold")
    rows = {
        "baseline": [],
        "first view": [],
        "first view, cached": [],
        "page": [],
        "zoomed view": [],
    }
    for _ in range(args.rounds):
        rows["baseline"].append(timed(baseline, "baseline"))
        rows["first view"].append(timed(computed(first_view), "first view"))
        rows["first view, cached"].append(timed(first_view, "first view, cached"))
        rows["page"].append(timed(computed(page), "page"))
        rows["zoomed view"].append(timed(computed(zoomed_view), "zoomed view"))
    median = {name: statistics.median(values) for name, values in rows.items()}
    print(
        f"first view, cold (building index built): {cold * 1000:7.1f} ms"
        f"  (cpu {CPU['cold'][0] * 1000:.1f} ms)"
    )
    for name, value in median.items():
        ratio = value / median["baseline"] if median["baseline"] else float("nan")
        cpu = statistics.median(CPU[name]) * 1000
        print(
            f"{name:<12} median of {args.rounds}: {value * 1000:7.1f} ms  ({ratio:5.1f}× baseline)"
            f"  cpu {cpu:6.1f} ms"
        )
    first = cold + median["page"]
    print(f"first view with its page, a worker's first call: {first * 1000:.1f} ms")
    print(f"first view: {first_view.features} clusters for {args.requests:,} requests")
    ok = max(first, median["first view"] + median["page"]) < TARGET_SECONDS
    print(
        f"target: first view (page + clusters) < {TARGET_SECONDS:.0f} s — "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    return harness.in_process(parser.parse_args(), "cityhall-bench-maps-", measure)


if __name__ == "__main__":
    sys.exit(main())
