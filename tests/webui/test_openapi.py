"""The API's OpenAPI 3.1 description: valid, served, and true — schemathesis calls every
operation with generated requests: no server error, every response as described."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis import checks

from tests.fuzzing import examples
from tests.webui.conftest import TEST_CONFIG, make_users
from webui import create_app
from webui.db.accounts import find_account, new_token
from webui.db.transaction import writing


def test_the_description_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert set(document["paths"]) == {"/api/v1/evaluate", "/api/v1/explain/{target}",
                                      "/api/v1/what-if", "/api/v1/knowledge",
                                      "/api/v1/openapi.json", "/api/v1/training-needs"}



# An in-memory database and a given key: the instance folder stays empty, and is removed.
_INSTANCE = tempfile.mkdtemp(prefix="kinerja-api-")
atexit.register(shutil.rmtree, _INSTANCE, True)
API_APP = create_app(TEST_CONFIG, instance_path=Path(_INSTANCE))
make_users(API_APP)
with API_APP.app_context(), writing():  # the API needs a token (issue 7)
    AUTHORIZATION = {"Authorization": f"Bearer {new_token(find_account('pelatih'))}"}
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", API_APP, headers=AUTHORIZATION)


CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance]


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=examples(ci=60, dev=20), deadline=None,
          suppress_health_check=list(HealthCheck))
def test_schemathesis_finds_no_server_error_and_only_described_responses(case):
    # identity: the WSGI transport does not undo the gzip Flask-Compress applies
    case.call_and_validate(headers={"Accept-Encoding": "identity", **AUTHORIZATION},
                           checks=CHECKS)
