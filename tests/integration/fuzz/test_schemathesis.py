"""Schemathesis against every service, served for real (uvicorn, SecantusDB, RabbitMQ): each
operation of each OpenAPI document gets generated requests, and every answer must be a
non-5xx that matches what the document declares for its status (error problems included),
with the declared content type.

Bounded: FUZZ_EXAMPLES examples per operation (default 6; `bench/fuzz_http.py` runs more
and prints the figures), no shrinking, no deadline. The tally is printed at the end."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.awards.bootstrap import build_app as awards_app
from services.awards.config import AwardsSettings
from services.notifications.bootstrap import build_app as notifications_app
from services.notifications.config import NotificationsSettings
from services.projects.bootstrap import build_app as projects_app
from services.projects.config import ProjectsSettings
from services.registration.bootstrap import build_app as registration_app
from services.registration.config import RegistrationSettings
from tests.support.fuzzing import TALLY, allowed_roles, free_port, served, settings_for
from tests.support.servers import Vhost

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
BUILDERS: dict[str, Callable[[dict[str, Any]], FastAPI]] = {
    "registration": lambda s: registration_app(RegistrationSettings(**s)),
    "projects": lambda s: projects_app(ProjectsSettings(**s)),
    "awards": lambda s: awards_app(AwardsSettings(**s)),
    "notifications": lambda s: notifications_app(NotificationsSettings(**s)),
}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Not fuzzed: pages and documents that are not operations of the API (their content is
# checked by their own tests), and the Prometheus text.
SKIPPED_PATHS = ("/docs", "/redoc", "/asyncapi", "/metrics", "/openapi.json")


@pytest.fixture(scope="module")
def fuzz_vhost() -> Iterator[Vhost]:
    created = Vhost.create()
    yield created
    created.delete()


@pytest.fixture(scope="module")
def running_services(fuzz_vhost: Vhost, mongodb_url: str) -> Iterator[dict[str, str]]:
    prefix = f"fz{uuid.uuid4().hex[:8]}"
    urls: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        for name, build in BUILDERS.items():
            app = build(settings_for(name, fuzz_vhost.url, mongodb_url, prefix))
            urls[name] = stack.enter_context(served(app, free_port()))
            TALLY.services[urls[name]] = name
            TALLY.roles[name] = allowed_roles(app)
        yield urls
    print(f"\n{TALLY.summary()}")
    if report := os.environ.get("FUZZ_REPORT"):  # bench/fuzz_http.py reads it
        Path(report).write_text(json.dumps(TALLY.as_json()))
    for example in TALLY.examples[:20]:
        print(f"  {example}")


@pytest.mark.parametrize("service", list(BUILDERS))
def test_no_input_makes_a_service_fail_or_answer_off_its_document(
    service: str, running_services: dict[str, str]
) -> None:
    url = running_services[service]
    loaded: Any = schemathesis.openapi.from_url(f"{url}/openapi.json")
    loaded.config.base_url = url
    schema: Any = loaded.exclude(path_regex="^(" + "|".join(SKIPPED_PATHS) + ")")
    findings: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        # Positive cases (valid by the document: they reach the rules and the database) and
        # negative ones (each violating it somewhere: they must be refused as declared).
        cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )

        @given(case=cases)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def exercise(case: Any) -> None:
            caller = TALLY.caller(service, case.method, case.operation.path)
            case.headers = {**dict(case.headers or {}), **caller}
            response = case.call(timeout=30)
            TALLY.record(service, case.method, case.path, response.status_code)
            case.validate_response(response, checks=CHECKS)

        try:
            exercise()
        except Exception as failure:  # one finding per operation, the others still run
            findings.append(f"{operation.method.upper()} {operation.path}: {failure}"[:2000])
    assert operations > 5
    assert not findings, "\n\n".join(findings)
