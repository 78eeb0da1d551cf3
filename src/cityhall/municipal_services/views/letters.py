"""The letter a service centre prints for an applicant who cannot sign in (registered from a
paper form): the application's status in words, the reasons, and where to collect the result.
The operator who registered the application is asked to print it when there is news
(``notices.LETTER_TO_PRINT``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from .. import notices, selectors
from .common import domain_errors


@login_required
@domain_errors
def application_letter(request, pk):
    """For the department's staff, the operator who registered the application and the
    applicant: the letter in the applicant's language."""
    application = selectors.application_for(request.user, pk)
    language = application.language or application.applicant.preferred_language
    reasons = (
        application.return_reasons
        if application.status == "returned"
        else application.decision_reasons
        if application.status == "refused"
        else []
    )
    return render(
        request,
        "municipal_services/letter.html",
        {
            "application": application,
            "applicant": application.applicant,
            "service_title": application.service.title(language),
            "text": notices.applicant_text(application, application.status, language),
            "reasons": reasons,
            "result": getattr(application, "result", None),
            "today": timezone.localdate(),
            "letter_language": language,
        },
    )
