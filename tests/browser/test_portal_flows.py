"""Each role's main flow through the portal in a real browser, ending on what the other side
sees: the NSO validates → the teacher's page says validated; the NSO grants → the teacher's
inbox and the caught mail link to the certificate; the CSS opens the round → the NSO sees its
candidates and nominates → the CSS sees the nomination; the operator sees every service."""

from __future__ import annotations

import asyncio
import re
import threading
import uuid
from typing import Any

import aio_pika
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import check_accessibility, new_page, screenshot, sign_in
from tests.support.portal_stack import PortalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]
RUN = uuid.uuid4().hex[:6]
people: dict[str, Any] = {}


def _teacher_via_api(stack: PortalStack, subject: str, country: str, name: str, school: str) -> str:
    """A validated teacher registered through the APIs by their own provider account (so the
    services know the account as that teacher)."""
    email = f"{name.split()[0].lower()}.{RUN}@example.org"
    stack.set_user(subject, name=name, email=email, groups=[], locale="pt-PT")
    applicant = {"as_user": subject}
    created = stack.api(
        "registration",
        "POST",
        "/schools",
        json={"name": f"{school} {RUN}", "town": "Batalha", "country": country},
        **applicant,
    )
    teacher = stack.api(
        "registration",
        "POST",
        "/teachers",
        json={
            "name": name,
            "email": email,
            "role": "teacher",
            "language": "pt",
            "school_id": created["id"],
            "subjects": ["computer science"],
            "languages": ["en"],
        },
        **applicant,
    )
    stack.api(
        "registration",
        "POST",
        f"/teachers/{teacher['id']}/validation",
        role="nso",
        subject=f"nso:{country}",
        country=country,
    )
    return str(teacher["id"])


def test_teacher_registers_and_the_nso_validates(stack: PortalStack, browser: Browser) -> None:
    stack.set_user(f"lucia-{RUN}", name="Lucía Martínez", email=f"lucia.{RUN}@example.org")
    stack.set_user("nso-es", name="Carmen (NSO Spain)", groups=["nso-ES"])
    teacher = new_page(browser, locale="es-ES")
    sign_in(teacher, stack, f"lucia-{RUN}")
    expect(teacher).to_have_url(re.compile(r"/register"))
    # First registration: the school is not there yet, so the teacher creates it.
    teacher.get_by_label(re.compile("Nombre del centro|School name")).first.fill(
        f"IES Severo {RUN}"
    )
    teacher.locator("#f-country").fill("ES")
    teacher.locator("form[action='/register'] button[type=submit]").first.click()
    teacher.locator("details summary").click()
    teacher.locator("#f-school_name").fill(f"IES Severo Ochoa {RUN}")
    teacher.locator("#f-school_town").fill("Elx")
    teacher.locator("#f-school_country").fill("ES")
    teacher.locator("form[action='/register/school'] button").click()
    expect(teacher.locator("input[name=school_id][type=radio]:checked")).to_have_count(1)
    teacher.locator("form[method=get] button[type=submit]").last.click()
    check_accessibility(teacher, "teacher: registration")
    # A bad address: the service's problem shows by the form; what was typed stays.
    teacher.locator("#f-teacher_name").fill("Lucía Martínez")
    teacher.locator("#f-email").fill("not-an-address")
    teacher.locator("#f-subjects").fill("computer science, maths")
    teacher.evaluate("document.querySelector('#f-email').type = 'text'")
    teacher.locator("form[action='/register'][method=post] button").click()
    expect(teacher.locator("#register-problem")).to_be_visible()
    expect(teacher.locator("#f-subjects")).to_have_value("computer science, maths")
    teacher.locator("#f-email").fill(f"lucia.{RUN}@example.org")
    teacher.locator("form[action='/register'][method=post] button").click()
    expect(teacher).to_have_url(re.compile(r"/teacher$"))
    expect(teacher.locator("#teacher-status")).to_contain_text("validación")  # Spanish page
    people["lucia_page"] = teacher

    nso = new_page(browser)
    sign_in(nso, stack, "nso-es")
    expect(nso).to_have_url(re.compile(r"/nso$"))
    card = nso.locator(".card", has_text="Lucía Martínez")
    check_accessibility(nso, "nso: validation and approvals")
    screenshot(nso, "nso")
    card.get_by_role("button", name=re.compile("Validate")).click()
    expect(nso.locator(".notice")).to_be_visible()
    people["nso_page"] = nso

    teacher.reload()
    expect(teacher.locator("#teacher-status")).to_contain_text("Validad")
    teacher_id = teacher.locator("body").get_attribute("data-teacher-id")
    assert teacher_id
    people["lucia_id"] = teacher_id


