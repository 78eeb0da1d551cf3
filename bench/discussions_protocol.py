"""Protocol + conclusion for a discussion with 100,000 proposals: time and peak memory.

Target: both documents (PDF + JSON each) in < 30 s together and < 500 MB peak RSS of the
generating process.

A fresh temporary SQLite database is filled with one closed discussion, 30,000 participants
and N proposals (texts of 60–600 characters, seeded), with recommendations on every proposal.
A separate process then runs the real path — ``request_final_document`` (the huey task runs
inline), ``sign_final_document``, conclusions, the conclusion — and reports its own peak RSS.

    .venv/bin/python bench/discussions_protocol.py [--proposals 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
PYTHON = sys.executable
TARGET_SECONDS = 30
TARGET_MB = 500
WORDS = (
    "предлагаю",
    "сохранить",
    "сквер",
    "у",
    "школы",
    "обустроить",
    "детскую",
    "площадку",
    "пешеходный",
    "переход",
    "парковка",
    "озеленение",
    "территории",
    "высотность",
    "застройки",
    "не",
    "более",
    "девяти",
    "этажей",
    "дорога",
    "остановка",
    "общественного",
    "транспорта",
    "освещение",
    "тротуар",
    "велосипедная",
    "дорожка",
    "шумозащитный",
    "экран",
    "охранная",
    "зона",
    "памятник",
    "культурного",
    "наследия",
    "Әлмәт",
    "Үзәк",
    "урамы",
    "җәмәгать",
    "бакчасы",
)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityhall.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("fontTools").setLevel(logging.WARNING)


def load(count: int) -> None:
    _django()
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from cityhall.accounts.models import Membership, Organisation, User
    from cityhall.discussions.models import (
        Discussion,
        DocumentType,
        Participant,
        Proposal,
        Status,
    )

    rng = random.Random(20260501)
    now = timezone.now()
    council = Organisation.objects.create(name="Казанская городская Дума", type="council")
    official = User.objects.create_user(
        "bench-organiser", kind="staff", first_name="Ильдар", last_name="Гарипов"
    )
    Membership.objects.create(user=official, organisation=council, role="organiser")
    doc_type = DocumentType.objects.create(code="general_plan", name="Генеральный план")
    discussion = Discussion.objects.create(
        number="2026-0001",
        title="Проект генерального плана городского округа",
        document_type=doc_type,
        organiser=council,
        responsible_official=official,
        responsible_official_position="Председатель комиссии",
        status=Status.PROPOSALS_CLOSED,
        notice_date=(now - dt.timedelta(days=30)).date(),
        exposition_start=now - dt.timedelta(days=20),
        exposition_end=(now - dt.timedelta(days=1)).date(),
        proposal_deadline=now - dt.timedelta(hours=1),
        conclusion_due=(now + dt.timedelta(days=5)).date(),
        territory_description="Городской округ Казань",
        exposition_place="Казань, ул. Кремлёвская, 1",
    )
    people = min(30_000, count)
    with transaction.atomic():
        Participant.objects.bulk_create(
            [
                Participant(
                    discussion=discussion,
                    number=i,
                    type="resident" if i % 5 else "other",
                    full_name=f"Участник Тестовый {i}",
                    birth_date=dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
                    address=f"г. Казань, ул. Баумана, д. {i % 300 + 1}",
                    document_masked=f"******{i % 10000:04d}",
                    identity_key=f"{i:064d}",
                    from_territory=bool(i % 5),
                )
                for i in range(1, people + 1)
            ],
            batch_size=2000,
        )
    participant_ids = list(
        Participant.objects.filter(discussion=discussion)
        .order_by("number")
        .values_list("id", "from_territory")
    )
    batch: list[Proposal] = []
    started = now - dt.timedelta(days=19)
    with transaction.atomic():
        for n in range(1, count + 1):
            pid, territory = participant_ids[rng.randrange(people)]
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 80)))
            kind = "question" if n % 10 == 0 else ("remark" if n % 3 == 0 else "proposal")
            batch.append(
                Proposal(
                    discussion=discussion,
                    number=n,
                    registered_at=started + dt.timedelta(seconds=n * 15),
                    participant_id=pid,
                    kind=kind,
                    text=text.capitalize() + ".",
                    text_hash=f"{n:064d}",
                    channel="web" if n % 7 else "written",
                    from_territory=territory,
                    recommendation="accept" if n % 2 else "reject",
                    recommendation_reason="Учтено в проекте." if n % 2 else "Противоречит ПЗЗ.",
                )
            )
            if len(batch) == 5000:
                Proposal.objects.bulk_create(batch)
                batch = []
        Proposal.objects.bulk_create(batch)
    Discussion.objects.filter(pk=discussion.pk).update(
        proposal_count=count, participant_count=people
    )
    print(json.dumps({"discussion": discussion.pk}))


def generate(discussion_id: int) -> None:
    _django()
    import resource

    from cityhall.accounts.models import User
    from cityhall.discussions import services
    from cityhall.discussions.models import Discussion, FinalDocument

    official = User.objects.get(username="bench-organiser")
    discussion = Discussion.objects.get(pk=discussion_id)
    times = {}
    began, cpu = time.perf_counter(), time.process_time()
    services.request_final_document(actor=official, discussion=discussion, kind="protocol")
    times["protocol_s"] = time.perf_counter() - began
    times["protocol_cpu_s"] = time.process_time() - cpu
    protocol = FinalDocument.objects.get(discussion=discussion, kind="protocol")
    assert protocol.state == "ready", protocol.error
    services.sign_final_document(actor=official, document=protocol)
    discussion.refresh_from_db()
    services.save_conclusions(
        actor=official, discussion=discussion, text="Проект рекомендовать к утверждению."
    )
    began, cpu = time.perf_counter(), time.process_time()
    services.request_final_document(actor=official, discussion=discussion, kind="conclusion")
    times["conclusion_s"] = time.perf_counter() - began
    times["conclusion_cpu_s"] = time.process_time() - cpu
    conclusion = FinalDocument.objects.get(discussion=discussion, kind="conclusion")
    assert conclusion.state == "ready", conclusion.error
    times["protocol_pdf_mb"] = protocol.pdf.size / 2**20
    times["conclusion_pdf_mb"] = conclusion.pdf.size / 2**20
    times["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--phase", choices=["all", "load", "generate"], default="all")
    parser.add_argument("--discussion", type=int, default=0)
    args = parser.parse_args()
    if args.phase == "load":
        return load(args.proposals)
    if args.phase == "generate":
        return generate(args.discussion)

    workdir = Path(tempfile.mkdtemp(prefix="cityhall-bench-protocol-"))
    env = {
        **os.environ,
        "CITYHALL_DATA_DIR": str(workdir),
        "CITYHALL_LOG_LEVEL": "WARNING",
        "CITYHALL_HUEY_IMMEDIATE": "1",
        "DJANGO_SETTINGS_MODULE": "cityhall.settings",
    }
    env.pop("DATABASE_URL", None)
    try:

        def run(*extra: str) -> str:
            done = subprocess.run(
                [PYTHON, *extra], env=env, cwd=REPO_DIR, capture_output=True, text=True
            )
            if done.returncode:
                sys.stderr.write(done.stdout + done.stderr)
                raise SystemExit(f"failed: {extra}")
            lines = done.stdout.strip().splitlines()
            return lines[-1] if lines else ""

        run("-m", "cityhall", "migrate", "--noinput", "-v", "0")
        began = time.perf_counter()
        loaded = json.loads(run(__file__, "--phase", "load", "--proposals", str(args.proposals)))
        print(f"loaded {args.proposals} proposals in {time.perf_counter() - began:.1f} s")
        result = json.loads(
            run(__file__, "--phase", "generate", "--discussion", str(loaded["discussion"]))
        )
        total = result["protocol_s"] + result["conclusion_s"]
        print(
            f"protocol {result['protocol_s']:.1f} s ({result['protocol_pdf_mb']:.1f} MB PDF), "
            f"conclusion {result['conclusion_s']:.1f} s ({result['conclusion_pdf_mb']:.1f} MB PDF)"
        )
        cpu = result["protocol_cpu_s"] + result["conclusion_cpu_s"]
        print(
            f"total {total:.1f} s wall, {cpu:.1f} s CPU (target < {TARGET_SECONDS} s); peak RSS "
            f"{result['peak_rss_mb']:.0f} MB (target < {TARGET_MB} MB)"
        )
        if total >= TARGET_SECONDS or result["peak_rss_mb"] >= TARGET_MB:
            print("TARGET MISSED")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
