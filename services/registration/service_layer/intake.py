"""Sign-up requests from other systems (intake.teacher.signup_requested). The handler runs in
the consumer's inbox transaction and takes the same path as POST /teachers; a refusal raises
a PermanentError (RegistrationRefused, NotFound), which the failure policy dead-letters at once
with its code as the reason."""

from __future__ import annotations

from services.registration.domain.model import identity_key
from services.registration.domain.policy import RegistrationPolicy
from services.registration.service_layer import commands
from services.registration.service_layer.handlers import DEFAULT_POLICY, register_teacher_in
from shared.clock import Clock
from shared.envelope import EventEnvelope
from shared.events import intake
from shared.messaging.consumer import EventHandler
from shared.storage.unit_of_work import Transaction


def command_of(request: intake.TeacherSignupRequested, producer: str) -> commands.RegisterTeacher:
    school_key = None
    if request.school_id is None:
        assert request.school_name and request.school_town and request.school_country
        school_key = identity_key(request.school_name, request.school_town, request.school_country)
    return commands.RegisterTeacher(
        name=request.name, email=request.email, role=request.role, language=request.language,
        school_id=request.school_id, subjects=list(request.subjects),
        languages=list(request.languages), pupil_age_min=request.pupil_age_min,
        pupil_age_max=request.pupil_age_max, school_identity_key=school_key, source=producer,
    )  # fmt: skip


def handlers(clock: Clock, policy: RegistrationPolicy = DEFAULT_POLICY) -> dict[str, EventHandler]:
    """The consumer's handlers, stamping times with the service's clock and verifying as the
    service's policy says."""

    async def on_signup_requested(
        request: intake.TeacherSignupRequested, envelope: EventEnvelope, tx: Transaction
    ) -> None:
        await register_teacher_in(tx, command_of(request, envelope.producer), clock, policy)

    return {intake.TeacherSignupRequested.event_type: on_signup_requested}
