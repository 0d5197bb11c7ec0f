"""Composition root of the registration service."""

from __future__ import annotations

from fastapi import FastAPI

from services.registration.adapters.policy_file import load_registration_policy
from services.registration.adapters.repository import ensure_indexes, teacher_of_subject
from services.registration.config import RegistrationSettings
from services.registration.entrypoints import directory, validation
from services.registration.entrypoints.context import CONTEXT_STATE
from services.registration.entrypoints.http import router
from services.registration.service_layer.handlers import Context
from services.registration.service_layer.intake import intake_handlers
from shared.clock import Clock, system_clock
from shared.events import registration as emitted
from shared.runtime import ServiceDefinition, create_app


def definition(
    settings: RegistrationSettings | None = None, clock: Clock = system_clock
) -> ServiceDefinition:
    settings = settings or RegistrationSettings()
    context = Context(load_registration_policy(settings.registration_policy_path), clock)
    return ServiceDefinition(
        name="registration",
        title="eTwinning registration",
        description="Schools, school staff, their validation by the NSO, partner search, "
        "erasure and sign-ups from other systems (R-REG-1..7).",
        settings=settings,
        routers=[router, directory.router, validation.router],
        handlers=intake_handlers(context),
        emits=[
            emitted.SchoolRegistered,
            emitted.TeacherRegistered,
            emitted.TeacherValidated,
            emitted.TeacherHeadConfirmationRequested,
            emitted.TeacherRejected,
            emitted.TeacherSchoolChanged,
            emitted.TeacherDeactivated,
            emitted.TeacherErased,
        ],
        ensure_indexes=ensure_indexes,
        teacher_of_subject=teacher_of_subject,
        app_state={CONTEXT_STATE: context, "clock": clock},
    )


def build_app(settings: RegistrationSettings | None = None, clock: Clock = system_clock) -> FastAPI:
    return create_app(definition(settings, clock))