def test_teacher_runs_a_project_and_the_nso_grants_the_label(
    stack: PortalStack, browser: Browser
) -> None:
    lucia: Page = people["lucia_page"]
    nso: Page = people["nso_page"]
    joao_id = _teacher_via_api(
        stack, f"joao-{RUN}", "PT", "João Ferreira", "Escola Básica da Batalha"
    )
    lucia.goto(f"{stack.portal_url}/partners?country=PT&subject=computer+science")
    check_accessibility(lucia, "teacher: partner search")
    lucia.get_by_role("link", name=re.compile("João Ferreira")).click()
    lucia.locator("#f-title").fill(f"NETWORK {RUN}")
    lucia.locator("#f-description").fill("Pupils in Elx and Batalha build and compare networks.")

    def proposed() -> bool:
        # Projects learns of validations through events: until it has, the portal shows the
        # refusal next to the form and keeps what was typed, so submitting again is enough.
        lucia.locator("form[action='/projects/new'] button").click()
        lucia.wait_for_load_state()
        if "/projects/new" in lucia.url:
            expect(lucia.locator("#f-title")).to_have_value(f"NETWORK {RUN}")
            return False
        return True

    stack.eventually(proposed, what="projects accepts the proposal")
    expect(lucia.locator("#project-status")).to_contain_text(re.compile("cofundador|co-founder"))
    project_id = lucia.url.rstrip("/").rsplit("/", 1)[-1]

    joao = new_page(browser, locale="pt-PT")
    sign_in(joao, stack, f"joao-{RUN}")
    joao.get_by_role("button", name="Aceitar como cofundador").click()
    expect(joao.locator("#project-status")).to_contain_text("NSO")

    nso.goto(f"{stack.portal_url}/nso")
    nso.locator(".card", has_text=f"NETWORK {RUN}").get_by_role("button", name="Approve").click()
    expect(nso.locator(".notice")).to_be_visible()
    stack.api(
        "projects",
        "POST",
        f"/projects/{project_id}/nso-decision",
        json={"approve": True},
        role="nso",
        subject="nso:PT",
        country="PT",
    )

    lucia.goto(f"{stack.portal_url}/projects/{project_id}")
    expect(lucia.locator("#project-status")).to_contain_text("Activo")
    # A refused value is shown next to its field, in the person's language, and kept.
    lucia.locator("#pupil-count").fill("-3")
    lucia.get_by_role("button", name="Registrar alumnos").click()
    expect(lucia.locator("form[action$='/pupils'] .problem")).to_contain_text("no son válidos")
    expect(lucia.locator("#pupil-count")).to_have_value("-3")
    lucia.locator("#pupil-count").fill("24")
    lucia.get_by_role("button", name="Registrar alumnos").click()
    lucia.locator("#activity-title").fill("Cable a network between two classrooms")
    lucia.get_by_role("button", name="Registrar actividad").click()
    check_accessibility(lucia, "teacher: project")
    lucia.get_by_role("button", name="Marcar como completado").click()
    expect(lucia.locator("#project-status")).to_contain_text("Completado")

    def nql_open() -> bool:
        lucia.goto(f"{stack.portal_url}/projects/{project_id}/nql")
        return lucia.locator("form[action$='/nql']").count() == 1

    stack.eventually(nql_open, what="the NQL form")
    stack.eventually(
        lambda: stack.api(
            "awards",
            "GET",
            f"/nql/applications?project_id={project_id}",
            role="operator",
            subject="operator:tests",
        ),
        what="awards opened the applications",
    )
    for checkbox in lucia.locator("fieldset").first.locator("input[type=checkbox]").all():
        checkbox.check()
    for area in lucia.locator("textarea").all():
        area.fill("We planned every activity together and our pupils published the results.")
    check_accessibility(lucia, "teacher: NQL application")
    lucia.get_by_role("button", name="Solicitar").click()
    expect(lucia.locator("#application-status")).to_contain_text("Enviada")
    application_id = lucia.url.rstrip("/").rsplit("/", 1)[-1]

    nso.goto(f"{stack.portal_url}/nso/nql")
    check_accessibility(nso, "nso: NQL queue")
    nso.get_by_role("link", name=f"NETWORK {RUN}").click()
    inputs = nso.locator("input[name^=score_]")
    for index in range(inputs.count()):
        inputs.nth(index).fill("99")
    nso.get_by_role("button", name="Submit the scores").click()
    expect(nso.locator("#evaluation-problem")).to_be_visible()
    expect(inputs.first).to_have_value("99")
    for index in range(inputs.count()):
        label = nso.locator(f"label[for='{inputs.nth(index).get_attribute('id')}']").inner_text()
        maximum = re.search(r"0\u2013(\d+)", label)
        assert maximum
        inputs.nth(index).fill(maximum.group(1))
    # The decision before submitting, computed by awards; the scores stay typed.
    nso.get_by_role("button", name="Preview the decision").click()
    expect(nso.locator("#decision-preview")).to_contain_text("Granted")
    expect(nso.locator("#application-status, h1").first).to_be_visible()
    assert inputs.first.input_value() != ""
    check_accessibility(nso, "nso: NQL evaluation")
    nso.get_by_role("button", name="Submit the scores").click()
    expect(nso.locator("#decision")).to_contain_text("Granted")

    # The teacher's side: the decision, the inbox, and the mail's link to the certificate.
    lucia.goto(f"{stack.portal_url}/nql/{application_id}")
    expect(lucia.locator("#decision")).to_contain_text("Concedido")

    def mail_with_certificate() -> str | None:
        for mail in stack.sink.mails:
            found = re.search(r"(http://\S+/certificate\.pdf)", mail.text)
            if found and application_id in found.group(1):
                return found.group(1)
        return None

    link = stack.eventually(mail_with_certificate, seconds=40, what="the certificate mail")
    assert link.startswith(stack.portal_url)
    pdf = lucia.request.get(link)
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    def inbox_has_label() -> bool:
        lucia.goto(f"{stack.portal_url}/inbox")
        return lucia.locator(".inbox .card.unread").count() > 0

    stack.eventually(inbox_has_label, what="the teacher's inbox")
    check_accessibility(lucia, "teacher: inbox")
    # Marked read in place (htmx): the item and the unread count change without a reload.
    unread_before = int(lucia.locator("#unread-count").inner_text())
    first = lucia.locator(".inbox .card.unread").first
    item_id = first.get_attribute("id")
    first.get_by_role("button", name="Marcar como leído").click()
    expect(lucia.locator(f"#{item_id}")).to_contain_text("Leído")
    expect(lucia.locator("#unread-count")).to_have_text(str(unread_before - 1))
    lucia.goto(f"{stack.portal_url}/teacher")
    expect(lucia.locator("#unread-count")).not_to_have_text("0")
    check_accessibility(lucia, "teacher: home")
    screenshot(lucia, "teacher")
    # The European Prizes page: an NQL is not an EQL, so nothing to enter yet.
    lucia.get_by_role("link", name="Premios Europeos").click()
    expect(lucia.locator("h1")).to_contain_text("Premios Europeos")
    expect(lucia.locator("#enter")).to_be_visible()
    check_accessibility(lucia, "teacher: prizes")
    people["project_id"] = project_id
    people["joao_id"] = joao_id


