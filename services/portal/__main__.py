"""`python -m services.portal`: the portal under uvicorn."""

import uvicorn

from services.portal.bootstrap import build_app
from services.portal.config import PortalSettings

settings = PortalSettings()
uvicorn.run(
    build_app(settings),
    host=settings.http_host,
    port=settings.http_port,
    log_config=None,
    access_log=False,
    timeout_graceful_shutdown=int(settings.graceful_timeout_seconds),
)
