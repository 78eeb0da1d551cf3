"""``cityhall backup`` / ``cityhall restore``: a round trip brings back every row, the audit chain
and every uploaded file byte for byte; a damaged, unfinished or mismatched backup is refused
before anything changes; existing data is replaced only with --force. Runs on SQLite and, in
the PostgreSQL suite, through pg_dump/pg_restore."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection, connections, router
from huey import SqliteHuey

from cityhall.core.audit import chain_heads, verify_chain
from cityhall.core.audit_chains import heads_text
from cityhall.core.models import AuditRecord
from cityhall.discussions import services as discussions
from cityhall.service_requests.models import ServiceRequest
from tests.discussions.factories import DiscussionFactory, verified_person
from tests.factories import OrganisationFactory
from tests.municipal_services.factories import (
    Department,
    published_service,
    submitted_application,
)
from tests.service_requests.factories import make_world, photo, submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def huey_file(settings, tmp_path) -> Path:
    """huey's SQLite queue in a file of this test's own, with one task waiting in it."""
    path = tmp_path / "data" / "huey.sqlite3"
    path.parent.mkdir()
    settings.HUEY = {**settings.HUEY, "huey_class": "huey.SqliteHuey", "filename": str(path)}
    queue = SqliteHuey("cityhall", filename=str(path))
    queue.storage.enqueue(b"a waiting task")
    queue.storage.close()
    return path


@pytest.fixture
def city_with_work():
    """A few requests (one with a photo), a proposal and an application with a file."""
    world = make_world()
    submit(world, photos=[photo()])
    submit(world, description="The lift is stuck between floors", category=world.leak)
    discussion = DiscussionFactory(
        organiser=OrganisationFactory(council=True), districts=[world.city.west]
    )
    resident = verified_person(world.building, username="resident1")
    discussions.submit_proposal(discussion=discussion, author=resident, text="Сквер у школы")
    submitted_application(published_service(Department()))
    return world


def _counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.label] = model._default_manager.using(
                router.db_for_read(model)
            ).count()
    return counts


def _media() -> dict[str, bytes]:
    root = Path(django_settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _wipe(huey_file: Path) -> None:
    """What a new data directory holds: empty databases, no media, no queue."""
    for alias in connections:
        call_command("flush", database=alias, interactive=False, verbosity=0)
    for path in Path(django_settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()
    huey_file.unlink()


def test_round_trip_brings_back_rows_audit_chain_files_and_queue(
    city_with_work, huey_file, tmp_path, capsys
):
    before, media = _counts(), _media()
    heads = chain_heads()
    records = sum(seq for seq, _hash in heads.values())
    assert AuditRecord.objects.count() > 5 and len(media) >= 2
    backup = tmp_path / "backup"

    call_command("backup", str(backup))
    out = capsys.readouterr().out
    assert "backup written to" in out and "media: " in out
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor
    assert manifest["audit_head"] == {"seq": records, "heads": heads_text(heads)}
    assert manifest["tables"]["huey"]["task"] == 1
    assert {e["role"] for e in manifest["files"]} == {"database", "media"}

    _wipe(huey_file)
    assert ServiceRequest.objects.count() == 0 and _media() == {}

    call_command("restore", str(backup))
    out = capsys.readouterr().out
    assert f"audit trail intact: {records} records verified" in out
    assert _counts() == before
    assert _media() == media
    assert list(verify_chain()) == []
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out
    assert SqliteHuey("cityhall", filename=str(huey_file)).storage.queue_size() == 1
    # The restored site goes on working: the next request takes the next number.
    numbers = sorted(ServiceRequest.objects.values_list("number", flat=True))
    assert submit(city_with_work).number > numbers[-1]


def test_restore_replaces_existing_data_only_with_force(city_with_work, huey_file, tmp_path):
    before = _counts()
    backup = tmp_path / "backup"
    call_command("backup", str(backup), verbosity=0)
    later = submit(city_with_work, description="Reported after the backup")

    with pytest.raises(CommandError, match="already holds data.*--force"):
        call_command("restore", str(backup), verbosity=0)
    assert ServiceRequest.objects.filter(pk=later.pk).exists()

    call_command("restore", str(backup), force=True, verbosity=0)
    assert not ServiceRequest.objects.filter(pk=later.pk).exists()
    assert _counts() == before
    assert list(verify_chain()) == []


@pytest.mark.parametrize("damaged", ["database", "media"])
def test_a_damaged_backup_is_refused_and_nothing_changes(
    city_with_work, huey_file, tmp_path, damaged
):
    backup = tmp_path / "backup"
    call_command("backup", str(backup), verbosity=0)
    manifest = json.loads((backup / "manifest.json").read_text())
    entry = next(e for e in manifest["files"] if e["role"] == damaged)
    path = backup / entry["path"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
    path.write_bytes(bytes(data))
    later = submit(city_with_work, description="Reported after the backup")
    before, media = _counts(), _media()

    with pytest.raises(CommandError, match=f"damaged, nothing was changed:\n  {entry['path']}"):
        call_command("restore", str(backup), force=True, verbosity=0)
    assert _counts() == before and _media() == media
    assert ServiceRequest.objects.filter(pk=later.pk).exists()


def test_an_unfinished_backup_or_a_used_directory_is_refused(city_with_work, tmp_path):
    backup = tmp_path / "backup"
    call_command("backup", str(backup), verbosity=0)
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(backup), verbosity=0)
    (backup / "manifest.json").unlink()
    with pytest.raises(CommandError, match="no manifest.json"):
        call_command("restore", str(backup), force=True, verbosity=0)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite files and their PRAGMAs")
@pytest.mark.parametrize(("durable", "synchronous", "huey_synchronous"), [("0", 1, 0), ("1", 2, 2)])
def test_durable_setting_makes_every_commit_reach_the_disk(
    tmp_path, durable, synchronous, huey_synchronous
):
    """SQLite's synchronous: 0 OFF, 1 NORMAL, 2 FULL; huey's queue is OFF unless durable."""
    script = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "from huey.contrib.djhuey import HUEY\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA synchronous'); print(c.fetchone()[0])\n"
        "print(HUEY.storage.conn.execute('PRAGMA synchronous').fetchone()[0])\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cityhall.settings",
        "CITYHALL_DATA_DIR": str(tmp_path),
        "CITYHALL_DURABLE": durable,
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == [str(synchronous), str(huey_synchronous)]


@pytest.mark.skipif("inbox" not in connections, reason="the inbox in a SQLite file of its own")
def test_an_item_registered_between_the_two_copies_never_gives_its_id_to_a_new_one(tmp_path):
    """The inbox is copied before the main file; an item received and registered in between is
    only in the main copy, so the inbox copy's ids continue after it."""
    from django.utils import timezone

    from cityhall.core.models import InboxItem, InboxRegistration

    InboxRegistration.objects.create(item_id=1000, registered_at=timezone.now())
    call_command("backup", str(tmp_path / "backup"), verbosity=0)
    InboxRegistration.objects.all().delete()
    call_command("restore", str(tmp_path / "backup"), force=True, verbosity=0)
    item = InboxItem.objects.create(
        kind="test", token="t" * 32, payload={}, received_at=timezone.now()
    )
    assert item.pk > 1000
