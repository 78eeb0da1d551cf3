"""Application submission with schema validation next to a bare Django insert, in one run.

  (a) bare:    POST /rows to bench/bare_app — no middleware, parse JSON, INSERT one row.
  (b) project: POST /api/v1/applications {"service", "answers", "submit": true} with a bearer
               token — middleware, token lookup, validation of the answers against the
               published version's JSON Schema (draft 2020-12, compiled once per process), one
               inbox row, 202 with the receipt. The inbox worker beside gunicorn registers them
               in batches meanwhile (application rows, decision rules, gap-free numbers,
               working-day deadline, events, audit records, the applicant's notification).

Target: (b) reaches at least 40 % of (a)'s throughput. After the load the script waits for
the inbox, then checks that every received application became a case: no item pending,
refused or failed, one numbered application per item, numbers gap-free, audit chain intact.
Servers, load generators and the database set-up are those of bench/harness.py.

    .venv/bin/python bench/municipal_services_submit.py [--database postgres] [--duration 10]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

TARGET = 0.40
BODY = {
    "service": "bench-permit",
    "submit": True,
    "message": "bench application",
    "answers": {
        "applicant_name": "ООО Ромашка",
        "purpose": "shop",
        "area": 420,
        "floors": 2,
        "address": "Казань, ул. Баумана, 10",
        "heritage_zone": False,
    },
}

SETUP = """
import json
from cityhall.accounts.models import Organisation, User
from cityhall.accounts.tokens import create_api_token
from cityhall.municipal_services import services
dept = Organisation.objects.create(name="Department of Urban Planning Permits",
                                   type="executive_department")
definition = {
    "form_schema": {
        "type": "object",
        "properties": {
            "applicant_name": {"type": "string", "minLength": 3, "maxLength": 200},
            "purpose": {"type": "string", "enum": ["office", "shop", "warehouse"]},
            "area": {"type": "number", "minimum": 1, "maximum": 100000},
            "floors": {"type": "integer", "minimum": 1, "maximum": 50},
            "address": {"type": "string", "maxLength": 300},
            "heritage_zone": {"type": "boolean"},
        },
        "required": ["applicant_name", "purpose", "area", "address"],
        "additionalProperties": False,
    },
    "ui": {},
    "documents": [],
    "term_days": 10,
    "result_types": ["document"],
    "workflow": {"stages": {"acceptance": {"roles": ["operator"]},
                            "consideration": {"roles": ["expert"]},
                            "decision": {"roles": ["decision_maker"]}},
                 "separation": [["acceptance", "decision"]]},
    "status_texts": {"acceptance": {"ru": "Заявление принято к проверке документов"}},
    "variants": [{"code": "small", "parameters": ["purpose", "area"]},
                 {"code": "general", "parameters": ["purpose", "area"]}],
    "rules": [{"code": "small", "variant": "small",
               "when": {"<=": [{"var": "area"}, 300]}},
              {"code": "general", "variant": "general", "when": True}],
}
service = services.create_service(actor=None, code="bench-permit", department=dept,
                                  name={"ru": "Разрешение (бенчмарк)"})
services.publish_version(actor=None, version=services.create_draft(
    actor=None, service=service, definition=definition))
resident = User.objects.create_user("bench-applicant", email="applicant@bench.invalid",
                                    first_name="Bench", last_name="Applicant")
print(create_api_token(user=resident, name="bench"))
"""

COUNT = """
from cityhall.core.models import InboxItem
from cityhall.municipal_services.models import Application
items = InboxItem.objects.filter(kind="municipal_services.application")
numbers = sorted(int(n.split("-")[-1]) for n in
                 Application.objects.exclude(number=None).values_list("number", flat=True))
print(items.filter(state="done").count(), items.exclude(state="done").count(),
      Application.objects.filter(status="acceptance").count(),
      int(numbers == list(range(1, len(numbers) + 1))))
"""


def measure(database_url: str | None, args) -> int:
    with harness.Environment(database_url, "cityhall-bench-ms-") as env:
        token = env.shell(SETUP)
        load = harness.Loader(args, env.workdir)
        load.describe(env.engine)

        # Both servers receive this bench's body.
        bare = harness.bare_insert(env, load, args.workers, BODY)
        with env.project(args.workers) as server:
            api = load(
                "submit application",
                server.url + "/api/v1/applications",
                harness.json_load(BODY, {"Authorization": f"Bearer {token}"}),
            )
            print(env.wait_for_inbox())
        print(api.line())
        ratio = api.ratio_to(bare)
        print(
            f"ratio submission / bare insert: throughput {ratio:.3f} (target >= {TARGET}), "
            f"p50 {api.p50_ms / bare.p50_ms:.1f}x, p99 {api.p99_ms / bare.p99_ms:.1f}x"
        )
        done, not_done, cases, gap_free = (int(v) for v in env.shell(COUNT).split())
        print(
            f"received and registered: {done} (not registered: {not_done}); "
            f"cases at document check: {cases}; numbers gap-free: {bool(gap_free)}; "
            f"measured 2xx answers: {api.requests - api.errors}"
        )
        verified = env.last_line("verify_audit")
        print(verified)
        complete = (
            not_done == 0 and done == cases and gap_free and done >= api.requests - api.errors
        )
        if not complete:
            print("some received applications did not become cases")
        if api.errors or bare.errors:
            print("errors during the run (see above)")
            return 1
        return 0 if ratio >= TARGET and complete else 1


if __name__ == "__main__":
    raise SystemExit(harness.main(__doc__, measure))