def test_css_runs_the_eql_round_and_the_nso_sees_its_candidates(
    stack: PortalStack, browser: Browser
) -> None:
    nso: Page = people["nso_page"]
    _partner_label_granted(stack)
    stack.set_user("css-1", name="Central Support Service", groups=["css"])
    css = new_page(browser)
    sign_in(css, stack, "css-1")
    expect(css).to_have_url(re.compile(r"/css$"))
    check_accessibility(css, "css: EQL round (before opening)")
    css.get_by_role("button", name="Open the EQL round").click()
    # Opening is a job: the page follows it until the round exists.
    expect(css.locator("#round")).to_contain_text("Open", timeout=60_000)
    check_accessibility(css, "css: EQL round")
    screenshot(css, "css")

    # The other side: the NSO sees the country's candidates with the quota, and a nomination
    # beyond the quota is refused next to the project with the rule and the figures.
    nso.goto(f"{stack.portal_url}/nso/eql")
    expect(nso.locator("#quota")).to_be_visible()
    check_accessibility(nso, "nso: EQL candidates")
    row = nso.locator("tr", has_text=f"NETWORK {RUN}")
    expect(row).to_be_visible()
    row.get_by_role("button", name="Nominate").click()
    refusal = nso.locator("tr", has_text=f"NETWORK {RUN}").locator(".problem")
    expect(refusal).to_contain_text("R-EQL-4")  # a quota of 0: one NQL project in ES

    css.goto(f"{stack.portal_url}/css/candidates?year={_year(css)}")
    expect(css.locator("table")).to_contain_text(f"NETWORK {RUN}")
    css.goto(f"{stack.portal_url}/css")
    css.get_by_role("button", name="Run the School Label eligibility").click()
    expect(
        css.locator(".card", has_text="School Label").locator(".notice, .problem").first
    ).to_be_visible()
    css.get_by_label("Close before the nominations deadline").check()  # R-EQL-1
    year = _year(css)
    css.get_by_role("button", name="Close the round and award the EQLs").click()

    def closed() -> bool:  # awards closes in the background (202) and the page follows it
        css.goto(f"{stack.portal_url}/css?year={year}")
        return "Closed" in css.locator("#round").inner_text()

    stack.eventually(closed, what="the round closed")
    css.goto(f"{stack.portal_url}/css/prizes")
    check_accessibility(css, "css: prizes")


