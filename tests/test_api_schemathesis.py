"""Every operation of /api/v1/openapi.json, fed what schemathesis generates from the schema (valid
and invalid data), answers below 500 for each role's API token.

Bounded for CI: a few examples per operation, derandomized (the same cases on every run), no
example database, no shrinking; each case is sent once per role. A 5xx is collected with its
curl line, so one run lists every server error at once.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode

from config.wsgi import application
from qiangji.accounts.services import api_token_issue

pytestmark = pytest.mark.fuzz

ROLES = ("town_admin", "secretary_a", "member", "visitor", "liaison")
MAX_EXAMPLES = 8

# The app serves its own schema; loading it touches no table.
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}


@pytest.fixture
def tokens(users):
    return {role: f"Bearer {api_token_issue(user=users[role], name='接口模糊测试')[1]}" for role in ROLES}


@pytest.fixture
def in_test_transaction():
    """A WSGI call ends with close_old_connections, which would close the test's connection in the
    middle of its transaction; Django's test client unhooks it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_schema_lists_every_router():
    assert len(OPERATIONS) > 100
    assert "GET /api/v1/visit-tasks/{task_id}" in OPERATIONS


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_error(label, tokens, in_test_transaction):
    operation = OPERATIONS[label]
    strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    names = [p.name for p in operation.path_parameters]
    if names:
        # Random ids almost never exist; small ones do (the town's organizations, its first member).
        strategies.append(
            st.integers(1, 3).flatmap(
                lambda pk: operation.as_strategy(GenerationMode.POSITIVE, path_parameters=dict.fromkeys(names, pk))
            )
        )
    strategy = st.one_of(strategies)
    failures = []

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        for role, header in tokens.items():
            response = case.call(app=application, headers={"Authorization": header})
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except (AssertionError, FailureGroup):
                failures.append(f"{role}: {response.status_code} ← {case.as_curl_command()}")

    run()
    assert failures == []
