"""The school head's link (R-REG-3, issue 17 "every link a notice carries opens the right page
of the portal"): a teacher registers in Spain, whose NSO asks the school head; the head's mail,
caught by the SMTP sink, links to the portal's public confirmation page; the head confirms
there, without an account, and the NSO's validation queue then shows "head confirmed"."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import check_accessibility, new_page, sign_in
from tests.support.portal_stack import PortalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]
RUN = uuid.uuid4().hex[:6]


def test_the_head_confirms_from_the_mail_and_the_nso_sees_it(
    stack: PortalStack, browser: Browser
) -> None:
    head_email = f"direccion.{RUN}@school.example"
    subject, name = f"pilar-{RUN}", f"Pilar Gómez {RUN}"
    stack.set_user(subject, name=name, email=f"pilar.{RUN}@example.org", groups=[])
    school = stack.api(
        "registration", "POST", "/schools", as_user=subject,
        json={"name": f"CEIP Elx {RUN}", "town": "Elx", "country": "ES",
              "head_name": "Marta Ruiz", "head_email": head_email},
    )  # fmt: skip
    stack.api(
        "registration", "POST", "/teachers", as_user=subject,
        json={"name": name, "email": f"pilar.{RUN}@example.org", "role": "teacher",
              "language": "es", "school_id": school["id"], "subjects": ["music"],
              "languages": ["es"]},
    )  # fmt: skip

    def link_in_heads_mail() -> str | None:
        for mail in stack.sink.mails:
            found = re.search(r"(http://\S+/head-confirmations/[\w-]+)", mail.text)
            if head_email in mail.to and found:
                return found.group(1)
        return None

    link = stack.eventually(link_in_heads_mail, seconds=20, what="the head's mail")
    assert link.startswith(stack.portal_url + "/head-confirmations/")

    head = new_page(browser)  # no sign-in: the link's secret is the authority
    head.goto(link)
    expect(head.get_by_role("heading", level=1)).to_contain_text("Confirm a member")
    check_accessibility(head, "school head: confirmation")
    head.get_by_role("button", name="Confirm").click()
    expect(head.locator(".notice")).to_contain_text(f"{name} works at CEIP Elx {RUN}")

    stack.set_user("nso-es", name="Carmen (NSO Spain)", groups=["nso-ES"])
    nso = new_page(browser)
    sign_in(nso, stack, "nso-es")
    nso.goto(f"{stack.portal_url}/nso/validations")
    card = nso.locator(".card", has_text=name)
    expect(card).to_contain_text("head confirmed")
    check_accessibility(nso, "nso: validation queue")
    head.context.close()
    nso.context.close()
