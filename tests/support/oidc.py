"""The local OpenID Connect provider (tools/oidc_provider.py) as pytest fixtures.

`oidc_provider` is one provider process per test session (users are cheap: give each test its
own subjects); `fresh_oidc_provider` is one per test, for tests that rotate its key;
`start_oidc_provider(**options)` starts more (another audience, short-lived tokens), all
stopped when the test ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tools.oidc_provider import DEFAULT_AUDIENCE, RunningProvider, running_provider

__all__ = [
    "DEFAULT_AUDIENCE",
    "RunningProvider",
    "fresh_oidc_provider",
    "oidc_provider",
    "start_oidc_provider",
]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProvider]:
    log = Path(tmp_path_factory.mktemp("oidc")) / "provider.log"
    with running_provider(log=log) as provider:
        yield provider


@pytest.fixture
def fresh_oidc_provider(tmp_path: Path) -> Iterator[RunningProvider]:
    with running_provider(log=tmp_path / "provider.log") as provider:
        yield provider


def provider_log(tmp_path: Path) -> str:
    """What `fresh_oidc_provider` logged (its request lines: `GET /jwks`...)."""
    return (tmp_path / "provider.log").read_text()


@pytest.fixture
def start_oidc_provider(tmp_path: Path) -> Iterator[Callable[..., RunningProvider]]:
    with ExitStack() as stack:

        def start(**options: Any) -> RunningProvider:
            log = tmp_path / f"provider-{uuid.uuid4().hex[:6]}.log"
            return stack.enter_context(running_provider(log=log, **options))

        yield start


def new_subject(label: str) -> str:
    """A subject no other test uses, as providers hand out opaque stable ids."""
    return f"{label}-{uuid.uuid4().hex[:8]}"
