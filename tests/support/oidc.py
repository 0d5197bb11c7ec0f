"""The local OpenID Connect provider (tools/oidc_provider.py) as pytest fixtures.

`oidc_provider` is one provider process per test session (users are cheap: give each test its
own subjects); `fresh_oidc_provider` is one per test, for tests that rotate its key.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.oidc_provider import DEFAULT_AUDIENCE, RunningProvider, running_provider

__all__ = ["DEFAULT_AUDIENCE", "RunningProvider", "fresh_oidc_provider", "oidc_provider"]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProvider]:
    log = Path(tmp_path_factory.mktemp("oidc")) / "provider.log"
    with running_provider(log=log) as provider:
        yield provider


@pytest.fixture
def fresh_oidc_provider(tmp_path: Path) -> Iterator[RunningProvider]:
    with running_provider(log=tmp_path / "provider.log") as provider:
        yield provider


def new_subject(label: str) -> str:
    """A subject no other test uses, as providers hand out opaque stable ids."""
    return f"{label}-{uuid.uuid4().hex[:8]}"
