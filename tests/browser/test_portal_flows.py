"""Each role's main flow through the portal in a real browser, ending on what the other side
sees: the NSO validates → the teacher's page says validated; the NSO grants → the teacher's
inbox and the caught mail link to the certificate; the CSS opens the round → the NSO sees its
candidates and nominates → the CSS sees the nomination; the operator sees every service."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import Browser, expect

from tests.browser.conftest import check_accessibility, new_page, screenshot, sign_in
from tests.support.portal_stack import PortalStack

RUN = uuid.uuid4().hex[:6]
people: dict[str, Any] = {}


def _teacher_via_api(stack: PortalStack, country: str, name: str, school: str) -> str:
    applicant = {"subject": f"seed:{name}", "role": "applicant"}
    created = stack.api("registration", "POST", "/schools", json={
        "name": f"{school} {RUN}", "town": "Batalha", "country": country}, **applicant)  # fmt: skip
    teacher = stack.api("registration", "POST", "/teachers", json={
        "name": name, "email": f"{name.split()[0].lower()}.{RUN}@example.org", "role": "teacher",
        "language": "pt", "school_id": created["id"], "subjects": ["computer science"],
        "languages": ["en"]}, **applicant)  # fmt: skip
    stack.api("registration", "POST", f"/teachers/{teacher['id']}/validation",
              role="nso", subject=f"nso:{country}", country=country)  # fmt: skip
    return str(teacher["id"])


def test_teacher_registers_and_the_nso_validates(stack: PortalStack, browser: Browser) -> None:
    stack.set_user(f"lucia-{RUN}", name="Lucía Martínez", email=f"lucia.{RUN}@example.org")
    stack.set_user("nso-es", name="Carmen (NSO Spain)", role="nso", country="ES")
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
