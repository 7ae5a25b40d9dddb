"""tests/api: every answer an API test gets must be what /api/openapi.json says."""

import pytest

from tests.api.openapi_check import CheckedClient


@pytest.fixture(autouse=True)
def _answers_match_the_openapi_document(request):
    for name in ("app", "file_app"):
        if name in request.fixturenames:
            request.getfixturevalue(name).test_client_class = CheckedClient
