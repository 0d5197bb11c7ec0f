"""The registration policy as a route dependency: the composition root loads it once and sets
it on the app, so routes and the intake consumer verify teachers the same way."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.registration.domain.policy import RegistrationPolicy

POLICY_STATE = "registration_policy"


def policy_of(request: Request) -> RegistrationPolicy:
    policy: RegistrationPolicy = getattr(request.app.state, POLICY_STATE)
    return policy


RegPolicy = Annotated[RegistrationPolicy, Depends(policy_of)]
