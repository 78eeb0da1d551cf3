"""``cityhall run_inbox``: register received submissions (core.inbox) as they arrive."""

from __future__ import annotations

import os
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from cityhall.core import inbox


class Command(BaseCommand):
    help = "Register submissions received through the inbox, in batches, until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="drain what is pending, then exit")
        parser.add_argument("--batch", type=int, default=inbox.BATCH_SIZE)
        parser.add_argument("--poll", type=float, default=0.05, help="seconds between looks")
        parser.add_argument(
            "--priority",
            choices=["idle", "low", "normal"],
            default="idle",
            help="CPU priority of the running worker (not of --once): 'idle' (Linux SCHED_IDLE, "
            "the default) registers only with CPU time nothing else wants, so acknowledging "
            "submissions keeps every core under a burst and registration catches up after it; "
            "'low' is nice 19",
        )

    def handle(self, *args, once, batch, poll, priority, **options):
        if once:
            handled = inbox.drain(limit=batch)
            self.stdout.write(f"registered {handled} submissions")
            return
        _lower_priority(priority)
        stop = threading.Event()  # a signal ends the wait at once, not after the poll interval
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        self.stdout.write("inbox worker ready")  # a supervisor (or a test) may signal from now
        self.stdout.flush()
        while not stop.is_set():
            try:
                handled = inbox.drain(limit=batch, max_batches=1)
            except Exception:  # noqa: BLE001 - a lost connection must not stop the worker
                self.stderr.write("inbox: drain failed, retrying")
                close_old_connections()
                handled = 0
                stop.wait(1)
            if handled < batch:  # a partial batch: let the next one gather more (fewer, larger
                stop.wait(poll)  # transactions; on SQLite each holds the one write lock)


def _lower_priority(priority: str) -> None:
    """Only ever lowers (no privilege needed). A lock this process holds is never held long:
    whoever waits for it leaves a core idle, and an idle core runs this process at once."""
    if priority == "idle" and hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    elif priority in ("idle", "low"):
        os.nice(19)
