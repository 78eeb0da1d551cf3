"""SMS gateways that misbehave on purpose, selected in tests via settings.SMS_GATEWAY."""

from __future__ import annotations

import threading
import time

from cityhall.notifications.channels import LogSmsGateway, PermanentFailure, TemporaryFailure


class DownSmsGateway:
    """The provider is unreachable: every try fails temporarily."""

    calls = 0

    def send(self, *, phone, text, message=None):
        type(self).calls += 1
        raise TemporaryFailure("gateway timeout (HTTP 504)")


class RefusingSmsGateway:
    """The provider refuses the number: retrying cannot help."""

    def send(self, *, phone, text, message=None):
        raise PermanentFailure("HTTP 400: invalid phone number")


class SlowSmsGateway(LogSmsGateway):
    """Logs like the default gateway, but slowly, so that two workers overlap."""

    lock = threading.Lock()
    calls = 0

    def send(self, *, phone, text, message=None):
        with self.lock:
            type(self).calls += 1
        time.sleep(0.3)
        return super().send(phone=phone, text=text, message=message)
