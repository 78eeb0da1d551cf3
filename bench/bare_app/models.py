from django.db import models


class BareRow(models.Model):
    """A plain table: no constraints beyond the primary key, no history, no side effects."""

    created_at = models.DateTimeField(auto_now_add=True)
    message = models.TextField()

    def __str__(self) -> str:
        return f"row {self.pk}"
