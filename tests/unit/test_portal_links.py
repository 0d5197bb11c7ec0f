"""Every link a notice carries opens a page of the portal (issue 15 §14, issue 17): the paths
of notifications' action_links.toml, and the links awards writes into its events (the School
Label head's confirmation, certificates) with awards' public URL set to the portal's; and
every notice that asks its reader to act carries one of those links."""

from __future__ import annotations

from string import Formatter

import pytest
from starlette.routing import Match, Mount

from services.awards.eql.service_layer.use_cases import certificate_urls
from services.awards.school_label.service_layer.use_cases import head_confirmation_url
from services.notifications.adapters.action_links import load_action_links
from services.notifications.adapters.rules_file import load_rules
from services.notifications.adapters.templates import TEMPLATES
from services.portal.bootstrap import build_app
from services.portal.config import PortalSettings

LINKS = load_action_links("")
APP = build_app(PortalSettings(session_store="memory"))
SAMPLE = "sample-id-0123456789abcdef"  # long enough for the services' token bounds

# Notices that tell, and ask nothing of their reader (a test of its own: a new notice must be
# placed here or given a link). Links that awards builds itself are named by their field.
TELLS_ONLY = {
    "cofounder_accepted", "cofounder_declined", "job_finished", "nql_granted", "partner_joined",
    "prize_won", "project_activated", "project_completed", "project_rejected", "project_withdrawn",
    "school_label_granted", "school_label_refused", "teacher_validated",
}  # fmt: skip
# Asks to act, but the portal has no page for the act yet: listed so a gap is seen, not hidden
# among the notices that only tell.
NO_PORTAL_PAGE_YET: set[str] = set()
OWN_LINK_FIELDS = ("$confirm_url", "$download_url", "$verification_url")


def served_by_portal(path: str, method: str = "GET") -> bool:
    scope = {"type": "http", "path": path, "method": method, "root_path": ""}
    return any(
        route.matches(scope)[0] is Match.FULL
        for route in APP.router.routes
        if not isinstance(route, Mount) and getattr(route, "path", None) != "/openapi.json"
    )


def sample_path(template: str) -> str:
    names = {name for _, name, _, _ in Formatter().parse(template) if name}
    return template.format(**dict.fromkeys(names, SAMPLE))


@pytest.mark.parametrize(("notice", "path"), sorted(LINKS.paths.items()))
def test_each_action_link_is_a_portal_page(notice: str, path: str) -> None:
    assert served_by_portal(sample_path(path)), f"{notice}: the portal serves no GET {path}"


@pytest.mark.parametrize(
    "url",
    [
        head_confirmation_url("", SAMPLE),
        *certificate_urls(SAMPLE, SAMPLE, ""),
        "/nql/applications/sample/certificate.pdf",  # nql certificate_paths' shape
        f"/certificates/{SAMPLE}",
    ],
)
def test_links_awards_writes_into_its_events_are_portal_pages(url: str) -> None:
    assert served_by_portal(url), f"the portal serves no GET {url}"


def test_the_head_confirmation_pages_post_where_the_head_confirms() -> None:
    assert served_by_portal(f"/head-confirmations/{SAMPLE}", "POST")
    assert served_by_portal(head_confirmation_url("", SAMPLE), "POST")


def test_every_notice_that_asks_to_act_carries_a_link() -> None:
    rules = load_rules()
    for template in sorted(rules.templates()):
        text = (TEMPLATES / "en" / f"{template}.txt").read_text(encoding="utf-8")
        linked = "$action_url" in text or any(field in text for field in OWN_LINK_FIELDS)
        if template in TELLS_ONLY | NO_PORTAL_PAGE_YET:
            assert not linked or template not in NO_PORTAL_PAGE_YET, f"{template}: has a link now"
            continue
        assert linked, f"{template} asks its reader to act but carries no link"
        if "$action_url" in text:
            assert template in LINKS.paths, f"{template} offers $action_url without a path"


def test_the_portal_pages_of_a_head_need_no_sign_in() -> None:
    from fastapi.testclient import TestClient

    client = TestClient(APP)
    page = client.get(f"/head-confirmations/{SAMPLE}", follow_redirects=False)
    assert page.status_code == 200, page.headers.get("location")
    assert f'action="/head-confirmations/{SAMPLE}"' in page.text


