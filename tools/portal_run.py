"""The portal in `make run`: the portal process in front of the four services, signing people
in at the same OpenID provider the services trust (tools/oidc_provider.py), and the people the
story does not create there (the CSS, and a newcomer who registers from scratch).

`make run` then prints the portal's URL and whom to sign in as: type the subject on the
provider's page and press Authorize."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from tools import oidc_provider

ROOT = Path(__file__).resolve().parent.parent
PORTAL_PORT = int(os.environ.get("PORTAL_PORT", "8000"))
PORTAL_URL = os.environ.get("PORTAL_BASE_URL", f"http://127.0.0.1:{PORTAL_PORT}")
EXTRA_PEOPLE: dict[str, dict[str, object]] = {
    "css-demo": {"name": "Central Support Service", "groups": ["css"]},
    "newcomer": {"name": "A new teacher", "email": "newcomer@example.org", "groups": []},
}


@dataclass
class RunningPortal:
    url: str
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        if self.process.poll() is None:
            self.process.kill()
        self.log.close()


def start_portal(
    service_urls: dict[str, str], env: dict[str, str], issuer: str, log_dir: Path
) -> RunningPortal:
    for subject, claims in EXTRA_PEOPLE.items():
        oidc_provider.put_user(issuer, subject, claims)
    log = (log_dir / "portal.log").open("wb")
    portal_env = {
        **env, "SERVICE_NAME": "portal", "HTTP_PORT": str(PORTAL_PORT),
        "PORTAL_BASE_URL": PORTAL_URL, "OIDC_ISSUER": issuer, "SERVICE_TOKENS": "provider",
        "AUTHLIB_INSECURE_TRANSPORT": "1",  # the local provider speaks plain HTTP on loopback
        **{f"{name.upper()}_URL": url for name, url in service_urls.items()},
    }  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "services.portal"], cwd=ROOT, env=portal_env,
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the portal exited at start-up (see {log_dir / 'portal.log'})")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{PORTAL_PORT}/health/live", timeout=1).is_success:
                return RunningPortal(PORTAL_URL, process, log)
        time.sleep(0.2)
    raise SystemExit("the portal did not start within 30 s")


def sign_in_as(people: dict[str, str]) -> dict[str, str]:
    """Whom to sign in as: the story's people and the portal's extra ones."""
    extra = {subject: str(claims["name"]) for subject, claims in EXTRA_PEOPLE.items()}
    return {**people, **extra}
