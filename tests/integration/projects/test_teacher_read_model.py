"""The teacher read model on the real database: out-of-order facts, final erasure, and the
optimistic version check that backs the concurrency guarantees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.projects.adapters.repository import (
    ConcurrentChange,
    ProjectRepository,
    TeacherDirectory,
)
from services.projects.domain.model import KnownTeacher, Project, ProjectDetails
from services.projects.service_layer import teacher_facts
from shared.events import registration as facts
from shared.events.base import EventPayload
from shared.storage.unit_of_work import Transaction
from tests.integration.projects.conftest import ProjectsService
from tests.support.probes import envelope_of
from tests.support.projects_helpers import new_teacher, validated

pytestmark = pytest.mark.integration

T0 = datetime(2026, 1, 1, tzinfo=UTC)


async def apply(projects: ProjectsService, payload: EventPayload, at: datetime) -> None:
    envelope = envelope_of(payload, occurred_at=at)
    handler = teacher_facts.HANDLERS[payload.event_type]
    await projects.runtime.unit_of_work.run(lambda tx: handler(payload, envelope, tx))


async def known(projects: ProjectsService, teacher_id: str) -> KnownTeacher:
    async def read(tx: Transaction) -> KnownTeacher:
        return await TeacherDirectory(tx).get(teacher_id)

    return await projects.runtime.unit_of_work.run(read)


async def test_an_older_fact_arriving_late_does_not_undo_a_newer_one(
    projects: ProjectsService,
) -> None:
    teacher = new_teacher("ES")
    moved = facts.TeacherSchoolChanged(
        teacher_id=teacher.id, previous_school_id=teacher.school_id,
        school_id="sch_other", school_name="Other", country="ES",
    )  # fmt: skip
    await apply(projects, moved, T0 + timedelta(days=2))
    await apply(projects, validated(teacher), T0 + timedelta(days=1))  # older, late
    assert (await known(projects, teacher.id)).status == "WAITING_FOR_VALIDATION"
    revalidated = validated(teacher).model_copy(update={"school_id": "sch_other"})
    await apply(projects, revalidated, T0 + timedelta(days=3))
    now_known = await known(projects, teacher.id)
    assert (now_known.status, now_known.school_id) == ("VALIDATED", "sch_other")


@pytest.mark.parametrize(
    ("fact", "status"),
    [
        (lambda t: facts.TeacherDeactivated(teacher_id=t, reason="left"), "DEACTIVATED"),
        (lambda t: facts.TeacherRejected(teacher_id=t, country="ES", reason="no"), "REJECTED"),
        (lambda t: facts.TeacherErased(teacher_id=t), "ERASED"),
    ],
)
async def test_a_teacher_stops_being_validated(
    projects: ProjectsService, fact: object, status: str
) -> None:
    teacher = new_teacher("ES")
    await apply(projects, validated(teacher), T0)
    await apply(projects, fact(teacher.id), T0 + timedelta(hours=1))  # type: ignore[operator]
    now_known = await known(projects, teacher.id)
    assert (now_known.status, now_known.validated) == (status, False)


async def test_erasure_is_final_even_against_newer_facts(projects: ProjectsService) -> None:
    teacher = new_teacher("ES")
    await apply(projects, facts.TeacherErased(teacher_id=teacher.id), T0)
    await apply(projects, validated(teacher), T0 + timedelta(days=1))
    assert (await known(projects, teacher.id)).status == "ERASED"


async def test_saving_a_stale_version_is_a_concurrent_change(projects: ProjectsService) -> None:
    es, pt = new_teacher("ES"), new_teacher("PT")
    project = Project.propose(
        f"prj_stale_{es.id}", ProjectDetails("NETWORK"),
        KnownTeacher(es.id, "VALIDATED", es.school_id, "A", "ES"),
        KnownTeacher(pt.id, "VALIDATED", pt.school_id, "B", "PT"), T0,
    )  # fmt: skip

    async def add(tx: Transaction) -> None:
        ProjectRepository(tx).add(project)

    async def save_copy(tx: Transaction) -> None:
        copy = await ProjectRepository(tx).get(project.id)
        copy.version = 0
        ProjectRepository(tx).save(copy)

    await projects.runtime.unit_of_work.run(add)
    await projects.runtime.unit_of_work.run(save_copy)
    with pytest.raises(ConcurrentChange):
        await projects.runtime.unit_of_work.run(save_copy)