def test_the_school_label_head_reads_the_declaration_and_confirms_it_on_the_portal() -> None:
    """Awards' two head routes stood in for by a small ASGI app (the portal's own logic: what
    it shows, and that the confirm button posts to awards without any sign-in)."""
    import httpx
    from fastapi import FastAPI, HTTPException
    from fastapi.testclient import TestClient

    confirmed: list[str] = []
    awards = FastAPI()
    waiting = {
        "application_id": "sl-1", "school_name": "Escola da Batalha", "year": 2026,
        "round": "2026", "head_name": "Rui Costa", "status": "AWAITING_HEAD",
        "statement": "I declare on my honour that the school meets the criteria.",
    }  # fmt: skip

    @awards.get("/school-label/head-confirmations/{token}")
    async def show(token: str) -> dict[str, object]:
        if token != SAMPLE:
            raise HTTPException(404)
        return waiting | {"status": "SUBMITTED" if confirmed else "AWAITING_HEAD"}

    @awards.post("/school-label/head-confirmations/{token}")
    async def confirm(token: str) -> dict[str, object]:
        confirmed.append(token)
        return waiting | {"status": "SUBMITTED"}

    app = build_app(PortalSettings(session_store="memory"))
    app.state.portal.platform._clients["awards"] = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=awards), base_url="http://awards"
    )
    client = TestClient(app)
    path = head_confirmation_url("", SAMPLE)
    page = client.get(path)
    assert page.status_code == 200
    assert "Escola da Batalha" in page.text and "on my honour" in page.text
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    done = client.post(path, data={"csrf_token": token})
    assert done.status_code == 200 and confirmed == [SAMPLE]
    assert "goes to your National Support Organisation" in done.text
    assert f'action="{path}"' not in done.text  # nothing left to confirm
    assert client.get(head_confirmation_url("", "another-token-0123456789")).status_code == 404


def test_the_eligibility_notices_page_sends_the_teachers_application_to_awards() -> None:
    """A signed-in teacher (put into the portal's memory session store) applies; awards' route
    stood in for: the body it gets, and a refusal shown with what was typed kept."""
    import asyncio

    import httpx
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse
    from fastapi.testclient import TestClient

    from services.portal.adapters.sessions import Person

    received: list[dict[str, object]] = []
    awards = FastAPI()

    @awards.post("/school-label/applications")
    async def apply(body: dict[str, object]) -> JSONResponse:
        received.append(body)
        if len(received) == 1:
            problem = {"type": "https://x.example/problems/school-not-eligible", "status": 409,
                       "title": "Not eligible", "code": "school_not_eligible"}  # fmt: skip
            return JSONResponse(problem, status_code=409)
        return JSONResponse({"id": "sl-1", "status": "AWAITING_HEAD"}, status_code=201)

    app = build_app(PortalSettings(session_store="memory"))
    portal = app.state.portal
    portal.platform._clients["awards"] = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=awards), base_url="http://awards"
    )
    client = TestClient(app)
    client.get("/")
    [(session_id, _)] = portal.sessions._sessions.items()
    session = asyncio.run(portal.sessions.load(session_id))
    session.person = Person("t1", "Rui", None, "teacher", teacher_id="t-pt", country="PT")
    asyncio.run(portal.sessions.save(session))
    path = LINKS.paths["school_label_eligible"].format(year=2026, school_id="s-pt")
    page = client.get(path)
    assert page.status_code == 200 and f'action="{path}"' in page.text
    fields = {"csrf_token": session.csrf_token, "head_name": "Rui Costa", "statement": "Clubs"}
    refused = client.post(path, data=fields)
    assert refused.status_code == 422 and 'value="Rui Costa"' in refused.text
    done = client.post(path, data=fields)
    assert done.status_code == 200 and "asked by e-mail" in done.text
    assert received[-1] == {"school_id": "s-pt", "year": 2026, "head_name": "Rui Costa",
                            "statement": "Clubs"}  # fmt: skip
