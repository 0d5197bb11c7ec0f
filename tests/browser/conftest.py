"""Browser tests: Debian's Chromium driven by Playwright against the whole platform as real
processes (tests/support/portal_stack.py); every main page gets an axe-core check."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.portal_stack import PortalStack, portal_stack

ROOT = Path(__file__).resolve().parents[2]
# The README's screenshots and accessibility counts; refreshed only on request
# (UPDATE_SCREENSHOTS=1), so that a test run leaves the repository's files as they were.
DOCUMENTED = ROOT / "docs" / "portal"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ACCESSIBILITY: dict[str, dict[str, int]] = {}
_artefacts: list[Path] = []  # where this session writes screenshots (set once, below)


@pytest.fixture(scope="session", autouse=True)
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """docs/portal with UPDATE_SCREENSHOTS=1, else a directory of the session's own."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        where = DOCUMENTED
        where.mkdir(parents=True, exist_ok=True)
    else:
        where = tmp_path_factory.mktemp("portal-screenshots")
    _artefacts[:] = [where]
    return where


# Package scope, not session: Playwright's sync API runs an event loop of its own in this
# thread while it is open, and pytest-asyncio's session loop cannot run beside it, so the
# browser (and the stack it drives) must be gone before the async tests that follow.
@pytest.fixture(scope="package")
def stack(mongodb_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalStack]:
    with portal_stack(mongodb_url, tmp_path_factory.mktemp("portal-stack")) as running:
        yield running


@pytest.fixture(scope="package")
def browser(artefacts: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    (artefacts / "accessibility.json").write_text(
        json.dumps(ACCESSIBILITY, indent=2, sort_keys=True) + "\n"
    )


def new_page(browser: Browser, locale: str = "en-GB") -> Page:
    context = browser.new_context(locale=locale, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15_000)
    return context.new_page()


def sign_in(page: Page, stack: PortalStack, subject: str) -> None:
    page.goto(f"{stack.portal_url}/login")
    page.fill("input[name=sub]", subject)
    page.get_by_role("button", name="Authorize").first.click()
    page.wait_for_url(f"{stack.portal_url}/**")


_axe = Axe()


def check_accessibility(page: Page, name: str) -> None:
    """No serious or critical axe-core violation on this page; counts kept for the README."""
    results: Any = _axe.run(page)
    violations = results.response["violations"]
    by_impact: dict[str, int] = {}
    for violation in violations:
        impact = violation.get("impact") or "unknown"
        by_impact[impact] = by_impact.get(impact, 0) + 1
    ACCESSIBILITY[name] = by_impact
    bad = [v for v in violations if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in bad
    )


def screenshot(page: Page, name: str) -> None:
    page.screenshot(path=str(_artefacts[0] / f"{name}.png"), full_page=True)
