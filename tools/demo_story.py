"""The demo story, played over the services' HTTP APIs: the NETWORK project.

IES Severo Ochoa (Elx, ES) and Escola Básica e Secundária da Batalha (PT) found a project on
computer networks; Borusan Asım Kocabıyık Mesleki ve Teknik Anadolu Lisesi (Istanbul, TR) joins
it; when it completes, every member is invited, by e-mail, to apply for a National Quality Label.
Every step crosses a service boundary through RabbitMQ; the story waits for each effect.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.http.auth import Principal, mint_token
from tools.answers import describe

SCHOOLS = {
    "ES": {"name": "IES Severo Ochoa", "town": "Elx", "country": "ES", "kind": "ISCED 2-3"},
    "PT": {
        "name": "Escola Básica e Secundária da Batalha",
        "town": "Batalha",
        "country": "PT",
        "kind": "ISCED 2-3",
    },
    "TR": {
        "name": "Borusan Asım Kocabıyık Mesleki ve Teknik Anadolu Lisesi",
        "town": "Istanbul",
        "country": "TR",
        "kind": "IVET",
    },
}
TEACHERS = {
    "ES": ("Lucía Martínez", "lucia.martinez@iesseveroochoa.example", "es"),
    "PT": ("João Ferreira", "joao.ferreira@esbatalha.example", "pt"),
    "TR": ("Ayşe Yılmaz", "ayse.yilmaz@borusanmtal.example", "tr"),
}

# The people of the story at the identity provider: each teacher applies with their own
# account (one subject, one profile: R-REG-7); staff are known by their groups.
TEACHER_ACCOUNTS = {"ES": "lucia.martinez", "PT": "joao.ferreira", "TR": "ayse.yilmaz"}
OPERATOR_ACCOUNT = "operator-demo"


def teacher_account(country: str, run_tag: str = "") -> str:
    account = TEACHER_ACCOUNTS[country]
    return f"{account}.{run_tag}" if run_tag else account


def nso_account(country: str) -> str:
    return f"nso-{country.lower()}"


def demo_people(run_tag: str = "") -> dict[str, dict[str, object]]:
    """Subject -> claims, as created at the provider (`PUT /users/<sub>` or Keycloak)."""
    people: dict[str, dict[str, object]] = {}
    for country, (name, email, _) in TEACHERS.items():
        people[teacher_account(country, run_tag)] = {"name": name, "email": email, "groups": []}
    for country in SCHOOLS:
        people[nso_account(country)] = {"name": f"NSO {country}", "groups": [f"nso-{country}"]}
    people[OPERATOR_ACCOUNT] = {"name": "Platform operator", "groups": ["operator"]}
    return people


@dataclass
class StoryLog:
    steps: list[tuple[str, bool, str]] = field(default_factory=list)

    def record(self, step: str, ok: bool, detail: str = "") -> None:
        self.steps.append((step, ok, detail))

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(ok for _, ok, _ in self.steps)


class Tokens:
    """Development-mode tokens: minted here, carrying the role themselves."""

    def __init__(self, secret: str, issuer: str) -> None:
        self._secret = secret
        self._issuer = issuer

    def header(self, **principal: Any) -> dict[str, str]:
        token = mint_token(Principal(**principal), secret=self._secret, issuer=self._issuer)
        return {"Authorization": f"Bearer {token}"}


class ProviderTokens:
    """Tokens of the identity provider: the person of `subject` logs in (`login` returns an
    access token); the role is the services' reading of the provider's claims, so the rest of
    the principal is not sent anywhere."""

    def __init__(self, login: Callable[[str], str]) -> None:
        self._login = login
        self._tokens: dict[str, str] = {}

    def header(self, *, subject: str, **_: Any) -> dict[str, str]:
        if subject not in self._tokens:
            self._tokens[subject] = self._login(subject)
        return {"Authorization": f"Bearer {self._tokens[subject]}"}


TokenSource = Tokens | ProviderTokens


class Story:
    def __init__(
        self,
        clients: dict[str, httpx.AsyncClient],
        tokens: TokenSource,
        timeout: float = 30.0,
        run_tag: str = "",
    ) -> None:
        self.http = clients
        self.run_tag = run_tag
        self.tokens = tokens
        self.timeout = timeout
        self.log = StoryLog()
        self.teacher_ids: dict[str, str] = {}
        self.school_ids: dict[str, str] = {}
        self.project_id = ""

    async def play(self) -> StoryLog:
        try:
            await self._register_and_validate()
            await self._found_and_activate()
            await self._partner_joins_and_completion()
            await self._labels_open_and_mails_go_out()
        except StoryFailed as failure:
            self.log.record(failure.step, False, failure.detail)
        return self.log

    async def _register_and_validate(self) -> None:
        for country, school in SCHOOLS.items():
            account = teacher_account(country, self.run_tag)
            applicant = self.tokens.header(subject=account, role="applicant")
            school_id = await self._school(applicant, school)
            self.school_ids[country] = school_id
            name, email, language = TEACHERS[country]
            if self.run_tag:  # a database kept from an earlier run already has this address
                email = email.replace("@", f"+{self.run_tag}@")
            teacher = await self._call(
                "registration", "POST", "/teachers", applicant,
                {"name": name, "email": email, "role": "teacher", "language": language,
                 "school_id": school_id, "subjects": ["computer science"]},
                201,
            )  # fmt: skip
            self.teacher_ids[country] = teacher["id"]
            nso = self._nso(country)
            path = f"/teachers/{teacher['id']}/validation"
            await self._call("registration", "POST", path, nso, None, 200)
            self.log.record(f"{name} ({school['name']}, {country}) registered and validated", True)

    async def _found_and_activate(self) -> None:
        es, pt = self._teacher("ES"), self._teacher("PT")
        proposal = {
            "cofounder_id": self.teacher_ids["PT"],
            "title": "NETWORK",
            "description": "Pupils in Elx, Batalha and Istanbul build and compare networks.",
        }
        # The projects service learns of validations through events: retry until it has.
        project = await self._eventually(
            "projects learns the validated teachers",
            lambda: self._call("projects", "POST", "/projects", es, proposal, 201),
        )
        self.project_id = project["id"]
        self.log.record(f"NETWORK proposed as a {project['project_type']} project", True)
        await self._call(
            "projects", "POST", self._path("cofounder-answer"), pt, {"accept": True}, 200
        )
        for country in ("ES", "PT"):
            nso = self._nso(country)
            body = {"approve": True}
            decided = await self._call(
                "projects", "POST", self._path("nso-decision"), nso, body, 200
            )
        self._expect("NSOs of ES and PT approved: project active", decided["status"] == "ACTIVE")

    async def _partner_joins_and_completion(self) -> None:
        es, tr = self._teacher("ES"), self._teacher("TR")
        invitation = {"teacher_id": self.teacher_ids["TR"]}
        # The Istanbul teacher's validation reaches projects as an event, maybe after the founders'.
        await self._eventually(
            "projects learns the invited teacher is validated",
            lambda: self._call("projects", "POST", self._path("invitations"), es, invitation, 200),
        )
        joined = await self._call(
            "projects", "POST", self._path("membership"), tr, {"pupil_count": 24}, 200
        )
        self.log.record(f"the Istanbul school joined ({len(joined['members'])} members)", True)
        completed = await self._call("projects", "POST", self._path("completion"), es, None, 200)
        self._expect("a founder marked NETWORK completed", completed["status"] == "COMPLETED")

    async def _labels_open_and_mails_go_out(self) -> None:
        operator = self.tokens.header(subject=OPERATOR_ACCOUNT, role="operator")

        async def three_applications() -> list[dict[str, Any]]:
            found = await self._call(
                "awards", "GET", f"/nql/applications?project_id={self.project_id}", operator,
                None, 200,
            )  # fmt: skip
            if len(found) < 3:
                raise StoryFailed("awards", f"{len(found)} of 3 applications open")
            return list(found)

        applications = await self._eventually("awards opened NQL applications", three_applications)
        self.log.record(f"awards opened {len(applications)} NQL applications", True)
        operator = self.tokens.header(subject=OPERATOR_ACCOUNT, role="operator")

        async def mails_sent() -> list[dict[str, Any]]:
            sent = []
            for teacher_id in self.teacher_ids.values():
                path = f"/deliveries?teacher_id={teacher_id}"
                deliveries = await self._call("notifications", "GET", path, operator, None, 200)
                sent += [d for d in deliveries if d["status"] == "sent"]
            if len(sent) < 3:
                raise StoryFailed("notifications", f"{len(sent)} of 3 e-mails sent")
            return sent

        sent = await self._eventually("notifications e-mailed every member", mails_sent)
        for delivery in sent:
            self.log.record(f"e-mail to {delivery['to']}: {delivery['subject']}", True)

    async def _school(self, applicant: dict[str, str], school: dict[str, str]) -> str:
        response = await self.http["registration"].post("/schools", headers=applicant, json=school)
        if response.status_code == 409:  # registered by an earlier run: the 409 names it
            return str(response.json()["existing_id"])
        if response.status_code != 201:
            raise StoryFailed("registration POST /schools", describe(response))
        return str(response.json()["id"])

    def _teacher(self, country: str) -> dict[str, str]:
        teacher_id = self.teacher_ids[country]
        account = teacher_account(country, self.run_tag)
        return self.tokens.header(subject=account, role="teacher", teacher_id=teacher_id)

    def _nso(self, country: str) -> dict[str, str]:
        return self.tokens.header(subject=nso_account(country), role="nso", country=country)

    def _path(self, action: str) -> str:
        return f"/projects/{self.project_id}/{action}"

    def _expect(self, step: str, condition: bool) -> None:
        if not condition:
            raise StoryFailed(step, "not observed")
        self.log.record(step, True)

    async def _call(
        self, service: str, method: str, path: str, headers: dict[str, str],
        body: Any, expected: int,
    ) -> Any:  # fmt: skip
        response = await self.http[service].request(method, path, headers=headers, json=body)
        if response.status_code != expected:
            raise StoryFailed(f"{service} {method} {path}", describe(response))
        return response.json()

    async def _eventually(self, step: str, attempt: Callable[[], Awaitable[Any]]) -> Any:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return await attempt()
            except StoryFailed as failure:
                if time.monotonic() > deadline:
                    raise StoryFailed(
                        step, f"not observed in {self.timeout}s: {failure.detail}"
                    ) from None
            await asyncio.sleep(0.2)


class StoryFailed(Exception):
    def __init__(self, step: str, detail: str) -> None:
        super().__init__(f"{step}: {detail}")
        self.step = step
        self.detail = detail
