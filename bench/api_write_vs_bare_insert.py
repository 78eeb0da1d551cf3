"""How much does a real API write cost next to the cheapest Django write, on the same machine,
database and server set-up, in one run?

  (a) bare:    POST /rows to bench/bare_app — no middleware, parse JSON, INSERT one row.
  (b) project: POST /api/v1/support/tickets with a bearer token — middleware, token lookup,
               validation, gap-free ticket number, audit-chain append; measured twice: with
               no administrator, then with one (notify(): template rendering, outbox rows for
               each channel, a huey job enqueued on commit).

Both are served by gunicorn (sync workers, 2 by default) on 127.0.0.1 from a fresh temporary
database: SQLite in WAL mode by default, or PostgreSQL with ``--database postgres`` (a fresh
database on the server named by DATABASE_URL; without one, a throw-away server from
scripts/with-postgres). Load: wrk (Debian package) with a Lua script when installed, else a
Python load generator (threads, keep-alive). Prints req/s, p50/p99 and errors of both, and the
ratios. After the run, the audit chain is verified.

    .venv/bin/python bench/api_write_vs_bare_insert.py [--database postgres] [--duration 10]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

# --- the run -----------------------------------------------------------------------------------

SETUP = """
from cityhall.accounts.models import Membership, Organisation, User
from cityhall.accounts.tokens import create_api_token
admin = User.objects.create_user("bench-admin", email="admin@bench.invalid", kind="staff")
office = Organisation.objects.create(name="Portal office", type="executive_department")
resident = User.objects.create_user("bench-resident", email="resident@bench.invalid",
                                    first_name="Bench", last_name="Resident")
print(create_api_token(user=resident, name="bench"))
"""

ADD_ADMINISTRATOR = """
from cityhall.accounts.models import Membership, Organisation, User
Membership.objects.create(user=User.objects.get(username="bench-admin"),
                          organisation=Organisation.objects.get(name="Portal office"),
                          role="administrator")
"""

COUNT_ROWS = """
from cityhall.portal.models import SupportTicket
from cityhall.notifications.models import Message
print(SupportTicket.objects.count(), Message.objects.count())
"""


def measure(database_url: str | None, args) -> None:
    with harness.Environment(database_url, "cityhall-bench-") as env:
        token = env.shell(SETUP)
        load = harness.Loader(args, env.workdir)
        load.describe(env.engine)

        bare = harness.bare_insert(env, load, args.workers)
        results = [bare]
        with env.project(args.workers) as server:
            url = server.url + "/api/v1/support/tickets"
            ticket = harness.json_load(harness.DEFAULT_BODY, {"Authorization": f"Bearer {token}"})
            results.append(load("API, no one to notify", url, ticket))
            print(results[-1].line())
            env.shell(ADD_ADMINISTRATOR)
            results.append(load("API, 1 admin notified", url, ticket))
            print(results[-1].line())

        for api in results[1:]:
            print(
                f"ratio {api.name!r} / bare: throughput {api.ratio_to(bare):.3f}, "
                f"p50 {api.p50_ms / bare.p50_ms:.1f}x, p99 {api.p99_ms / bare.p99_ms:.1f}x"
            )
        tickets, messages = env.shell(COUNT_ROWS).split()
        verified = env.last_line("verify_audit")
        print(f"written: {tickets} tickets, {messages} outbox messages; {verified}")
        if any(result.errors for result in results):
            raise SystemExit("errors during the run (see above)")


if __name__ == "__main__":
    raise SystemExit(harness.main(__doc__, measure))
