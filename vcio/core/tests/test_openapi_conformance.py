"""The OpenAPI schema tells the truth: every read operation, fuzzed with schemathesis.

Each GET operation of the published schema is called with a few generated
examples (as a practice owner, over a client holding a row of every model)
and every response must match the schema: no 500, the documented content
type, and a body valid against the operation's response schema (nulls only
where the schema says nullable, numbers where it says number). Writes are
left out: a fuzzer deleting the fixture proves nothing. The example count
is kept small so the walk stays fast enough for CI.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from vcio.assessments.tests.isolation import assessment_rows_for
from vcio.assets.tests.factories import asset_rows_for
from vcio.availability.tests.isolation import availability_rows_for
from vcio.core import audit
from vcio.core.models import Department
from vcio.core.tests.factories import make_token
from vcio.helpdesk.tests.isolation import helpdesk_rows_for
from vcio.needs.tests.isolation import needs_rows_for
from vcio.practice.tests.isolation import practice_rows_for
from vcio.reviews.tests.factories import review_rows_for
from vcio.strategy.tests.factories import strategy_rows_for

EXAMPLES_PER_OPERATION = 2
# Not JSON operations: the browser docs page and the schema itself (YAML by default).
NOT_JSON = ["/api/docs/", "/api/schema/"]


@pytest.fixture
def owner_token(alice) -> str:
    _, key = make_token(alice, name="conformance")
    return key


@pytest.fixture
def keep_test_connection():
    """Requests through the bare WSGI app, without closing the test's database connection.

    Django closes "old" connections when a request starts and ends; its test
    client switches that off, the bare WSGI application does not. On
    PostgreSQL that closed the connection holding the test's transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(acme, globex, alice, bob, owner_token, keep_test_connection):
    from vcio.wsgi import application

    audit.record_create(bob, Department.objects.get(client=acme))
    audit.record_create(alice, alice)  # a practice-wide event: no client
    asset_rows_for(acme, "x")
    availability_rows_for(acme, "x")
    strategy_rows_for(acme, "x")
    helpdesk_rows_for(acme, "x")
    review_rows_for(acme, "x", bob)
    assessment_rows_for(acme, "x", bob)
    needs_rows_for(acme, "x", bob)  # a survey round, invitations, answers, a need
    practice_rows_for(acme, "x", bob)  # a fee change, a cost rate, a time entry
    loaded = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json",
        application,
        headers={"Authorization": f"Bearer {owner_token}"},
    )
    return loaded.include(method="GET").exclude(path=NOT_JSON)


def test_every_read_operation_answers_as_the_schema_says(api_schema, owner_token):
    # One test over every operation: the fixture (rows, schema) is built once, not per
    # operation, which keeps the walk within a CI budget.
    headers = {"Authorization": f"Bearer {owner_token}"}
    checks = [not_a_server_error, content_type_conformance, response_schema_conformance]
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case) -> None:
            case.call_and_validate(headers=headers, checks=checks)

        try:
            conforms()
        except Exception as exc:  # noqa: BLE001 - every operation's failure is listed
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert len(operations) >= 40
    assert not failures, "\n\n".join(failures)
