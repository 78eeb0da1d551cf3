"""A bounded schemathesis run over the whole API (issue 12.2): every operation of
/api/v1/openapi.json, called anonymously, with a resident's token and with a staff member's
token, with generated parameters and bodies. Any 5xx, or an answer that breaks the published
schema (status, content type, body), fails the suite.

``SCHEMATHESIS_EXAMPLES`` (default 12) sets the examples per operation and identity; the
default keeps the run to a couple of minutes on two cores.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cityhall.accounts.models import Role
from cityhall.accounts.tokens import create_api_token
from cityhall.wsgi import application
from tests.factories import MembershipFactory, UserFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def identities(db, settings):
    settings.STAFF_REQUIRE_OTP = False
    resident = UserFactory()
    staff = MembershipFactory(role=Role.DISPATCHER).user
    # The WSGI application closes the connection after each request; inside the test's
    # transaction it must stay open (Django's test client does the same).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {
        "anonymous": {},
        "resident": {"Authorization": f"Bearer {create_api_token(user=resident, name='st')}"},
        "staff": {"Authorization": f"Bearer {create_api_token(user=staff, name='st')}"},
    }
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_operation_answers_5xx_or_breaks_its_schema(case, identities):
    for headers in identities.values():
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)
