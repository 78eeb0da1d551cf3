"""Application submission with schema validation next to a bare Django insert, in one run.

  (a) bare:    POST /rows to bench/bare_app — no middleware, parse JSON, INSERT one row.
  (b) project: POST /api/v1/applications {"service", "answers", "submit": true} with a bearer
               token — middleware, token lookup, the application row, validation of the answers
               against the published version's JSON Schema (draft 2020-12), the decision rules,
               the number and the working-day deadline, events, audit records and the
               applicant's notification (outbox rows), all in one transaction.

Target: (b) reaches at least 40 % of (a)'s throughput. Servers, load generators and the
database set-up are those of bench/api_write_vs_bare_insert.py (imported, not copied).

    .venv/bin/python bench/municipal_services_submit.py [--database postgres] [--duration 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import api_write_vs_bare_insert as harness  # noqa: E402

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
from cityhall.municipal_services.models import Application
print(Application.objects.filter(status="acceptance").count(),
      Application.objects.exclude(status="acceptance").count())
"""


def measure(database_url: str | None, args) -> int:
    harness.BODY = BODY  # both load generators post the module's BODY
    workdir = Path(tempfile.mkdtemp(prefix="cityhall-bench-ms-"))
    env = {
        **os.environ,
        "CITYHALL_DATA_DIR": str(workdir),
        "CITYHALL_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH_DIR), os.environ.get("PYTHONPATH")])),
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    project_env = {**env, "DJANGO_SETTINGS_MODULE": "cityhall.settings"}
    bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bare_app.settings"}
    cityhall = [harness.PYTHON, "-m", "cityhall"]
    try:
        harness.run([*cityhall, "migrate", "--noinput", "-v", "0"], project_env)
        harness.run([harness.PYTHON, "-m", "django", "migrate", "--noinput", "-v", "0"], bare_env)
        token = (
            harness.run([*cityhall, "shell", "--no-imports", "-c", SETUP], project_env)
            .strip()
            .splitlines()[-1]
        )
        use_wrk = shutil.which("wrk") is not None and not args.python_load
        print(
            f"{'PostgreSQL' if database_url else 'SQLite (WAL)'}; gunicorn sync workers="
            f"{args.workers}; {args.connections} connections; {args.duration} s per run; "
            f"load: {'wrk' if use_wrk else 'python threads'}; {os.cpu_count()} CPUs"
        )

        def load(name, url, headers):
            for label, seconds in (("warm-up", args.warmup), ("", args.duration)):
                if not seconds:
                    continue
                title = f"{name} {label}".strip()
                if use_wrk:
                    result = harness.load_with_wrk(
                        title, url, headers, seconds, args.connections, workdir
                    )
                else:
                    result = harness.load_with_python(
                        title, url, headers, seconds, args.connections
                    )
            return result

        with harness.Gunicorn("bare_app.wsgi:application", bare_env, args.workers) as server:
            bare = load("bare insert", server.url + "/rows", {})
        print(bare.line())
        with harness.Gunicorn("cityhall.wsgi:application", project_env, args.workers) as server:
            api = load(
                "submit application",
                server.url + "/api/v1/applications",
                {"Authorization": f"Bearer {token}"},
            )
        print(api.line())
        ratio = api.rate / bare.rate if bare.rate else 0.0
        print(
            f"ratio submission / bare insert: throughput {ratio:.3f} (target >= {TARGET}), "
            f"p50 {api.p50_ms / bare.p50_ms:.1f}x, p99 {api.p99_ms / bare.p99_ms:.1f}x"
        )
        counts = harness.run([*cityhall, "shell", "--no-imports", "-c", COUNT], project_env)
        submitted, other = counts.strip().splitlines()[-1].split()
        print(f"submitted: {submitted} applications (other states: {other})")
        if api.errors or bare.errors:
            print("errors during the run (see above)")
            return 1
        return 0 if ratio >= TARGET else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--python-load", action="store_true")
    args = parser.parse_args()
    if args.database == "sqlite":
        return measure(None, args)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        script = harness.REPO_DIR / "scripts" / "with-postgres"
        return subprocess.call([str(script), harness.PYTHON, *sys.argv], cwd=harness.REPO_DIR)
    with harness.FreshPostgres(url) as fresh_url:
        return measure(fresh_url, args)


if __name__ == "__main__":
    raise SystemExit(main())
