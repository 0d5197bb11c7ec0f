"""Composition root of the projects service."""

from __future__ import annotations

from fastapi import FastAPI

from services.projects.adapters.repository import ensure_indexes
from services.projects.config import ProjectsSettings
from services.projects.entrypoints.http import router, teachers_router
from services.projects.service_layer.teacher_facts import HANDLERS
from shared.clock import Clock, SystemClock
from shared.events import projects as emitted
from shared.identity.links import teacher_of_subject, with_link_indexes
from shared.runtime import ServiceDefinition, create_app


def definition(
    settings: ProjectsSettings | None = None, clock: Clock | None = None
) -> ServiceDefinition:
    clock = clock or SystemClock()
    return ServiceDefinition(
        name="projects",
        title="eTwinning projects",
        description="Projects from proposal to completion (R-PRJ-1..6).",
        settings=settings or ProjectsSettings(),
        routers=[router, teachers_router],
        handlers=HANDLERS,
        emits=[
            emitted.ProjectProposed,
            emitted.ProjectEdited,
            emitted.ProjectWithdrawn,
            emitted.CofounderResponded,
            emitted.NsoDecided,
            emitted.ProjectActivated,
            emitted.ProjectRejected,
            emitted.PartnerInvited,
            emitted.PartnerJoined,
            emitted.PartnerLeft,
            emitted.ProjectCompleted,
            emitted.ProjectArchived,
        ],
        ensure_indexes=with_link_indexes(ensure_indexes),
        teacher_of_subject=teacher_of_subject,
        app_state={"clock": clock},
    )


def build_app(settings: ProjectsSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """`clock`: the time every use case reads (tests give a SettableClock)."""
    return create_app(definition(settings, clock))
