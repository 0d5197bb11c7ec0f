"""Composition root of the awards service."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from fastapi import FastAPI
from pymongo.asynchronous.database import AsyncDatabase

from services.awards.access import POLICY
from services.awards.common.adapters.certificate_pdf import FpdfCertificateRenderer
from services.awards.common.entrypoints import verification
from services.awards.common.service_layer import (
    eql_facts,
    project_facts,
    project_states,
    school_facts,
    teacher_facts,
)
from services.awards.common.service_layer.certificates import CertificateRenderer
from services.awards.config import AwardsSettings
from services.awards.eql.adapters.certificate_pdf import EqlCertificateRenderer
from services.awards.eql.adapters.policy_file import load_eql_policy
from services.awards.eql.adapters.repository import ensure_eql_indexes
from services.awards.eql.entrypoints import http as eql_http
from services.awards.eql.service_layer.jobs import CloseRoundJob, OpenRoundJob
from services.awards.nql.adapters.policy_file import load_policy
from services.awards.nql.adapters.repository import ensure_indexes
from services.awards.nql.entrypoints import evaluation_view, http, rubric_http
from services.awards.prizes.entrypoints import http as prizes_http
from services.awards.school_label.adapters.policy_file import load_school_label_policy
from services.awards.school_label.adapters.repository import (
    ensure_indexes as ensure_school_label_indexes,
)
from services.awards.school_label.entrypoints import http as school_label_http
from services.awards.school_label.service_layer.jobs import EligibilityRunJob
from shared.clock import Clock, SystemClock
from shared.events import awards as emitted
from shared.events import projects, registration
from shared.identity.links import teacher_of_subject, with_link_indexes
from shared.jobs.http import jobs_router
from shared.jobs.runner import JobKind, JobWorker
from shared.jobs.store import ensure_job_indexes
from shared.messaging.consumer import EventHandler
from shared.runtime import BackgroundWorker, Runtime, ServiceDefinition, create_app
from shared.storage.mongo import Document


def handlers(clock: Clock) -> dict[str, EventHandler]:
    return {
        # NQL applications (R-NQL-2), the founders' countries for the EQL (R-EQL-2), then the
        # project's state (a member of an active project applies for the NQL, R-NQL-6)
        projects.ProjectCompleted.event_type: eql_facts.also(
            eql_facts.also(
                partial(project_facts.on_project_completed, clock=clock),
                eql_facts.on_project_completed,
            ),
            project_states.on_project_completed,
        ),
        projects.ProjectProposed.event_type: project_states.on_project_proposed,
        projects.ProjectEdited.event_type: project_states.on_project_edited,
        projects.ProjectActivated.event_type: project_states.on_project_activated,
        projects.ProjectRejected.event_type: project_states.on_project_rejected,
        projects.ProjectWithdrawn.event_type: project_states.on_project_withdrawn,
        projects.PartnerJoined.event_type: project_states.on_partner_joined,
        projects.PartnerLeft.event_type: project_states.on_partner_left,
        registration.TeacherRegistered.event_type: teacher_facts.on_teacher_registered,
        registration.TeacherValidated.event_type: teacher_facts.on_teacher_validated,
        registration.TeacherErased.event_type: teacher_facts.on_teacher_erased,
        # School Label facts (R-SCH-1); registered/validated/erased also reach them through
        # teacher_facts
        registration.SchoolRegistered.event_type: school_facts.on_school_registered,
        registration.TeacherRejected.event_type: school_facts.on_teacher_rejected,
        registration.TeacherSchoolChanged.event_type: school_facts.on_teacher_school_changed,
        registration.TeacherDeactivated.event_type: school_facts.on_teacher_deactivated,
    }


async def ensure_all_indexes(database: AsyncDatabase[Document]) -> None:
    await ensure_job_indexes(database)
    await ensure_indexes(database)
    await ensure_school_label_indexes(database)
    await ensure_eql_indexes(database)


def definition(
    settings: AwardsSettings | None = None,
    clock: Clock | None = None,
    workers: Sequence[Callable[[Runtime], BackgroundWorker]] = (),
) -> ServiceDefinition:
    clock = clock or SystemClock()
    return ServiceDefinition(
        name="awards",
        title="eTwinning awards",
        description="Quality Labels: National (R-NQL-*), then the European round (R-EQL-*).",
        settings=settings or AwardsSettings(),
        routers=[
            http.router,
            verification.router,
            school_label_http.router,
            eql_http.router,
            prizes_http.router,
            rubric_http.router,
            evaluation_view.router,
            jobs_router(POLICY),
        ],
        workers=workers,
        handlers=handlers(clock),
        emits=[
            emitted.NqlApplicationOpened,
            emitted.NqlApplied,
            emitted.NqlNotEvaluated,
            emitted.NqlGranted,
            emitted.NqlRefused,
            emitted.CertificateIssued,
            emitted.SchoolLabelEligible,
            emitted.SchoolLabelHeadConfirmationRequested,
            emitted.SchoolLabelSubmitted,
            emitted.SchoolLabelDecided,
            emitted.EqlRoundOpened,
            emitted.EqlNominated,
            emitted.EqlNominationRefused,
            emitted.EqlNomineeRefused,
            emitted.EqlAwarded,
            emitted.EqlRoundClosed,
            emitted.PrizeEntryDecided,
            emitted.PrizeWon,
            emitted.JobFinished,
        ],
        ensure_indexes=with_link_indexes(ensure_all_indexes),
        teacher_of_subject=teacher_of_subject,
        app_state={"clock": clock},
    )


def build_app(
    settings: AwardsSettings | None = None,
    renderer: CertificateRenderer | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """`clock`: the time every use case, handler and job reads (tests give a SettableClock)."""
    settings = settings or AwardsSettings()
    clock = clock or SystemClock()
    # Loaded now: a broken policy file stops the service before it serves anything.
    nql_policy = load_policy(settings.nql_policy_path)
    school_label_policy = load_school_label_policy(settings.school_label_policy_path)
    eql_policy = load_eql_policy(settings.eql_policy_path)
    kinds: list[JobKind] = [
        OpenRoundJob(eql_policy, clock),
        CloseRoundJob(eql_policy, clock, settings.base_url, settings.eql_close_batch_projects),
        EligibilityRunJob(school_label_policy),
    ]

    def job_worker(runtime: Runtime) -> JobWorker:
        worker = JobWorker(
            runtime.unit_of_work,
            kinds,
            emitted.job_finished,
            clock.now,
            poll_seconds=settings.jobs_poll_seconds,
            lease_seconds=settings.jobs_lease_seconds,
            max_attempts=settings.jobs_max_attempts,
        )
        app.state.job_worker = worker  # woken by the routes that submit a job
        return worker

    app = create_app(definition(settings, clock, workers=[job_worker]))
    app.state.job_finished_event = emitted.job_finished
    app.state.nql_policy = nql_policy
    app.state.certificate_renderer = renderer or FpdfCertificateRenderer()
    app.state.school_label_policy = school_label_policy
    app.state.eql_policy = eql_policy
    app.state.eql_certificate_renderer = EqlCertificateRenderer()
    return app