def _partner_label_granted(stack: PortalStack) -> None:
    """The Portuguese co-founder's NQL, granted through the APIs: an EQL candidate needs
    labels from two countries."""
    project_id, joao_id = people["project_id"], people["joao_id"]
    joao = {"role": "teacher", "subject": f"joao-{RUN}", "teacher_id": joao_id}
    application = stack.api(
        "awards",
        "POST",
        f"/nql/projects/{project_id}/applications",
        json={
            "answers": {
                question: True
                for question in (
                    "common_goals",
                    "finished_or_nearly_finished",
                    "contributed_to_all_activities",
                    "partners_organised_collaborative_activities",
                    "data_protection_and_copyright",
                )
            },
            "evidence": {"text": "Our pupils designed the Batalha half of the network."},
        },
        **joao,
    )
    rubric = stack.api("awards", "GET", "/nql/rubrics/PT", role="operator", subject="op")
    scores = {s["id"]: s["max_points"] for c in rubric["criteria"] for s in c["sub_criteria"]}
    stack.api(
        "awards",
        "POST",
        f"/nql/applications/{application['id']}/evaluation",
        json={"scores": scores},
        role="nso",
        subject="nso:PT",
        country="PT",
    )


def _year(page: Page) -> str:
    return page.locator("#year").input_value()


def _publish_to_queue(amqp_url: str, queue: str, body: bytes, message_id: str) -> None:
    """A message put straight into a service's queue (a thread: the sync Playwright test has
    no event loop of its own to lend)."""

    async def publish() -> None:
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            message = aio_pika.Message(body, message_id=message_id, type="registration.x")
            await channel.default_exchange.publish(message, routing_key=queue)

    thread = threading.Thread(target=asyncio.run, args=(publish(),))
    thread.start()
    thread.join(timeout=20)


def _operator_redrives_a_dead_letter(stack: PortalStack, operator: Page) -> None:
    """A malformed message dead-lettered by notifications: listed with its reason, headers and
    body; chosen, redriven after the confirmation page."""
    message_id = f"m-broken-{RUN}"
    _publish_to_queue(stack.amqp_url, "notifications.events", b'{"event_id": "oops', message_id)
    page_url = f"{stack.portal_url}/operator/dead-letters/notifications"

    def listed() -> bool:
        operator.goto(page_url)
        return operator.locator(f"input[value='{message_id}']").count() == 1

    stack.eventually(listed, what="the dead letter on the operator's page")
    card = operator.locator(".card", has=operator.locator(f"input[value='{message_id}']"))
    expect(card.locator(".dead-reason")).to_have_text("invalid_json")
    card.locator("summary").click()
    expect(card.locator("pre")).to_have_text('{"event_id": "oops')
    expect(card.locator("dl")).to_contain_text("x-failed-service")
    check_accessibility(operator, "operator: dead letters")
    card.locator("input[type=checkbox]").check()
    operator.locator("main form button[type=submit]").last.click()
    # The confirmation step: nothing is sent back until it is confirmed.
    expect(operator.locator("#confirm")).to_be_visible()
    expect(operator.locator("main ul").last).to_contain_text(message_id)
    operator.locator("main form input[name=confirm]").locator("..").locator("button").click()
    expect(operator.locator(".notice")).to_be_visible()
    expect(operator).to_have_url(re.compile(r"/operator/dead-letters/notifications$"))


def test_operator_sees_every_service_and_sign_out_ends_the_session(
    stack: PortalStack, browser: Browser
) -> None:
    stack.set_user("operator-1", name="Platform operator", groups=["operator"])
    operator = new_page(browser, locale="de-DE")
    sign_in(operator, stack, "operator-1")
    expect(operator).to_have_url(re.compile(r"/operator$"))
    table = operator.locator("table").first
    for service in ("registration", "projects", "awards", "notifications"):
        expect(table).to_contain_text(service)
    expect(table).to_contain_text("outbox_pending")
    expect(operator.locator("h1")).to_have_text("Betrieb")  # the browser's language
    check_accessibility(operator, "operator: operations")
    screenshot(operator, "operator")
    # The language switch, on every page.
    operator.locator("#language-switch").select_option("it")
    operator.get_by_role("button", name="Ändern").click()
    expect(operator.locator("h1")).to_have_text("Operazioni")

    _operator_redrives_a_dead_letter(stack, operator)
    operator.goto(f"{stack.portal_url}/operator")
    operator.get_by_role("button", name="Esci").click()
    if "end_session" in operator.url:  # the provider asks to confirm its own sign-out
        operator.get_by_role("button").first.click()
    operator.goto(f"{stack.portal_url}/operator")
    expect(operator).not_to_have_url(re.compile(r"/operator$"))
