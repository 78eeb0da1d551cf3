"""``cityhall migrate_media --to s3|fs`` copies every stored file, resumes where a run was cut
short (same size and SHA-256: skipped) and reports progress."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cityhall.core import media_migration
from cityhall.core.models import AuditRecord
from cityhall.core.object_store import s3_storage

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("migrate_media", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def s3_target(settings, s3_server):
    bucket = s3_server.create_bucket()
    settings.S3_STORAGE_OPTIONS = {**settings.S3_STORAGE_OPTIONS, **s3_server.options(bucket)}
    return bucket


def _media(settings, files: dict[str, bytes]) -> Path:
    root = Path(settings.MEDIA_ROOT)
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


FILES = {
    "requests/2026/12/a.jpg": b"photo a",
    "requests/2026/12/b.png": b"photo b" * 1000,
    "municipal_services/2026/12/identity.pdf": b"%PDF-1.4 identity",
}


def test_files_move_to_s3_and_back_with_a_progress_bar(settings, s3_target):
    root = _media(settings, FILES)
    out, err = _run("--to", "s3")
    assert "3 file(s) copied" in out
    assert "[" + "#" * 30 + "] 3/3" in err
    store = s3_storage()
    for name, data in FILES.items():
        with store.open(name, "rb") as handle:
            assert handle.read() == data
    assert AuditRecord.objects.filter(action="media.migrated").count() == 1

    for name in FILES:
        (root / name).unlink()
    out, _ = _run("--to", "fs", "--no-progress")
    assert "3 file(s) copied" in out
    assert {name: (root / name).read_bytes() for name in FILES} == FILES


def test_a_run_cut_short_resumes_and_skips_what_is_already_there(settings, s3_target, monkeypatch):
    _media(settings, FILES)
    real_copy = media_migration._copy

    def copy_failing_identity(source, target, name, *, digest):
        if name.endswith("identity.pdf"):
            raise ConnectionError("connection reset")
        real_copy(source, target, name, digest=digest)

    monkeypatch.setattr(media_migration, "_copy", copy_failing_identity)
    with pytest.raises(CommandError):
        _run("--to", "s3", "--no-progress")
    monkeypatch.setattr(media_migration, "_copy", real_copy)

    out, _ = _run("--to", "s3", "--no-progress")
    assert "1 file(s) copied" in out
    assert "2 already there" in out

    # A file changed in the target since (another size, or the same size and other bytes) is
    # copied again; the rest is skipped.
    store = s3_storage()
    store.bucket.Object("requests/2026/12/a.jpg").put(Body=b"photo X")
    out, _ = _run("--to", "s3", "--no-progress")
    assert "1 file(s) copied" in out and "2 already there" in out
    with store.open("requests/2026/12/a.jpg", "rb") as handle:
        assert handle.read() == b"photo a"
