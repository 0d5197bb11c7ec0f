"""Builders for the EQL round and prizes tests: assessments, quotas, granted NQLs written
straight into the awards database (as the NQL flow leaves them), and sample events."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.awards.config import DEFAULT_EQL_POLICY
from services.awards.eql.adapters.repository import FOUNDERS
from services.awards.eql.domain.model import Assessment, NqlScore, assess
from services.awards.eql.domain.policy import EqlPolicy
from services.awards.nql.adapters.repository import APPLICATIONS, PROJECTS
from services.awards.nql.domain.model import application_id
from shared.events import awards

WHEN = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
YEAR = 2026  # the round whose period (school year 2025/26) holds WHEN


def shipped_eql_document() -> dict[str, Any]:
    return tomllib.loads(DEFAULT_EQL_POLICY.read_text(encoding="utf-8"))


def eql_policy(**sections: dict[str, Any]) -> EqlPolicy:
    """The shipped policy, with the named sections' keys changed."""
    document = copy.deepcopy(shipped_eql_document())
    for name, values in sections.items():
        document.setdefault(name, {}).update(values)
    return EqlPolicy.model_validate(document)


def scores(*granted: tuple[str, int], refused: Sequence[tuple[str, int]] = ()) -> list[NqlScore]:
    """(country, total) of each NQL; teacher ids are made up."""
    made = [
        NqlScore(teacher_id=f"t{i}-{c}", country=c, total=t, granted=True)
        for i, (c, t) in enumerate(granted)
    ]
    made += [
        NqlScore(teacher_id=f"r{i}-{c}", country=c, total=t, granted=False)
        for i, (c, t) in enumerate(refused)
    ]
    return made


def assessment(
    *granted: tuple[str, int],
    founders: Sequence[str] = ("ES", "PT"),
    project_id: str = "p-1",
    policy: EqlPolicy | None = None,
) -> Assessment:
    found = assess(
        project_id,
        f"Project {project_id}",
        scores(*granted),
        list(founders),
        "EUROPEAN",
        (policy or eql_policy()).nomination,
    )
    assert found is not None
    return found


async def grant_nqls(
    database: AsyncDatabase[dict[str, Any]],
    project_id: str,
    members: Sequence[tuple[str, str, int | None]],
    *,
    founder_countries: Sequence[str] | None = None,
    decided_at: datetime = WHEN,
    project_type: str = "EUROPEAN",
) -> None:
    """Project facts and NQL applications as the NQL flow leaves them: (teacher, country,
    total) per member; total None = a member without an NQL."""
    await database[PROJECTS].insert_one(
        {
            "_id": project_id,
            "project_id": project_id,
            "title": f"Project {project_id}",
            "project_type": project_type,
            "members": [
                {"teacher_id": t, "school_id": f"s-{t}", "school_name": f"School of {t}",
                 "country": c}
                for t, c, _ in members
            ],
            "completed_at": decided_at,
        }
    )  # fmt: skip
    countries = founder_countries or sorted({c for _, c, _ in members[:2]})
    await database[FOUNDERS].insert_one(
        {"_id": project_id, "founder_countries": list(countries), "founder_ids": []}
    )
    documents = [
        {
            "_id": application_id(project_id, t),
            "project_id": project_id,
            "project_title": f"Project {project_id}",
            "teacher_id": t,
            "country": c,
            "status": "GRANTED" if total >= 15 else "REFUSED",
            "opened_at": decided_at,
            "decision": {
                "decision": {
                    "outcome": "GRANTED",
                    "total": total,
                    "rubric_id": "default-2026",
                    "scores": {},
                    "max_total": 30,
                    "checks": [],
                },
                "decided_at": decided_at,
                "decided_by": f"nso-{c}",
                "summary": "",
            },
        }
        for t, c, total in members
        if total is not None
    ]
    if documents:
        await database[APPLICATIONS].insert_many(documents)


# --- sample events (notifications rules) -----------------------------------------------------


def eql_round_opened() -> awards.EqlRoundOpened:
    return awards.EqlRoundOpened(
        round_id="eql-2026", year=YEAR, period_start=datetime(2025, 9, 1, tzinfo=UTC),
        period_end=datetime(2026, 9, 1, tzinfo=UTC), candidate_count=12, countries=["ES", "PT"],
        quotas={"ES": 2, "PT": 1}, min_average=20, opened_by="css", opened_at=WHEN,
    )  # fmt: skip


def nominee_refused() -> awards.EqlNomineeRefused:
    return awards.EqlNomineeRefused(
        round_id="eql-2026", year=YEAR, project_id="p-1", project_title="Water of Europe",
        country="PT", nominated_by="nso:pt", reason="The partners did not collaborate online.",
        refused_by="css", refused_at=WHEN,
    )  # fmt: skip


def eql_awarded(teacher_id: str = "t-es", country: str = "ES") -> awards.EqlAwarded:
    return awards.EqlAwarded(
        label_id=f"eql_2026_{teacher_id}", round_id="eql-2026", year=YEAR,
        project_id="p-network", project_title="NETWORK", teacher_id=teacher_id, country=country,
        school_name="IES Severo Ochoa", average=26.5, verification_code="EQL-AAAA-BBBB-CCCC-DDDD",
        download_url="http://awards/eql/labels/x/certificate.pdf",
        verification_url="http://awards/eql/certificates/EQL-AAAA-BBBB-CCCC-DDDD",
        awarded_at=WHEN,
    )  # fmt: skip


def prize_won() -> awards.PrizeWon:
    return awards.PrizeWon(
        year=YEAR, project_id="p-network", project_title="NETWORK", category="12-15",
        winner_ids=["t-es", "t-pt"], recorded_by="css", won_at=WHEN,
    )  # fmt: skip
