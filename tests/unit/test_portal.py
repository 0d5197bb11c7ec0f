"""The portal's own logic without services: reading both error shapes, choosing the page's
language, turning ID-token claims into a person, CSRF and the session cookie."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.portal.adapters.problems import problem_of
from services.portal.bootstrap import build_app
from services.portal.config import PortalSettings
from services.portal.web.i18n import browser_language, load_translations, page_language
from services.portal.web.operator import gauges_of
from services.portal.web.signin import person_from_claims


def test_reads_an_rfc9457_problem_with_field_errors() -> None:
    problem = problem_of(
        422,
        {
            "type": "https://etwinning.example/problems/invalid-request",
            "title": "Invalid request",
            "status": 422,
            "detail": "the request is not valid",
            "code": "invalid_request",
            "errors": [{"field": "body.pupil_count", "message": "must be at least 0"}],
        },
    )
    assert (problem.code, problem.status, problem.detail) == (
        "invalid_request",
        422,
        "the request is not valid",
    )
    assert problem.fields == {"pupil_count": "must be at least 0"}


def test_reads_the_older_error_body_and_keeps_its_figures() -> None:
    problem = problem_of(
        409,
        {
            "error": {
                "code": "quota_reached",
                "message": "no nomination left",
                "rule": "R-EQL-4",
                "quota": 0,
                "fields": [{"field": "body.project_id", "message": "taken"}],
            }
        },
    )
    assert (problem.code, problem.rule, problem.extra["quota"]) == ("quota_reached", "R-EQL-4", 0)
    assert problem.fields == {"project_id": "taken"}


def test_a_problem_without_code_takes_it_from_its_type() -> None:
    body = {"type": "https://x.example/problems/not-eligible", "title": "t", "status": 409}
    assert problem_of(409, body).code == "not_eligible"
    assert problem_of(502, "<html>bad gateway</html>").code == "unexpected_answer"


@pytest.mark.parametrize(
    ("chosen", "profile", "header", "expected"),
    [
        ("it", "es", "de-DE,de;q=0.9", "it"),
        (None, "es", "de-DE,de;q=0.9", "es"),
        (None, None, "pt-PT,pt;q=0.9,en;q=0.5", "pt"),
        (None, None, "nl-NL, fr;q=0.4", "fr"),
        (None, None, "ja", "en"),
        (None, None, None, "en"),
    ],
)
def test_page_language(
    chosen: str | None, profile: str | None, header: str | None, expected: str
) -> None:
    assert page_language(chosen, profile, header) == expected


def test_catalogs_translate_every_language() -> None:
    translations = load_translations()
    assert set(translations) == {"en", "es", "pt", "tr", "fr", "de", "it", "ca"}
    assert translations["tr"].gettext("Sign in") == "Giriş yap"
    assert translations["en"].gettext("status.VALIDATED") == "Validated"
    assert browser_language("ca-ES") == "ca"


def test_claims_become_a_person() -> None:
    nso = person_from_claims({"sub": "n1", "role": "nso", "country": "ES", "name": "Carmen"})
    assert (nso.role, nso.country, nso.name) == ("nso", "ES", "Carmen")
    css = person_from_claims({"sub": "c1", "groups": ["/staff", "/css"]})
    assert css.role == "css"
    newcomer = person_from_claims({"sub": "x", "email": "x@example.org", "locale": "pt-BR"})
    assert (newcomer.role, newcomer.language) == ("applicant", "pt")


def test_gauges_of_a_metrics_page() -> None:
    text = '# HELP x\netwinning_outbox_pending 3.0\netwinning_dead_letters_total{queue="a"} 2\n'
    assert gauges_of(text) == {"etwinning_outbox_pending": 3.0, "etwinning_dead_letters_total": 2.0}


def test_forms_need_the_session_csrf_token_and_the_cookie_is_httponly() -> None:
    client = TestClient(build_app(PortalSettings(session_store="memory")))
    page = client.get("/")
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    refused = client.post("/language", data={"language": "de", "next": "/"})
    assert refused.status_code == 403
    switched = client.post("/language", data={"language": "de", "next": "/", "csrf_token": token})
    assert switched.status_code == 200 and 'lang="de"' in switched.text
    assert (
        client.get("/teacher", follow_redirects=False).headers["location"] == "/login?next=/teacher"
    )


def test_every_text_of_the_pages_is_in_every_catalog() -> None:
    """A new `_("...")` in a template or page handler needs its line in each .po file; keyed
    texts (`status.X`, `notice.x`) need one in the English catalog too."""
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2] / "services" / "portal"
    used = set()
    for path in [*root.glob("templates/**/*.html"), *root.glob("web/*.py")]:
        used |= set(re.findall(r"""_\(["']([^"'~]+?)["'][,)]""", path.read_text()))
    used.discard("")
    for language in ("es", "pt", "tr", "fr", "de", "it", "ca"):
        po = root / "locales" / language / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as handle:
            catalog = read_po(handle)
        translated = {str(message.id) for message in catalog if message.id and message.string}
        missing = sorted(used - translated)
        assert not missing, f"{language}: {missing[:5]}"


def test_discovery_is_read_from_the_back_channel_url_when_set() -> None:
    from services.portal.web.signin import discovery_url

    public = PortalSettings(oidc_issuer="http://localhost:8080/realms/etwinning")
    assert discovery_url(public) == (
        "http://localhost:8080/realms/etwinning/.well-known/openid-configuration"
    )
    inside = PortalSettings(
        oidc_issuer="http://localhost:8080/realms/etwinning",
        oidc_discovery_url="http://keycloak:8080/realms/etwinning/.well-known/openid-configuration",
    )
    assert discovery_url(inside).startswith("http://keycloak:8080/")


async def test_the_ttl_cache_keeps_only_what_it_may() -> None:
    from services.portal.adapters.cache import TtlCache

    cache, reads = TtlCache(60), []

    async def read(value: dict[str, str]) -> dict[str, str]:
        reads.append(value)
        return value

    waiting = {"status": "WAITING_FOR_VALIDATION"}
    validated = {"status": "VALIDATED"}
    keep = lambda found: found["status"] == "VALIDATED"  # noqa: E731
    assert await cache.get_or_read("t", lambda: read(waiting), keep=keep) == waiting
    assert await cache.get_or_read("t", lambda: read(validated), keep=keep) == validated
    assert await cache.get_or_read("t", lambda: read(waiting), keep=keep) == validated
    assert reads == [waiting, validated]  # the third came from the cache
    assert TtlCache(0).get("t") is None
