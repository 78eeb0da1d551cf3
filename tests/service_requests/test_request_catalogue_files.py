"""The catalogue as files: export, edit, import — changed limits become a new version."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from cityhall.service_requests.models import Category, CategoryVersion

from .factories import submit


def test_export_edit_import_publishes_a_new_version(world, tmp_path, capsys):
    open_request = submit(world)
    path = tmp_path / "catalogue.json"
    call_command("export_request_catalogue", str(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    leak = next(item for item in data if item["code"] == "leak")
    assert leak["limits"]["in_work"] == [5, "working_days"]
    leak["limits"]["in_work"] = [3, "working_days"]
    data.append(
        {
            "code": "graffiti",
            "name_ru": "Граффити",
            "responsible_type": "managing_organisation",
            "limits": {"routed": [2, "working_days"]},
            "attributes": [],
        }
    )
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("import_request_catalogue", str(path))
    out = capsys.readouterr().out
    assert "created: 1" in out and "published: 2" in out and "unchanged: 2" in out
    world.leak.refresh_from_db()
    assert world.leak.current_version.number == 2
    assert (
        CategoryVersion.objects.get(category=world.leak, number=2)
        .limits.get(stage="in_work")
        .amount
        == 3
    )
    assert Category.objects.get(code="graffiti").current_version.number == 1
    open_request.refresh_from_db()
    assert open_request.category_version.number == 1  # open requests keep theirs
    call_command("import_request_catalogue", str(path))
    assert "unchanged: 4" in capsys.readouterr().out


def test_bad_files_are_refused_whole(world, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"code": "x", "name_ru": "X", "limits": {"routed": [0, "weeks"]}}]))
    with pytest.raises(CommandError):
        call_command("import_request_catalogue", str(path))
    assert not Category.objects.filter(code="x").exists()
