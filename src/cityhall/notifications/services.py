"""Placeholder until the notifications outbox lands (same session)."""


def notify(*, recipient, event, context, channels=None):
    raise NotImplementedError
