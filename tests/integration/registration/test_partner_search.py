"""Partner search (GET /partners) on SecantusDB: filters, only VALIDATED teachers (R-REG-4),
sorted and paginated, case- and accent-insensitive prefixes, and index use shown by explain."""

from __future__ import annotations

from typing import Any

import pytest

from services.registration.adapters.partner_search import (
    PartnerQuery,
    explain_partner_search,
    scanned_indexes,
)
from tests.support.problems import problem_code
from tests.support.registration_helpers import (
    RunningRegistration,
    new_school,
    new_teacher,
    nso,
    teacher_token,
    validated_teacher,
)

pytestmark = pytest.mark.integration


async def test_partner_search_filters_sorts_pages_and_uses_indexes(
    registration: RunningRegistration,
) -> None:
    http = registration.http
    elx = await new_school(http)
    batalha = await new_school(http, "Escola Básica da Batalha", "PT", town="Batalha")
    maths = {"subjects": ["Matemáticas"], "languages": ["es", "en"]}
    await validated_teacher(http, elx, "zoe@example.org", name="Zoé Álvarez", **maths,
                            pupil_age_min=12, pupil_age_max=16)  # fmt: skip
    await validated_teacher(http, elx, "ana@example.org", name="Ana García", **maths,
                            pupil_age_min=6, pupil_age_max=11)  # fmt: skip
    await validated_teacher(http, batalha, "joao@example.org", name="João Gonçalves",
                            subjects=["História"], languages=["pt", "fr"])  # fmt: skip
    waiting = await new_teacher(http, elx["id"], "waiting@example.org", name="Alba Waiting")
    token = teacher_token(waiting["id"])

    async def search(**params: Any) -> dict[str, Any]:
        response = await http.get("/partners", params=params, headers=token)
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page

    def names(page: dict[str, Any]) -> list[str]:
        return [item["name"] for item in page["items"]]

    spoken = await search(language="EN")
    assert names(spoken) == ["Ana García", "Zoé Álvarez"]  # sorted; Alba is not validated
    assert "email" not in spoken["items"][0]
    assert names(await search(country="ES")) == ["Ana García", "Zoé Álvarez"]
    assert names(await search(country="PT")) == ["João Gonçalves"]
    assert names(await search(subject="MATEMATICAS", country="ES")) == ["Ana García", "Zoé Álvarez"]
    assert names(await search(language="FR")) == ["João Gonçalves"]
    assert names(await search(language="es", age_from=13, age_to=18)) == ["Zoé Álvarez"]
    assert names(await search(q="alv")) == ["Zoé Álvarez"]  # a surname: every word starts
    assert names(await search(q="goncalves")) == ["João Gonçalves"]  # longer than indexed
    assert names(await search(q="severo", country="ES")) == ["Ana García", "Zoé Álvarez"]
    assert names(await search(q="escola básica da bat")) == ["João Gonçalves"]
    assert names(await search(q="alba")) == []  # waiting for validation: not a partner

    first = await search(page_size=1, country="ES")
    second = await search(page_size=1, page=first["next_page"], country="ES")
    assert (names(first), first["next_page"]) == (["Ana García"], 2)
    assert (names(second), second["next_page"]) == (["Zoé Álvarez"], None)

    too_broad = await http.get("/partners", params={"age_from": 6}, headers=token)
    assert (too_broad.status_code, problem_code(too_broad)) == (400, "search_too_broad")
    bad = await http.get("/partners", params={"page_size": 1000, "country": "ES"}, headers=token)
    assert (bad.status_code, problem_code(bad)) == (422, "invalid_request")
    assert (await http.get("/partners", params={"country": "ES"})).status_code == 401

    # R-REG-5: changing school takes the teacher out of the partners until validated again
    ana = spoken["items"][0]
    moved = await http.post(
        f"/teachers/{ana['id']}/school-change", json={"school_id": batalha["id"]},
        headers=teacher_token(ana["id"]),
    )  # fmt: skip
    assert moved.status_code == 200
    assert names(await search(country="ES")) == ["Zoé Álvarez"]
    await http.post(f"/teachers/{ana['id']}/validation", headers=nso("PT"))
    assert names(await search(country="PT", q="batalha")) == ["Ana García", "João Gonçalves"]

    # Index use, as SecantusDB's explain reports it: the driving $match of the pipeline is an
    # IXSCAN on the index made for it (never a COLLSCAN).
    database = registration.database
    for query, index in [
        (PartnerQuery(country="ES"), "country_1_status_1"),
        (PartnerQuery(country="ES", subject="art"), "partner_country_subject"),
        (PartnerQuery(prefix="alv", country="ES"), "partner_prefix"),
        (PartnerQuery(subject="matematicas", age_from=10), "partner_subject"),
        (PartnerQuery(language="fr"), "partner_language"),
    ]:
        explained = await explain_partner_search(database, query)
        assert set(scanned_indexes(explained)) == {index}, explained
        assert "COLLSCAN" not in repr(explained)
