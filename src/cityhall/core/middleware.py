"""Turn a domain error raised by a page into a 4xx page with its message (the API has its own
handlers in core.api_errors)."""

from __future__ import annotations

from django.shortcuts import render

from .errors import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            response = render(
                request,
                "core/domain_error.html",
                {"error": exception, "message": str(exception.message)},
                status=exception.status,
            )
            if getattr(exception, "retry_after", None):
                response["Retry-After"] = str(exception.retry_after)
            return response
        return None
