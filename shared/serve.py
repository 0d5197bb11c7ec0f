"""Run a service's ASGI app under uvicorn: `python -m services.<name>` ends up here."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from shared.settings import ServiceSettings


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # our structlog configuration handles uvicorn's records
        access_log=False,
        timeout_graceful_shutdown=int(settings.graceful_timeout_seconds),
    )
